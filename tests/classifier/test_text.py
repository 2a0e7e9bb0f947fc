from __future__ import annotations

import pytest

from classifier.text import (
    canonical_language,
    detect_language,
    ja_tokens,
    latin_tokens,
    normalize,
    romaji_to_hiragana,
    split_for_sudachi,
)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("pt-BR", "pt"),
        ("pt_BR", "pt"),
        ("pt", "pt"),
        ("ja-JP", "ja"),
        ("EN", "en"),
        ("ko", None),
        ("", None),
    ],
)
def test_language_tags_map_to_the_three_languages(code: str, expected: str | None) -> None:
    assert canonical_language(code) == expected


@pytest.mark.parametrize(
    ("message", "lang", "source"),
    [
        ("母の介護がつらいです", "ja", "script"),
        ("ｶﾞｲｺｸｼﾞﾝです", "ja", "script"),
        ("kaigo no soudan shitai desu", "ja", "romaji"),
        ("hoikuen ni hairenai", "ja", "romaji"),
        ("I lost my job and the rent is due next week", "en", "detector"),
        ("perdi o emprego e nao consigo pagar o aluguel", "pt", "detector"),
        ("não tenho dinheiro para a comida", "pt", "detector"),
        ("preciso renovar o zairyu card", "pt", "detector"),
        ("where is the shiyakusho", "en", "detector"),
    ],
)
def test_detects_the_language_a_resident_wrote_in(message: str, lang: str, source: str) -> None:
    guess = detect_language(message)
    assert (guess.lang, guess.source) == (lang, source)


def test_an_explicit_language_wins_over_detection() -> None:
    assert detect_language("母の介護", explicit="pt-BR").lang == "pt"


def test_the_detector_abstains_when_there_is_no_evidence() -> None:
    guess = detect_language("ok 123", default="en")
    assert guess.source == "default" and not guess.reliable and guess.lang == "en"


def test_normalize_removes_control_characters_and_folds_width() -> None:
    assert normalize("ＡＢＣ\x00\x1b  ｶﾞ\u200b") == "ABC ガ"


def test_romaji_becomes_hiragana() -> None:
    assert romaji_to_hiragana("shiyakusho") == "しやくしょ"
    assert romaji_to_hiragana("kitte") == "きって"


def test_japanese_tokens_are_normalized_content_words() -> None:
    tokens = ja_tokens("ポストに督促状ばかり届いてて、電気も止められた")
    assert "督促" in tokens and "電気" in tokens and "止める" in tokens
    assert "に" not in tokens and "、" not in tokens


def test_portuguese_without_accents_matches_portuguese_with_them() -> None:
    assert latin_tokens("não está", "pt") == latin_tokens("nao esta", "pt")


def test_a_text_larger_than_sudachi_accepts_is_split_not_refused() -> None:
    huge = "母の介護がつらい。" * 12_000  # about 324 KB of UTF-8
    pieces = split_for_sudachi(huge)
    assert len(pieces) > 1 and "".join(pieces) == huge
    assert all(len(p.encode()) <= 32_000 for p in pieces)
    assert ja_tokens(huge).count("介護") == 12_000


def test_one_unbroken_run_without_sentence_ends_is_split_too() -> None:
    run = "あ" * 100_000
    assert "".join(split_for_sudachi(run)) == run
    ja_tokens(run)

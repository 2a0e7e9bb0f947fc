from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handoff.summary import (
    SummaryInput,
    build_summary,
    domain_words,
    key_sentences,
    split_sentences,
    waiting_words,
    with_waiting_time,
)

RECEIVED = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def facts(**overrides: object) -> SummaryInput:
    values: dict[str, object] = {
        "texts": ["母の介護で仕事を辞めました。お金が足りません。"],
        "domains": ["elderly_care", "living_costs"],
        "language": "pt",
        "channel": "web",
        "urgency": "high",
        "received_at": RECEIVED,
        "source_label": "みなと市立港南小学校",
        "needs_interpreter": True,
    }
    values.update(overrides)
    return SummaryInput(**values)  # type: ignore[arg-type]


def test_summary_reads_in_japanese_by_default() -> None:
    text = build_summary(facts())
    assert "分野: 介護・高齢、生活費・生活困窮" in text
    assert "言語: ポルトガル語（通訳が必要）" in text
    assert "経路: 学校メールのリンクからのWebチャット" in text
    assert "リンク元: みなと市立港南小学校" in text
    assert "緊急度: 高" in text
    assert "受付: 2026-11-24 10:00" in text
    assert "・お金が足りません。" in text


def test_summary_for_an_english_reader() -> None:
    text = build_summary(facts(), reader="en")
    assert "Domains: elderly care, money and living costs" in text
    assert "Language: Portuguese (needs an interpreter)" in text


def test_handover_notes_are_included() -> None:
    text = build_summary(facts(handover_notes=["家計の見直しから"]))
    assert "引き継ぎメモ: 家計の見直しから" in text


def test_sentences_split_on_japanese_and_latin_punctuation() -> None:
    assert split_sentences("困っています。助けて！ Where? I lost my job. Ok") == [
        "困っています。",
        "助けて！",
        "Where?",
        "I lost my job.",
        "Ok",
    ]


def test_key_sentences_keep_the_first_and_the_weighty_in_order() -> None:
    story = [
        "こんにちは。今日は晴れです。猫がいます。家賃を3か月払えていません。"
        "電気も止まりそうで困っています。よろしく。"
    ]
    chosen = key_sentences(story, limit=3)
    assert chosen[0] == "こんにちは。"
    assert chosen[1:] == ["家賃を3か月払えていません。", "電気も止まりそうで困っています。"]


def test_key_sentences_are_clipped() -> None:
    (only,) = key_sentences(["あ" * 500])
    assert len(only) <= 140 and only.endswith("…")


def test_waiting_time_words() -> None:
    assert waiting_words(timedelta(minutes=5)) == "5分"
    assert waiting_words(timedelta(hours=2, minutes=15)) == "2時間15分"
    assert waiting_words(timedelta(days=1, hours=3)) == "1日3時間"
    assert waiting_words(timedelta(hours=2, minutes=15), "en") == "2 h 15 min"


def test_waiting_time_is_added_when_read() -> None:
    text = with_waiting_time("x", received_at=RECEIVED, now=RECEIVED + timedelta(minutes=90))
    assert text == "x\n待ち時間: 1時間30分"


def test_domain_words_in_portuguese() -> None:
    assert domain_words(["debt", "housing"], "pt") == "dívidas, moradia"

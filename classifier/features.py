"""Feature extraction for the model: tokens, adjacent pairs and concept cues (picklable)."""

from __future__ import annotations

from itertools import pairwise, repeat

from classifier.lexicon import concepts
from classifier.text import ja_tokens, latin_tokens, lexical_form, normalize


def word_features(tokens: list[str]) -> list[str]:
    """Unigrams and adjacent bigrams."""
    return tokens + list(map(" ".join, pairwise(tokens)))


def _concept_features(text: str, lang: str) -> list[str]:
    return [f"@{domain}" for domain in concepts(text, lang)]


def analyze_ja(text: str) -> list[str]:
    """Features of a Japanese message."""
    return word_features(ja_tokens(text)) + _concept_features(text, "ja")


def analyze_en(text: str) -> list[str]:
    """Features of an English message."""
    return word_features(latin_tokens(text, "en")) + _concept_features(text, "en")


def analyze_pt(text: str) -> list[str]:
    """Features of a Portuguese message."""
    return word_features(latin_tokens(text, "pt")) + _concept_features(text, "pt")


ANALYZERS = {"ja": analyze_ja, "en": analyze_en, "pt": analyze_pt}


def char_ngrams(text: str, lang: str) -> list[str]:
    """Character n-grams of the lexicon's form of the text (kana folded, accents stripped):
    trigrams for Japanese, 4-grams with word edges for English and Portuguese (in
    cross-validation, as good for crisis as 2-3 and 3-5, at half the features). Marked with
    '#' so they never meet a word feature."""
    form = lexical_form(normalize(text))
    if lang == "ja":
        size = 3
    else:
        form, size = f" {form} ", 4
    shifted = [form[i:] for i in range(size)]  # n-grams are read off in step, in C
    return list(map("".join, zip(repeat("#"), *shifted)))


def analyze_ja_crisis(text: str) -> list[str]:
    """The crisis column's features of a Japanese message: words and character n-grams."""
    return analyze_ja(text) + char_ngrams(text, "ja")


def analyze_en_crisis(text: str) -> list[str]:
    """The crisis column's features of an English message: words and character n-grams."""
    return analyze_en(text) + char_ngrams(text, "en")


def analyze_pt_crisis(text: str) -> list[str]:
    """The crisis column's features of a Portuguese message: words and character n-grams."""
    return analyze_pt(text) + char_ngrams(text, "pt")


# Character n-grams help the crisis column most (veiled phrasing, kana spellings, typos); for
# the other domains they lowered cross-validated macro F1, so those read words only.
CRISIS_ANALYZERS = {"ja": analyze_ja_crisis, "en": analyze_en_crisis, "pt": analyze_pt_crisis}

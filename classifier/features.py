"""Feature extraction for the model: tokens, adjacent pairs and concept cues (picklable)."""

from __future__ import annotations

from itertools import pairwise

from classifier.lexicon import concepts
from classifier.text import ja_tokens, latin_tokens


def word_features(tokens: list[str]) -> list[str]:
    """Unigrams and adjacent bigrams."""
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


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

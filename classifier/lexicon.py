"""The domain concept lexicon: hand-written cue phrases per domain and language, found fast.

Japanese phrases match anywhere in the NFKC text; English and Portuguese phrases match at
the start of a word in lower-cased, accent-free text ("evict" finds "evicted").
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from classifier.domains import DOMAIN_IDS, LANGUAGES
from classifier.text import index_keys, lexical_form, normalize

LEXICON_DIR = Path(__file__).parent / "data" / "lexicon"
_KEY = 2  # phrases are indexed by their first two characters


@dataclass(frozen=True, slots=True)
class PhraseIndex:
    """Phrases indexed by their first characters, so a text is scanned once."""

    by_key: dict[str, tuple[tuple[str, frozenset[str]], ...]]
    key_set: frozenset[str]
    word_start: bool

    @classmethod
    def build(cls, phrases: dict[str, set[str]], *, word_start: bool) -> PhraseIndex:
        """Index `phrases` (phrase -> labels)."""
        grouped: dict[str, list[tuple[str, frozenset[str]]]] = defaultdict(list)
        for phrase, labels in phrases.items():
            if len(phrase) >= _KEY:
                grouped[phrase[:_KEY]].append((phrase, frozenset(labels)))
        return cls(
            by_key={
                key: tuple(sorted(items, key=lambda i: -len(i[0])))
                for key, items in grouped.items()
            },
            key_set=frozenset(grouped),
            word_start=word_start,
        )

    def find(self, prepared: str) -> set[str]:
        """The labels of every phrase found in `prepared` text."""
        found: set[str] = set()
        by_key = self.by_key
        for key in index_keys(prepared, word_start=self.word_start) & self.key_set:
            for phrase, labels in by_key[key]:
                if labels <= found:
                    continue
                if self.word_start:
                    if _at_word_start(prepared, phrase):
                        found |= labels
                elif phrase in prepared:
                    found |= labels
        return found


def _at_word_start(text: str, phrase: str) -> bool:
    start = text.find(phrase)
    while start >= 0:
        if start == 0 or not text[start - 1].isalnum():
            return True
        start = text.find(phrase, start + 1)
    return False


def prepare(text: str, lang: str) -> str:
    """The form phrases are matched against (the same in every language)."""
    return lexical_form(normalize(text))


def load_phrases(lang: str, directory: Path = LEXICON_DIR) -> dict[str, set[str]]:
    """phrase -> domains for one language, from `directory/{lang}.json`."""
    path = directory / f"{lang}.json"
    if not path.exists():
        return {}
    raw: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
    phrases: dict[str, set[str]] = defaultdict(set)
    for domain, terms in raw.items():
        if domain not in DOMAIN_IDS:
            raise ValueError(f"{path}: unknown domain {domain!r}")
        for term in terms:
            phrases[prepare(term, lang)].add(domain)
    return dict(phrases)


@cache
def index(lang: str) -> PhraseIndex:
    """The phrase index for `lang` (built once per process)."""
    return PhraseIndex.build(load_phrases(lang), word_start=lang != "ja")


def concepts(text: str, lang: str) -> set[str]:
    """The domains whose cue phrases occur in `text`."""
    return index(lang).find(prepare(text, lang)) if lang in LANGUAGES else set()

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
from classifier.text import Trie, lexical_form, normalize

LEXICON_DIR = Path(__file__).parent / "data" / "lexicon"


@dataclass(frozen=True, slots=True)
class PhraseIndex:
    """Phrases in a trie, so that a text is read once, character by character."""

    trie: Trie
    word_start: bool

    @classmethod
    def build(cls, phrases: dict[str, set[str]], *, word_start: bool) -> PhraseIndex:
        """Index `phrases` (phrase -> labels); a single character is too little to go on."""
        items = [(phrase, frozenset(labels)) for phrase, labels in phrases.items()]
        return cls(Trie(item for item in items if len(item[0]) >= 2), word_start=word_start)

    def find(self, prepared: str) -> set[str]:
        """The labels of every phrase found in `prepared` text."""
        found: set[str] = set()
        for _, labels in self.trie.scan(prepared, word_start=self.word_start):
            found.update(*labels)
        return found


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

"""The labelled corpus: loading, validation, hashing and per-language label matrices."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classifier.domains import DOMAIN_IDS, LANGUAGES

DATA_DIR = Path(__file__).parent / "data"
TRAIN_DIR = DATA_DIR / "train"
TEST_DIR = DATA_DIR / "test"
# Written apart from both, to check rules and thresholds against before the test file is read.
DEV_DIR = DATA_DIR / "dev"


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled message."""

    text: str
    lang: str
    domains: tuple[str, ...]


class CorpusError(ValueError):
    """A corpus line that breaks the format, with its file and line number."""


def read_examples(path: Path) -> list[Example]:
    """Every example in one JSON-lines file; CorpusError names the line at fault."""
    examples: list[Example] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text, lang, domains = row["text"], row["lang"], row["domains"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise CorpusError(f"{path}:{number}: {exc}") from exc
            unknown = set(domains) - set(DOMAIN_IDS)
            if lang not in LANGUAGES or unknown or not isinstance(text, str) or not text.strip():
                raise CorpusError(f"{path}:{number}: bad lang, domains or text ({lang}, {unknown})")
            ordered = tuple(d for d in DOMAIN_IDS if d in domains)
            examples.append(Example(text=text, lang=lang, domains=ordered))
    return examples


def load(directory: Path) -> list[Example]:
    """All examples under `directory`, in a stable order (files sorted by name)."""
    return [ex for path in sorted(directory.glob("*.jsonl")) for ex in read_examples(path)]


def corpus_hash(directory: Path) -> str:
    """SHA-256 over the directory's JSON-lines files (names and bytes)."""
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.jsonl")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def by_language(examples: Iterable[Example], lang: str) -> list[Example]:
    """The examples written in `lang`."""
    return [ex for ex in examples if ex.lang == lang]


def label_matrix(examples: Sequence[Example]) -> np.ndarray:
    """An (examples x domains) 0/1 matrix in DOMAIN_IDS order."""
    matrix = np.zeros((len(examples), len(DOMAIN_IDS)), dtype=np.int8)
    column = {d: i for i, d in enumerate(DOMAIN_IDS)}
    for row, ex in enumerate(examples):
        for domain in ex.domains:
            matrix[row, column[domain]] = 1
    return matrix

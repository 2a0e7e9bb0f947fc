"""The domain tagger: build, train, save, load, and tag one message fast."""

from __future__ import annotations

import hashlib
import json
import math
import os
import pickle
import platform
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from classifier import corpus, features, text
from classifier.crisis import crisis_expression, moving_farewell
from classifier.domains import CRISIS, DOMAIN_IDS, LANGUAGES

MODEL_FORMAT = 4
DEFAULT_MODEL_DIR = Path(__file__).parent / "models"
DEFAULT_MODEL_PATH = DEFAULT_MODEL_DIR / "tagger.pkl"
_CRISIS_COLUMN = DOMAIN_IDS.index(CRISIS)
_YIELDED = 0.49  # a model crisis score that yields to a moving farewell: just under the cut


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function."""
    result: np.ndarray = 1.0 / (1.0 + np.exp(-z))
    return result


@dataclass(frozen=True, slots=True)
class LinearScorer:
    """One language's fitted model as plain arrays: TF-IDF (binary tf, l2) and one logistic
    regression per domain, with per-domain thresholds. Scores one message in microseconds.

    `weights` holds each feature's idf-weighted coefficients; `norms` its squared idf once per
    feature set (zero where the feature is not in that set), and `groups` which set each
    domain reads, so that one gather and one sum give every logit and every norm."""

    analyzer: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    weights: np.ndarray  # features x domains
    norms: np.ndarray  # features x feature sets
    groups: tuple[int, ...]  # per domain: its feature set
    intercept: np.ndarray
    thresholds: np.ndarray
    table: np.ndarray = field(init=False, repr=False, compare=False)
    cuts: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "table", np.ascontiguousarray(np.hstack([self.weights, self.norms]))
        )
        object.__setattr__(self, "cuts", tuple(map(float, self.thresholds)))

    def __getstate__(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _SCORER_STATE)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for name, value in zip(_SCORER_STATE, state, strict=True):
            object.__setattr__(self, name, value)
        self.__post_init__()

    def _logit_list(self, document: str) -> list[float]:
        vocabulary = self.vocabulary
        rows = list(map(vocabulary.__getitem__, vocabulary.keys() & self.analyzer(document)))
        if not rows:
            return self.intercept.tolist()  # type: ignore[no-any-return]
        sums = np.add.reduce(self.table.take(rows, axis=0)).tolist()
        domains = len(self.groups)
        scale = [1.0 / math.sqrt(n) if n > 0.0 else 0.0 for n in sums[domains:]]
        return [
            total * scale[group] + bias
            for total, group, bias in zip(
                sums[:domains], self.groups, self.intercept.tolist(), strict=True
            )
        ]

    def logits_one(self, document: str) -> np.ndarray:
        """Per-domain log-odds for one document."""
        return np.array(self._logit_list(document))

    def proba_one(self, document: str) -> np.ndarray:
        """Per-domain probabilities for one document."""
        return sigmoid(self.logits_one(document))

    def scaled_one(self, document: str) -> list[float]:
        """`rescale(proba_one(document))` as a list, in plain Python: for 15 numbers that is
        quicker than a chain of numpy calls."""
        scaled = []
        exp = math.exp
        for logit, cut in zip(self._logit_list(document), self.cuts, strict=True):
            probability = 1.0 / (1.0 + exp(-logit)) if logit > -700.0 else 0.0
            if probability < cut:
                scaled.append(0.5 * probability / cut)
            else:
                scaled.append(0.5 + 0.5 * (probability - cut) / (1.0 - cut))
        return scaled


_SCORER_STATE = ("analyzer", "vocabulary", "weights", "norms", "groups", "intercept", "thresholds")


def rescale(probabilities: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Map each probability so that its domain's threshold lands on 0.5 (monotonic)."""
    low = 0.5 * probabilities / thresholds
    high = 0.5 + 0.5 * (probabilities - thresholds) / (1.0 - thresholds)
    result: np.ndarray = np.where(probabilities < thresholds, low, high)
    return result


@dataclass(frozen=True, slots=True)
class Prediction:
    """What the tagger understood of one message: ids and scores, never sentences."""

    lang: str
    lang_source: str
    domains: tuple[str, ...]
    scores: dict[str, float]
    crisis: bool

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `python -m classifier tag`."""
        return {
            "lang": self.lang,
            "domains": list(self.domains),
            "scores": {domain: round(score, 4) for domain, score in self.scores.items()},
            "crisis": self.crisis,
        }


EMPTY_SCORES: dict[str, float] = dict.fromkeys(DOMAIN_IDS, 0.0)


@dataclass
class Tagger:
    """One LinearScorer per language, the crisis lexicon in union, and the metadata."""

    models: dict[str, LinearScorer]
    metadata: dict[str, Any] = field(default_factory=dict)

    def tag(self, message: str, lang: str | None = None) -> Prediction:
        """Tag one message; an explicit `lang` wins over detection."""
        cleaned = text.normalize(message) if isinstance(message, str) else ""
        guess = text.detect_language(cleaned, lang, default="ja")
        if not cleaned:
            return Prediction(guess.lang, guess.source, (), dict(EMPTY_SCORES), False)
        if guess.reliable or not any(ch.isascii() and ch.isalpha() for ch in cleaned):
            candidates = [guess.lang]
        else:  # the detector abstained on Latin text: let the en and pt models both read it
            candidates = ["en", "pt"]
        best: tuple[float, str, list[float]] | None = None
        for candidate in candidates:
            scaled = self.models[candidate].scaled_one(cleaned)
            strength = max(scaled)
            if best is None or strength > best[0]:
                best = (strength, candidate, scaled)
        assert best is not None
        _, chosen, scaled = best
        if crisis_expression(cleaned, normalized=True) is not None:
            scaled[_CRISIS_COLUMN] = 1.0
        elif scaled[_CRISIS_COLUMN] >= 0.5 and moving_farewell(cleaned, normalized=True):
            scaled[_CRISIS_COLUMN] = _YIELDED
        scores = dict(zip(DOMAIN_IDS, scaled, strict=True))
        domains = tuple(
            sorted((d for d, v in scores.items() if v >= 0.5), key=scores.__getitem__, reverse=True)
        )
        return Prediction(chosen, guess.source, domains, scores, scaled[_CRISIS_COLUMN] >= 0.5)

    def tag_many(self, messages: Iterable[str], lang: str | None = None) -> list[Prediction]:
        """Tag each message in turn."""
        return [self.tag(m, lang) for m in messages]


# ---------------------------------------------------------------- training


def train(examples: Sequence[corpus.Example], *, corpus_digest: str = "", C: float = 8.0) -> Tagger:
    """Fit one DomainTagger per language, deterministically, and keep their arrays."""
    from classifier.estimator import DomainTagger  # scikit-learn is needed to train only

    models: dict[str, LinearScorer] = {}
    cv: dict[str, Any] = {}
    for lang in LANGUAGES:
        subset = corpus.by_language(examples, lang)
        labels = corpus.label_matrix(subset)
        docs = [ex.text for ex in subset]
        model = DomainTagger(
            features.ANALYZERS[lang], crisis_analyzer=features.CRISIS_ANALYZERS[lang], C=C
        )
        model.fit(docs, labels)
        models[lang] = model.to_scorer()
        predicted = (model.oof_scores_ >= model.thresholds_).astype(np.int8)
        predicted[:, _CRISIS_COLUMN] = model.oof_crisis_
        cv[lang] = _f1_summary(labels, predicted)
        cv[lang]["examples"] = len(subset)
    metadata = {
        "format": MODEL_FORMAT,
        "corpus_sha256": corpus_digest,
        "versions": {
            "python": platform.python_version(),
            "scikit-learn": _version("scikit-learn"),
            "numpy": np.__version__,
            "sudachipy": _version("sudachipy"),
            "sudachidict-core": _version("sudachidict-core"),
            "snowballstemmer": _version("snowballstemmer"),
        },
        "thresholds": {
            lang: dict(zip(DOMAIN_IDS, map(float, m.thresholds), strict=True))
            for lang, m in models.items()
        },
        "cv_scores": cv,
    }
    return Tagger(models=models, metadata=metadata)


def _f1_summary(labels: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    true_pos = (labels & predicted).sum(axis=0)
    support = labels.sum(axis=0)
    chosen = predicted.sum(axis=0)
    per_domain = np.where(support + chosen > 0, 2 * true_pos / np.maximum(support + chosen, 1), 1.0)
    present = support > 0
    micro = 2 * true_pos.sum() / max(support.sum() + chosen.sum(), 1)
    return {
        "micro_f1": round(float(micro), 4),
        "macro_f1": round(float(per_domain[present].mean()), 4),
    }


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "unknown"


# ---------------------------------------------------------------- persistence


class UntrustedModelError(RuntimeError):
    """A model file outside the trusted directories, or one whose bytes do not match."""


def _metadata_path(path: Path) -> Path:
    return path.with_suffix(".json")


def save(tagger: Tagger, path: Path = DEFAULT_MODEL_PATH) -> Path:
    """Write the model and its metadata (with the pickle's SHA-256) atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = pickle.dumps(tagger, protocol=pickle.HIGHEST_PROTOCOL)
    metadata = dict(tagger.metadata, sha256=hashlib.sha256(payload).hexdigest())
    for target, data in (
        (path, payload),
        (_metadata_path(path), json.dumps(metadata, ensure_ascii=False, indent=2).encode()),
    ):
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, target)
    return path


def load(
    path: Path = DEFAULT_MODEL_PATH, *, trusted_dirs: Iterable[Path] = (DEFAULT_MODEL_DIR,)
) -> Tagger:
    """Load a model from a trusted directory after checking its SHA-256 against its metadata."""
    resolved = path.resolve()
    if not any(resolved.is_relative_to(d.resolve()) for d in trusted_dirs):
        raise UntrustedModelError(f"{path} is not in a trusted model directory")
    metadata = json.loads(_metadata_path(resolved).read_text(encoding="utf-8"))
    payload = resolved.read_bytes()
    if hashlib.sha256(payload).hexdigest() != metadata.get("sha256"):
        raise UntrustedModelError(f"{path} does not match its recorded SHA-256")
    tagger = pickle.loads(payload)  # noqa: S301 - trusted path, checked digest
    if not isinstance(tagger, Tagger):
        raise UntrustedModelError(f"{path} does not hold a tsunagu tagger")
    return tagger


def is_current(path: Path = DEFAULT_MODEL_PATH, train_dir: Path = corpus.TRAIN_DIR) -> bool:
    """True when a saved model exists for this corpus, format and scikit-learn version."""
    try:
        metadata = json.loads(_metadata_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        path.exists()
        and metadata.get("format") == MODEL_FORMAT
        and metadata.get("corpus_sha256") == corpus.corpus_hash(train_dir)
        and metadata.get("versions", {}).get("scikit-learn") == _version("scikit-learn")
    )


def train_from_corpus(train_dir: Path = corpus.TRAIN_DIR) -> Tagger:
    """Train on every example under `train_dir`."""
    return train(corpus.load(train_dir), corpus_digest=corpus.corpus_hash(train_dir))


_load_lock = threading.Lock()


def load_or_train(path: Path = DEFAULT_MODEL_PATH, train_dir: Path = corpus.TRAIN_DIR) -> Tagger:
    """The saved model when it is current; otherwise train on the corpus, save and return it."""
    with _load_lock:
        if is_current(path, train_dir):
            return load(path, trusted_dirs=(path.parent,))
        tagger = train_from_corpus(train_dir)
        save(tagger, path)
        return tagger

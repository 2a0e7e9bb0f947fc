"""Evaluation: the Sudachi model and two baselines, on cross-validation and the held-out test."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.model_selection import KFold

from classifier import corpus, features, lexicon, text
from classifier.crisis import crisis_expression
from classifier.domains import CRISIS, DOMAIN_IDS, LANGUAGES
from classifier.estimator import DomainTagger

_CRISIS_COLUMN = DOMAIN_IDS.index(CRISIS)
Predictor = Callable[[Sequence[str]], np.ndarray]
System = Callable[[Sequence[corpus.Example], str], Predictor]


# ---------------------------------------------------------------- the systems compared


def _with_crisis_lexicon(predicted: np.ndarray, docs: Sequence[str]) -> np.ndarray:
    for row, doc in enumerate(docs):
        if crisis_expression(doc):
            predicted[row, _CRISIS_COLUMN] = 1
    return predicted


def _tagger_system(
    analyzers: Mapping[str, Callable[[str], list[str]]],
    crisis_analyzers: Mapping[str, Callable[[str], list[str]]] | None = None,
) -> System:
    def fit(examples: Sequence[corpus.Example], lang: str) -> Predictor:
        crisis_analyzer = crisis_analyzers[lang] if crisis_analyzers else None
        model = DomainTagger(analyzers[lang], crisis_analyzer=crisis_analyzer).fit(
            [ex.text for ex in examples], corpus.label_matrix(examples)
        )

        def predict(docs: Sequence[str]) -> np.ndarray:
            return _with_crisis_lexicon(model.predict(docs), docs)

        return predict

    return fit


def char_ngrams_ja(message: str) -> list[str]:
    """Character 1-3-grams of the normalised text (the baseline's analyzer)."""
    cleaned = text.normalize(message).lower()
    return [cleaned[i : i + n] for n in (1, 2, 3) for i in range(len(cleaned) - n + 1)]


def char_ngrams_latin(message: str) -> list[str]:
    """Character 3-5-grams of the lower-cased, accent-free text with word edges marked."""
    cleaned = f" {text.strip_accents(text.normalize(message).lower())} "
    return [cleaned[i : i + n] for n in (3, 4, 5) for i in range(len(cleaned) - n + 1)]


def _keyword_system(examples: Sequence[corpus.Example], lang: str) -> Predictor:
    """Keyword matching on the hand-written lexicon: a domain when any of its phrases occurs."""

    def predict(docs: Sequence[str]) -> np.ndarray:
        predicted = np.zeros((len(docs), len(DOMAIN_IDS)), dtype=np.int8)
        for row, doc in enumerate(docs):
            for domain in lexicon.concepts(doc, lang):
                predicted[row, DOMAIN_IDS.index(domain)] = 1
        return predicted

    return predict


SYSTEMS: dict[str, System] = {
    "sudachi": _tagger_system(features.ANALYZERS, features.CRISIS_ANALYZERS),
    "char-ngram": _tagger_system(
        {"ja": char_ngrams_ja, "en": char_ngrams_latin, "pt": char_ngrams_latin}
    ),
    "keyword": _keyword_system,
}


# ---------------------------------------------------------------- scores


@dataclass(frozen=True, slots=True)
class Scores:
    """Precision, recall and F1 per domain, micro and macro F1, crisis precision and recall."""

    per_domain: dict[str, tuple[float, float, float, int]]
    micro_f1: float
    macro_f1: float
    crisis_precision: float
    crisis_recall: float
    examples: int

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "examples": self.examples,
            "micro_f1": self.micro_f1,
            "macro_f1": self.macro_f1,
            "crisis_precision": self.crisis_precision,
            "crisis_recall": self.crisis_recall,
            "per_domain": {
                d: {"precision": p, "recall": r, "f1": f, "support": n}
                for d, (p, r, f, n) in self.per_domain.items()
            },
        }


def score(labels: np.ndarray, predicted: np.ndarray) -> Scores:
    """Scores of `predicted` against `labels` (both examples x domains, 0/1)."""
    labels = labels.astype(bool)
    predicted = predicted.astype(bool)
    true_pos = (labels & predicted).sum(axis=0)
    support = labels.sum(axis=0)
    chosen = predicted.sum(axis=0)
    per_domain: dict[str, tuple[float, float, float, int]] = {}
    f1s = []
    for k, domain in enumerate(DOMAIN_IDS):
        precision = true_pos[k] / chosen[k] if chosen[k] else 0.0
        recall = true_pos[k] / support[k] if support[k] else 0.0
        f1 = 2 * true_pos[k] / (support[k] + chosen[k]) if support[k] + chosen[k] else 0.0
        per_domain[domain] = (
            round(float(precision), 4),
            round(float(recall), 4),
            round(float(f1), 4),
            int(support[k]),
        )
        if support[k]:
            f1s.append(f1)
    micro = 2 * true_pos.sum() / max(int(support.sum() + chosen.sum()), 1)
    crisis_p, crisis_r, _, _ = per_domain[CRISIS]
    return Scores(
        per_domain=per_domain,
        micro_f1=round(float(micro), 4),
        macro_f1=round(float(np.mean(f1s)) if f1s else 0.0, 4),
        crisis_precision=crisis_p,
        crisis_recall=crisis_r,
        examples=len(labels),
    )


def cross_validate(
    system: System, examples: Sequence[corpus.Example], lang: str, folds: int = 5
) -> Scores:
    """Out-of-fold predictions over `examples`, scored once."""
    labels = corpus.label_matrix(examples)
    predicted = np.zeros_like(labels)
    docs = [ex.text for ex in examples]
    for train_idx, valid_idx in KFold(folds, shuffle=True, random_state=0).split(docs):
        predict = system([examples[i] for i in train_idx], lang)
        predicted[valid_idx] = predict([docs[i] for i in valid_idx])
    return score(labels, predicted)


def held_out(
    system: System, train: Sequence[corpus.Example], test: Sequence[corpus.Example], lang: str
) -> Scores:
    """Train on all of `train`, score on `test`."""
    predict = system(train, lang)
    return score(corpus.label_matrix(test), predict([ex.text for ex in test]))


def language_accuracy(test: Sequence[corpus.Example]) -> dict[str, float]:
    """How often detection (without the label's language) finds the written language."""
    result = {}
    for lang in LANGUAGES:
        subset = corpus.by_language(test, lang)
        if subset:
            hits = sum(text.detect_language(ex.text).lang == lang for ex in subset)
            result[lang] = round(hits / len(subset), 4)
    return result


def evaluate(
    train: Sequence[corpus.Example],
    test: Sequence[corpus.Example],
    systems: Sequence[str] = tuple(SYSTEMS),
    folds: int = 5,
    dev: Sequence[corpus.Example] = (),
) -> dict[str, Any]:
    """Every system on every language, on cross-validation, the dev file and the test file."""
    report: dict[str, Any] = {"languages": {}, "language_detection": language_accuracy(test)}
    for lang in LANGUAGES:
        train_lang = corpus.by_language(train, lang)
        held = {"dev": corpus.by_language(dev, lang), "test": corpus.by_language(test, lang)}
        report["languages"][lang] = {
            name: {
                "cv": cross_validate(SYSTEMS[name], train_lang, lang, folds).as_dict(),
                **{
                    split: held_out(SYSTEMS[name], train_lang, examples, lang).as_dict()
                    if examples
                    else None
                    for split, examples in held.items()
                },
            }
            for name in systems
        }
    return report


def format_report(report: dict[str, Any]) -> str:
    """A plain-text table of the report."""
    lines: list[str] = []
    for lang, by_system in report["languages"].items():
        lines.append(f"== {lang} ==")
        lines.append(
            f"{'system':<12}{'split':<6}{'n':>6}{'microF1':>9}{'macroF1':>9}{'crisisP':>9}{'crisisR':>9}"
        )
        for name, splits in by_system.items():
            for split, scores in splits.items():
                if scores is None:
                    continue
                lines.append(
                    f"{name:<12}{split:<6}{scores['examples']:>6}{scores['micro_f1']:>9.3f}"
                    f"{scores['macro_f1']:>9.3f}{scores['crisis_precision']:>9.3f}{scores['crisis_recall']:>9.3f}"
                )
        main = by_system.get("sudachi", {})
        for split in ("cv", "test"):
            scores = main.get(split)
            if not scores:
                continue
            lines.append(f"  sudachi per domain ({split}): precision / recall / F1 (support)")
            for domain, row in scores["per_domain"].items():
                numbers = f"{row['precision']:>7.3f}{row['recall']:>7.3f}{row['f1']:>7.3f}"
                lines.append(f"    {domain:<18}{numbers}  ({row['support']})")
    lines.append(
        "language detection on the test file: "
        + ", ".join(f"{lang} {acc:.3f}" for lang, acc in report["language_detection"].items())
    )
    return "\n".join(lines)

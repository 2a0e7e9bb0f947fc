"""The scikit-learn estimator behind the tagger: fitted at training time only.

Inference never imports this module (nor scikit-learn): a fitted DomainTagger is turned into a
`classifier.model.LinearScorer`, which holds plain numpy arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from classifier import features
from classifier.crisis import crisis_expression, moving_farewell
from classifier.domains import CRISIS, DOMAIN_IDS
from classifier.model import LinearScorer, sigmoid

_CRISIS_COLUMN = DOMAIN_IDS.index(CRISIS)


def precise_threshold(y_true: np.ndarray, scores: np.ndarray, min_precision: float) -> float:
    """The lowest cut on `scores` at which precision reaches `min_precision` (0.95 if never)."""
    order = np.argsort(-scores, kind="stable")
    hits = np.cumsum(y_true[order])
    precision = hits / np.arange(1, len(scores) + 1)
    sorted_scores = scores[order]
    distinct = np.r_[sorted_scores[:-1] > sorted_scores[1:], True]
    good = np.flatnonzero((precision >= min_precision) & distinct & (hits > 0))
    if not len(good):
        return 0.95
    deepest = int(good[-1])
    lower = sorted_scores[deepest + 1] if deepest + 1 < len(sorted_scores) else 0.0
    return float(np.clip((sorted_scores[deepest] + lower) / 2, 0.05, 0.95))


def best_threshold(
    y_true: np.ndarray,
    scores: np.ndarray,
    default: float = 0.5,
    beta: float = 1.0,
) -> float:
    """The cut on `scores` that maximises F-beta for one label (beta above 1 weighs recall
    above precision)."""
    positives = int(y_true.sum())
    if positives == 0 or positives == len(y_true):
        return default
    order = np.argsort(-scores, kind="stable")
    sorted_scores = scores[order]
    hits = np.cumsum(y_true[order])
    predicted = np.arange(1, len(scores) + 1)
    f1 = (1 + beta**2) * hits / (predicted + beta**2 * positives)
    # Only cut between distinct scores.
    distinct = np.r_[sorted_scores[:-1] > sorted_scores[1:], True]
    f1 = np.where(distinct, f1, -1.0)
    best = int(np.argmax(f1))
    lower = sorted_scores[best + 1] if best + 1 < len(sorted_scores) else 0.0
    return float(np.clip((sorted_scores[best] + lower) / 2, 0.05, 0.95))


@dataclass(frozen=True)
class _Weights:
    """One fit: the domain model and, when the crisis column has its own features, that one."""

    vectorizer: TfidfVectorizer
    coef: np.ndarray  # features x domains
    intercept: np.ndarray
    crisis_vectorizer: TfidfVectorizer | None = None
    crisis_coef: np.ndarray | None = None  # crisis features
    crisis_intercept: float = -10.0


class DomainTagger(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Multi-label TF-IDF + one logistic regression per domain, with per-domain thresholds
    chosen on out-of-fold scores. The crisis column may read its own, richer features
    (`crisis_analyzer`, a superset of `analyzer`'s)."""

    def __init__(
        self,
        analyzer: Callable[[str], list[str]] = features.analyze_ja,
        *,
        crisis_analyzer: Callable[[str], list[str]] | None = None,
        C: float = 8.0,
        crisis_min_precision: float = 0.90,
        min_df: int = 1,
        threshold_folds: int = 5,
        random_state: int = 0,
    ) -> None:
        self.analyzer = analyzer
        self.crisis_analyzer = crisis_analyzer
        self.C = C
        self.crisis_min_precision = crisis_min_precision
        self.min_df = min_df
        self.threshold_folds = threshold_folds
        self.random_state = random_state

    def _logistic(self, matrix: Any, target: np.ndarray) -> tuple[np.ndarray, float]:
        if not 0 < target.sum() < len(target):
            return np.zeros(matrix.shape[1]), -10.0
        model = LogisticRegression(
            C=self.C, solver="liblinear", class_weight="balanced", max_iter=1000
        )
        model.fit(matrix, target)
        return model.coef_[0], float(model.intercept_[0])

    def _vectorizer(self, analyzer: Callable[[str], list[str]]) -> TfidfVectorizer:
        return TfidfVectorizer(analyzer=analyzer, binary=True, min_df=self.min_df, dtype=np.float64)

    def _fit_weights(self, docs: Sequence[str], labels: np.ndarray) -> _Weights:
        vectorizer = self._vectorizer(self.analyzer)
        matrix = vectorizer.fit_transform(docs)
        vectorizer.stop_words_ = None  # large and only kept for inspection
        coef = np.zeros((matrix.shape[1], labels.shape[1]))
        intercept = np.full(labels.shape[1], -10.0)
        for column in range(labels.shape[1]):
            coef[:, column], intercept[column] = self._logistic(matrix, labels[:, column])
        if self.crisis_analyzer is None or labels.shape[1] <= _CRISIS_COLUMN:
            return _Weights(vectorizer, coef, intercept)
        crisis_vectorizer = self._vectorizer(self.crisis_analyzer)
        crisis_matrix = crisis_vectorizer.fit_transform(docs)
        crisis_vectorizer.stop_words_ = None
        crisis_coef, crisis_intercept = self._logistic(crisis_matrix, labels[:, _CRISIS_COLUMN])
        coef[:, _CRISIS_COLUMN], intercept[_CRISIS_COLUMN] = 0.0, -10.0
        return _Weights(
            vectorizer, coef, intercept, crisis_vectorizer, crisis_coef, crisis_intercept
        )

    @staticmethod
    def _proba(weights: _Weights, docs: Sequence[str]) -> np.ndarray:
        result: np.ndarray = sigmoid(
            weights.vectorizer.transform(docs) @ weights.coef + weights.intercept
        )
        if weights.crisis_vectorizer is not None and weights.crisis_coef is not None:
            crisis_logits = weights.crisis_vectorizer.transform(docs) @ weights.crisis_coef
            result[:, _CRISIS_COLUMN] = sigmoid(crisis_logits + weights.crisis_intercept)
        return result

    def fit(self, docs: Sequence[str], labels: np.ndarray) -> DomainTagger:
        """Learn weights on all of `docs` and thresholds on out-of-fold scores."""
        labels = np.asarray(labels)
        oof = np.zeros(labels.shape, dtype=np.float64)
        folds = KFold(self.threshold_folds, shuffle=True, random_state=self.random_state)
        for train_idx, valid_idx in folds.split(docs):
            weights = self._fit_weights([docs[i] for i in train_idx], labels[train_idx])
            oof[valid_idx] = self._proba(weights, [docs[i] for i in valid_idx])
        self.thresholds_ = np.array(
            [best_threshold(labels[:, k], oof[:, k]) for k in range(labels.shape[1])]
        )
        if labels.shape[1] > _CRISIS_COLUMN:
            # The crisis lexicon flags what it finds whatever the model says; the model's cut
            # is the lowest at which the two together stay this precise out of fold.
            flagged = np.array([crisis_expression(doc) is not None for doc in docs])
            farewell = np.array([moving_farewell(doc) for doc in docs])
            system_scores = np.where(flagged, 2.0, np.where(farewell, 0.0, oof[:, _CRISIS_COLUMN]))
            self.thresholds_[_CRISIS_COLUMN] = precise_threshold(
                labels[:, _CRISIS_COLUMN], system_scores, self.crisis_min_precision
            )
            # What lexicon and model together flag out of fold, for the cross-validated scores.
            self.oof_crisis_ = system_scores >= self.thresholds_[_CRISIS_COLUMN]
        self.oof_scores_ = oof
        self.weights_ = self._fit_weights(docs, labels)
        self.classes_ = np.array(DOMAIN_IDS[: labels.shape[1]])
        return self

    def predict_proba(self, docs: Sequence[str]) -> np.ndarray:
        """Per-domain probabilities, one row per document."""
        return self._proba(self.weights_, docs)

    def predict(self, docs: Sequence[str]) -> np.ndarray:
        """0/1 per domain, one row per document."""
        return (self.predict_proba(docs) >= self.thresholds_).astype(np.int8)

    def to_scorer(self) -> LinearScorer:
        """The fitted weights as a scorer that needs only numpy: one vocabulary (the union of
        both models'), and a second norm for the crisis column when it has its own features."""
        weights = self.weights_
        vocabulary: dict[str, int] = dict(weights.vectorizer.vocabulary_)
        idf = list(weights.vectorizer.idf_)
        domains = weights.coef.shape[1]
        rows = [weights.coef[i] for i in range(weights.coef.shape[0])]
        if weights.crisis_vectorizer is None or weights.crisis_coef is None:
            norm_groups = np.ones((len(idf), 1))
            groups = (0,) * domains
            intercept = weights.intercept
        else:
            in_main = [1.0] * len(idf)
            in_crisis = [0.0] * len(idf)
            crisis_idf = weights.crisis_vectorizer.idf_
            for feature, index in weights.crisis_vectorizer.vocabulary_.items():
                row = vocabulary.get(feature)
                if row is None:
                    row = vocabulary[feature] = len(idf)
                    idf.append(float(crisis_idf[index]))
                    rows.append(np.zeros(domains))
                    in_main.append(0.0)
                    in_crisis.append(0.0)
                rows[row] = rows[row].copy()
                rows[row][_CRISIS_COLUMN] = weights.crisis_coef[index]
                in_crisis[row] = 1.0
            norm_groups = np.column_stack([in_main, in_crisis])
            groups = tuple(1 if k == _CRISIS_COLUMN else 0 for k in range(domains))
            intercept = weights.intercept.copy()
            intercept[_CRISIS_COLUMN] = weights.crisis_intercept
        idf_array = np.asarray(idf)
        return LinearScorer(
            analyzer=self.crisis_analyzer or self.analyzer,
            vocabulary=vocabulary,
            weights=np.ascontiguousarray(np.vstack(rows) * idf_array[:, None]),
            norms=np.ascontiguousarray(norm_groups * (idf_array**2)[:, None]),
            groups=groups,
            intercept=np.ascontiguousarray(intercept),
            thresholds=np.ascontiguousarray(self.thresholds_),
        )

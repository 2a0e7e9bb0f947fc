"""The scikit-learn estimator behind the tagger: fitted at training time only.

Inference never imports this module (nor scikit-learn): a fitted DomainTagger is turned into a
`classifier.model.LinearScorer`, which holds plain numpy arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from classifier import features
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


class DomainTagger(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Multi-label TF-IDF + one logistic regression per domain, with per-domain thresholds
    chosen on out-of-fold scores."""

    def __init__(
        self,
        analyzer: Callable[[str], list[str]] = features.analyze_ja,
        *,
        C: float = 8.0,
        crisis_min_precision: float = 0.8,
        min_df: int = 1,
        threshold_folds: int = 5,
        random_state: int = 0,
    ) -> None:
        self.analyzer = analyzer
        self.C = C
        self.crisis_min_precision = crisis_min_precision
        self.min_df = min_df
        self.threshold_folds = threshold_folds
        self.random_state = random_state

    def _fit_weights(
        self, docs: Sequence[str], labels: np.ndarray
    ) -> tuple[TfidfVectorizer, np.ndarray, np.ndarray]:
        vectorizer = TfidfVectorizer(
            analyzer=self.analyzer, binary=True, min_df=self.min_df, dtype=np.float64
        )
        matrix = vectorizer.fit_transform(docs)
        coef = np.zeros((matrix.shape[1], labels.shape[1]))
        intercept = np.full(labels.shape[1], -10.0)
        for column in range(labels.shape[1]):
            target = labels[:, column]
            if 0 < target.sum() < len(target):
                model = LogisticRegression(
                    C=self.C, solver="liblinear", class_weight="balanced", max_iter=1000
                )
                model.fit(matrix, target)
                coef[:, column] = model.coef_[0]
                intercept[column] = model.intercept_[0]
        vectorizer.stop_words_ = None  # large and only kept for inspection
        return vectorizer, coef, intercept

    def fit(self, docs: Sequence[str], labels: np.ndarray) -> DomainTagger:
        """Learn weights on all of `docs` and thresholds on out-of-fold scores."""
        labels = np.asarray(labels)
        oof = np.zeros(labels.shape, dtype=np.float64)
        folds = KFold(self.threshold_folds, shuffle=True, random_state=self.random_state)
        for train_idx, valid_idx in folds.split(docs):
            vectorizer, coef, intercept = self._fit_weights(
                [docs[i] for i in train_idx], labels[train_idx]
            )
            valid = vectorizer.transform([docs[i] for i in valid_idx])
            oof[valid_idx] = sigmoid(valid @ coef + intercept)
        self.thresholds_ = np.array(
            [best_threshold(labels[:, k], oof[:, k]) for k in range(labels.shape[1])]
        )
        if labels.shape[1] > _CRISIS_COLUMN:
            # The crisis lexicon carries recall; the model adds only flags it gets right at
            # least this often out of fold.
            self.thresholds_[_CRISIS_COLUMN] = precise_threshold(
                labels[:, _CRISIS_COLUMN], oof[:, _CRISIS_COLUMN], self.crisis_min_precision
            )
        self.oof_scores_ = oof
        self.vectorizer_, self.coef_, self.intercept_ = self._fit_weights(docs, labels)
        self.vocabulary_: dict[str, int] = self.vectorizer_.vocabulary_
        self.idf_: np.ndarray = self.vectorizer_.idf_
        self.classes_ = np.array(DOMAIN_IDS[: labels.shape[1]])
        return self

    def predict_proba(self, docs: Sequence[str]) -> np.ndarray:
        """Per-domain probabilities, one row per document."""
        result: np.ndarray = sigmoid(
            self.vectorizer_.transform(docs) @ self.coef_ + self.intercept_
        )
        return result

    def predict(self, docs: Sequence[str]) -> np.ndarray:
        """0/1 per domain, one row per document."""
        return (self.predict_proba(docs) >= self.thresholds_).astype(np.int8)

    def to_scorer(self) -> LinearScorer:
        """The fitted weights as a scorer that needs only numpy."""
        return LinearScorer(
            analyzer=self.analyzer,
            vocabulary=dict(self.vocabulary_),
            idf=np.ascontiguousarray(self.idf_),
            coef=np.ascontiguousarray(self.coef_),
            intercept=np.ascontiguousarray(self.intercept_),
            thresholds=np.ascontiguousarray(self.thresholds_),
        )

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

from classifier import corpus, estimator, model
from classifier.domains import DOMAIN_IDS
from classifier.model import Tagger, UntrustedModelError


def test_an_8050_household_is_elderly_care_and_isolation(tagger: Tagger) -> None:
    prediction = tagger.tag(
        "80歳の母と暮らしています。50歳の兄は15年ほど部屋から出てこなくて、母の年金だけが頼りです"
    )
    assert {"elderly_care", "isolation"} <= set(prediction.domains)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("I lost my job last month and now I can't pay the rent", {"work", "housing"}),
        (
            "perdi o emprego e a luz foi cortada, nao tenho dinheiro pra comida",
            {"work", "living_costs"},
        ),
        ("ポストに督促状ばかり届いて、返せる気がしない", {"debt"}),
    ],
)
def test_worries_get_their_domains(tagger: Tagger, message: str, expected: set[str]) -> None:
    assert expected <= set(tagger.tag(message).domains)


@pytest.mark.parametrize("message", ["こんにちは", "thanks!", "obrigada", "test"])
def test_greetings_carry_no_domain(tagger: Tagger, message: str) -> None:
    assert tagger.tag(message).domains == ()


def test_crisis_is_flagged_and_listed_among_the_domains(tagger: Tagger) -> None:
    prediction = tagger.tag("もう消えたい。誰にも会いたくない")
    assert prediction.crisis and "crisis" in prediction.domains


def test_hyperbole_is_not_a_crisis(tagger: Tagger) -> None:
    for message in ("死ぬほど眠い", "this heat is killing me", "morrendo de rir"):
        assert not tagger.tag(message).crisis


def test_domains_are_ordered_by_score_and_scores_cover_every_domain(tagger: Tagger) -> None:
    prediction = tagger.tag("母の介護で仕事を辞めて、お金も足りない")
    assert set(prediction.scores) == set(DOMAIN_IDS)
    ordered = [prediction.scores[d] for d in prediction.domains]
    assert ordered == sorted(ordered, reverse=True) and len(ordered) >= 2
    assert all(prediction.scores[d] >= 0.5 for d in prediction.domains)


def test_an_explicit_language_is_used(tagger: Tagger) -> None:
    assert tagger.tag("ok", "pt-BR").lang == "pt"


@pytest.mark.parametrize("own_crisis_features", [False, True])
def test_the_numpy_scorer_agrees_with_scikit_learn(own_crisis_features: bool) -> None:
    from classifier import features
    from classifier.estimator import DomainTagger

    examples = corpus.by_language(corpus.load(corpus.TRAIN_DIR), "ja")[:400]
    crisis_analyzer = features.analyze_ja_crisis if own_crisis_features else None
    estimator = DomainTagger(
        features.analyze_ja, crisis_analyzer=crisis_analyzer, threshold_folds=3
    )
    estimator.fit([ex.text for ex in examples], corpus.label_matrix(examples))
    scorer = estimator.to_scorer()
    docs = ["保育園に入れなくて仕事に戻れない", "家賃が払えない", "はじめまして", ""]
    singles = np.vstack([scorer.proba_one(d) for d in docs])
    np.testing.assert_allclose(estimator.predict_proba(docs), singles, rtol=1e-9, atol=1e-12)


def test_tagging_does_not_need_scikit_learn(tmp_path: Path) -> None:
    """Inference loads numpy arrays only: scikit-learn costs ~100 MB of memory per process."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from classifier.model import load_or_train\n"
        "load_or_train().tag('家賃が払えない')\n"
        "assert not [m for m in sys.modules if m.startswith(('sklearn', 'scipy'))]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)


def test_the_fitted_model_pickles_without_sudachi_objects(tagger: Tagger) -> None:
    restored = pickle.loads(pickle.dumps(tagger))
    message = "夫の暴力から子どもと逃げたい"
    assert restored.tag(message) == tagger.tag(message)


def test_saved_model_carries_versions_corpus_hash_and_scores(
    tmp_path: Path, tagger: Tagger
) -> None:
    path = model.save(tagger, tmp_path / "tagger.pkl")
    metadata = json.loads(path.with_suffix(".json").read_text())
    assert metadata["corpus_sha256"] == corpus.corpus_hash(corpus.TRAIN_DIR)
    assert {"scikit-learn", "sudachipy", "numpy"} <= set(metadata["versions"])
    assert metadata["cv_scores"]["ja"]["macro_f1"] > 0.5
    assert model.load(path, trusted_dirs=(tmp_path,)).tag("家賃が払えない").domains


def test_a_model_outside_the_trusted_directories_is_refused(tmp_path: Path, tagger: Tagger) -> None:
    path = model.save(tagger, tmp_path / "tagger.pkl")
    with pytest.raises(UntrustedModelError):
        model.load(path)  # only classifier/models is trusted by default


def test_a_tampered_model_is_refused(tmp_path: Path, tagger: Tagger) -> None:
    path = model.save(tagger, tmp_path / "tagger.pkl")
    path.write_bytes(path.read_bytes() + b"x")
    with pytest.raises(UntrustedModelError):
        model.load(path, trusted_dirs=(tmp_path,))


def test_a_missing_model_is_trained_on_first_use(tmp_path: Path) -> None:
    train_dir = tmp_path / "train"
    shutil.copytree(corpus.TRAIN_DIR, train_dir)
    path = tmp_path / "models" / "tagger.pkl"
    assert not model.is_current(path, train_dir)
    first = model.load_or_train(path, train_dir)
    assert path.exists() and model.is_current(path, train_dir)
    assert model.load_or_train(path, train_dir).tag("家賃が払えない") == first.tag("家賃が払えない")


def test_best_threshold_separates_perfectly_separable_scores() -> None:
    labels = np.array([0, 0, 1, 1])
    cut = estimator.best_threshold(labels, np.array([0.1, 0.3, 0.6, 0.9]))
    assert 0.3 < cut < 0.6


def test_precise_threshold_keeps_precision_above_the_floor() -> None:
    labels = np.array([1, 1, 0, 1, 0, 0, 1, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    cut = estimator.precise_threshold(labels, scores, 0.75)
    chosen = scores >= cut
    assert labels[chosen].mean() >= 0.75
    assert chosen.sum() == 4  # the deepest cut that still keeps 3 of 4 right


def test_the_plain_python_scores_match_the_numpy_rescaling(tagger: Tagger) -> None:
    ja = tagger.models["ja"]
    for doc in ["保育園に入れなくて仕事に戻れない", "はじめまして", ""]:
        expected = model.rescale(ja.proba_one(doc), ja.thresholds)
        np.testing.assert_allclose(ja.scaled_one(doc), expected, rtol=1e-12)


class _LeaningToCrisis:
    """A scorer that reads every message as a crisis and nothing else."""

    def scaled_one(self, document: str) -> list[float]:
        return [0.9 if domain == "crisis" else 0.0 for domain in DOMAIN_IDS]


def test_a_farewell_before_a_move_is_not_a_crisis_even_when_the_model_leans_that_way() -> None:
    leaning = Tagger(models={lang: _LeaningToCrisis() for lang in ("ja", "en", "pt")})  # type: ignore[misc]
    for message in (
        "来月県外に引っ越します。今まで本当にお世話になりました",
        "goodbye everyone, my contract ended and I'm flying home on Sunday",
        "essa é minha ultima mensagem aqui, amanha volto pro brasil. obrigada por tudo",
    ):
        prediction = leaning.tag(message)
        assert not prediction.crisis and prediction.scores["crisis"] < 0.5, message
    # A farewell without a move still counts, and so does a move with a crisis expression.
    assert leaning.tag("今まで本当にお世話になりました。さようなら").crisis
    assert leaning.tag("来月引っ越すけど、もう死にたい。お世話になりました").crisis

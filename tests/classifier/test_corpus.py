from __future__ import annotations

from collections import Counter

from classifier import corpus
from classifier.domains import DOMAIN_IDS


def test_the_corpus_is_as_large_and_varied_as_promised() -> None:
    train = corpus.load(corpus.TRAIN_DIR)
    minimum_size = {"ja": 1500, "en": 800, "pt": 800}
    minimum_per_domain = {"ja": 60, "en": 30, "pt": 30}
    for lang, size in minimum_size.items():
        subset = corpus.by_language(train, lang)
        assert len(subset) >= size
        counts = Counter(d for ex in subset for d in ex.domains)
        assert all(counts[d] >= minimum_per_domain[lang] for d in DOMAIN_IDS), counts
    worries = [ex for ex in train if ex.domains]
    assert sum(len(ex.domains) > 1 for ex in worries) >= 0.35 * len(worries)
    assert len(train) - len(worries) >= 100


def test_crisis_always_comes_with_the_domain_behind_it() -> None:
    for directory in (corpus.TRAIN_DIR, corpus.DEV_DIR, corpus.TEST_DIR):
        for ex in corpus.load(directory):
            assert ex.domains != ("crisis",), ex.text


def test_the_dev_and_test_files_share_no_message_with_training_or_each_other() -> None:
    train = {ex.text.strip() for ex in corpus.load(corpus.TRAIN_DIR)}
    dev = {ex.text.strip() for ex in corpus.load(corpus.DEV_DIR)}
    test = {ex.text.strip() for ex in corpus.load(corpus.TEST_DIR)}
    assert len(dev) >= 600
    assert not (dev & train) and not (test & train) and not (dev & test)

"""Life-issue tagging of residents' messages (ja, en, pt): a pure library.

>>> from classifier import load_tagger
>>> load_tagger().tag("母の介護と仕事の両立がつらい").domains
"""

from __future__ import annotations

from classifier.model import Prediction, Tagger, load_or_train


def load_tagger() -> Tagger:
    """The saved tagger, trained on first use when missing or out of date."""
    return load_or_train()


__all__ = ["Prediction", "Tagger", "load_tagger"]

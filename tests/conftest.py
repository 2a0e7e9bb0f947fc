"""Shared fixtures."""

from __future__ import annotations

import pytest

from classifier.model import Tagger, load_or_train


@pytest.fixture(scope="session")
def tagger() -> Tagger:
    """The project's tagger, trained once if the saved one is missing or stale."""
    return load_or_train()

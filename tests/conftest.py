"""Shared fixtures."""

from __future__ import annotations

import pytest

from classifier.model import Tagger, load_or_train


@pytest.fixture(scope="session")
def tagger() -> Tagger:
    """The project's tagger, trained once if the saved one is missing or stale."""
    return load_or_train()


def pytest_report_header(config: pytest.Config) -> str:
    """Say plainly whether the PostgreSQL half of the handoff suite runs."""
    from tests.handoff.databases import postgres_status

    return postgres_status()

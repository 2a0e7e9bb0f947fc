"""Dependency aliases for bot's routes; tests override them through app.dependency_overrides."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from bot.settings import Settings
from classifier.model import Tagger
from handoff.deps import NowDep, SessionDep, SessionmakerDep, get_now, get_session

__all__ = [
    "NowDep",
    "SessionDep",
    "SessionmakerDep",
    "SettingsDep",
    "TaggerDep",
    "get_now",
    "get_session",
    "get_settings",
    "get_tagger",
]


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return cast(Settings, request.app.state.settings)


def get_tagger(request: Request) -> Tagger:
    """The classifier, loaded once in the lifespan."""
    return cast(Tagger, request.app.state.tagger)


SettingsDep = Annotated[Settings, Depends(get_settings)]
TaggerDep = Annotated[Tagger, Depends(get_tagger)]

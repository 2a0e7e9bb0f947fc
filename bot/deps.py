"""Dependency aliases for bot's routes; tests override them through app.dependency_overrides."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from bot.dialogue import Dialogue
from bot.settings import Settings
from classifier.model import Tagger
from handoff.deps import NowDep, SessionDep, SessionmakerDep, get_now, get_session

__all__ = [
    "DialogueDep",
    "NowDep",
    "SessionDep",
    "SessionmakerDep",
    "SettingsDep",
    "TaggerDep",
    "get_dialogue",
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


def get_dialogue(request: Request) -> Dialogue:
    """The conversation, built once in the lifespan."""
    return cast(Dialogue, request.app.state.dialogue)


SettingsDep = Annotated[Settings, Depends(get_settings)]
DialogueDep = Annotated[Dialogue, Depends(get_dialogue)]
TaggerDep = Annotated[Tagger, Depends(get_tagger)]

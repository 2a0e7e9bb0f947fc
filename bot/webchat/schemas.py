"""The web chat's JSON shapes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from bot.dialogue import Command

MAX_TEXT = 10_000
COMMANDS = frozenset(command.value for command in Command)


def _no_nul(text: str) -> str:
    # PostgreSQL text cannot hold NUL: refuse it as bad input instead of failing later.
    if "\x00" in text:
        raise ValueError("text must not contain NUL characters")
    return text


def _known_command(command: str) -> str:
    if command not in COMMANDS:
        raise ValueError("unknown choice")
    return command


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SendRequest(_In):
    """What the resident wrote, or the choice they tapped: exactly one of the two."""

    text: Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_no_nul)] | None = None
    command: Annotated[str, Field(max_length=40), AfterValidator(_known_command)] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> SendRequest:
        if (self.text is None) == (self.command is None):
            raise ValueError("send either text or command")
        if self.text is not None and not self.text.strip():
            raise ValueError("text must not be blank")
        return self


class ResumeRequest(_In):
    """A resume code typed on another device."""

    code: Annotated[str, Field(min_length=1, max_length=32)]


class BubbleOut(BaseModel):
    """One chat bubble (plain text: the page never interprets markup)."""

    sender: Literal["bot", "resident", "consultant"]
    text: str
    id: str | None = None
    signature: str | None = None
    when: str | None = None


class ChoiceOut(BaseModel):
    """A button under the last bubble; tapping it sends `command`."""

    label: str
    command: str


class ReplyOut(BaseModel):
    """The bot's answer to one message."""

    language: str
    bubbles: list[BubbleOut]
    choices: list[ChoiceOut]
    crisis: bool
    reload: bool = Field(description="The language changed: reload the page to see it whole.")
    clear: bool = Field(description="The resident's data was deleted: clear the screen.")


class UpdatesOut(BaseModel):
    """New replies and notices (the polling fallback of the event stream), and the cursor to
    ask from next time."""

    bubbles: list[BubbleOut]
    after: str


class ResumeCodeOut(BaseModel):
    """A code to type on another device."""

    code: str


class ResumedOut(BaseModel):
    """The conversation now continues on this device."""

    resumed: bool = True

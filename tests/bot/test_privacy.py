from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from bot.dialogue import Command, Dialogue, Inbound, Kind
from classifier.model import Tagger
from handoff import tickets
from handoff.site import SiteReport

SECRET_ID = "U4af4980629ffd1f3d5c0bd4d3a7c6e1d"
WORDS = ["夫に殴られていて、子どもと逃げたいです", "借金も300万円あります", "もう死にたい"]


def test_a_whole_conversation_leaves_no_words_or_ids_in_the_logs(
    tagger: Tagger, session: Session, city: SiteReport, now: datetime,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    dialogue = Dialogue(tagger)
    clock = now

    def send(kind: Kind, text: str = "") -> None:
        nonlocal clock
        clock += timedelta(minutes=1)
        inbound = Inbound(channel="line", external_id=SECRET_ID, kind=kind, text=text,
                          received_at=clock, language="ja")  # fmt: skip
        dialogue.respond(inbound, session=session)

    send(Kind.follow)
    send(Kind.command, Command.consent_yes)
    for words in WORDS:
        send(Kind.text, words)
    send(Kind.command, Command.who)
    handoff = tickets.hand_off(session=session, text="追記です", domains=[], language="ja",
                               channel="line", external_id=SECRET_ID, now=clock)  # fmt: skip
    tickets.reply(session=session, ticket_id=handoff.ticket.id, consultant=handoff.consultant,
                  text="山田です。お話を聞かせてください", now=clock)  # fmt: skip
    send(Kind.command, Command.delete)
    send(Kind.command, Command.delete_yes)

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert caplog.records, "the conversation should log something (ticket numbers, routing)"
    assert SECRET_ID not in logged
    for words in [*WORDS, "追記です", "お話を聞かせてください"]:
        assert words not in logged

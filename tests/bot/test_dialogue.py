from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.dialogue import Command, Dialogue, Inbound, Kind, Outbound
from classifier.model import Tagger
from handoff.models import Consultant, Direction, Message, Resident, Role, Ticket, Urgency
from handoff.site import SiteReport
from tests.factories import SATURDAY_NIGHT

pytestmark = pytest.mark.usefixtures("city")


@pytest.fixture
def dialogue(tagger: Tagger) -> Dialogue:
    return Dialogue(tagger)


class Resident_:
    """One resident talking to the bot on one channel."""

    def __init__(self, dialogue: Dialogue, session: Session, now: datetime, *, lang: str | None,
                 external_id: str = "U-resident-1", channel: str = "line") -> None:  # fmt: skip
        self.dialogue, self.session, self.now = dialogue, session, now
        self.lang, self.external_id, self.channel = lang, external_id, channel

    def send(self, kind: Kind, text: str = "") -> Outbound:
        self.now += timedelta(minutes=1)
        inbound = Inbound(
            channel=self.channel,
            external_id=self.external_id,
            kind=kind,
            text=text,
            received_at=self.now,
            language=self.lang,
        )
        return self.dialogue.respond(inbound, session=self.session)

    def says(self, text: str) -> Outbound:
        return self.send(Kind.text, text)

    def taps(self, command: Command) -> Outbound:
        return self.send(Kind.command, command.value)

    def consents(self) -> Outbound:
        self.send(Kind.follow)
        return self.taps(Command.consent_yes)


def _stored_messages(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Message)) or 0


def test_first_contact_greets_explains_privacy_and_gives_emergency_numbers(
    dialogue: Dialogue, session: Session, now: datetime
) -> None:
    answer = Resident_(dialogue, session, now, lang="ja").send(Kind.follow)
    text = "\n".join(answer.texts)
    assert "市の相談窓口" in text and "プライバシー" in text
    assert "110" in text and "119" in text
    assert [c.command for c in answer.choices] == [Command.consent_yes, Command.consent_no]
    assert _stored_messages(session) == 0


def test_a_japanese_worry_gets_reflection_local_information_and_a_named_person(
    dialogue: Dialogue, session: Session, now: datetime
) -> None:
    resident = Resident_(dialogue, session, now, lang="ja")
    resident.consents()
    answer = resident.says("母の介護で仕事を辞めることになり、お金のことも心配です")
    text = "\n".join(answer.texts)
    assert "お年寄りの介護" in answer.texts[0] and "お困りなのですね" in answer.texts[0]
    assert "相談できる窓口" in text and "電話：" in text
    assert answer.ticket_number and answer.ticket_number in text
    assert answer.consultant_name and answer.consultant_name in text
    ticket = session.scalars(select(Ticket)).one()
    assert "elderly_care" in ticket.domains and ticket.consultant_id == answer.consultant_id
    directions = session.scalars(select(Message.direction).order_by(Message.id)).all()
    assert directions == [Direction.inbound, Direction.outbound]


def test_a_portuguese_worry_is_answered_in_portuguese_with_a_romanised_name(
    dialogue: Dialogue, session: Session, now: datetime
) -> None:
    resident = Resident_(dialogue, session, now, lang="pt-BR", channel="web", external_id="w-1")
    resident.consents()
    answer = resident.says(
        "Sou brasileira, tenho dois filhos pequenos e perdi o emprego. "
        "Nao sei como pagar o aluguel."
    )
    assert answer.language == "pt"
    assert answer.texts[0].startswith("Entendi.")
    assert "Onde você pode receber ajuda" in "\n".join(answer.texts)
    assert answer.consultant_name and answer.consultant_name.isascii()


def test_a_worry_before_consent_is_held_then_handed_off_once_the_resident_agrees(
    dialogue: Dialogue, session: Session, now: datetime
) -> None:
    resident = Resident_(dialogue, session, now, lang="ja")
    asked = resident.says("家賃が3か月払えていません")
    assert [c.command for c in asked.choices] == [Command.consent_yes, Command.consent_no]
    assert _stored_messages(session) == 0 and not asked.stored
    answer = resident.taps(Command.consent_yes)
    assert answer.ticket_number and "住まい" in "\n".join(answer.texts)
    held = session.scalars(select(Resident)).one()
    assert held.consent_at is not None and held.held_text is None


def test_saying_no_to_consent_forgets_the_held_words(
    dialogue: Dialogue, session: Session, now: datetime
) -> None:
    resident = Resident_(dialogue, session, now, lang="en")
    resident.says("I cannot pay my rent")
    answer = resident.taps(Command.consent_no)
    assert "Nothing you wrote has been kept" in answer.texts[0]
    assert session.scalars(select(Resident)).one().held_text is None
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_small_talk_gets_an_invitation_and_no_ticket(
    dialogue: Dialogue, session: Session, now: datetime
) -> None:
    resident = Resident_(dialogue, session, now, lang="ja")
    resident.consents()
    answer = resident.says("こんにちは")
    assert "どんなことでも" in answer.texts[0] and answer.ticket_number is None
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_a_worry_with_no_domain_still_goes_to_a_person(
    dialogue: Dialogue, session: Session, now: datetime
) -> None:
    resident = Resident_(dialogue, session, now, lang="ja")
    resident.consents()
    answer = resident.says("隣の家の犬が一晩中ほえていて、どこに言えばいいのかわからない")
    assert answer.ticket_number and answer.consultant_name


def test_later_messages_join_the_ticket_and_name_the_person(
    dialogue: Dialogue, session: Session, now: datetime
) -> None:
    resident = Resident_(dialogue, session, now, lang="ja")
    resident.consents()
    first = resident.says("借金の督促状がたくさん届いています")
    second = resident.says("あと、電気も止められそうです")
    assert second.ticket_number == first.ticket_number
    assert first.consultant_name and first.consultant_name in second.texts[0]
    assert session.scalar(select(func.count()).select_from(Ticket)) == 1


def test_crisis_puts_emergency_numbers_first_and_goes_to_a_supervisor(
    dialogue: Dialogue, session: Session, now: datetime
) -> None:
    resident = Resident_(dialogue, session, now, lang="ja")
    resident.consents()
    answer = resident.says("もう死にたい。何もかも終わりにしたい")
    assert answer.crisis
    assert "110" in answer.texts[0] and "119" in answer.texts[0]
    ticket = session.scalars(select(Ticket)).one()
    assert ticket.urgency == Urgency.crisis
    assert ticket.consultant is not None and ticket.consultant.role == Role.supervisor


def test_a_crisis_before_consent_still_shows_emergency_numbers_at_once(
    dialogue: Dialogue, session: Session, now: datetime
) -> None:
    answer = Resident_(dialogue, session, now, lang="en").says("I want to kill myself tonight")
    assert answer.crisis and "110" in answer.texts[0]


def test_at_the_weekend_the_resident_is_told_honestly_when_someone_will_answer(
    dialogue: Dialogue, session: Session
) -> None:
    resident = Resident_(dialogue, session, SATURDAY_NIGHT, lang="en")
    resident.consents()
    answer = resident.says("My husband lost his job and we cannot pay the rent")
    assert "The office is closed now" in "\n".join(answer.texts)


def test_who_is_my_consultant(dialogue: Dialogue, session: Session, now: datetime) -> None:
    resident = Resident_(dialogue, session, now, lang="ja")
    resident.consents()
    first = resident.says("子どもが学校に行けなくなって半年になります")
    answer = resident.says("担当者は誰ですか")
    assert first.consultant_name and first.consultant_name in answer.texts[0]
    assert first.ticket_number and first.ticket_number in answer.texts[0]


def test_switching_language(dialogue: Dialogue, session: Session, now: datetime) -> None:
    resident = Resident_(dialogue, session, now, lang="ja")
    resident.consents()
    answer = resident.taps(Command.pt)
    assert answer.language == "pt" and "português" in answer.texts[0]
    assert session.scalars(select(Resident)).one().language == "pt"
    assert resident.says("obrigado").language == "pt"


def test_deleting_my_data_is_confirmed_then_done(
    dialogue: Dialogue, session: Session, now: datetime
) -> None:
    resident = Resident_(dialogue, session, now, lang="ja")
    resident.consents()
    resident.says("夫の暴力から逃げたい")
    asked = resident.says("データを削除してください")
    assert [c.command for c in asked.choices] == [Command.delete_yes, Command.delete_no]
    assert _stored_messages(session) > 0
    done = resident.taps(Command.delete_yes)
    assert "削除しました" in done.texts[0]
    assert _stored_messages(session) == 0


def test_a_sticker_gets_a_kind_answer_and_is_recorded_on_an_open_ticket(
    dialogue: Dialogue, session: Session, now: datetime
) -> None:
    resident = Resident_(dialogue, session, now, lang="ja")
    resident.consents()
    resident.says("仕事をクビになりました")
    answer = resident.send(Kind.sticker)
    assert "スタンプ" in answer.texts[0] and answer.stored
    texts = session.scalars(
        select(Message.text).where(Message.direction == Direction.inbound)
    ).all()
    assert "[sticker]" in texts


def test_a_photo_gets_a_request_for_words_and_a_phone_number(
    dialogue: Dialogue, session: Session, now: datetime, city: SiteReport
) -> None:
    answer = Resident_(dialogue, session, now, lang="en").send(Kind.image)
    assert "tell us in words" in answer.texts[0] and "000-" in answer.texts[0]


def test_a_group_chat_gets_a_polite_one_to_one_note(
    dialogue: Dialogue, session: Session, now: datetime
) -> None:
    answer = Resident_(dialogue, session, now, lang="ja").send(Kind.group, "助けて")
    assert "1対1" in answer.texts[0] and _stored_messages(session) == 0


def test_an_unknown_button_is_never_taken_for_a_worry(
    dialogue: Dialogue, session: Session, now: datetime
) -> None:
    resident = Resident_(dialogue, session, now, lang="ja")
    resident.consents()
    answer = resident.send(Kind.command, "#something-old")
    assert answer.ticket_number is None and "どんなことでも" in answer.texts[0]
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_with_nobody_on_the_rota_the_resident_still_gets_somewhere_to_call(
    dialogue: Dialogue, session: Session, now: datetime
) -> None:
    resident = Resident_(dialogue, session, now, lang="ja")
    resident.consents()
    session.execute(update(Consultant).values(active=False))
    answer = resident.says("家賃が払えません")
    text = "\n".join(answer.texts)
    assert "110" in text and "相談できる窓口" in text and answer.ticket_number is None
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0
    assert _stored_messages(session) == 0


def test_typing_a_language_name_switches_and_answers_in_that_language(
    dialogue: Dialogue, session: Session, now: datetime
) -> None:
    resident = Resident_(dialogue, session, now, lang="ja")
    resident.consents()
    answer = resident.says("English")
    assert (
        answer.language == "en" and answer.texts[0] == "I will write to you in English from now on."
    )
    assert session.scalars(select(Resident)).one().language == "en"

"""The conversation, the same on every channel: a worry becomes a reflection, local
information and a named person; nothing is turned away.

`Dialogue.respond` takes one `Inbound` event inside the caller's transaction and returns the
`Outbound` texts to show the resident, already in their language.
"""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from babel.lists import format_list
from sqlalchemy import select
from sqlalchemy.orm import Session

from classifier.domains import CRISIS
from classifier.model import Prediction, Tagger
from classifier.text import detect_language
from handoff import tickets
from handoff.errors import NoConsultant
from handoff.hours import Schedule
from handoff.i18n import DEFAULT_LANGUAGE, N_, Speaker, language_of
from handoff.models import (
    OPEN_STATUSES,
    Agency,
    Consultant,
    DeliveryState,
    Direction,
    EmergencyContact,
    Message,
    Resident,
    Ticket,
)
from handoff.routing import SiteCalendar

log = logging.getLogger(__name__)

MAX_AGENCIES = 3


class Kind(enum.StrEnum):
    """What arrived."""

    text = "text"
    command = "command"  # a choice the resident tapped
    follow = "follow"  # LINE follow, or a web chat opened for the first time
    sticker = "sticker"
    image = "image"
    video = "video"
    audio = "audio"
    file = "file"
    location = "location"
    group = "group"  # a message in a LINE group or room


class Command(enum.StrEnum):
    """The choices offered to residents (sent back verbatim by the channel)."""

    consent_yes = "#consent:yes"
    consent_no = "#consent:no"
    who = "#who"
    delete = "#delete"
    delete_yes = "#delete:yes"
    delete_no = "#delete:no"
    ja = "#lang:ja"
    en = "#lang:en"
    pt = "#lang:pt"


@dataclass(frozen=True, slots=True, kw_only=True)
class Inbound:
    """One thing a resident did."""

    channel: str
    external_id: str
    kind: Kind
    received_at: datetime
    text: str = ""
    language: str | None = None  # LINE profile language, or the web chat's chosen language
    channel_message_id: str | None = None
    source_link_id: str | None = None
    source_label: str | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    """A button under the last message: what it says, and the command it sends."""

    label: str
    command: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Outbound:
    """What to show the resident, in order."""

    language: str
    texts: tuple[str, ...]
    choices: tuple[Choice, ...] = ()
    crisis: bool = False
    ticket_number: str | None = None
    consultant_name: str | None = None
    consultant_id: int | None = None
    stored: bool = False  # whether anything the resident wrote was kept


# Plain words for each domain, as they read inside "worried about ...".
TOPICS: dict[str, str] = {
    "elderly_care": N_("caring for an older person"),
    "disability": N_("life with a disability"),
    "child_parenting": N_("pregnancy and raising children"),
    "school": N_("school"),
    "living_costs": N_("money for daily life"),
    "debt": N_("money you owe"),
    "work": N_("work"),
    "housing": N_("your home"),
    "health": N_("health and medical care"),
    "mental_health": N_("how you are feeling"),
    "isolation": N_("feeling alone"),
    "violence_abuse": N_("violence or abuse"),
    "foreign_residency": N_("residence status and language"),
    "legal_rights": N_("legal matters"),
    "crisis": N_("your safety"),
}

_LABELS = {
    Command.consent_yes: N_("Yes, I agree"),
    Command.consent_no: N_("No"),
    Command.who: N_("Who is my consultant?"),
    Command.delete: N_("Delete my data"),
    Command.delete_yes: N_("Yes, delete everything"),
    Command.delete_no: N_("No, keep it"),
}
_LANGUAGE_NAMES = {Command.ja: "日本語", Command.en: "English", Command.pt: "Português"}

_SMALL_TALK = re.compile(
    r"^(?:hi|hello|hey|thanks?|thank you|ok|okay|test|testing|good (?:morning|evening|night)|"
    r"oi|ola|olá|obrigad[oa]|valeu|bom dia|boa tarde|boa noite|teste|tudo bem\??|"
    r"こんにちは|こんばんは|おはよう(?:ございます)?|はじめまして|ありがとう(?:ございます)?|"
    r"了解(?:です)?|わかりました|テスト|よろしく(?:お願いします)?|どうも|はい|うん|[👍🙏😊🙂✨]+)"
    r"[\s!！。.、,~〜ー]*$",
    re.IGNORECASE,
)
_TYPED_COMMANDS = [
    (
        Command.who,
        re.compile(
            r"担当(?:者|の人)?(?:は|って)?(?:誰|だれ)|who(?:'s| is) my (?:consultant|contact)|"
            r"quem (?:e|é) (?:o|a) (?:meu|minha) "
            r"(?:consultor|consultora|atendente|responsavel|responsável)",
            re.IGNORECASE,
        ),
    ),
    (
        Command.delete,
        re.compile(
            r"(?:データ|記録|情報|履歴|メッセージ)を?(?:消して|消したい|削除)|"
            r"delete my (?:data|messages)|(?:apagar|excluir|deletar) (?:os )?meus dados",
            re.IGNORECASE,
        ),
    ),
    (Command.ja, re.compile(r"^(?:日本語|にほんご|japanese|japones|japonês)$", re.IGNORECASE)),
    (Command.en, re.compile(r"^(?:english|英語|えいご|ingles|inglês)$", re.IGNORECASE)),
    (
        Command.pt,
        re.compile(r"^(?:português|portugues|portuguese|ポルトガル語)$", re.IGNORECASE),
    ),
]
_NON_TEXT = {
    Kind.sticker: "[sticker]",
    Kind.image: "[image]",
    Kind.video: "[video]",
    Kind.audio: "[audio]",
    Kind.file: "[file]",
    Kind.location: "[location]",
}


@dataclass
class Dialogue:
    """The conversation, given the classifier. Holds no per-resident state of its own."""

    tagger: Tagger
    held_for: timedelta = field(default=timedelta(hours=24))

    # -------------------------------------------------------------- entry point

    def respond(self, inbound: Inbound, *, session: Session) -> Outbound:
        """React to one event; store only what the resident agreed to."""
        resident = tickets.find_resident(
            session=session, channel=inbound.channel, external_id=inbound.external_id
        )
        lang = self._language(inbound, resident)
        speaker = Speaker(lang)
        if inbound.kind is Kind.group:
            return Outbound(
                language=lang,
                texts=(
                    speaker._(
                        "Thank you for your message. Consultations happen one to one, so please "
                        "add this account as a friend and write to it directly."
                    ),
                ),
            )
        if inbound.kind is Kind.follow:
            return self._welcome(speaker, session)
        command = self._command(inbound)
        if command is not None:
            return self._command_reply(command, inbound, resident, speaker, session)
        if inbound.kind is Kind.command:  # a stale or unknown button: never a worry
            return _invitation(speaker)
        if inbound.kind in _NON_TEXT:
            return self._not_words(inbound, resident, speaker, session)
        return self._words(inbound, resident, speaker, session)

    # -------------------------------------------------------------- pieces

    @staticmethod
    def _language(inbound: Inbound, resident: Resident | None) -> str:
        """A switch wins; then the resident's language; then the channel's (LINE profile, school
        link); then the language of their words; then Japanese."""
        if inbound.kind is Kind.command and inbound.text in (Command.ja, Command.en, Command.pt):
            return inbound.text.rsplit(":", 1)[1]
        if resident is not None:
            return language_of(resident.language)
        if inbound.language:
            return language_of(inbound.language)
        if inbound.kind is Kind.text and inbound.text.strip():
            guess = detect_language(inbound.text)
            if guess.reliable:
                return guess.lang
        return DEFAULT_LANGUAGE

    @staticmethod
    def _command(inbound: Inbound) -> Command | None:
        if inbound.kind is Kind.command:
            try:
                return Command(inbound.text)
            except ValueError:
                return None
        if inbound.kind is Kind.text and len(inbound.text) <= 80:
            for command, pattern in _TYPED_COMMANDS:
                if pattern.search(inbound.text.strip()):
                    return command
        return None

    def _welcome(self, speaker: Speaker, session: Session) -> Outbound:
        texts = (
            speaker._(
                "Hello. This is the city's consultation desk. You can write about any worry, "
                "big or small. A person from the city will read it and answer you."
            ),
            _privacy_notice(speaker),
            _emergency_text(speaker, session),
        )
        return Outbound(language=speaker.lang, texts=texts, choices=_consent_choices(speaker))

    def _command_reply(
        self,
        command: Command,
        inbound: Inbound,
        resident: Resident | None,
        speaker: Speaker,
        session: Session,
    ) -> Outbound:
        lang = speaker.lang
        if command in (Command.ja, Command.en, Command.pt):
            lang = command.value.rsplit(":", 1)[1]  # typed ("English") or tapped
            speaker = Speaker(lang)
            if resident is not None:
                resident.language = lang
            text = speaker._("I will write to you in English from now on.")
            return Outbound(language=lang, texts=(text,), choices=_menu(speaker))
        if command is Command.consent_no:
            if resident is not None and resident.held_text:
                resident.held_text = None
                resident.held_at = None
            return Outbound(
                language=lang,
                texts=(
                    speaker._(
                        "All right. Nothing you wrote has been kept. You can still call us, "
                        "or write again whenever you like."
                    ),
                    _emergency_text(speaker, session),
                ),
            )
        if command is Command.consent_yes:
            return self._consent(inbound, resident, speaker, session)
        if command is Command.who:
            return _who(resident, speaker, session)
        if command is Command.delete:
            if resident is None:
                return Outbound(
                    language=lang, texts=(speaker._("We do not keep anything from you."),)
                )
            return Outbound(
                language=lang,
                texts=(
                    speaker._(
                        "Do you want us to delete everything you wrote to us? "
                        "This cannot be undone."
                    ),
                ),
                choices=(
                    Choice(speaker._(_LABELS[Command.delete_yes]), Command.delete_yes),
                    Choice(speaker._(_LABELS[Command.delete_no]), Command.delete_no),
                ),
            )
        if command is Command.delete_yes:
            if resident is not None:
                tickets.delete_resident(
                    session=session,
                    channel=inbound.channel,
                    external_id=inbound.external_id,
                    now=inbound.received_at,
                )
            return Outbound(
                language=lang,
                texts=(
                    speaker._(
                        "Your messages and details have been deleted. "
                        "If you ever want to talk again, just write."
                    ),
                ),
            )
        return Outbound(language=lang, texts=(speaker._("All right, nothing was deleted."),))

    def _consent(
        self, inbound: Inbound, resident: Resident | None, speaker: Speaker, session: Session
    ) -> Outbound:
        resident = tickets.resident_for(
            session=session,
            channel=inbound.channel,
            external_id=inbound.external_id,
            language=speaker.lang,
            now=inbound.received_at,
            consent_at=inbound.received_at,
        )
        held = resident.held_text
        held_at = resident.held_at
        resident.held_text = None
        resident.held_at = None
        if held and held_at and inbound.received_at - held_at <= self.held_for:
            replay = Inbound(
                channel=inbound.channel,
                external_id=inbound.external_id,
                kind=Kind.text,
                text=held,
                received_at=inbound.received_at,
                language=speaker.lang,
                source_link_id=resident.held_link_id,
                source_label=resident.held_label,
            )
            resident.held_link_id = None
            resident.held_label = None
            answer = self._words(replay, resident, speaker, session)
            thanks = speaker._("Thank you.")
            return Outbound(
                language=answer.language,
                texts=(thanks, *answer.texts),
                choices=answer.choices,
                crisis=answer.crisis,
                ticket_number=answer.ticket_number,
                consultant_name=answer.consultant_name,
                consultant_id=answer.consultant_id,
                stored=True,
            )
        return Outbound(
            language=speaker.lang,
            texts=(
                speaker._("Thank you. Please write about what is worrying you, in your own words."),
            ),
            stored=True,
        )

    def _not_words(
        self, inbound: Inbound, resident: Resident | None, speaker: Speaker, session: Session
    ) -> Outbound:
        ticket = _open_ticket(session, resident)
        stored = False
        if ticket is not None and resident is not None and resident.consent_at is not None:
            tickets.hand_off(
                session=session,
                text=_NON_TEXT[inbound.kind],
                domains=[],
                language=speaker.lang,
                channel=inbound.channel,
                external_id=inbound.external_id,
                now=inbound.received_at,
                channel_message_id=inbound.channel_message_id,
            )
            stored = True
        if inbound.kind is Kind.sticker:
            text = speaker._(
                "Thank you for the sticker. Whenever you are ready, tell us in words what is on "
                "your mind."
            )
        else:
            desk = _general_desk(session)
            phone = desk.phone if desk is not None and desk.phone else None
            text = speaker._(
                "Thank you. I cannot open photos, voice messages or files here. Could you tell us "
                "in words?"
            )
            if phone:
                text += "\n" + speaker._("You can also call us: {phone}", phone=phone)
        return Outbound(language=speaker.lang, texts=(text,), stored=stored)

    def _words(
        self, inbound: Inbound, resident: Resident | None, speaker: Speaker, session: Session
    ) -> Outbound:
        message = inbound.text.strip()
        prediction = self.tagger.tag(message)
        if not prediction.domains and _SMALL_TALK.match(message) and not prediction.crisis:
            return _invitation(speaker)
        if resident is None or resident.consent_at is None:
            return self._hold(inbound, resident, prediction, speaker, session)
        return self._hand_off(inbound, prediction, speaker, session)

    def _hold(
        self,
        inbound: Inbound,
        resident: Resident | None,
        prediction: Prediction,
        speaker: Speaker,
        session: Session,
    ) -> Outbound:
        """No consent yet: keep the words for a day, ask, and show emergency numbers if needed."""
        resident = tickets.resident_for(
            session=session,
            channel=inbound.channel,
            external_id=inbound.external_id,
            language=speaker.lang,
            now=inbound.received_at,
        )
        resident.held_text = inbound.text.strip()
        resident.held_at = inbound.received_at
        resident.held_link_id = inbound.source_link_id
        resident.held_label = inbound.source_label
        texts: list[str] = []
        if prediction.crisis:
            texts.append(_emergency_text(speaker, session, urgent=True))
        texts.append(
            speaker._(
                "Thank you for telling us. Before a consultant reads it, may we keep what you "
                "write? It is used only to help you."
            )
        )
        texts.append(_privacy_notice(speaker))
        return Outbound(
            language=speaker.lang,
            texts=tuple(texts),
            choices=_consent_choices(speaker),
            crisis=prediction.crisis,
        )

    @staticmethod
    def _nobody_on_the_rota(
        prediction: Prediction, speaker: Speaker, session: Session, now: datetime
    ) -> Outbound:
        """No consultant is active at all (a misconfigured site): still point somewhere."""
        log.error("no active consultant: a worry could not be handed off")
        texts = [_emergency_text(speaker, session, urgent=prediction.crisis)]
        texts.append(_reflection(prediction, speaker))
        info = _local_information(session, list(prediction.domains), speaker, now)
        if info:
            texts.append(info)
        texts.append(
            speaker._(
                "We could not pass this on to a consultant just now. Please call one of the places "
                "above, or write again a little later."
            )
        )
        return Outbound(language=speaker.lang, texts=tuple(texts), crisis=prediction.crisis)

    def _hand_off(
        self, inbound: Inbound, prediction: Prediction, speaker: Speaker, session: Session
    ) -> Outbound:
        domains = list(prediction.domains)
        try:
            with session.begin_nested():  # all or nothing: never a half-stored worry
                result = tickets.hand_off(
                    session=session,
                    text=inbound.text.strip(),
                    domains=domains,
                    language=speaker.lang,
                    channel=inbound.channel,
                    external_id=inbound.external_id,
                    now=inbound.received_at,
                    crisis=prediction.crisis,
                    source_link_id=inbound.source_link_id,
                    source_label=inbound.source_label,
                    channel_message_id=inbound.channel_message_id,
                )
        except NoConsultant:
            return self._nobody_on_the_rota(prediction, speaker, session, inbound.received_at)
        name = _person_name(result.consultant, speaker.lang)
        agency = _agency_name(result.agency, speaker.lang)
        texts: list[str] = []
        if prediction.crisis:
            texts.append(_emergency_text(speaker, session, urgent=True))
        if result.joined_open_ticket:
            texts.append(
                speaker._(
                    "Thank you. I have passed this on to {name} ({agency}), who has your "
                    "consultation {number}.",
                    name=name,
                    agency=agency,
                    number=result.ticket.number,
                )
            )
        else:
            texts.append(_reflection(prediction, speaker))
            info = _local_information(session, domains, speaker, inbound.received_at)
            if info:
                texts.append(info)
            texts.append(_handoff_text(result, name, agency, speaker, inbound.received_at))
        session.add(
            Message(
                resident_id=result.ticket.resident_id,
                ticket_id=result.ticket.id,
                direction=Direction.outbound,
                text="\n\n".join(texts),
                delivery_state=DeliveryState.sent,
                created_at=inbound.received_at,
            )
        )
        return Outbound(
            language=speaker.lang,
            texts=tuple(texts),
            choices=(Choice(speaker._(_LABELS[Command.who]), Command.who),),
            crisis=prediction.crisis,
            ticket_number=result.ticket.number,
            consultant_name=name,
            consultant_id=result.consultant.id,
            stored=True,
        )


# ------------------------------------------------------------------ rendering helpers


def _invitation(speaker: Speaker) -> Outbound:
    return Outbound(
        language=speaker.lang,
        texts=(
            speaker._(
                "Hello, thank you for writing. "
                "Whenever you like, tell us what is worrying you. Any worry is welcome."
            ),
        ),
    )


def _consent_choices(speaker: Speaker) -> tuple[Choice, ...]:
    return (
        Choice(speaker._(_LABELS[Command.consent_yes]), Command.consent_yes),
        Choice(speaker._(_LABELS[Command.consent_no]), Command.consent_no),
    )


def _menu(speaker: Speaker) -> tuple[Choice, ...]:
    return (
        Choice(speaker._(_LABELS[Command.who]), Command.who),
        *(Choice(name, command) for command, name in _LANGUAGE_NAMES.items()),
        Choice(speaker._(_LABELS[Command.delete]), Command.delete),
    )


def _privacy_notice(speaker: Speaker) -> str:
    return speaker._(
        "About your privacy: what you write is kept by the city only to help you, and only the "
        "staff who handle your consultation can read it. You can ask us to delete it at any "
        'time by writing "delete my data".'
    )


def _emergency_text(speaker: Speaker, session: Session, *, urgent: bool = False) -> str:
    contacts = session.scalars(select(EmergencyContact).order_by(EmergencyContact.position)).all()
    lines = [
        speaker._("If your life or someone's safety is in danger right now, please call now:")
        if urgent
        else speaker._("In an emergency, call at any time:")
    ]
    for contact in contacts:
        name = contact.names.get(speaker.lang) or contact.names.get("ja") or contact.key
        note = (contact.notes or {}).get(speaker.lang)
        lines.append(f"・{name} {contact.number}" + (f" — {note}" if note else ""))
    return "\n".join(lines)


def _reflection(prediction: Prediction, speaker: Speaker) -> str:
    topics = [speaker._(TOPICS[d]) for d in prediction.domains if d != CRISIS]
    if not topics:
        if prediction.crisis:
            return speaker._("Thank you for telling us. You are not alone in this.")
        return speaker._("Thank you for telling us.")
    joined = format_list(topics, locale=speaker.locale)
    return speaker._(
        "It sounds like you are going through a hard time with {topics}.", topics=joined
    )


def _person_name(consultant: Consultant, lang: str) -> str:
    if lang == "ja":
        return consultant.display_name
    return consultant.reading or consultant.display_name


def _agency_name(agency: Agency | None, lang: str) -> str:
    if agency is None:
        return ""
    return {"ja": agency.name_ja, "en": agency.name_en, "pt": agency.name_pt}.get(
        lang
    ) or agency.name_ja


def _schedule(agency: Agency, calendar: SiteCalendar) -> Schedule:
    return Schedule.from_stored(
        agency.hours or {},
        closed_days=[*calendar.holidays, *(agency.closed_days or [])],
        timezone=calendar.timezone,
    )


def _opening(agency: Agency, calendar: SiteCalendar, speaker: Speaker, now: datetime) -> str:
    schedule = _schedule(agency, calendar)
    if not schedule.has_hours:
        return ""
    if schedule.is_open(now):
        closes = next(
            (
                end
                for start, end in schedule.shifts_on(now.astimezone(schedule.timezone).date())
                if start <= now < end
            ),
            None,
        )
        if closes is not None:
            return speaker._("Open now, until {time}", time=speaker.time(closes, schedule.timezone))
        return speaker._("Open now")
    opens = schedule.next_open(now)
    if opens is None:
        return speaker._("Closed now")
    return speaker._(
        "Closed now. Opens {when}", when=speaker.weekday_time(opens, schedule.timezone)
    )


def _local_information(
    session: Session, domains: Sequence[str], speaker: Speaker, now: datetime
) -> str:
    agencies = session.scalars(
        select(Agency).where(Agency.active.is_(True)).order_by(Agency.id)
    ).all()
    wanted = [d for d in domains if d != CRISIS]
    ranked = sorted(
        (a for a in agencies if set(a.domains) & set(wanted)),
        key=lambda a: (
            -len(set(a.domains) & set(wanted)),
            speaker.lang not in (a.languages or []),
            a.id,
        ),
    )[:MAX_AGENCIES]
    if not ranked:
        ranked = [a for a in agencies if a.general_desk][:1]
    if not ranked:
        return ""
    calendar = SiteCalendar.load(session)
    blocks = [speaker._("Places that can help:")]
    for agency in ranked:
        lines = [f"■ {_agency_name(agency, speaker.lang)}"]
        helps = [speaker._(TOPICS[d]) for d in wanted if d in agency.domains] or [
            speaker._("any worry")
        ]
        lines.append(
            speaker._("Helps with: {topics}", topics=format_list(helps, locale=speaker.locale))
        )
        opening = _opening(agency, calendar, speaker, now)
        if opening:
            lines.append(opening)
        if agency.phone:
            lines.append(speaker._("Phone: {phone}", phone=agency.phone))
        if agency.address:
            lines.append(speaker._("Address: {address}", address=agency.address))
        elif agency.url:
            lines.append(agency.url)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _handoff_text(
    result: tickets.Handoff, name: str, agency: str, speaker: Speaker, now: datetime
) -> str:
    lines = [
        speaker._(
            "Your consultation number is {number}. {name} ({agency}) will take care of it.",
            number=result.ticket.number,
            name=name,
            agency=agency,
        )
    ]
    contact = result.contact_from
    if result.ticket.urgency.value == "crisis":
        lines.append(
            speaker._("They have been told it is urgent and will answer as soon as possible.")
        )
    elif result.on_shift_now:
        lines.append(
            speaker._(
                "They will answer you here by {time}.",
                time=speaker.weekday_time(result.first_response_due),
            )
        )
    else:
        lines.append(
            speaker._(
                "The office is closed now (evenings, weekends and holidays). "
                "{name} will answer you after {time}.",
                name=name,
                time=speaker.weekday_time(contact),
            )
        )
    if result.needs_interpreter:
        lines.append(speaker._("We will arrange an interpreter for you."))
    return "\n".join(lines)


def _who(resident: Resident | None, speaker: Speaker, session: Session) -> Outbound:
    ticket = _open_ticket(session, resident)
    if ticket is None or ticket.consultant is None:
        return Outbound(
            language=speaker.lang,
            texts=(
                speaker._(
                    "You do not have an open consultation right now. Write to us any time and a "
                    "consultant will be named for you."
                ),
            ),
        )
    name = _person_name(ticket.consultant, speaker.lang)
    return Outbound(
        language=speaker.lang,
        texts=(
            speaker._(
                "Your consultant is {name} ({agency}). Consultation number: {number}.",
                name=name,
                agency=_agency_name(ticket.agency, speaker.lang),
                number=ticket.number,
            ),
        ),
        ticket_number=ticket.number,
        consultant_name=name,
        consultant_id=ticket.consultant.id,
    )


def _open_ticket(session: Session, resident: Resident | None) -> Ticket | None:
    if resident is None:
        return None
    return session.scalar(
        select(Ticket)
        .where(Ticket.resident_id == resident.id, Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.id.desc())
        .limit(1)
    )


def _general_desk(session: Session) -> Agency | None:
    return session.scalar(select(Agency).where(Agency.general_desk.is_(True)).limit(1))

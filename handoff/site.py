"""The municipality file: agencies, consultants and emergency numbers, validated and upserted.

Errors name the line at fault (`city.yaml:42: consultants[3].agency: ...`). Agencies are
matched by `code`, consultants by `email`, emergency contacts by `key`, so loading the same
file twice changes nothing and editing it updates the rows in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from classifier.domains import BY_ID as DOMAINS_BY_ID
from handoff.auth import hash_password
from handoff.consultants import EMAIL
from handoff.hours import check_closed_day, normalise_hours
from handoff.models import Agency, Consultant, EmergencyContact, Role, Site


class SiteFileError(ValueError):
    """A site file that cannot be loaded; every problem names its line."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def _known_domain(domain: str) -> str:
    if domain not in DOMAINS_BY_ID:
        raise ValueError(f"unknown domain {domain!r} (known: {', '.join(DOMAINS_BY_ID)})")
    return domain


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {name!r}") from None
    return name


def _email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise ValueError(f"{email!r} is not an e-mail address")
    return email


DomainId = Annotated[str, AfterValidator(_known_domain)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
ClosedDay = Annotated[str, AfterValidator(check_closed_day)]
Hours = Annotated[dict[str, str | list[str]], AfterValidator(normalise_hours)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PhoneNumber = Annotated[str, StringConstraints(pattern=r"^[0-9#*+][0-9#*+\- ]{1,30}$")]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Names(_Spec):
    """A name in each language residents write in."""

    ja: Text
    en: Text
    pt: Text


class AgencySpec(_Spec):
    """One agency (支援関係機関) of the site file."""

    code: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
    name: Names
    domains: list[DomainId] = []
    languages: list[Language] = Field(min_length=1)
    phone: PhoneNumber | None = None
    address: Annotated[str, StringConstraints(max_length=300)] | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=500)] | None = None
    hours: Hours = {}
    closed_days: list[ClosedDay] = []
    general_desk: bool = False


class ConsultantSpec(_Spec):
    """One consultant of the site file."""

    email: Annotated[str, AfterValidator(_email)]
    name: Text
    reading: Text
    agency: str | None = None
    languages: list[Language] = Field(min_length=1)
    domains: list[DomainId] = []
    role: Literal["consultant", "supervisor"] = "consultant"
    hours: Hours | None = None
    max_open_tickets: int = Field(default=20, ge=1, le=1000)
    active: bool = True


class ContactSpec(_Spec):
    """One emergency number."""

    key: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
    number: PhoneNumber
    names: Names
    notes: dict[Literal["ja", "en", "pt"], Annotated[str, StringConstraints(max_length=300)]] = {}
    domains: list[DomainId] = []
    languages: list[Language] = []


class DevelopmentSpec(_Spec):
    """Settings honoured only when the service runs in development."""

    consultant_password: Annotated[str, StringConstraints(min_length=8)] | None = None


class SiteSpec(_Spec):
    """A whole site file."""

    name: Text
    timezone: Annotated[str, AfterValidator(_timezone)] = "Asia/Tokyo"
    holidays: list[ClosedDay] = []
    development: DevelopmentSpec | None = None
    agencies: list[AgencySpec] = Field(min_length=1)
    consultants: list[ConsultantSpec] = []
    emergency_contacts: list[ContactSpec] = []


# -- reading, with lines --------------------------------------------------------------------


def _line_of(node: yaml.Node | None, loc: Sequence[int | str]) -> int:
    """The 1-based line of the YAML node at `loc`, or of the deepest node on the way."""
    line = (node.start_mark.line + 1) if node is not None else 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next(
                ((key, value) for key, value in node.value if key.value == str(part)), None
            )
            if found is None:
                break
            key_node, node = found
            line = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _where(loc: Sequence[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(file)"


def _cross_checks(spec: SiteSpec) -> list[tuple[tuple[int | str, ...], str]]:
    problems: list[tuple[tuple[int | str, ...], str]] = []
    seen: dict[str, int] = {}
    for index, agency in enumerate(spec.agencies):
        if agency.code in seen:
            problems.append((("agencies", index, "code"), f"duplicate agency code {agency.code!r}"))
        seen.setdefault(agency.code, index)
    if not any(agency.general_desk for agency in spec.agencies):
        problems.append((("agencies",), "no agency has general_desk: true (総合相談 is needed)"))
    emails: set[str] = set()
    for index, consultant in enumerate(spec.consultants):
        if consultant.email in emails:
            problems.append(
                (("consultants", index, "email"), f"duplicate e-mail {consultant.email!r}")
            )
        emails.add(consultant.email)
        if consultant.agency is not None and consultant.agency not in seen:
            problems.append(
                (("consultants", index, "agency"), f"no agency with code {consultant.agency!r}")
            )
    keys: set[str] = set()
    for index, contact in enumerate(spec.emergency_contacts):
        if contact.key in keys:
            problems.append(
                (("emergency_contacts", index, "key"), f"duplicate contact key {contact.key!r}")
            )
        keys.add(contact.key)
    return problems


def parse_site(text: str, *, name: str = "site file") -> SiteSpec:
    """Validate the text of a site file; SiteFileError lists every problem with its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise SiteFileError([f"{name}:{line}: not valid YAML: {error.problem}"]) from None
    if not isinstance(data, dict):
        raise SiteFileError([f"{name}:1: a site file is a mapping (name, agencies, ...)"])
    try:
        spec = SiteSpec.model_validate(data)
    except ValidationError as error:
        problems = []
        for problem in error.errors(include_url=False):
            loc = tuple(problem["loc"])
            message = problem["msg"].removeprefix("Value error, ")
            problems.append(f"{name}:{_line_of(root, loc)}: {_where(loc)}: {message}")
        raise SiteFileError(problems) from None
    cross = _cross_checks(spec)
    if cross:
        raise SiteFileError(
            [f"{name}:{_line_of(root, loc)}: {_where(loc)}: {message}" for loc, message in cross]
        )
    return spec


def read_site_file(path: Path) -> SiteSpec:
    """Read and validate a site file from disk."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SiteFileError([f"{path}: cannot read: {error}"]) from None
    return parse_site(text, name=str(path))


# -- writing --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteReport:
    """What loading a site file changed."""

    agencies_created: int
    agencies_updated: int
    consultants_created: int
    consultants_updated: int
    emergency_contacts: int
    dev_passwords_set: int

    def __str__(self) -> str:
        return (
            f"agencies: {self.agencies_created} new, {self.agencies_updated} updated; "
            f"consultants: {self.consultants_created} new, {self.consultants_updated} updated; "
            f"emergency contacts: {self.emergency_contacts}"
            + (
                f"; development passwords set: {self.dev_passwords_set}"
                if self.dev_passwords_set
                else ""
            )
        )


def apply_site(
    *, session: Session, spec: SiteSpec, now: datetime, allow_dev_password: bool = False
) -> SiteReport:
    """Upsert the site file's contents. `allow_dev_password` (development only) gives every
    consultant without a password the file's `development.consultant_password`."""
    site = session.scalar(select(Site).order_by(Site.id).limit(1))
    if site is None:
        site = Site(name=spec.name)
        session.add(site)
    site.name = spec.name
    site.timezone = spec.timezone
    site.holidays = list(spec.holidays)
    site.updated_at = now

    agencies = {a.code: a for a in session.scalars(select(Agency))}
    agencies_created = agencies_updated = 0
    for item in spec.agencies:
        agency = agencies.get(item.code)
        if agency is None:
            agency = Agency(code=item.code, created_at=now)
            session.add(agency)
            agencies[item.code] = agency
            agencies_created += 1
        else:
            agencies_updated += 1
        agency.name_ja, agency.name_en, agency.name_pt = item.name.ja, item.name.en, item.name.pt
        agency.domains = list(item.domains)
        agency.languages = list(item.languages)
        agency.phone, agency.address, agency.url = item.phone, item.address, item.url
        agency.hours = dict(item.hours)
        agency.closed_days = list(item.closed_days)
        agency.general_desk = item.general_desk
        agency.active = True
        agency.updated_at = now
    session.flush()

    dev_password = spec.development.consultant_password if spec.development else None
    dev_hash: str | None = None
    consultants = {c.email: c for c in session.scalars(select(Consultant))}
    consultants_created = consultants_updated = dev_passwords_set = 0
    for person in spec.consultants:
        consultant = consultants.get(person.email)
        if consultant is None:
            consultant = Consultant(email=person.email, created_at=now)
            session.add(consultant)
            consultants_created += 1
        else:
            consultants_updated += 1
        consultant.display_name = person.name
        consultant.reading = person.reading
        consultant.agency = agencies[person.agency] if person.agency else None
        consultant.languages = list(person.languages)
        consultant.domains = list(person.domains)
        consultant.role = Role(person.role)
        consultant.hours = dict(person.hours) if person.hours is not None else None
        consultant.max_open_tickets = person.max_open_tickets
        consultant.active = person.active
        consultant.updated_at = now
        if allow_dev_password and dev_password and consultant.password_hash is None:
            dev_hash = dev_hash or hash_password(dev_password)  # one slow hash per load
            consultant.password_hash = dev_hash
            dev_passwords_set += 1

    keys = [entry.key for entry in spec.emergency_contacts]
    session.execute(delete(EmergencyContact).where(EmergencyContact.key.not_in(keys)))
    contacts = {c.key: c for c in session.scalars(select(EmergencyContact))}
    for position, entry in enumerate(spec.emergency_contacts):
        contact = contacts.get(entry.key)
        if contact is None:
            contact = EmergencyContact(key=entry.key)
            session.add(contact)
        contact.number = entry.number
        contact.names = entry.names.model_dump()
        contact.notes = {str(lang): note for lang, note in entry.notes.items()}
        contact.domains = list(entry.domains)
        contact.languages = list(entry.languages)
        contact.position = position
    session.flush()
    return SiteReport(
        agencies_created=agencies_created,
        agencies_updated=agencies_updated,
        consultants_created=consultants_created,
        consultants_updated=consultants_updated,
        emergency_contacts=len(spec.emergency_contacts),
        dev_passwords_set=dev_passwords_set,
    )


def load_site_file(
    *, session: Session, path: Path, now: datetime, allow_dev_password: bool = False
) -> SiteReport:
    """Read, validate and upsert a site file."""
    return apply_site(
        session=session,
        spec=read_site_file(path),
        now=now,
        allow_dev_password=allow_dev_password,
    )


SAMPLE_CITY = Path(__file__).resolve().parent / "sample_city.yaml"

"""Babel translations for residents and consultants, and locale-aware dates and times."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from classifier.text import canonical_language

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
TOKYO = ZoneInfo("Asia/Tokyo")

# Resident languages and the Babel locale each one uses.
LOCALES: dict[str, str] = {"ja": "ja", "en": "en", "pt": "pt_BR"}
DEFAULT_LANGUAGE = "ja"


def language_of(tag: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """ja, en or pt for a language tag ('pt-BR', 'pt', 'en_US'); `default` otherwise."""
    return canonical_language(tag) or default


@cache
def translations(lang: str) -> Translations:
    """The catalog for `lang`: the compiled .mo when it is current, else compiled from the .po."""
    locale = LOCALES[language_of(lang)]
    folder = LOCALES_DIR / locale / "LC_MESSAGES"
    po_path, mo_path = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        with mo_path.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@dataclass(frozen=True, slots=True)
class Speaker:
    """Everything needed to talk to one person in their language."""

    lang: str

    @property
    def locale(self) -> str:
        """The Babel locale name."""
        return LOCALES[self.lang]

    def _(self, message: str, **values: object) -> str:
        """Translate `message` and fill in `values` ({name} placeholders)."""
        text: str = translations(self.lang).gettext(message)
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, count: int, **values: object) -> str:
        """Translate with a plural form; `count` is also available as {count}."""
        text: str = translations(self.lang).ngettext(singular, plural, count)
        return text.format(count=count, **values)

    def date_time(self, moment: datetime, zone: tzinfo = TOKYO) -> str:
        """A date and time as people in this locale write it (in Asia/Tokyo)."""
        return format_datetime(moment, format="medium", tzinfo=zone, locale=self.locale)

    def weekday_time(self, moment: datetime, zone: tzinfo = TOKYO) -> str:
        """'11月24日(月) 9:00' / 'Mon, Nov 24, 9:00 AM' / 'seg., 24 de nov., 09:00'."""
        local = moment.astimezone(zone)
        pattern = {
            "ja": "M月d日(E) H:mm",
            "en": "EEE, MMM d, h:mm a",
            "pt": "EEE, d 'de' MMM, HH:mm",
        }
        return format_datetime(local, pattern[self.lang], tzinfo=zone, locale=self.locale)

    def time(self, moment: datetime, zone: tzinfo = TOKYO) -> str:
        """A time of day."""
        return format_time(moment, format="short", tzinfo=zone, locale=self.locale)

    def date(self, moment: datetime, zone: tzinfo = TOKYO) -> str:
        """A date."""
        return format_date(moment.astimezone(zone), format="medium", locale=self.locale)


def speaker(lang: str | None) -> Speaker:
    """A Speaker for a language tag (Japanese when unknown)."""
    return Speaker(language_of(lang))


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here."""
    return message

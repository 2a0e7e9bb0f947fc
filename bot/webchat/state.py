"""The web chat's per-application state: its limits, timings and templates."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.webchat.limits import RateLimit

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
STATIC_URL = "/static/webchat"

# Everything the page loads comes from this server; nothing may frame it.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


@dataclass
class WebChat:
    """Rate limits and timings (tests shorten them) and the page templates."""

    messages: RateLimit = field(default_factory=lambda: RateLimit(limit=20, window=60))
    resume_codes: RateLimit = field(default_factory=lambda: RateLimit(limit=10, window=3600))
    resume_attempts: RateLimit = field(default_factory=lambda: RateLimit(limit=10, window=900))
    poll_seconds: float = 1.0  # how often an open event stream looks for new replies
    stream_seconds: float = 300.0  # then the stream ends and the browser reconnects
    heartbeat_seconds: float = 15.0
    cookie_days: int = 90

    @cached_property
    def templates(self) -> Environment:
        """Jinja templates; every value is HTML-escaped."""
        return Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, name: str, **context: Any) -> str:
        """A page."""
        return self.templates.get_template(name).render(static=static_url, **context)


def static_url(name: str) -> str:
    """The URL of a static file, with its content hash so browsers never use a stale copy."""
    return f"{STATIC_URL}/{name}?v={_version(name)}"


@cache
def _version(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]

"""Helpers shared by tests that start servers or drive Debian's chromium."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
REQUIRE_BROWSER = os.environ.get("TSUNAGU_TEST_REQUIRE_BROWSER") == "1"


def require_chromium() -> None:
    """Skip without Debian's chromium, unless TSUNAGU_TEST_REQUIRE_BROWSER=1 (CI) demands it."""
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason}, and TSUNAGU_TEST_REQUIRE_BROWSER=1 requires it")
    pytest.skip(reason)


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])

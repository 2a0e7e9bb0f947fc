"""Helpers shared by tests that start servers or drive Debian's chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx
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


def wait_until_up(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    """Poll /healthz until the server answers; fail with the end of its log if it never does."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"tsunagu serve exited:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"tsunagu serve did not come up:\n{log_path.read_text()[-3000:]}")


def stop(process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Terminate a server, killing it if it does not go."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

"""The workspace's pages as a whole: headers, static files, and rules that keep them safe."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from handoff.workspace.web import STATIC, TEMPLATES, static_url
from tests.handoff.workspace.conftest import TAKAHASHI, Desk


@pytest.mark.parametrize(
    "path",
    ["/workspace/queue", "/workspace/canned", "/workspace/stats", "/workspace/tickets/99"],
)
def test_every_page_carries_the_security_headers(desk: Desk, path: str) -> None:
    response = desk.signed_in(TAKAHASHI).get(path)
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_static_files_are_served_with_their_hash(desk: Desk) -> None:
    browser = desk.browser()
    for name, kind in (("workspace.css", "text/css"), ("workspace.js", "text/javascript")):
        url = static_url(name)
        assert re.fullmatch(rf"/workspace/static/{re.escape(name)}\?v=[0-9a-f]{{10}}", url)
        response = browser.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(kind)
        assert "immutable" in response.headers["cache-control"]
    assert browser.get("/workspace/static/../deps.py").status_code == 404
    assert browser.get("/workspace/static/secret.txt").status_code == 404


def test_templates_never_mark_anything_safe() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", ""), template.name
        assert "autoescape false" not in text, template.name
        assert "<script>" not in text and "style=" not in text, template.name  # CSP: files only


def test_the_script_only_puts_text_into_the_page() -> None:
    script = (STATIC / "workspace.js").read_text(encoding="utf-8")
    for risky in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert risky not in script
    assert "textContent" in script


def test_the_workspace_needs_neither_line_nor_the_conversation() -> None:
    code = (
        "import sys, handoff.workspace\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] == 'linebot'\n"
        "          or m in ('bot.dialogue', 'bot.app', 'bot.settings')\n"
        "          or m.startswith('bot.line')]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)

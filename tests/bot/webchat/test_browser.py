"""The school link in a real browser: Debian's chromium, driven by Playwright, against
`tsunagu serve` on a loopback port with a fresh SQLite database and the sample city.

Without /usr/bin/chromium the test is skipped with the reason; TSUNAGU_TEST_REQUIRE_BROWSER=1
(set by .ci/run, which installs chromium) turns that into a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import select

from bot.dialogue import TOPICS
from handoff.db import make_engine, make_sessionmaker
from handoff.i18n import Speaker
from handoff.models import Consultant
from tests.bot.webchat.conftest import WORRY_PT
from tests.factories import DEMO_PASSWORD
from tests.support import CHROMIUM, CHROMIUM_ARGS, free_port, require_chromium, stop, wait_until_up

SCREENSHOTS = Path("/tmp")
SUPERVISOR = "takahashi.kenichi@minato.example"
REPLY = "Olá! Sou do atendimento da prefeitura. Posso ligar para você amanhã às 10h?"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@dataclass
class Server:
    base_url: str
    database_url: str
    link_url: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_chromium()
    folder = tmp_path_factory.mktemp("browser")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    database_url = f"sqlite:///{folder / 'tsunagu.db'}"
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("LINE_", "TSUNAGU_"))
    }
    environment.update(
        TSUNAGU_ENVIRONMENT="development",
        TSUNAGU_DATABASE_URL=database_url,
        TSUNAGU_PUBLIC_BASE_URL=base_url,
        TSUNAGU_ESCALATION_INTERVAL_SECONDS="0",
    )
    command = [sys.executable, "-m", "bot"]
    created = subprocess.run(
        [*command, "link", "create", "--label", "さくら小学校 学校メール", "--lang", "pt"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    link_url = created.stdout.strip()
    log_path = folder / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*command, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(base_url, process, log_path)
        yield Server(base_url=base_url, database_url=database_url, link_url=link_url)
    finally:
        stop(process)


def email_of(database_url: str, consultant_id: int) -> str:
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            return session.scalars(
                select(Consultant.email).where(Consultant.id == consultant_id)
            ).one()
    finally:
        engine.dispose()


def login(api: httpx.Client, email: str) -> dict[str, str]:
    response = api.post("/api/login", json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture
def page(server: Server) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="pt-BR",
        )
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def test_a_portuguese_school_link_end_to_end(server: Server, page: Page) -> None:
    requested: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    portuguese = Speaker("pt")

    page.goto(server.link_url)
    expect(page.locator("html")).to_have_attribute("lang", "pt-BR")
    consent = page.locator('#choices button[data-command="#consent:yes"]')
    expect(consent).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "tsunagu-webchat-pt-welcome.png"))
    consent.click()
    expect(page.locator("#log li.msg.resident")).to_have_count(1)
    expect(page.locator("#text")).to_be_focused()  # nothing more to choose: back to writing

    page.locator("#text").fill(WORRY_PT)
    page.locator("#composer button[type=submit]").click()
    bot = page.locator("#log li.msg.bot")
    expect(page.locator("#log li.msg.resident").last).to_contain_text("perdi o emprego")
    # The reflection, in plain Portuguese words for the domains.
    expect(bot.filter(has_text=portuguese._(TOPICS["work"])).first).to_be_visible()
    expect(bot.filter(has_text=portuguese._(TOPICS["housing"])).first).to_be_visible()
    # Local information: agencies with their phone numbers.
    expect(bot.filter(has_text="000-100-").first).to_be_visible()

    with httpx.Client(base_url=server.base_url, timeout=10) as api:
        [ticket] = api.get("/api/tickets", headers=login(api, SUPERVISOR)).json()
        assert ticket["channel"] == "web" and ticket["language"] == "pt"
        consultant = ticket["consultant"]
        # The consultant's name (romanised for a Portuguese reader) and the ticket number.
        expect(bot.filter(has_text=consultant["reading"]).last).to_contain_text(ticket["number"])
        detail = api.get(f"/api/tickets/{ticket['id']}", headers=login(api, SUPERVISOR)).json()
        assert detail["source_label"] == "さくら小学校 学校メール"
        page.screenshot(path=str(SCREENSHOTS / "tsunagu-webchat-pt-handoff.png"))

        page.evaluate("window.stillTheSamePage = true")
        holder = login(api, email_of(server.database_url, consultant["id"]))
        sent = api.post(f"/api/tickets/{ticket['id']}/reply", headers=holder, json={"text": REPLY})
        assert sent.status_code == 202, sent.text

    reply = page.locator("#log li.msg.consultant")
    expect(reply).to_contain_text(REPLY, timeout=20_000)
    expect(reply.locator(".sig")).to_contain_text(consultant["reading"])
    assert page.evaluate("window.stillTheSamePage") is True  # it arrived live, no reload
    reply.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "tsunagu-webchat-pt-reply.png"))
    page.locator("#log li.msg.resident").last.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "tsunagu-webchat-pt-worry.png"))
    page.locator("footer").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "tsunagu-webchat-pt-footer.png"))

    assert all(url.startswith(server.base_url) for url in requested), requested
    assert problems == []


def test_keyboard_only(server: Server, page: Page) -> None:
    page.goto(server.link_url)
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#text")).to_be_focused()
    page.keyboard.press("Shift+Tab")  # the choices sit just above the message box
    page.keyboard.press("Shift+Tab")
    expect(page.locator('#choices button[data-command="#consent:yes"]')).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#log li.msg.resident")).to_have_count(1)
    expect(page.locator("#text")).to_be_focused()
    page.keyboard.type("Oi, obrigada")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#log li.msg.resident")).to_have_count(2)

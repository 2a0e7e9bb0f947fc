"""The consultant workspace in a real browser: Debian's chromium, driven by Playwright, against
`tsunagu serve` on a loopback port with a fresh SQLite database, the sample city, and LINE
pointed at the fake Messaging API.

Without /usr/bin/chromium the tests are skipped with the reason; TSUNAGU_TEST_REQUIRE_BROWSER=1
(set by .ci/run, which installs chromium) turns that into a failure. Screenshots go to /tmp.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from handoff import tickets
from handoff.db import make_engine, make_sessionmaker
from handoff.models import Channel, Consultant, Status, Ticket, utcnow
from tests.bot.line.platform import SECRET, LinePlatform
from tests.factories import DEMO_PASSWORD
from tests.fakes.line_api import ACCESS_TOKEN, PUSH, FakeLineApi
from tests.support import CHROMIUM, CHROMIUM_ARGS, free_port, require_chromium, stop, wait_until_up

SCREENSHOTS = Path("/tmp")
SUPERVISOR = "takahashi.kenichi@minato.example"
SUZUKI = "suzuki.kazuko@minato.example"  # 地域包括支援センター
YAMAMOTO = "yamamoto.naoki@minato.example"  # くらし・しごと自立相談支援センター
WORRY = "仕事がなくなって、家賃が払えません。母の介護もあって、どうしたらいいかわかりません。"
REPLY = "高橋です。ご相談ありがとうございます。明日の午前中にお電話してもよいですか。"
HANDOVER = "介護の負担が大きく、地域包括で介護保険の申請から一緒に進めてください。"
OUTCOME = "地域包括支援センターへ引き継ぎ、介護保険の申請を案内した。"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@dataclass
class Server:
    base_url: str
    db: sessionmaker[Session]
    line: LinePlatform
    api: FakeLineApi

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_chromium()
    folder = tmp_path_factory.mktemp("workspace-browser")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    database_url = f"sqlite:///{folder / 'tsunagu.db'}"
    with FakeLineApi() as api:
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("LINE_", "TSUNAGU_"))
        }
        environment.update(
            TSUNAGU_ENVIRONMENT="development",
            TSUNAGU_DATABASE_URL=database_url,
            TSUNAGU_PUBLIC_BASE_URL=base_url,
            TSUNAGU_ESCALATION_INTERVAL_SECONDS="0",
            LINE_CHANNEL_SECRET=SECRET,
            LINE_CHANNEL_ACCESS_TOKEN=ACCESS_TOKEN,
            LINE_API_BASE_URL=api.url,
        )
        log_path = folder / "serve.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        engine = make_engine(database_url)
        try:
            wait_until_up(base_url, process, log_path)
            with httpx.Client(base_url=base_url, timeout=10) as client:
                yield Server(
                    base_url=base_url,
                    db=make_sessionmaker(engine),
                    line=LinePlatform(client, api),  # posts to the real server, as LINE would
                    api=api,
                )
        finally:
            engine.dispose()
            stop(process)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    try:
        yield opened
    finally:
        context.close()
    assert not problems, problems  # no script error on any page


def sign_in(page: Page, server: Server, email: str) -> None:
    page.goto(server.url("/workspace/queue"))
    expect(page).to_have_url(re.compile(r"/workspace/login\?next="))
    page.get_by_label(re.compile("E-mail|メール")).fill(email)
    page.get_by_label(re.compile("Password|パスワード")).fill(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(server.url("/workspace/queue"))


def resident_ticket(server: Server, user: str) -> Ticket | None:
    with server.db() as session:
        resident = tickets.find_resident(session=session, channel=Channel.line, external_id=user)
        if resident is None:
            return None
        return session.scalars(select(Ticket).where(Ticket.resident_id == resident.id)).first()


def consultant_id(server: Server, email: str) -> int:
    with server.db() as session:
        return session.scalars(select(Consultant.id).where(Consultant.email == email)).one()


def test_a_line_worry_from_arrival_to_closing(page: Page, server: Server) -> None:
    sign_in(page, server, SUPERVISOR)
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page).to_have_title(re.compile(r"^\(0\) "))

    # A resident consents on LINE and writes; the queue shows the ticket without a reload.
    user = server.line.consented()
    server.line.send(server.line.event("text", user=user, text=WORRY))
    ticket = server.line.wait(lambda: resident_ticket(server, user), timeout=20)
    arrived = time.monotonic()
    row = page.locator(f'tr[data-id="{ticket.id}"]')
    expect(row).to_be_visible(timeout=3000)
    assert time.monotonic() - arrived < 2.0, "the queue took longer than 2 s to show it"
    expect(page).to_have_title(re.compile(r"^\(1\) "))
    expect(page.locator("#waiting-count")).to_have_text("1")
    page.screenshot(path=str(SCREENSHOTS / "workspace-queue.png"), full_page=True)

    # Open it with the keyboard alone.
    link = row.get_by_role("link", name=ticket.number)
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(server.url(f"/workspace/tickets/{ticket.id}"))
    expect(page.locator(".summary")).to_contain_text(ticket.routing_reason)
    expect(page.locator("#transcript")).to_contain_text(WORRY)

    # Reply: queued, pushed to LINE signed with the consultant's name, shown as delivered.
    page.locator("#reply-text").fill(REPLY)
    page.locator("#reply-form").get_by_role("button").click()
    expect(page.locator(".notice-done")).to_be_visible()
    sent = page.locator(".message-out").last
    expect(sent).to_contain_text(REPLY)
    expect(sent).to_contain_text("高橋 健一")
    pushed = server.api.wait_for(
        lambda: [d for d in server.api.delivered_to(user) if d.via == "push"], timeout=20
    )
    [text] = pushed[0].texts
    assert "高橋 健一" in text and REPLY in text
    expect(sent.locator(".delivery-sent")).to_be_visible(timeout=10000)  # live, no reload
    page.screenshot(path=str(SCREENSHOTS / "workspace-ticket.png"), full_page=True)

    # Transfer to 鈴木 (地域包括) with a handover note; LINE tells the resident.
    suzuki = consultant_id(server, SUZUKI)
    page.locator("#transfer-to").select_option(f"c:{suzuki}")
    page.locator("#transfer-note").fill(HANDOVER)
    page.locator("#transfer").get_by_role("button").click()
    expect(page.locator(".notice-done")).to_be_visible()
    expect(page.locator("#history")).to_contain_text(HANDOVER)
    expect(page.locator(".summary")).to_contain_text("鈴木 和子")
    server.api.wait_for(
        lambda: any("鈴木 和子" in t for t in server.api.texts_to(user)), timeout=20
    )

    # Close with an outcome.
    page.locator("#outcome").fill(OUTCOME)
    page.locator("#close").get_by_role("button").click()
    expect(page.locator(".summary")).to_contain_text(OUTCOME)
    expect(page.locator("#reply-text")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / "workspace-closed.png"), full_page=True)
    with server.db() as session:
        closed = session.get_one(Ticket, ticket.id)
        assert closed.status == Status.closed and closed.outcome == OUTCOME
    assert len(server.api.requests_to(PUSH)) >= 2


def hand_off_web(server: Server, text: str, *, external_id: str) -> Ticket:
    """A web-chat worry written straight into the server's database."""
    with server.db.begin() as session:
        handed = tickets.hand_off(
            session=session,
            text=text,
            domains=["housing"],
            language="ja",
            channel="web",
            external_id=external_id,
            now=utcnow(),
            source_label="みなと第一小学校 11月号",
        )
        session.flush()
        session.expunge(handed.ticket)
        return handed.ticket


def test_markup_from_a_resident_is_text_and_other_agencies_cannot_open_it(
    page: Page, browser: Browser, server: Server
) -> None:
    markup = (
        '<script>window.pwned = 1</script><img src="x" onerror="window.pwned = 2">家賃が払えません'
    )
    ticket = hand_off_web(server, markup, external_id="web-markup")
    assert ticket.consultant_id == consultant_id(server, YAMAMOTO)

    sign_in(page, server, YAMAMOTO)
    page.goto(server.url(f"/workspace/tickets/{ticket.id}"))
    message = page.locator(".message-in .text").first
    expect(message).to_have_text(markup)
    assert page.evaluate("window.pwned") is None
    assert page.locator("#transcript script, #transcript img").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "workspace-markup.png"), full_page=True)

    other = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        stranger = other.new_page()
        sign_in(stranger, server, SUZUKI)
        expect(stranger.locator(f'tr[data-id="{ticket.id}"]')).to_have_count(0)
        response = stranger.goto(server.url(f"/workspace/tickets/{ticket.id}"))
        assert response is not None and response.status == 404
        expect(stranger.locator("body")).not_to_contain_text("家賃")
        stranger.screenshot(path=str(SCREENSHOTS / "workspace-refused.png"))
    finally:
        other.close()


def test_supervisors_see_statistics_and_switch_to_english(page: Page, server: Server) -> None:
    sign_in(page, server, SUPERVISOR)
    page.get_by_role("link", name=re.compile("Statistics|統計")).click()
    expect(page.locator("svg.chart")).to_have_count(7)
    page.screenshot(path=str(SCREENSHOTS / "workspace-stats.png"), full_page=True)
    with page.expect_download() as download:
        page.locator('a[href^="/workspace/stats.csv"]').click()
    assert download.value.suggested_filename.startswith("tsunagu-statistics-")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Statistics", exact=True)).to_be_visible()


def test_every_page_can_be_used_with_the_keyboard(page: Page, server: Server) -> None:
    sign_in(page, server, SUPERVISOR)
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    outline = page.evaluate(
        "() => { const a = document.querySelector('a.ticket-link, #f-scope');"
        " a.focus(); return getComputedStyle(a).outlineStyle; }"
    )
    assert outline != "none"  # focus is visible
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement && document.activeElement.id")
        if focused == "f-status":
            break
    else:
        pytest.fail("the filters cannot be reached with Tab")
    labelled = page.evaluate(
        "() => Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))"
        ".filter(e => !document.querySelector(`label[for='${e.id}']`)).map(e => e.name)"
    )
    assert labelled == []

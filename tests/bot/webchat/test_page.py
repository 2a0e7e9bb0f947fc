"""The page itself: small, self-contained, accessible, and kind when a link is wrong."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from bot.webchat.state import STATIC
from handoff.models import SchoolLink
from tests.bot.webchat.conftest import Chat

BUDGET = 100 * 1024  # bytes, before fonts (the page uses the system's)


class Elements(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def find(self, tag: str, **wanted: str) -> list[dict[str, str | None]]:
        return [
            attrs
            for name, attrs in self.tags
            if name == tag and all(attrs.get(key) == value for key, value in wanted.items())
        ]


def parse(html: str) -> Elements:
    elements = Elements()
    elements.feed(html)
    return elements


def assets(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', html)


def test_the_page_and_everything_it_loads_weigh_under_100_kb(chat: Chat, link: SchoolLink) -> None:
    page = chat.device().get(f"/c/{link.code}")
    loaded = assets(page.text)
    assert len(loaded) == 3  # an icon, a stylesheet, a script
    total = len(page.content)
    for url in loaded:
        response = chat.client.get(url)
        assert response.status_code == 200
        total += len(response.content)
    assert total < BUDGET, f"{total} bytes"


def test_nothing_comes_from_another_site(chat: Chat, link: SchoolLink) -> None:
    html = chat.device().get(f"/c/{link.code}").text
    elements = parse(html)
    for tag, attrs in elements.tags:
        for name in ("src", "href", "action"):
            value = attrs.get(name)
            if value is None:
                continue
            assert not re.match(r"^(?:[a-z]+:)?//", value), (tag, value)
    for name in ("chat.css", "chat.js"):
        text = (STATIC / name).read_text()
        assert "http://" not in text and "https://" not in text and "@import" not in text
        assert "url(" not in text


def test_the_page_has_landmarks_labels_and_a_live_region(chat: Chat, link: SchoolLink) -> None:
    elements = parse(chat.device().get(f"/c/{link.code}").text)
    for landmark in ("header", "main", "nav", "aside", "footer"):
        assert elements.find(landmark), landmark
    [log] = elements.find("ol", id="log")
    assert log["role"] == "log" and log["aria-live"] == "polite"
    assert elements.find("p", role="status") and elements.find("p", role="alert")
    # Every field has a label.
    labelled = {attrs["for"] for attrs in elements.find("label")}
    for field in [*elements.find("textarea"), *elements.find("input")]:
        assert field["id"] in labelled
    # The language buttons name themselves in their own language and show which is on.
    buttons = elements.find("button", name="lang")
    assert [b["lang"] for b in buttons] == ["ja", "en", "pt-BR"]
    assert [b["aria-pressed"] for b in buttons] == ["false", "false", "true"]
    assert elements.find("meta", name="viewport")
    assert elements.find("a", href="#text")  # skip link


def test_emergency_numbers_are_always_on_the_page(chat: Chat, link: SchoolLink) -> None:
    html = chat.device().get(f"/c/{link.code}").text
    assert 'href="tel:110"' in html and 'href="tel:119"' in html
    assert 'href="tel:%238008"' in html  # '#' must not end the URL


def test_the_script_and_style_are_served_with_their_content_hash(
    chat: Chat, link: SchoolLink
) -> None:
    for url in assets(chat.device().get(f"/c/{link.code}").text):
        assert re.search(r"\?v=[0-9a-f]{10}$", url)


def test_an_unknown_link_gets_a_friendly_page_in_three_languages(chat: Chat) -> None:
    for code in ("NoSuchCode", "x", "a.b", "a" * 200, "<script>", "%00"):
        response = chat.device().get(f"/c/{code}")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        elements = parse(response.text)
        assert [s["lang"] for s in elements.find("section")] == ["ja", "pt-BR", "en"]
        assert "<script>" not in response.text.split("</head>")[1]
    assert "set-cookie" not in response.headers


def test_an_inactive_link_is_not_found_for_newcomers(chat: Chat, link: SchoolLink) -> None:
    link.active = False
    chat.session.flush()
    response = chat.device().get(f"/c/{link.code}")
    assert response.status_code == 404
    assert "set-cookie" not in response.headers


def test_a_japanese_link_speaks_japanese(chat: Chat, link: SchoolLink) -> None:
    link.language = "ja"
    chat.session.flush()
    html = chat.device().get(f"/c/{link.code}").text
    assert '<html lang="ja">' in html
    assert "はい、同意します" in html  # the lead's catalog

"""The workspace's strings: extracted from its templates into the shared Babel catalogs.

That every one is translated in every catalog is tests/bot/test_i18n.py's job (babel.cfg maps
handoff/**/templates), as for every other string of the project.
"""

from __future__ import annotations

import re

import pytest
from babel.messages.extract import extract_from_dir

from handoff.i18n import translations
from handoff.workspace.web import TEMPLATES, environment, labels

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def workspace_msgids() -> set[str]:
    """What `make extract` finds in the workspace templates (babel.cfg maps them)."""
    found = extract_from_dir(
        str(TEMPLATES.parent),
        method_map=[("templates/**.html", "jinja2")],
        keywords={"_": None, "gettext": None},
    )
    return {str(message) for _file, _line, message, _comments, _context in found}


def test_the_templates_have_strings_to_translate() -> None:
    msgids = workspace_msgids()
    assert len(msgids) > 150
    assert "Queue" in msgids and "Warm-transfer summary" in msgids


def test_no_literal_percent_sign_outside_a_placeholder() -> None:
    # New-style gettext formats every string with %: a bare % would break the page.
    for msgid in workspace_msgids():
        assert "%" not in PLACEHOLDER.sub("", msgid), msgid


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_python_side_labels_come_from_the_catalogs(lang: str) -> None:
    words = labels(lang)
    assert set(words.reply_buckets) == {"under_1h", "1h_4h", "4h_24h", "1d_3d", "over_3d"}
    assert words.channel_names["line"] == "LINE"
    assert len(words.csv_headers) == 5
    assert environment(lang) is environment(lang)


@pytest.mark.parametrize("lang", ["ja", "en", "pt"])
def test_no_translation_has_a_bare_percent_sign_either(lang: str) -> None:
    catalog = translations(lang)
    for msgid in workspace_msgids():
        text = str(catalog.gettext(msgid))
        assert "%" not in PLACEHOLDER.sub("", text), (lang, msgid, text)

from __future__ import annotations

import subprocess
import sys


def run(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_services_load_neither_web_framework_nor_channel_sdk() -> None:
    run(
        "import sys\n"
        "import handoff.tickets, handoff.routing, handoff.outbox, handoff.site, handoff.db\n"
        "import handoff.auth, handoff.consultants, handoff.summary, handoff.hours\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('linebot', 'bot', 'fastapi')]\n"
        "assert not loaded, loaded\n"
    )


def test_the_api_never_loads_bot_or_linebot() -> None:
    run(
        "import sys, handoff.api, handoff.workspace, handoff.i18n\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('linebot', 'bot')]\n"
        "assert not loaded, loaded\n"
    )

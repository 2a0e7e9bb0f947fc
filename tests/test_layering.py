from __future__ import annotations

import subprocess
import sys


def test_classifier_and_handoff_never_load_linebot() -> None:
    code = (
        "import sys, classifier, classifier.model, classifier.evaluate, handoff\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('linebot', 'bot', 'fastapi')]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)

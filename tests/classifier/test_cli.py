from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from classifier.__main__ import tag_lines
from classifier.model import Tagger

ROOT = Path(__file__).resolve().parents[2]


def test_tag_answers_one_line_per_input_line_in_order(tagger: Tagger) -> None:
    lines = [
        json.dumps({"text": "家賃が払えない", "lang": "ja"}),
        "{not json",
        json.dumps({"text": "I want to die"}),
        json.dumps({"lang": "en"}),
        json.dumps({"text": "oi", "lang": "fr"}),
        json.dumps(["text"]),
    ]
    answers = list(tag_lines(tagger, lines))
    assert len(answers) == len(lines)
    assert answers[0]["lang"] == "ja" and "housing" in answers[0]["domains"]
    assert "error" in answers[1]
    assert answers[2]["crisis"] is True and "crisis" in answers[2]["domains"]
    assert all("error" in a for a in answers[3:])


def test_the_command_reads_stdin_and_writes_json_lines() -> None:
    stdin = "\n".join(
        [
            json.dumps({"text": "保育園に入れない"}, ensure_ascii=False),
            "oops",
            json.dumps({"text": ""}),
        ]
    )
    result = subprocess.run(
        [sys.executable, "-m", "classifier", "tag"],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == 3
    assert answers[0]["lang"] == "ja" and "child_parenting" in answers[0]["domains"]
    assert set(answers[0]) == {"lang", "domains", "scores", "crisis"}
    assert "error" in answers[1]
    assert answers[2]["domains"] == [] and answers[2]["crisis"] is False

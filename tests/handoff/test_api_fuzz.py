"""The consultant API fuzzed from its own OpenAPI schema: whatever a client sends, never a 500."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.factories import DEMO_PASSWORD
from tests.support import free_port, wait_until_up

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`tsunagu serve` on a fresh SQLite database with the sample city (demo passwords on)."""
    workdir = tmp_path_factory.mktemp("fuzz")
    port = free_port()
    env = {
        **os.environ,
        "TSUNAGU_DATABASE_URL": f"sqlite:///{workdir / 'fuzz.db'}",
        "TSUNAGU_ENVIRONMENT": "development",
        "TSUNAGU_ESCALATION_INTERVAL_SECONDS": "0",
    }
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        command = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)]
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process, log_path)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)
        assert "Traceback" not in log_path.read_text(), log_path.read_text()[-4000:]


@pytest.fixture(scope="module")
def token(server: str) -> str:
    """A supervisor's bearer token, so the fuzzer reaches past authentication too."""
    response = httpx.post(
        f"{server}/api/login",
        json={"email": "takahashi.kenichi@minato.example", "password": DEMO_PASSWORD},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


@pytest.fixture(scope="module")
def api_schema(server: str) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    return schema.include(path_regex="^/api/")


def test_no_client_input_makes_the_api_fail(
    api_schema: schemathesis.BaseSchema, server: str, token: str
) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10, "the schema should document the whole consultant API"
    calls: list[int] = []
    for operation in operations:

        @settings(
            max_examples=30,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        @given(case=operation.as_strategy())
        def no_server_error(case: schemathesis.Case) -> None:
            for headers in ({"Authorization": f"Bearer {token}"}, {}):
                response = case.call(base_url=server, headers=headers, timeout=10)
                calls.append(response.status_code)
                where = f"{case.method} {case.formatted_path}"
                assert response.status_code < 500, (where, response.text[:300])
                kind = response.headers.get("content-type") or [""]
                assert not response.content or kind[0].startswith("application/json"), where

        no_server_error()

    assert len(calls) > 10 * len(operations)
    assert any(200 <= code < 300 for code in calls), "the fuzzer should also get past validation"

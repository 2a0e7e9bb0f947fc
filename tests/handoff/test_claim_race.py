"""Two consultants claim one ticket at the same moment: exactly one wins, on SQLite and on
PostgreSQL, between threads and between two server processes sharing the database."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from handoff import tickets
from handoff.db import make_engine, make_sessionmaker, upgrade
from handoff.errors import Conflict
from handoff.models import Consultant
from tests.factories import (
    DEMO_PASSWORD,
    TUESDAY_MORNING,
    make_agency,
    make_consultant,
    worry,
)
from tests.support import free_port, stop, wait_until_up

ROUNDS = 5


def together(attempts: list[Callable[[], str]]) -> list[str]:
    """Run the attempts in threads released at the same instant; their outcomes."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []

    def run(attempt: Callable[[], str]) -> None:
        barrier.wait(timeout=30)
        outcomes.append(attempt())

    threads = [threading.Thread(target=run, args=(attempt,)) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@contextmanager
def contested_tickets(
    url: str,
) -> Iterator[tuple[sessionmaker[Session], list[Consultant], list[int]]]:
    """A migrated database with two colleagues of one agency and ROUNDS of its tickets."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        with sessions.begin() as session:
            agency = make_agency(session, domains=["debt"], general_desk=True)
            rivals = [make_consultant(session, agency=agency, domains=["debt"]) for _ in range(2)]
            ticket_ids = [worry(session, domains=["debt"]).ticket.id for _ in range(ROUNDS)]
        yield sessions, rivals, ticket_ids
    finally:
        engine.dispose()


def test_claim_race_between_threads(fresh_url: str) -> None:
    with contested_tickets(fresh_url) as (sessions, rivals, ticket_ids):

        def claimer(consultant_id: int, ticket_id: int) -> Callable[[], str]:
            def attempt() -> str:
                with sessions.begin() as session:
                    consultant = session.get_one(Consultant, consultant_id)
                    try:
                        tickets.claim(
                            session=session,
                            ticket_id=ticket_id,
                            consultant=consultant,
                            now=TUESDAY_MORNING,
                        )
                    except Conflict:
                        return "conflict"
                    return "won"

            return attempt

        for ticket_id in ticket_ids:
            outcomes = together([claimer(rival.id, ticket_id) for rival in rivals])
            assert sorted(outcomes) == ["conflict", "won"]


@contextmanager
def servers(url: str, workdir: Path, count: int) -> Iterator[list[str]]:
    """`tsunagu serve` in `count` processes of their own on loopback ports; their base URLs."""
    env = {
        **os.environ,
        "TSUNAGU_DATABASE_URL": url,
        "TSUNAGU_ENVIRONMENT": "test",
        "TSUNAGU_ESCALATION_INTERVAL_SECONDS": "0",
    }
    started: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    try:
        for _ in range(count):
            port = free_port()
            log_path = workdir / f"server-{port}.log"
            with log_path.open("wb") as log:
                command = [
                    sys.executable,
                    "-m",
                    "bot",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ]
                process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
            started.append((process, f"http://127.0.0.1:{port}", log_path))
        for process, base, log_path in started:
            wait_until_up(base, process, log_path)
        yield [base for _, base, _ in started]
    finally:
        for process, _, _ in started:
            stop(process)


@pytest.mark.slow
def test_claim_race_between_two_server_processes(fresh_url: str, tmp_path: Path) -> None:
    with (
        contested_tickets(fresh_url) as (_, rivals, ticket_ids),
        servers(fresh_url, tmp_path, len(rivals)) as bases,
    ):
        tokens = []
        for base, rival in zip(bases, rivals, strict=True):
            login = httpx.post(
                f"{base}/api/login",
                timeout=10,
                json={"email": rival.email, "password": DEMO_PASSWORD},
            )
            assert login.status_code == 200, login.text
            tokens.append(login.json()["token"])

        def claimer(base: str, token: str, ticket_id: int) -> Callable[[], str]:
            def attempt() -> str:
                response = httpx.post(
                    f"{base}/api/tickets/{ticket_id}/claim",
                    timeout=30,
                    headers={"Authorization": f"Bearer {token}"},
                )
                return str(response.status_code)

            return attempt

        for ticket_id in ticket_ids:
            outcomes = together(
                [claimer(base, token, ticket_id) for base, token in zip(bases, tokens, strict=True)]
            )
            assert sorted(outcomes) == ["200", "409"]
        detail = httpx.get(
            f"{bases[0]}/api/tickets/{ticket_ids[0]}",
            timeout=10,
            headers={"Authorization": f"Bearer {tokens[0]}"},
        ).json()
        claims = [entry for entry in detail["history"] if entry["kind"] == "claimed"]
        assert len(claims) == 1

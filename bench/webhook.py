"""Webhook ingestion and end-to-end benchmark.

    .venv/bin/python bench/webhook.py [--seconds 5] [--rates 50,100,200,400] [--skip-postgres]

Signed LINE webhooks (one text event each, from a new user each) are sent open-loop at rising
rates to:
- a bare FastAPI endpoint that only reads the body (the ceiling on this machine),
- `tsunagu serve` on SQLite, one process,
- two `tsunagu serve` processes sharing PostgreSQL (requests alternate between them),
all on loopback, with the real line-bot-sdk talking to the fake Messaging API of the tests.
For each: sustained events/s and p50/p99 time to the 200. After each rate the benchmark waits
for every acknowledged event to be answered and checks none was lost or handled twice. End to
end: time from sending a webhook to its reply reaching the fake API, at 50 events/s.
Figures go to bench/results/webhook.json.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifier import corpus, model  # noqa: E402
from tests.fakes.line_api import ACCESS_TOKEN, PUSH, REPLY, FakeLineApi  # noqa: E402

SECRET = "bench-channel-secret"
BARE_APP = """
import sys
import uvicorn
from fastapi import FastAPI, Request

app = FastAPI()


@app.post("/line/webhook")
async def webhook(request: Request) -> dict[str, str]:
    await request.body()
    return {"status": "ok"}


uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_ready(base: str, process: subprocess.Popen[bytes], path: str = "/healthz") -> None:
    """Poll until the server answers."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{base} exited during start-up")
        try:
            httpx.request("GET" if path == "/healthz" else "POST", base + path, timeout=0.5)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"{base} did not start")


@contextlib.contextmanager
def tsunagu(
    database_url: str, line_url: str, count: int = 1, worker: bool = False
) -> Iterator[list[str]]:
    """`count` tsunagu servers on one database (and a `tsunagu worker` answering the LINE
    events when `worker`); their base URLs."""
    env = {
        **os.environ,
        "TSUNAGU_DATABASE_URL": database_url,
        "TSUNAGU_ENVIRONMENT": "development",
        "TSUNAGU_ESCALATION_INTERVAL_SECONDS": "0",
        "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": ACCESS_TOKEN,
        "LINE_API_BASE_URL": line_url,
        "TSUNAGU_LINE_HANDLING": "worker" if worker else "inline",
    }
    processes: list[subprocess.Popen[bytes]] = []
    bases: list[str] = []
    try:
        for _ in range(count):  # one after another: the first one migrates and loads the site
            port = free_port()
            command = [
                sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port),
            ]  # fmt: skip
            quiet = subprocess.DEVNULL
            processes.append(subprocess.Popen(command, env=env, stdout=quiet, stderr=quiet))
            bases.append(f"http://127.0.0.1:{port}")
            wait_ready(bases[-1], processes[-1])
        if worker:
            quiet = subprocess.DEVNULL
            command = [sys.executable, "-m", "bot", "worker"]
            processes.append(subprocess.Popen(command, env=env, stdout=quiet, stderr=quiet))
            time.sleep(3)  # the worker loads the classifier before it sweeps
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


@contextlib.contextmanager
def bare() -> Iterator[list[str]]:
    """The bare endpoint in a process of its own."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", BARE_APP, str(port)])
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(base + "/docs", timeout=0.5)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield [base]
    finally:
        process.terminate()
        process.wait(timeout=20)


class Load:
    """Builds signed webhook bodies with fresh users and reply tokens."""

    def __init__(self, line: FakeLineApi, texts: list[str]) -> None:
        self.line, self.texts = line, texts
        self.serial = 0

    def body(self) -> tuple[bytes, str, str]:
        """(body, signature, user id)."""
        self.serial += 1
        user = f"Ubench{self.serial:026d}"
        token = self.line.issue_reply_token(user)
        event = {
            "type": "message",
            "mode": "active",
            "timestamp": int(time.time() * 1000),
            "source": {"type": "user", "userId": user},
            "webhookEventId": f"01BENCH{self.serial:019d}",
            "deliveryContext": {"isRedelivery": False},
            "replyToken": token,
            "message": {"id": str(10**12 + self.serial), "type": "text",
                        "quoteToken": "q", "text": random.choice(self.texts)},
        }  # fmt: skip
        raw = json.dumps({"destination": "Ubench", "events": [event]}).encode()
        signature = base64.b64encode(hmac.new(SECRET.encode(), raw, hashlib.sha256).digest())
        return raw, signature.decode(), user


async def fire(bases: list[str], load: Load, rate: float, seconds: float) -> dict[str, Any]:
    """Open-loop: one request every 1/rate s for `seconds`; time to each answer."""
    total = int(rate * seconds)
    bodies = [load.body() for _ in range(total)]
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    sent_at: dict[str, float] = {}
    accepted: list[str] = []
    limits = httpx.Limits(max_connections=512, max_keepalive_connections=512)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:

        async def one(index: int) -> None:
            raw, signature, user = bodies[index]
            base = bases[index % len(bases)]
            started = time.monotonic()
            sent_at[user] = started
            try:
                response = await client.post(
                    base + "/line/webhook",
                    content=raw,
                    headers={"x-line-signature": signature, "content-type": "application/json"},
                )
                statuses[str(response.status_code)] += 1
                if response.status_code == 200:
                    accepted.append(user)
            except httpx.HTTPError as error:
                statuses[type(error).__name__] += 1
                return
            latencies.append((time.monotonic() - started) * 1000)

        begin = time.monotonic()
        tasks = []
        for index in range(total):
            delay = begin + index / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(index)))
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - begin
    latencies.sort()
    return {
        "rate_offered": rate,
        "sent": total,
        "ok": statuses.get("200", 0),
        "statuses": dict(statuses),
        "events_per_s": round(statuses.get("200", 0) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))], 1) if latencies else None,
        "_accepted": accepted,
        "_sent_at": sent_at,
    }


def answered(line: FakeLineApi, users: list[str], timeout: float) -> dict[str, Any]:
    """Wait until every acknowledged event was answered (the backlog drained), then count
    events never answered and events answered twice."""
    wanted = set(users)
    started = time.monotonic()
    deadline = started + timeout
    while True:
        deliveries = Counter(
            d.to for d in list(line.delivered) if d.to in wanted and d.via in ("reply", "push")
        )
        if all(deliveries[user] >= 1 for user in wanted) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    drained = time.monotonic() - started
    replies_by_user: Counter[str] = Counter()
    for request in line.requests_to(REPLY):
        if request.status == 200 and isinstance(request.body, dict):
            replies_by_user[line._tokens.get(str(request.body.get("replyToken")), "")] += 1
    pushes_by_user = Counter(
        str(r.body.get("to")) for r in line.requests_to(PUSH)
        if r.status == 200 and isinstance(r.body, dict)
    )  # fmt: skip
    lost = sum(1 for user in wanted if replies_by_user[user] + pushes_by_user[user] == 0)
    doubled = sum(1 for user in wanted if replies_by_user[user] > 1)
    return {
        "acknowledged": len(wanted),
        "unanswered": lost,
        "handled_twice": doubled,
        "backlog_drained_s": round(drained, 1),
    }


def end_to_end(line: FakeLineApi, result: dict[str, Any]) -> dict[str, Any]:
    """Webhook sent -> reply received by the fake, per acknowledged event."""
    sent_at: dict[str, float] = result["_sent_at"]
    first_reply: dict[str, float] = {}
    for request in line.requests_to(REPLY):
        if request.status == 200 and isinstance(request.body, dict):
            user = line._tokens.get(str(request.body.get("replyToken")), "")
            if user in sent_at and user not in first_reply:
                first_reply[user] = request.at
    times = sorted((first_reply[u] - sent_at[u]) * 1000 for u in first_reply)
    if not times:
        return {"replies": 0}
    return {
        "replies": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
    }


def public(result: dict[str, Any]) -> dict[str, Any]:
    """The result without bookkeeping."""
    return {k: v for k, v in result.items() if not k.startswith("_")}


def run_target(
    name: str,
    bases: list[str],
    line: FakeLineApi,
    load: Load,
    rates: list[float],
    seconds: float,
    check: bool,
) -> list[dict[str, Any]]:
    """Every rate against one target."""
    rows = []
    for rate in rates:
        result = asyncio.run(fire(bases, load, rate, seconds))
        row = {"target": name, **public(result)}
        if check:
            row |= answered(line, result["_accepted"], timeout=600.0)
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False))
    return rows


def main() -> int:
    """Run every target and save the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rates", default="50,100,200,400")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "webhook.json")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    if not model.is_current():
        model.save(model.train_from_corpus())
    texts = [ex.text for ex in corpus.load(corpus.TEST_DIR)]
    random.seed(7)
    report: dict[str, Any] = {"seconds_per_rate": args.seconds, "cores": os.cpu_count()}
    with FakeLineApi() as line:
        load = Load(line, texts)
        with bare() as bases:
            report["bare"] = run_target(
                "bare FastAPI", bases, line, load, rates, args.seconds, False
            )
        with tempfile.TemporaryDirectory() as workdir:
            url = f"sqlite:///{Path(workdir) / 'bench.db'}"
            with tsunagu(url, line.url) as bases:
                report["sqlite_1"] = run_target(
                    "tsunagu SQLite x1", bases, line, load, rates, args.seconds, True
                )
                e2e = asyncio.run(fire(bases, load, 50.0, args.seconds))
                answered(line, e2e["_accepted"], timeout=600.0)
                report["end_to_end_50_per_s"] = end_to_end(line, e2e)
                print("end to end at 50/s:", report["end_to_end_50_per_s"])
        with tempfile.TemporaryDirectory() as workdir:
            url = f"sqlite:///{Path(workdir) / 'bench.db'}"
            with tsunagu(url, line.url, worker=True) as bases:
                report["sqlite_web_and_worker"] = run_target(
                    "tsunagu SQLite web + worker", bases, line, load, rates, args.seconds, True
                )
                e2e = asyncio.run(fire(bases, load, 50.0, args.seconds))
                answered(line, e2e["_accepted"], timeout=600.0)
                report["end_to_end_50_per_s_worker"] = end_to_end(line, e2e)
                print("end to end at 50/s with a worker:", report["end_to_end_50_per_s_worker"])
        if not args.skip_postgres:
            from tests.handoff.databases import postgres_schema

            with postgres_schema() as url, tsunagu(url, line.url, count=2) as bases:
                report["postgres_2"] = run_target(
                    "tsunagu PostgreSQL x2", bases, line, load, rates, args.seconds, True
                )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

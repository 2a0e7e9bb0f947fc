"""Start-up and memory: `tsunagu serve` from process start to a healthy /healthz, and its
resident memory once it has answered consultations.

    .venv/bin/python bench/startup.py [--runs 5] [--json bench/results/startup.json]

Each run uses a fresh SQLite database, so start-up includes applying the migrations and
loading the sample city. The classifier model is trained beforehand if missing (as `make run`
would on first use), so the figure is the steady-state start-up.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifier import model  # noqa: E402


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one_run(workdir: Path) -> tuple[float, float]:
    """Seconds to ready, and MB resident after a few consultations."""
    port = free_port()
    env = {
        **os.environ,
        "TSUNAGU_DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "TSUNAGU_ENVIRONMENT": "development",
    }
    command = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)]
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError("server exited during start-up")
            try:
                if httpx.get(f"{base}/healthz", timeout=0.5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.02)
        ready = time.perf_counter() - started
        login = httpx.post(
            f"{base}/api/login",
            json={"email": "takahashi.kenichi@minato.example", "password": "tsunagu-demo"},
            timeout=10,
        )
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        for _ in range(20):
            httpx.get(f"{base}/api/tickets", headers=headers, timeout=10)
        return ready, rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=15)


def main() -> int:
    """Run the benchmark and print (and save) its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "startup.json")
    args = parser.parse_args()
    if not model.is_current():
        model.save(model.train_from_corpus())
    results = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as workdir:
            results.append(one_run(Path(workdir)))
    figures = {
        "runs": args.runs,
        "ready_s_median": round(statistics.median(r for r, _ in results), 3),
        "ready_s_max": round(max(r for r, _ in results), 3),
        "rss_mb_median": round(statistics.median(m for _, m in results), 1),
        "rss_mb_max": round(max(m for _, m in results), 1),
    }
    for key, value in figures.items():
        print(f"{key:<18}{value}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

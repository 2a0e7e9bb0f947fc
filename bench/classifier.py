"""Classifier benchmark: tag 10,000 realistic messages; compare with Sudachi tokenisation alone.

    .venv/bin/python bench/classifier.py [--messages 10000] [--json bench/results/classifier.json]

Reports model load time, tagging throughput and p50/p99 latency, the throughput of Sudachi
tokenisation alone on the same messages, and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifier import corpus, model, text  # noqa: E402


def realistic_messages(count: int, seed: int = 7) -> list[str]:
    """`count` messages drawn from the corpus (train and test) in its language mix, with light
    variation: some messages joined into longer stories, some cut into fragments."""
    pool = [ex.text for ex in corpus.load(corpus.TRAIN_DIR) + corpus.load(corpus.TEST_DIR)]
    rng = random.Random(seed)
    messages = []
    for _ in range(count):
        message = rng.choice(pool)
        roll = rng.random()
        if roll < 0.1:
            message = message + " " + rng.choice(pool)
        elif roll < 0.2 and len(message) > 12:
            message = message[: len(message) // 2]
        messages.append(message)
    return messages


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> int:
    """Run the benchmark and print (and optionally save) its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "classifier.json")
    args = parser.parse_args()

    if not model.is_current():
        model.save(model.train_from_corpus())
    started = time.perf_counter()
    tagger = model.load()
    load_seconds = time.perf_counter() - started

    messages = realistic_messages(args.messages)
    japanese = [m for m in messages if text.detect_language(m).lang == "ja"]
    for message in messages[:200]:  # warm caches (stemmer, Sudachi per-thread tokenizer)
        tagger.tag(message)

    def throughput(function: Callable[[str], object], batch: list[str]) -> float:
        begin = time.perf_counter()
        for item in batch:
            function(item)
        return len(batch) / (time.perf_counter() - begin)

    latencies = []
    begin = time.perf_counter()
    for message in messages:
        t0 = time.perf_counter()
        tagger.tag(message)
        latencies.append((time.perf_counter() - t0) * 1000)
    tag_rate = len(messages) / (time.perf_counter() - begin)
    tokenise_rate = throughput(text.sudachi_tokens, messages)
    tag_rate_ja = throughput(tagger.tag, japanese)
    tokenise_rate_ja = throughput(text.sudachi_tokens, japanese)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    figures = {
        "messages": len(messages),
        "japanese_messages": len(japanese),
        "model_load_s": round(load_seconds, 3),
        "tag_messages_per_s": round(tag_rate),
        "tag_p50_ms": round(statistics.median(latencies), 3),
        "tag_p99_ms": round(percentile(latencies, 0.99), 3),
        "sudachi_tokenise_messages_per_s": round(tokenise_rate),
        "tag_vs_tokenise": round(tag_rate / tokenise_rate, 3),
        "japanese_tag_messages_per_s": round(tag_rate_ja),
        "japanese_sudachi_tokenise_messages_per_s": round(tokenise_rate_ja),
        "japanese_tag_vs_tokenise": round(tag_rate_ja / tokenise_rate_ja, 3),
        "peak_rss_mb": round(peak_mb, 1),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    for key, value in figures.items():
        print(f"{key:<42}{value}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

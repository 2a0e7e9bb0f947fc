"""python -m classifier train | evaluate | tag | stats"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from classifier import corpus, model
from classifier.text import canonical_language


def tag_lines(tagger: model.Tagger, lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """One answer per input line: the prediction, or {"error": ...} for a bad line."""
    for line in lines:
        try:
            request = json.loads(line)
        except ValueError as exc:
            yield {"error": f"not valid JSON: {exc}"}
            continue
        if not isinstance(request, dict) or not isinstance(request.get("text"), str):
            yield {"error": 'expected an object with a string "text"'}
            continue
        lang = request.get("lang")
        if lang is not None and (not isinstance(lang, str) or canonical_language(lang) is None):
            yield {"error": '"lang" must be "ja", "en" or "pt" when given'}
            continue
        yield tagger.tag(request["text"], lang).as_dict()


def _tag(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    tagger = model.load_or_train(args.model)
    for answer in tag_lines(tagger, stdin):
        stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
        stdout.flush()
    return 0


def _train(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    started = time.perf_counter()
    tagger = model.train_from_corpus()
    model.save(tagger, args.model)
    seconds = time.perf_counter() - started
    print(f"trained in {seconds:.1f} s, saved to {args.model}", file=stdout)
    print(json.dumps(tagger.metadata["cv_scores"], indent=2), file=stdout)
    return 0


def _evaluate(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from classifier.evaluate import evaluate, format_report

    report = evaluate(
        corpus.load(corpus.TRAIN_DIR),
        corpus.load(corpus.TEST_DIR),
        folds=args.folds,
        dev=corpus.load(corpus.DEV_DIR),
    )
    print(format_report(report), file=stdout)
    if args.json:
        args.json.write_text(
            json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return 0


def _stats(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    for name, directory in (
        ("train", corpus.TRAIN_DIR),
        ("dev", corpus.DEV_DIR),
        ("test", corpus.TEST_DIR),
    ):
        examples = corpus.load(directory)
        for lang in ("ja", "en", "pt"):
            subset = corpus.by_language(examples, lang)
            worries = [ex for ex in subset if ex.domains]
            counts = Counter(d for ex in subset for d in ex.domains)
            multi = sum(len(ex.domains) > 1 for ex in worries) / max(len(worries), 1)
            print(
                f"{name} {lang}: {len(subset)} messages, "
                f"{len(subset) - len(worries)} without a worry, {multi:.0%} of worries "
                f"multi-label; fewest per domain: {min(counts.values(), default=0)}",
                file=stdout,
            )
    return 0


def main(
    argv: list[str] | None = None, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
) -> int:
    """Entry point of `python -m classifier`."""
    parser = argparse.ArgumentParser(prog="python -m classifier")
    parser.add_argument("--model", type=Path, default=model.DEFAULT_MODEL_PATH)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("train", help="train on classifier/data/train and save the model")
    evaluate = commands.add_parser(
        "evaluate", help="the model and baselines on CV, the dev file and the test file"
    )
    evaluate.add_argument("--folds", type=int, default=5)
    evaluate.add_argument("--json", type=Path, help="also write the full report here")
    commands.add_parser("tag", help="JSON lines in on stdin, one JSON answer per line out")
    commands.add_parser("stats", help="corpus sizes and label counts")
    args = parser.parse_args(argv)
    handler = {"train": _train, "evaluate": _evaluate, "tag": _tag, "stats": _stats}[args.command]
    return handler(args, stdin, stdout)


if __name__ == "__main__":
    sys.exit(main())

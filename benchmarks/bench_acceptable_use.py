"""Noise and speed of the acceptable-use detector on real social text (Broad Twitter Corpus H).

    .venv/bin/python benchmarks/bench_acceptable_use.py [--conll PATH] [--show N] [--json]

The 2,000 tweets are general public tweets, not school posts: every finding is counted per
category, with the number of tweets flagged; `--show N` prints up to N findings as
`category: flagged words` so a person can judge which are real profanity/abuse and which are
noise (CC BY 4.0 public tweets: fine locally, never commit the output). Also the detector's
build time and detection time per tweet. Accuracy on the labelled sets is measured with
`scanner eval` (benchmarks/README.md). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_noise import DEFAULT_CONLL, detokenize, read_conll  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conll", type=Path, default=DEFAULT_CONLL)
    parser.add_argument("--show", type=int, default=0, metavar="N")
    parser.add_argument("--repeat", type=int, default=5, help="timing passes over the tweets")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.conll.is_file():
        parser.error(f"{args.conll}: no such file; pass --conll PATH")
    texts = [detokenize(t).text for t in read_conll(args.conll)]

    from detectors.acceptable_use import AcceptableUseDetector
    from scanner.records import District

    start = time.perf_counter()
    detector = AcceptableUseDetector(AcceptableUseDetector.Settings(), District())
    build_s = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(args.repeat):
        results = [detector.detect_text(t) for t in texts]
    per_text_ms = (time.perf_counter() - start) * 1000 / (args.repeat * len(texts))
    by_category = Counter(f.category for fs in results for f in fs)
    tweets_by_category = Counter(c for fs in results for c in {f.category for f in fs})
    report = {
        "corpus": args.conll.name,
        "tweets": len(texts),
        "findings": sum(by_category.values()),
        "tweets_flagged": sum(bool(fs) for fs in results),
        "findings_by_category": dict(sorted(by_category.items())),
        "tweets_by_category": dict(sorted(tweets_by_category.items())),
        "build_seconds": round(build_s, 3),
        "ms_per_tweet": round(per_text_ms, 3),
    }
    shown = [
        f"{f.category}: {texts[i][f.start : f.end]}  <<  {texts[i][:140]!r}"
        for i, fs in enumerate(results)
        for f in fs
        if f.start is not None
    ][: max(args.show, 0)]
    if args.json:
        print(json.dumps(report | ({"examples": shown} if shown else {}), indent=2))
        return 0
    for key, value in report.items():
        print(f"{key:22} {value}")
    if shown:
        print("\n".join(["", *shown]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

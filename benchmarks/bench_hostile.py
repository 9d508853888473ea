"""Time of one scan over an account whose posts include pathological text (issue 13).

    .venv/bin/python benchmarks/bench_hostile.py [--run 20000] [--char "("]

One account, three posts: a normal post with a student's name, one post holding a run of
`--run` copies of `--char` with no space, and one over spaCy's 1,000,000-character limit. The
account is scanned by the real pipeline with the bundled config's detectors (built once, before
the clock starts), into a fresh SQLite database. Prints the scan time, what was stored and found,
and the time of `scanner detect` on the pathological text (which includes loading the models).
Before the bounded detection of issue 13, a 20,000-character run of "(" cost over a minute in
spaCy's tokenizer and a 1,000,050-character post failed the whole account. Not part of the tests.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connectors.base import FetchResult  # noqa: E402
from scanner.config.loader import load_config  # noqa: E402
from scanner.records import Post  # noqa: E402
from scanner.scan.pipeline import Pipeline  # noqa: E402
from scanner.scan.wiring import build_detectors  # noqa: E402
from scanner.store.engine import open_database  # noqa: E402

DISCLAIMER = "Information may change. For official information visit mvsd.k12.wa.us."


def posts(run: int, char: str) -> list[Post]:
    """The account's three posts."""
    when = datetime(2026, 11, 14, 19, 0, tzinfo=UTC)
    texts = {
        "t3_normal": f"Congrats to Maya Chen (Grade 11) on the robotics award! {DISCLAIMER}",
        "t3_run": f"Game recap {DISCLAIMER} " + char * run,
        "t3_huge": f"Minutes {DISCLAIMER} " + "word " * 200_010,
    }
    return [
        Post("reddit", "jhs-robotics", ext, f"https://reddit.example/{ext}", "club", when, text)
        for ext, text in texts.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=int, default=20_000)
    parser.add_argument("--char", default="(")
    args = parser.parse_args()
    config = load_config(ROOT / "config")
    account = next(a for a in config.accounts if a.id == "jhs-robotics")
    batch = posts(args.run, args.char)

    def fetch(_c: Any, _a: Any, _cursor: str | None, _state: dict[str, Any]) -> FetchResult:
        return FetchResult(posts=batch, cursor=batch[-1].external_id)

    detectors = build_detectors(config)
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        pipe = Pipeline(config, engine, detectors, fetch=fetch)
        start = time.perf_counter()
        result = pipe.scan_account(account)
        scan_s = time.perf_counter() - start
        engine.dispose()
    print(f"one scan, {args.run:,} x {args.char!r} + a 1,000,050-character post: {scan_s:.1f} s")
    print(
        f"  ok={result.ok} stored={result.posts_new} findings={result.findings_new} "
        f"notes={len(result.notes)}"
    )
    line = json.dumps({"id": "run", "text": f"Game recap {args.char * args.run}"})
    start = time.perf_counter()
    done = subprocess.run(
        [str(ROOT / ".venv/bin/scanner"), "detect", "--config", str(ROOT / "config")],
        input=line.encode(),
        capture_output=True,
        check=False,
    )
    print(
        f"scanner detect on the run (models loaded in the process): "
        f"{time.perf_counter() - start:.1f} s, exit {done.returncode}"
    )


if __name__ == "__main__":
    main()

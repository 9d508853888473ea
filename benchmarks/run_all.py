"""Runs every benchmark (`make bench`), each in its own process so peak RSS figures are its own.

    .venv/bin/python benchmarks/run_all.py [--quick]

bench_scan (end-to-end throughput vs naive Presidio and the spaCy floor, RSS, second scan),
bench_scheduler on SQLite and, when it is reachable, on PostgreSQL (a temporary database at
SCANNER_BENCH_PG_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test), and
bench_detect (the PII detector alone) when present, and bench_noise (the PII detector's noise on
real tweets) when its corpus is in the shared folder next to the repository. `--quick` uses small
sizes (a smoke test).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOISE_CORPUS = HERE.parents[1] / "shared/realtext/btc_h.conll"  # bench_noise.py's default
PG_ADMIN = os.environ.get(
    "SCANNER_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextmanager
def pg_database() -> Iterator[str | None]:
    """A temporary PostgreSQL database URL, or None when PostgreSQL is not reachable."""
    import sqlalchemy as sa

    try:
        admin = sa.create_engine(
            PG_ADMIN, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        name = f"scanner_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        print(f"(PostgreSQL not reachable: {type(exc).__name__}; skipping its runs)")
        yield None
        return
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(script: str, *args: str) -> int:
    print(f"\n=== {script} {' '.join(args)}", flush=True)
    return subprocess.call([sys.executable, str(HERE / script), *args])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    scan = ["--posts", "500"] if args.quick else []
    sched = ["--accounts", "1000", "--scan-sample", "100"] if args.quick else []
    codes = [run("bench_scan.py", *scan), run("bench_scheduler.py", *sched)]
    with pg_database() as url:
        if url:
            codes.append(run("bench_scheduler.py", *sched, "--db", url))
    if (HERE / "bench_detect.py").exists():
        codes.append(run("bench_detect.py", *(["--posts", "200"] if args.quick else [])))
    if NOISE_CORPUS.is_file():
        codes.append(run("bench_noise.py", *(["--tweets", "200"] if args.quick else [])))
    else:
        print(f"\n(bench_noise.py skipped: {NOISE_CORPUS} is missing)")
    return max(codes)


if __name__ == "__main__":
    raise SystemExit(main())

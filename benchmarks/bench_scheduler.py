"""Scheduler overhead with 10,000 registered accounts: config load, registry sync, claiming.

    .venv/bin/python benchmarks/bench_scheduler.py [--accounts 10000] [--db URL] [--scan-sample 500]

Measures, on SQLite (default) or the database given: loading a 10,000-account accounts.yaml; the
first `sync_accounts` (inserting every Account row) and a repeat (nothing to insert); the latency of
one `claim_due_accounts` call with every account due; claiming all of them in batches; and the
scheduler's own cost per account (claim + renew + release + the pipeline's bookkeeping, with a
fetch that returns nothing and no detectors) over a sample. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connectors.base import FetchResult  # noqa: E402
from scanner.config.loader import load_config  # noqa: E402
from scanner.schedule.service import Service  # noqa: E402
from scanner.store.engine import open_database  # noqa: E402
from scanner.store.leases import claim_due_accounts, release_all, sync_accounts  # noqa: E402

T0 = datetime(2026, 10, 5, 17, 0, tzinfo=UTC)
SCANNER_YAML = """\
version: 1
district_name: Maple Valley School District
timezone: America/Los_Angeles
district_domains: [mvsd.k12.wa.us]
schedule: {interval: 1h, jitter_seconds: 300}
"""


def write_registry(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scanner.yaml").write_text(SCANNER_YAML)
    lines = ["version: 1", "accounts:"]
    for i in range(n):
        lines += [
            f"  - id: acct-{i:05d}",
            "    platform: reddit",
            f'    handle: "r/club{i:05d}"',
            f"    site_name: Club {i}",
            "    admin_contact: {name: Dana Parker, email: dparker@mvsd.k12.wa.us}",
            "    sponsor: {name: Luis Ortega, email: lortega@mvsd.k12.wa.us}",
        ]
    (folder / "accounts.yaml").write_text("\n".join(lines) + "\n")


def timed(fn: Any, *args: Any, **kw: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - start


def nothing_new(_config: Any, _account: Any, cursor: Any, _state: Any) -> FetchResult:
    return FetchResult(posts=[], cursor=cursor)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--db", default=None, help="database URL (default: a temporary SQLite)")
    parser.add_argument("--scan-sample", type=int, default=500)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-sched-"))
    write_registry(tmp / "config", args.accounts)
    config, load_s = timed(load_config, tmp / "config")
    engine = open_database(args.db or f"sqlite:///{tmp / 'sched.db'}")
    n = len(config.accounts)
    print(f"{n} registered accounts, database {engine.dialect.name}")
    print(f"load + validate accounts.yaml       : {load_s:8.3f} s")
    exclude, first = timed(sync_accounts, engine, config.accounts)
    _, again = timed(sync_accounts, engine, config.accounts)
    print(f"sync_accounts, first (insert all)   : {first:8.3f} s")
    print(f"sync_accounts, again (no change)    : {again:8.3f} s")

    lat = []
    for k in range(100):
        ids, secs = timed(claim_due_accounts, engine, f"probe{k}", 5, 600, T0, exclude=exclude)
        assert len(ids) == 5
        lat.append(secs)
    release_all_probes = sum(release_all(engine, f"probe{k}") for k in range(100))
    assert release_all_probes == 500
    p50, p95 = statistics.median(lat), sorted(lat)[94]
    print(f"claim 5 of {n} due (p50 / p95)   : {p50 * 1000:8.2f} / {p95 * 1000:.2f} ms")

    start, claimed = time.perf_counter(), 0
    while batch := claim_due_accounts(engine, "all", 100, 600, T0, exclude=exclude):
        claimed += len(batch)
    total = time.perf_counter() - start
    assert claimed == n
    print(
        f"claim all {n} in batches of 100    : {total:8.3f} s "
        f"({total / n * 1e6:.0f} us per account)"
    )
    release_all(engine, "all")

    sample = min(args.scan_sample, n)
    service = Service(
        tmp / "config",
        engine,
        config=config,
        worker="bench",
        detectors={},
        fetch=nothing_new,
        now=lambda: T0 + timedelta(seconds=1),
        notify=None,
        purge=None,
        rng=random.Random(1),
    )
    summary, secs = timed(service.scan_due, sample)
    assert len(summary.results) == sample and not summary.failed
    print(
        f"scan_due over {sample} accounts (no-op fetch, no detectors): {secs:.2f} s = "
        f"{secs / sample * 1000:.2f} ms scheduling + bookkeeping per account"
    )
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

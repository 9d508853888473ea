"""A `scanner run --once` worker for the fault tests, run from the repository root as
`python -m tests.support.fault_worker`.

It scans through the real Service/leases/Pipeline with a scripted platform (`platform_posts`) and
the shared keyword detector (`tests.support.fakes.keyword_detector`), and can stop dead at a
known point so the test can SIGKILL it there:
  --block fetch:ID   inside the fetch of account ID (before any write)
  --block commit:ID  inside account ID's write transaction, after rows were flushed
Reaching the point writes `<marker>` and the process then sleeps until killed.
`--notify` runs the real `scanner.notify.send.Notifier` (SMTP transport from the config) instead of
scanning; with `--block send:K` it hangs after the K-th message the SMTP server accepted, before
that e-mail row is marked sent (its Message-ID is written to `<marker>`).
`--claims FILE` appends "account worker start_ns end_ns" for every account it scanned.
`--rounds K --start-file F`: K passes, pass r at --now + 2r hours, each starting once F<r> exists
(and writing F<r>.<worker>.done at its end), so racing workers start each round together.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from connectors.base import FetchResult
from scanner.config.loader import load_config
from scanner.config.schema import Config
from scanner.records import Post
from scanner.scan.pipeline import AccountResult
from scanner.scan.writes import FindingWriter
from scanner.schedule.service import Service
from scanner.store.engine import open_database
from tests.support.fakes import T0, keyword_detector

TEXTS = ["BAD news for the team ok", "practice moved to Friday", "great game ok"]
# (findings, outbox items) per account for 1, 2, 3 posts: BAD → student_pii to the sponsor and the
# privacy officer; no "ok" → missing disclaimer to the sponsor
EXPECTED = {1: (1, 2), 2: (2, 3), 3: (2, 3)}


def platform_posts(account_id: str, n_posts: int = 3) -> list[Post]:
    """An account's posts: one with a student name (BAD), one without a disclaimer, one clean."""
    return [
        Post(
            platform="reddit",
            account=account_id,
            external_id=f"t3_{account_id}_{n}",
            url=f"https://reddit.example/{account_id}/{n}",
            author="club",
            created_at=T0 - timedelta(days=3 - n),
            text=text,
        )
        for n, text in enumerate(TEXTS[:n_posts])
    ]


def scripted_fetch(n_posts: int = 3, delay: float = 0.0) -> Any:
    """A fetch function serving `platform_posts` (the cursor is the newest id)."""

    def fetch(config: Config, account: Any, cursor: str | None, state: dict) -> FetchResult:
        if delay:
            time.sleep(delay)
        posts = platform_posts(account.id, n_posts)
        return FetchResult(posts=posts, cursor=posts[-1].external_id, profile_text="about")

    return fetch


def make_service(
    config_dir: Path,
    engine: Any,
    worker: str,
    now: datetime,
    fetch: Any,
    lease: float = 60,
    cls: type[Service] = Service,
) -> Service:
    """The worker's Service: scripted platform, keyword detector, no notify/purge jobs."""
    return cls(
        config_dir,
        engine,
        worker=worker,
        fetch=fetch,
        now=lambda: now,
        detectors={"fake": keyword_detector()},
        notify=None,
        purge=None,
        lease_seconds=lease,
        batch_size=3,
        rng=random.Random(worker),
    )


def hang(marker: Path, text: str = "reached") -> None:
    marker.write_text(text)
    while True:
        time.sleep(60)


def notify(args: argparse.Namespace, now: datetime, marker: Path) -> None:
    """Compose and send through the real Notifier and SMTP transport; maybe hang after a send."""
    from scanner.notify.send import Notifier
    from scanner.notify.transports import build_transport

    config = load_config(args.config)
    real = build_transport(config)
    phase, _, after = args.block.partition(":")
    accepted = 0

    class HangAfterSend:
        """The real transport; after the K-th accepted message, stop before it is marked sent."""

        def send(self, message: Any, *, key: str) -> None:
            nonlocal accepted
            real.send(message, key=key)
            accepted += 1
            if phase == "send" and accepted == int(after):
                hang(marker, str(message["Message-ID"]))

        def close(self) -> None:
            real.close()

    engine = open_database(args.db)
    notifier = Notifier(
        config, engine, worker=args.worker, now=lambda: now, transport=HangAfterSend()
    )
    result = notifier.run(digest_now=True)
    print(result.sent, result.failed, flush=True)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", required=True)
    p.add_argument("--config", required=True)
    p.add_argument("--worker", required=True)
    p.add_argument("--now", required=True)
    p.add_argument("--lease", type=float, default=60)
    p.add_argument("--block", default="")
    p.add_argument("--marker", default="")
    p.add_argument("--claims", default="")
    p.add_argument("--start-file", default="")
    p.add_argument("--delay", type=float, default=0.0)
    p.add_argument("--posts", type=int, default=3)
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--notify", action="store_true")
    args = p.parse_args()
    now = datetime.fromisoformat(args.now)
    phase, _, blocked = args.block.partition(":")
    marker = Path(args.marker) if args.marker else Path("/dev/null")
    if args.notify:
        notify(args, now, marker)
        return

    serve = scripted_fetch(args.posts, args.delay)

    def fetch(config: Config, account: Any, cursor: str | None, state: dict) -> FetchResult:
        if phase == "fetch" and account.id == blocked:
            hang(marker)
        return serve(config, account, cursor, state)

    if phase == "commit":
        real_store = FindingWriter.store_findings

        def store_findings(self: FindingWriter, s: Any, account: Any, *rest: Any) -> None:
            real_store(self, s, account, *rest)
            if account.id == blocked:
                s.flush()  # posts, findings and outbox rows are in the open transaction
                hang(marker)

        FindingWriter.store_findings = store_findings  # type: ignore[method-assign]

    class RecordingService(Service):
        def _scan_one(self, account_id: str) -> AccountResult | None:
            start = time.time_ns()
            result = super()._scan_one(account_id)
            if result is not None and args.claims:
                with open(args.claims, "a") as fh:
                    fh.write(f"{account_id} {self.worker} {start} {time.time_ns()}\n")
            return result

    engine = open_database(args.db)
    for rnd in range(args.rounds):  # round r runs at now + 2r hours, after a start signal
        at = now + timedelta(hours=2 * rnd)
        service = make_service(
            Path(args.config), engine, args.worker, at, fetch, args.lease, RecordingService
        )
        if args.start_file:
            go = Path(f"{args.start_file}{rnd}")
            while not go.exists():
                time.sleep(0.005)
        summary = service.run_once()
        print(len(summary.results), sum(not r.ok for r in summary.results), flush=True)
        if args.start_file:
            Path(f"{args.start_file}{rnd}.{args.worker}.done").write_text("done")


if __name__ == "__main__":
    main()

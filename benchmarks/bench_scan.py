"""End-to-end `scanner scan` throughput over generated school posts replayed through the connectors.

    .venv/bin/python benchmarks/bench_scan.py [--posts 5000] [--per-account 100] [--db URL]

Each generated account is a subreddit with its own vcrpy cassette (token, about, one `new` listing
page of `--per-account` posts, shaped by tests/support/cassette_kit.py), so every post goes
through praw, the reddit connector, the replay layer, every enabled detector (the bundled config's:
student_pii, disclaimer, posting_time) and the database, exactly as `scanner scan` does. In the same
run, on the same texts, it measures (a) a naive loop of Presidio `AnalyzerEngine.analyze` per post
and (b) bare spaCy `nlp.pipe` (the floor of any spaCy-based detector; with the full model and
with only the NER components the PII detector keeps), and prints the ratios and
peak RSS. Then the cost of scanning again: (i) the normal incremental scan (cursor at the newest
post) and (ii) a forced full re-fetch of all posts unchanged (cursors cleared): content hashes
match, so no detector runs. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.cassette_kit import (  # noqa: E402
    reddit_about,
    reddit_page,
    reddit_post,
    reddit_token,
    write_cassette,
)

FIRST = ["Marcus", "Maya", "Sofia", "Ethan", "Olivia", "Jayden", "Ava", "Noah", "Lily", "Diego"]
LAST = ["Williams", "Chen", "Garcia", "Nguyen", "Patel", "Johnson", "Kim", "Lopez", "Brown"]
CLUBS = ["Robotics", "Chess", "Drama", "Band", "Soccer", "Debate", "Art", "Science Olympiad"]
TEMPLATES = [
    "Congratulations to {first} {last} for placing first at the regional {club} meet! "
    "Practice resumes Tuesday in room C{room}.",
    "{club} update: the bus leaves at {hour}:15 from the north lot. Bring a water bottle and your "
    "permission slip. Questions? Call the front office at 253-555-01{room2}.",
    "Huge thanks to everyone who came out for the {club} fundraiser. We raised ${money} for new "
    "equipment. Information in this post may change. For official information, visit "
    "mvsd.k12.wa.us.",
    "Shout-out to {first} (grade {grade}) who fixed the {club} robot arm at midnight. Email "
    "{firstl}.{lastl}{room}@gmail.com if you want to help next week.",
    "Reminder: {club} photos are Thursday after school. Coach Ortega will hand out forms. "
    "Student ID {sid} must be on every form.",
    "The {club} team meets in the library today at {hour}:30. Snacks provided by the PTO. "
    "See you there!",
    "Welcome our new members {first} {last} and {first2} {last2} to {club}! Their first "
    "competition is on the {day}th.",
    "Game day! {club} vs Kentwood at {hour} pm. {first} {last} #{room2} is starting. "
    "Tickets at the gate.",
]
T0 = datetime(2026, 10, 1, 15, 0, tzinfo=UTC)


def school_post(rng: random.Random) -> tuple[str, str]:
    """A generated club post: (title, body)."""
    first, first2 = rng.sample(FIRST, 2)
    last, last2 = rng.sample(LAST, 2)
    club = rng.choice(CLUBS)
    body = rng.choice(TEMPLATES).format(
        first=first,
        last=last,
        first2=first2,
        last2=last2,
        club=club,
        firstl=first.lower(),
        lastl=last.lower(),
        room=rng.randint(100, 299),
        room2=f"{rng.randint(0, 99):02d}",
        hour=rng.randint(1, 7),
        money=rng.randint(200, 3000),
        grade=rng.randint(9, 12),
        sid=rng.randint(200000, 209999),
        day=rng.randint(4, 28),
    )
    return f"{club} news", body


def build_fixture(folder: Path, n_accounts: int, per_account: int, seed: int = 7) -> None:
    """Config folder (the bundled demo config's settings and CSVs) plus one cassette per account."""
    shutil.copytree(ROOT / "config", folder, ignore=shutil.ignore_patterns("accounts.yaml"))
    rng = random.Random(seed)
    lines = ["version: 1", "accounts:"]
    for a in range(n_accounts):
        sub = f"BenchClub{a:03d}"
        children = []
        for n in range(per_account):
            title, body = school_post(rng)
            created = (T0 - timedelta(hours=a + 3 * n)).strftime("%Y-%m-%dT%H:%M:%SZ")
            pid = f"b{a:03d}x{per_account - n:03d}"  # base36 ids grow with time, as on Reddit
            children.append(reddit_post(sub, pid, title, created, selftext=body))
        write_cassette(
            folder / "cassettes" / f"{sub}.yaml",
            [
                reddit_token(),
                reddit_about(sub, f"Club {a}", "Jefferson High School club."),
                reddit_page(sub, children, after=None),
            ],
        )
        lines += [
            f"  - id: bench-{a:03d}",
            "    platform: reddit",
            f'    handle: "r/{sub}"',
            f"    site_name: Bench club {a}",
            "    school: Jefferson High School",
            "    admin_contact: {name: Dana Parker, email: dparker@mvsd.k12.wa.us}",
            "    sponsor: {name: Luis Ortega, email: lortega@mvsd.k12.wa.us}",
            f"    initial_posts: {per_account}",
            f"    replay: cassettes/{sub}.yaml",
        ]
    (folder / "accounts.yaml").write_text("\n".join(lines) + "\n")


class Timed:
    """A detector wrapper that adds its `detect_batch` time to `timers[name]`."""

    def __init__(self, inner: Any, timers: dict[str, float], name: str) -> None:
        self.inner, self.timers, self.name = inner, timers, name

    def detect_batch(self, posts: Any, ctx: Any) -> Any:
        """The wrapped detector's findings, timed."""
        start = time.perf_counter()
        try:
            return self.inner.detect_batch(posts, ctx)
        finally:
            self.timers[self.name] += time.perf_counter() - start


def timed(fetch: Any, timers: dict[str, float]) -> Any:
    """A fetch function that adds its time (praw + connector + cassette replay) to timers."""

    def run(*args: Any) -> Any:
        start = time.perf_counter()
        try:
            return fetch(*args)
        finally:
            timers["fetch"] += time.perf_counter() - start

    return run


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--per-account", type=int, default=100)
    parser.add_argument("--db", default=None, help="database URL (default: a temporary SQLite)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    from sqlmodel import Session, select, update

    from scanner.cli.common import setup_logging
    from scanner.config.loader import load_config
    from scanner.scan.pipeline import Pipeline
    from scanner.scan.wiring import build_detectors, fetch_account
    from scanner.store import tables
    from scanner.store.engine import open_database

    setup_logging()
    tmp = Path(tempfile.mkdtemp(prefix="bench-scan-"))
    n_accounts = -(-args.posts // args.per_account)
    t = time.perf_counter()
    build_fixture(tmp / "config", n_accounts, args.per_account)
    print(
        f"fixture: {n_accounts} reddit accounts x {args.per_account} posts, "
        f"cassettes written in {time.perf_counter() - t:.1f}s"
    )
    config = load_config(tmp / "config")
    engine = open_database(args.db or f"sqlite:///{tmp / 'bench.db'}")
    print(f"database: {engine.dialect.name}; rss before detectors {peak_rss_mb():.0f} MB")

    t = time.perf_counter()
    detectors = build_detectors(config)
    print(
        f"detectors {', '.join(detectors)} built in {time.perf_counter() - t:.1f}s "
        "(once per process; not counted below)"
    )
    timers = {"fetch": 0.0} | {name: 0.0 for name in detectors}
    pipeline = Pipeline(
        config,
        engine,
        {k: Timed(d, timers, k) for k, d in detectors.items()},
        fetch=timed(fetch_account, timers),
    )

    t = time.perf_counter()
    first = pipeline.scan()
    e2e = time.perf_counter() - t
    totals = first.to_dict()["totals"]
    posts = totals["posts_new"]
    assert not first.failed, [r.error for r in first.failed]
    rss_scanner = peak_rss_mb()
    print(
        f"scan 1: {posts} posts, {totals['findings_new']} findings in {e2e:.1f}s "
        f"= {posts / e2e:.0f} posts/s end to end; peak RSS {rss_scanner:.0f} MB"
    )
    stored = e2e - sum(timers.values())
    parts = [f"{k} {v / posts * 1000:.2f}" for k, v in timers.items()]
    print(f"  ms/post: {', '.join(parts)}, database writes {stored / posts * 1000:.2f}")

    t = time.perf_counter()
    second = pipeline.scan()
    incremental = time.perf_counter() - t
    with Session(engine) as s:
        s.exec(update(tables.AccountRow).values(cursor=None))  # type: ignore[call-overload]
        s.commit()
    t = time.perf_counter()
    third = pipeline.scan()
    refetch = time.perf_counter() - t
    assert third.to_dict()["totals"]["fetched"] == posts
    assert third.to_dict()["totals"]["posts_changed"] == 0 and not third.failed
    print(
        f"scan 2 (incremental, nothing new): {incremental:.2f}s "
        f"({second.to_dict()['totals']['fetched']} fetched) = {e2e / incremental:.0f}x faster"
    )
    print(
        f"scan 3 (all {posts} posts re-fetched, unchanged): {refetch:.2f}s "
        f"= {e2e / refetch:.1f}x faster than scan 1"
    )

    with Session(engine) as s:
        texts = list(s.exec(select(tables.PostRow.text)).all())
    model = config.detectors["student_pii"].spacy_model

    from detectors.pii.engine import LANGUAGE, build_vanilla_analyzer

    analyzer = build_vanilla_analyzer(model)
    for text in texts[:5]:
        analyzer.analyze(text=text, language=LANGUAGE)
    t = time.perf_counter()
    for text in texts:
        analyzer.analyze(text=text, language=LANGUAGE)
    naive = time.perf_counter() - t

    import spacy

    nlp = spacy.load(model)
    list(nlp.pipe(texts[:5]))
    t = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=64):
        pass
    floor = time.perf_counter() - t
    from detectors.pii.engine import load_ner_pipeline

    ner = load_ner_pipeline(model)  # the components the PII detector actually runs
    list(ner.pipe(texts[:5]))
    t = time.perf_counter()
    for _ in ner.pipe(texts, batch_size=64):
        pass
    ner_floor = time.perf_counter() - t

    n = len(texts)
    print()
    print(f"{'':44s}{'posts/s':>10s}{'ms/post':>10s}")
    for label, secs in (
        ("end-to-end scan (fetch+detect+store)", e2e),
        ("(a) naive AnalyzerEngine.analyze loop", naive),
        ("(b) bare spaCy nlp.pipe floor (full model)", floor),
        ("(b') spaCy nlp.pipe, NER components only", ner_floor),
    ):
        print(f"{label:44s}{n / secs:10.0f}{secs / n * 1000:10.2f}")
    print(f"ratio end-to-end / naive Presidio : {naive / e2e:.2f}x (target >= 2x)")
    print(
        f"ratio end-to-end / spaCy floor    : {floor / e2e:.2f}x (full model), "
        f"{ner_floor / e2e:.2f}x (NER only: the scan costs {e2e / ner_floor:.1f}x it)"
    )
    print(f"second scan of unchanged posts    : {e2e / refetch:.1f}x faster (target >= 10x)")
    print(
        f"peak RSS: {rss_scanner:.0f} MB for the scanner (target < 400 MB); "
        f"{peak_rss_mb():.0f} MB after also loading the baselines"
    )
    engine.dispose()
    if args.keep:
        print(f"kept {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

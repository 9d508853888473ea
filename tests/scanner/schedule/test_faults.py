"""Fault tolerance of `scanner run`, with an exact final-state check after each fault.

- a platform failing mid-pagination with every class of the connector error tree;
- a worker process killed with SIGKILL mid-fetch and mid-transaction, then a rerun;
- a notifier process killed with SIGKILL mid-send (the SMTP server has the message, the outbox
  row is not marked sent), then a fresh notifier after the lease expired;
- the database going away mid-pass and coming back (PostgreSQL: the scanner's connections
  terminated, or the database closed to connections for a while; SQLite: another process holding
  the write lock past the busy timeout), then the next pass;
- two and four worker processes racing over 200 accounts (PostgreSQL; SQLite with two).
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from connectors.base import FetchResult
from scanner.config.loader import load_config
from scanner.config.schema import Config
from scanner.errors import (
    AuthError,
    ConnectorError,
    NotFound,
    RateLimited,
    ReplayError,
    TransientError,
)
from scanner.notify.send import Notifier
from scanner.schedule.service import Service
from scanner.store import tables
from scanner.store.engine import make_engine, open_database, upgrade
from tests.support.config import write_config
from tests.support.database import PG_ADMIN_URL, truncate
from tests.support.fakes import keyword_detector
from tests.support.fault_worker import EXPECTED, T0, make_service, platform_posts, scripted_fetch
from tests.support.paths import REPO
from tests.support.smtp_server import SmtpServer


def config_with(folder: Path, n: int, db_url: str) -> Path:
    return write_config(
        folder,
        scanner_extra=f"database: {{url: '{db_url}'}}\nschedule: {{interval: 1h}}\n",
        accounts=[{"id": f"acc{i:03d}"} for i in range(n)],
    )


def final_state(engine: Engine, ids: list[str], n_posts: int = 3) -> dict[str, Any]:
    """Counts and duplicates that must come out exact after any fault."""
    with Session(engine) as s:
        dup_posts = s.exec(
            select(tables.PostRow.external_id)
            .group_by(tables.PostRow.external_id)
            .having(func.count() > 1)
        ).all()
        dup_outbox = s.exec(
            select(tables.Outbox.finding_id, tables.Outbox.recipient)
            .group_by(tables.Outbox.finding_id, tables.Outbox.recipient)
            .having(func.count() > 1)
        ).all()
        accounts = {a.id: a for a in s.exec(select(tables.AccountRow)).all()}
        return {
            "posts": s.exec(select(func.count()).select_from(tables.PostRow)).one(),
            "findings": s.exec(select(func.count()).select_from(tables.FindingRow)).one(),
            "outbox": s.exec(select(func.count()).select_from(tables.Outbox)).one(),
            "duplicates": list(dup_posts) + list(dup_outbox),
            "cursors_ok": all(
                accounts[i].cursor == platform_posts(i, n_posts)[-1].external_id for i in ids
            ),
            "leases": [a.id for a in accounts.values() if a.lease_owner],
        }


def expected(ids: list[str], n_posts: int = 3) -> dict[str, Any]:
    n, (findings, outbox) = len(ids), EXPECTED[n_posts]
    return {
        "posts": n * n_posts,
        "findings": n * findings,
        "outbox": n * outbox,
        "duplicates": [],
        "cursors_ok": True,
        "leases": [],
    }


# --- failures mid-pagination -------------------------------------------------------------------


class Paginating:
    """Two pages per account; page 2 raises `error` while it is set."""

    def __init__(self) -> None:
        self.error: Exception | None = None
        self.pages_served = 0

    def __call__(self, config: Config, account: Any, cursor: Any, state: dict) -> FetchResult:
        posts = platform_posts(account.id)
        page1, page2 = posts[:2], posts[2:]
        collected = list(page1)
        self.pages_served += 1
        if self.error is not None:
            raise self.error  # page 2 failed: page 1 is dropped with it
        collected += page2
        self.pages_served += 1
        return FetchResult(posts=collected, cursor=collected[-1].external_id, state={"pages": 2})


ERRORS = [
    AuthError("401 from reddit"),
    NotFound("404 from reddit"),
    RateLimited("429 from reddit", retry_at=T0 + timedelta(minutes=40)),
    RateLimited("usage capped", capped=True),
    TransientError("HTTP 503 from reddit"),
    TransientError("HTML page instead of JSON"),
    ReplayError("cassette has no response for page 2"),
    ConnectorError("unknown connector failure"),
    ValueError("library bug"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: f"{type(e).__name__}:{e}")
def test_failure_mid_pagination_stores_nothing_partial(
    tmp_path: Path, engine: Engine, error: Exception
) -> None:
    folder = config_with(tmp_path / "c", 2, "sqlite://")
    now = [T0]
    platform = Paginating()
    service = Service(
        folder,
        engine,
        worker="w",
        fetch=platform,
        now=lambda: now[0],
        detectors={"fake": keyword_detector()},
        notify=None,
        purge=None,
        rng=random.Random(1),
    )
    ids = ["acc000", "acc001"]
    platform.error = error
    summary = service.run_once()
    assert [r.ok for r in summary.results] == [False, False]
    state = final_state(engine, ids)
    assert (state["posts"], state["findings"], state["outbox"], state["leases"]) == (0, 0, 0, [])
    with Session(engine) as s:
        for row in s.exec(select(tables.AccountRow)).all():
            assert row.cursor is None and row.state == {} and row.last_success_at is None
            assert row.consecutive_failures == 1 and type(error).__name__ in (row.last_error or "")
            assert row.capped == bool(getattr(error, "capped", False))
            if isinstance(error, RateLimited) and not error.capped:
                assert row.next_scan_at == row.retry_at == error.retry_at
            if getattr(error, "capped", False):
                row.capped = False  # what an operator does once the cap is lifted
                s.add(row)
        s.commit()
    platform.error = None
    now[0] = T0 + timedelta(hours=2)  # past every back-off and reset time
    assert [r.ok for r in service.run_once().results] == [True, True]
    now[0] = T0 + timedelta(hours=4)
    assert [r.ok for r in service.run_once().results] == [True, True]  # idempotent rerun
    assert final_state(engine, ids) == expected(ids)
    with Session(engine) as s:
        assert all(
            a.consecutive_failures == 0 and a.last_error is None and not a.capped
            for a in s.exec(select(tables.AccountRow)).all()
        )


# --- SIGKILL mid-scan --------------------------------------------------------------------------


def worker_cmd(db_url: str, folder: Path, worker: str, now: Any, **opts: Any) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "tests.support.fault_worker",
        "--db",
        db_url,
        "--config",
        str(folder),
        "--worker",
        worker,
        "--now",
        now.isoformat(),
    ]
    for key, value in opts.items():
        cmd += [f"--{key.replace('_', '-')}", str(value)]
    return cmd


def spawn(cmd: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"worker exited early: {proc.communicate()}")
        assert time.monotonic() < deadline, "worker never reached the blocking point"
        time.sleep(0.02)


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["fetch", "commit"])
def test_sigkill_mid_scan_then_rerun(tmp_path: Path, db_url: str, phase: str) -> None:
    ids = [f"acc{i:03d}" for i in range(4)]
    folder = config_with(tmp_path / "c", len(ids), db_url)
    marker = tmp_path / "reached"
    # batch of 3: acc000..acc002 leased; acc000 done, killed inside acc001
    proc = spawn(
        worker_cmd(db_url, folder, "doomed", T0, lease=60, block=f"{phase}:acc001", marker=marker)
    )
    wait_for(marker, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    engine = open_database(db_url)
    try:
        state = final_state(engine, ids)
        assert state["posts"] == 3  # only acc000 committed; acc001 rolled back
        assert state["findings"] == EXPECTED[3][0]
        assert sorted(state["leases"]) == ["acc001", "acc002"]  # held by the dead worker
        with Session(engine) as s:
            assert s.get(tables.AccountRow, "acc001").cursor is None  # type: ignore[union-attr]
        # a new worker right away: only the never-claimed account; the dead one's leases hold
        fresh = make_service(folder, engine, "fresh", T0 + timedelta(seconds=1), scripted_fetch())
        assert [r.account_id for r in fresh.run_once().results] == ["acc003"]
        # after the lease expires the rest is scanned, exactly once
        later = make_service(folder, engine, "fresh", T0 + timedelta(seconds=61), scripted_fetch())
        assert [r.account_id for r in later.run_once().results] == ["acc001", "acc002"]
        assert later.run_once().results == []
        assert final_state(engine, ids) == expected(ids)
    finally:
        engine.dispose()


# --- SIGKILL mid-send --------------------------------------------------------------------------


@dataclass
class HoldingSmtpServer(SmtpServer):
    """Stores the `hold_at`-th message, signals `held`, then withholds its 250 until `release`."""

    hold_at: int = 0
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        if len(self.messages) == self.hold_at and not self.held.is_set():
            self.held.set()
            while not self.release.is_set():  # the client waits for the reply; it is killed
                await asyncio.sleep(0.01)
        return reply


def email_rows(engine: Engine) -> list[tables.Outbox]:
    with Session(engine) as s:
        return list(
            s.exec(
                select(tables.Outbox)
                .where(tables.Outbox.kind == "email")
                .order_by(tables.Outbox.id)
            ).all()
        )  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.parametrize("point", ["after_reply", "before_reply"])
def test_sigkill_mid_send_then_rerun(tmp_path: Path, db_url: str, point: str) -> None:
    """Killed after the server accepted the 2nd e-mail, before its row was marked sent.

    `after_reply`: the notifier read the server's 250 and dies before `_mark_sent`;
    `before_reply`: the server stored the message and the notifier dies waiting for the 250.
    Either way the row keeps its lease and no `sent_at`; once the lease expires a fresh notifier
    sends it again - the SAME message (Message-ID, Date, body), so receivers that dedupe by
    Message-ID show it once. Delivery is at-least-once: at most twice on the wire, once in the DB.
    """
    server = HoldingSmtpServer(hold_at=2 if point == "before_reply" else 0)
    server.up()
    try:
        _mid_send(tmp_path, db_url, server, point)
    finally:
        server.release.set()
        server.down()


def _mid_send(tmp_path: Path, db_url: str, server: HoldingSmtpServer, point: str) -> None:
    ids = ["acc000", "acc001"]
    folder = config_with(tmp_path / "c", len(ids), db_url)
    scanner_yaml = folder / "scanner.yaml"
    block = server.mail_block()
    mail = ", ".join(f"{k}: {v}" for k, v in block.items())
    text = scanner_yaml.read_text()
    scanner_yaml.write_text(
        "\n".join(f"mail: {{{mail}}}" if ln.startswith("mail:") else ln for ln in text.splitlines())
        + "\n"
    )
    engine = open_database(db_url)
    try:
        make_service(folder, engine, "scan", T0, scripted_fetch()).run_once()  # outbox items
        marker = tmp_path / "sent"
        cmd = worker_cmd(db_url, folder, "doomed", T0, marker=marker) + ["--notify"]
        if point == "after_reply":
            cmd += ["--block", "send:2"]
        proc = spawn(cmd)
        if point == "after_reply":
            wait_for(marker, proc)
        else:
            deadline = time.monotonic() + 30
            while not server.held.wait(0.05):
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "the notifier never sent a 2nd message"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        server.release.set()

        rows = email_rows(engine)
        assert len(rows) >= 4  # immediate alerts to sponsors and officer, digests to sponsors
        killed = server.messages[1].message_id
        if point == "after_reply":
            assert marker.read_text() == killed
        assert len(server.messages) == 2
        by_mid = {r.message_id: r for r in rows}
        assert by_mid[server.messages[0].message_id].sent_at is not None
        row = by_mid[killed]
        assert (row.sent_at, row.lease_owner, row.attempts) == (None, "doomed", 1)

        # a fresh notifier while the dead one's lease holds: everything else, not the killed one
        first = Notifier(
            load_config(folder), engine, worker="fresh", now=lambda: T0 + timedelta(seconds=1)
        ).run()
        assert first.sent == len(rows) - 2
        assert killed not in [m.message_id for m in server.messages[2:]]
        # past the lease (6 * timeout_seconds + 60 s): the killed one is sent again, same message
        late = T0 + timedelta(seconds=6 * block["timeout_seconds"] + 60 + 1)
        second = Notifier(load_config(folder), engine, worker="fresh", now=lambda: late).run()
        assert (second.sent, second.failed, second.dead) == (1, 0, 0)
        assert Notifier(load_config(folder), engine, now=lambda: late).run().sent == 0

        counts = Counter(m.message_id for m in server.messages)
        assert counts == Counter({r.message_id: 1 for r in rows} | {killed: 2})
        copies = [m.data for m in server.messages if m.message_id == killed]
        assert copies[0] == copies[1]  # same Message-ID, Date, body and MIME boundary
        rows = email_rows(engine)
        assert all(r.sent_at is not None and r.lease_owner is None for r in rows)
        assert by_mid[killed].id in {r.id for r in rows if r.attempts == 2}
        assert [r.id for r in rows if r.attempts != 1] == [by_mid[killed].id]
        with Session(engine) as s:
            events = s.exec(
                select(tables.AuditEvent).where(tables.AuditEvent.action == "alert_sent")
            ).all()
            items = s.exec(select(tables.Outbox).where(tables.Outbox.kind == "item")).all()
        assert sorted(e.detail["outbox_id"] for e in events) == [r.id for r in rows]  # once each
        assert all(i.sent_at is not None for i in items) and len(items) == len(ids) * 3
        state, want = final_state(engine, ids), expected(ids)
        for key in ("posts", "findings", "cursors_ok", "leases"):  # outbox now has e-mail rows
            assert state[key] == want[key], key
    finally:
        engine.dispose()


# --- database restarts ------------------------------------------------------------------------


class DatabaseOutage:
    """Takes the scanner's database away and brings it back, leaving the shared server alone.

    PostgreSQL: `blip()` terminates every connection to the test database (what a server restart
    does to clients); `down()` also closes the database to new connections
    (`ALLOW_CONNECTIONS false`) until `up()`. SQLite: `down()` is another connection holding the
    write lock (`BEGIN EXCLUSIVE`) past the scanner's busy timeout, `up()` releases it.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.pg = url.startswith("postgresql")
        self.lock: sqlite3.Connection | None = None
        self.name = url.rsplit("/", 1)[1]

    def _admin(self, *statements: str) -> None:
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                for sql in statements:
                    conn.execute(sa.text(sql), {"n": self.name})
        finally:
            admin.dispose()

    def blip(self) -> None:
        """PostgreSQL: terminate the scanner's connections and wait until they are gone."""
        self._admin(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
            "WHERE datname = :n AND pid <> pg_backend_pid()"
        )

    def down(self) -> None:
        if self.pg:
            self._admin(f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS false')
            self.blip()
            return
        self.lock = sqlite3.connect(
            self.url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False
        )
        self.lock.execute("BEGIN EXCLUSIVE")

    def up(self) -> None:
        if self.pg:
            self._admin(f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS true')
        elif self.lock is not None:
            self.lock.execute("COMMIT")
            self.lock.close()
            self.lock = None


def short_busy_engine(url: str) -> Engine:
    """A migrated engine; SQLite gives up on a lock after 200 ms instead of 30 s."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", lambda conn, _rec: conn.execute("PRAGMA busy_timeout=200"))
    upgrade(engine)
    return engine


def outage_service(folder: Path, engine: Engine, now: list[Any], trigger: Any) -> Service:
    """A Service whose fetch of acc001 calls `trigger` (the first time only)."""
    serve = scripted_fetch()
    fired: list[str] = []

    def fetch(config: Config, account: Any, cursor: Any, state: dict) -> FetchResult:
        if account.id == "acc001" and not fired:
            fired.append(account.id)
            trigger()
        return serve(config, account, cursor, state)

    return Service(
        folder,
        engine,
        worker="w",
        fetch=fetch,
        now=lambda: now[0],
        detectors={"fake": keyword_detector()},
        notify=None,
        purge=None,
        lease_seconds=600,
        batch_size=3,
        rng=random.Random(1),
    )


def test_database_drops_mid_transaction_then_next_pass(tmp_path: Path, db_url: str) -> None:
    """Connections dropped (PostgreSQL) / write lock held (SQLite) during acc001's write.

    acc001 fails cleanly (its transaction rolled back, the failure recorded once the database
    answers again), acc000 and acc002 are unaffected, and the next pass completes exactly.
    """
    ids = ["acc000", "acc001", "acc002"]
    folder = config_with(tmp_path / "c", len(ids), db_url)
    outage = DatabaseOutage(db_url)
    engine = short_busy_engine(db_url)
    armed = [False]

    def at_commit(conn: Any) -> None:  # PostgreSQL: the store transaction's COMMIT is lost
        if armed[0]:
            armed[0] = False
            outage.blip()

    def on_error(ctx: Any) -> None:  # SQLite: the other writer finishes after our first failure
        if "locked" in str(ctx.original_exception):
            outage.up()

    def trigger() -> None:
        if engine.dialect.name == "postgresql":
            armed[0] = True
        else:
            outage.down()

    event.listen(engine, "commit", at_commit)
    event.listen(engine, "handle_error", on_error)
    now = [T0]
    try:
        service = outage_service(folder, engine, now, trigger)
        results = service.run_once().results
        assert [(r.account_id, r.ok) for r in results] == [
            ("acc000", True),
            ("acc001", False),
            ("acc002", True),
        ]
        assert "OperationalError" in (results[1].error or "")
        with Session(engine) as s:
            row = s.get(tables.AccountRow, "acc001")
            assert row is not None and row.cursor is None and row.consecutive_failures == 1
            stored = s.exec(select(tables.PostRow.account_id)).all()
        assert sorted(set(stored)) == ["acc000", "acc002"]  # nothing partial of acc001
        state = final_state(engine, ["acc000", "acc002"])
        assert (state["posts"], state["leases"]) == (6, [])
        assert (state["findings"], state["outbox"]) == (2 * EXPECTED[3][0], 2 * EXPECTED[3][1])
        now[0] = T0 + timedelta(hours=2)
        assert [r.ok for r in service.run_once().results] == [True, True, True]
        assert final_state(engine, ids) == expected(ids)
    finally:
        outage.up()
        engine.dispose()


def test_database_down_for_the_rest_of_a_pass_then_back(
    tmp_path: Path, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The database goes away during acc001 and stays away until the pass is over.

    The scan tick fails and says so in the log (the service keeps running); nothing of acc001 is
    stored; when the database is back, the next tick releases the leases the failed pass left
    (`Service._release_stranded`) and scans the rest at once - not 10 minutes later when those
    leases would expire - and the state is exact.
    """
    ids = ["acc000", "acc001", "acc002", "acc003"]
    folder = config_with(tmp_path / "c", len(ids), db_url)
    outage = DatabaseOutage(db_url)
    engine = short_busy_engine(db_url)
    now = [T0]
    try:
        service = outage_service(folder, engine, now, outage.down)
        with caplog.at_level(logging.ERROR, logger="scanner.schedule.service"):
            service.tick()  # never raises: the next tick retries
        assert any(getattr(r, "event", None) == "tick_failed" for r in caplog.records)
        outage.up()
        state = final_state(engine, ["acc000"])
        assert (state["posts"], state["findings"]) == (3, EXPECTED[3][0])
        with Session(engine) as s:
            stored = set(s.exec(select(tables.PostRow.account_id)).all())
            assert stored == {"acc000"} and s.get(tables.AccountRow, "acc001").cursor is None  # type: ignore[union-attr]
        now[0] = T0 + timedelta(seconds=1)
        service.tick()  # the database is back: the rest is scanned at once
        assert final_state(engine, ids) == expected(ids)
        with Session(engine) as s:
            runs = s.exec(select(tables.ScanRun)).all()
        assert [(r.accounts_ok, r.accounts_failed) for r in runs] == [(3, 0)]
    finally:
        outage.up()
        engine.dispose()


# --- racing workers ------------------------------------------------------------------------------


def race(tmp_path: Path, db_url: str, workers: int, n_accounts: int) -> None:
    ids = [f"acc{i:03d}" for i in range(n_accounts)]
    folder = config_with(tmp_path / "c", n_accounts, db_url)
    claims = tmp_path / "claims.log"
    open_database(db_url).dispose()  # migrate once, as `scanner db upgrade` does before workers
    start = tmp_path / "go"
    procs = [
        spawn(
            worker_cmd(
                db_url, folder, f"w{k}", T0, claims=claims, start_file=start, posts=1, rounds=2
            )
        )
        for k in range(workers)
    ]
    for rnd in range(2):  # two rounds: every account is due again in the second
        Path(f"{start}{rnd}").write_text("go")
        deadline = time.monotonic() + 120
        while not all(Path(f"{start}{rnd}.w{k}.done").exists() for k in range(workers)):
            assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
            assert time.monotonic() < deadline, "workers did not finish the round"
            time.sleep(0.02)
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outs]
    for rnd in range(2):  # each account scanned once per round, none failed
        assert sum(int(o[0].split()[2 * rnd]) for o in outs) == n_accounts
        assert all(o[0].split()[2 * rnd + 1] == "0" for o in outs)
    scans: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for line in claims.read_text().splitlines():
        account, worker, begin, end = line.split()
        scans[account].append((int(begin), int(end), worker))
    assert sorted(scans) == ids
    for account, spans in scans.items():
        assert len(spans) == 2, account
        (b1, e1, _), (b2, _, _) = sorted(spans)
        assert e1 <= b2, f"{account} scanned by two workers at once"
    assert len({w for spans in scans.values() for *_, w in spans}) == workers  # all took part
    engine = open_database(db_url)
    try:
        assert final_state(engine, ids, n_posts=1) == expected(ids, n_posts=1)
        with Session(engine) as s:
            runs = s.exec(select(tables.ScanRun)).all()
        assert sum(r.accounts_ok for r in runs) == 2 * n_accounts
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("workers", [2, 4])
def test_workers_race_on_postgresql(tmp_path: Path, pg_database: str, workers: int) -> None:
    engine = open_database(pg_database)
    truncate(engine)
    engine.dispose()
    race(tmp_path, pg_database, workers, 200)


@pytest.mark.slow
def test_two_workers_race_on_sqlite(tmp_path: Path) -> None:
    race(tmp_path, f"sqlite:///{tmp_path / 'race.db'}", 2, 60)

"""`scanner run`: due accounts, intervals, cron, jitter, rate limits, stop, reload, status."""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from scanner.config.loader import load_config
from scanner.config.schema import Config
from scanner.errors import AuthError, ConfigError, RateLimited
from scanner.schedule.cron import cron_problems
from scanner.schedule.service import Service
from scanner.schedule.status import account_status
from scanner.store import tables
from tests.support.config import write_config
from tests.support.fakes import T0, Clock, FakePlatform, keyword_detector, post

SCHEDULE = "schedule: {interval: 1h, jitter_seconds: 120, notify_interval: 5m}\n"


def make_config(
    folder: Path, accounts: list[dict[str, str]] | None = None, extra: str = ""
) -> Path:
    return write_config(
        folder,
        scanner_extra=SCHEDULE + extra,
        accounts=accounts or [{"id": "a"}, {"id": "b"}, {"id": "fast"}],
    )


def add_interval(folder: Path, account_id: str, interval: str) -> None:
    path = folder / "accounts.yaml"
    text = path.read_text()
    marker = f"  - id: {account_id}\n"
    path.write_text(text.replace(marker, marker + f"    interval: {interval}\n"))


class Harness:
    """A Service over a fake platform and detector, with a hand-moved clock."""

    def __init__(self, folder: Path, engine: Engine, platform: FakePlatform | None = None):
        self.clock = Clock()
        self.platform = platform or FakePlatform(
            {a: [post(a, 1, "BAD news ok")] for a in ("a", "b", "fast", "c")}
        )
        self.notified: list[datetime] = []
        self.factory_calls = 0
        self.service = Service(
            folder,
            engine,
            worker="w1",
            fetch=self.platform,
            now=self.clock,
            detector_factory=self.factory,
            notify=self.notify,
            purge=None,
            rng=random.Random(7),
        )

    def factory(self, config: Config) -> dict[str, Any]:
        self.factory_calls += 1
        return {"fake": keyword_detector()}

    def notify(self, config: Config, engine: Engine, worker: str, now: Any) -> None:
        self.notified.append(now())

    def scanned(self) -> list[str]:
        return [r.account_id for r in self.service.run_once().results]


def accounts(engine: Engine) -> dict[str, tables.AccountRow]:
    with Session(engine) as s:
        return {a.id: a for a in s.exec(select(tables.AccountRow)).all()}


def test_intervals_jitter_and_once(tmp_path: Path, engine: Engine) -> None:
    folder = make_config(tmp_path / "c")
    add_interval(folder, "fast", "10m")
    h = Harness(folder, engine)
    assert h.scanned() == ["a", "b", "fast"]
    assert h.notified == [T0]
    rows = accounts(engine)
    for account_id, interval in (("a", 3600), ("b", 3600), ("fast", 600)):
        delay = (rows[account_id].next_scan_at - T0).total_seconds()  # type: ignore[operator]
        assert interval <= delay <= interval + 120, account_id
        assert rows[account_id].lease_owner is None
    assert len({rows[a].next_scan_at for a in ("a", "b")}) == 2  # jitter spreads them
    assert h.scanned() == []  # nothing due at the same instant
    h.clock.advance(minutes=13)
    assert h.scanned() == ["fast"]
    h.clock.advance(minutes=50)
    assert h.scanned() == ["a", "b", "fast"]
    with Session(engine) as s:
        runs = s.exec(select(tables.ScanRun).order_by(tables.ScanRun.id)).all()  # type: ignore[arg-type]
    assert [(r.worker, r.accounts_ok) for r in runs] == [("w1", 3), ("w1", 1), ("w1", 3)]


def test_rate_limited_account_waits_for_reset_and_capped_waits_for_operator(
    tmp_path: Path, engine: Engine
) -> None:
    folder = make_config(tmp_path / "c")
    h = Harness(folder, engine)
    reset = T0 + timedelta(minutes=30)
    h.platform.errors = {
        "a": RateLimited("429", retry_at=reset),
        "b": RateLimited("usage cap", capped=True),
    }
    assert h.scanned() == ["a", "b", "fast"]
    h.platform.errors = {}
    h.clock.advance(minutes=29)
    assert h.scanned() == []
    h.clock.advance(minutes=1)
    assert h.scanned() == ["a"]  # rescheduled exactly at the platform's reset time
    h.clock.advance(days=2)
    assert h.scanned() == ["a", "fast"]  # b stays capped until an operator acts
    status = {s.id: s for s in account_status(h.service.config, engine, now=h.clock())}
    assert status["b"].capped and status["b"].consecutive_failures == 1
    assert "usage cap" in (status["b"].last_error or "")
    assert status["a"].last_error is None and status["a"].backlog == 1 + 2  # 1 open, 2 unsent


def test_disabled_and_removed_accounts_are_not_scanned(tmp_path: Path, engine: Engine) -> None:
    folder = make_config(tmp_path / "c")
    h = Harness(folder, engine)
    assert h.scanned() == ["a", "b", "fast"]
    text = (folder / "accounts.yaml").read_text()
    text = text.replace("  - id: b\n", "  - id: b\n    enabled: false\n")
    (folder / "accounts.yaml").write_text(text.replace("  - id: fast\n", "  - id: c\n"))
    assert h.service.reload()
    h.clock.advance(hours=3)
    assert h.scanned() == ["a", "c"]
    status = {s.id: (s.registered, s.enabled) for s in account_status(h.service.config, engine)}
    assert status == {
        "a": (True, True),
        "b": (True, False),
        "c": (True, True),
        "fast": (False, False),
    }


def test_reload_keeps_old_config_when_new_one_is_invalid(
    tmp_path: Path, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    folder = make_config(tmp_path / "c")
    h = Harness(folder, engine)
    stamp = h.service.config_stamp()
    good = (folder / "scanner.yaml").read_text()
    (folder / "scanner.yaml").write_text(good.replace("1h", "soon") + "bogus_key: 1\n")
    assert h.service.config_stamp() != stamp
    with caplog.at_level(logging.ERROR, logger="scanner.schedule.service"):
        assert not h.service.reload()
    messages = [r.getMessage() for r in caplog.records]
    for needle in ("bogus_key", "schedule.interval", "keeping the previous config"):
        assert any(needle in m for m in messages), needle
    assert h.service.config.scanner.schedule.interval == "1h"
    assert h.scanned() == ["a", "b", "fast"]  # still working on the old config
    # a valid change to the schedule only: detectors are not rebuilt
    (folder / "scanner.yaml").write_text(good.replace("interval: 1h", "interval: 2h"))
    assert h.service.reload() and h.factory_calls == 1
    assert h.service.config.scanner.schedule.interval == "2h"
    (folder / "scanner.yaml").write_text(good + "detectors: {disclaimer: {enabled: false}}\n")
    assert h.service.reload() and h.factory_calls == 2


def test_stop_finishes_current_account_and_releases_the_rest(
    tmp_path: Path, engine: Engine
) -> None:
    folder = make_config(tmp_path / "c")
    h = Harness(folder, engine)
    real = h.platform

    def stopping_fetch(*args: Any) -> Any:
        h.service.request_stop()  # e.g. SIGTERM arrives while the first account is fetched
        return real(*args)

    h.service.fetch = stopping_fetch
    h.service.pipeline = h.service._pipeline(h.service.config, h.service.detectors)
    assert h.scanned() == ["a"]
    rows = accounts(engine)
    assert rows["a"].cursor == "t3_a_1" and rows["a"].last_success_at == T0
    assert all(r.lease_owner is None for r in rows.values())
    assert h.notified == []  # run_once skips notify when stopping


@pytest.mark.slow
def test_run_forever_signals(
    tmp_path: Path, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """Real signals in the main thread: SIGHUP reloads; SIGTERM mid-account stops cleanly."""
    caplog.set_level(logging.INFO, logger="scanner.schedule.service")
    folder = make_config(tmp_path / "c")
    h = Harness(folder, engine)
    h.service.tick_seconds = 3600
    fetched: list[str] = []
    real = h.platform

    def fetch(config: Config, account: Any, *rest: Any) -> Any:
        fetched.append(account.id)
        if account.id == "a":
            os.kill(os.getpid(), signal.SIGHUP)
            for _ in range(500):  # until the main loop has reloaded (else SIGTERM may win)
                if h.service.config is not config:
                    break
                threading.Event().wait(0.01)
        if account.id == "b":
            os.kill(os.getpid(), signal.SIGTERM)
            threading.Event().wait(0.2)  # the handler runs; this account still completes
        return real(config, account, *rest)

    h.service.fetch = fetch
    h.service.pipeline = h.service._pipeline(h.service.config, h.service.detectors)
    before = signal.getsignal(signal.SIGTERM)
    h.service.run_forever(poll_seconds=0.05)
    assert signal.getsignal(signal.SIGTERM) is before  # handlers restored
    assert fetched[:2] == ["a", "b"] and "fast" not in fetched
    rows = accounts(engine)
    assert rows["b"].cursor == "t3_b_1" and rows["fast"].last_scan_at is None
    assert all(r.lease_owner is None for r in rows.values())
    assert h.notified  # the notify job ran at start-up
    events = [getattr(r, "event", None) for r in caplog.records]
    assert "reload" in events and events[-1] == "stopped"


def test_cli_run_once_and_status(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scanner.cli.main import app
    from scanner.schedule import service

    folder = make_config(tmp_path / "c", extra=f"database: {{url: '{db_url}'}}\n")
    platform = FakePlatform({"a": [post("a", 1, "BAD ok")]}, errors={"b": AuthError("401")})
    monkeypatch.setattr(service, "build_detectors", lambda config: {"fake": keyword_detector()})
    monkeypatch.setattr(service, "fetch_account", platform)
    runner = CliRunner()
    result = runner.invoke(
        app, ["--log-json", "run", "--once", "--config", str(folder), "--worker", "cron-1"]
    )
    assert result.exit_code == 1, result.output  # b failed
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert {(e.get("account"), e.get("event")) for e in events} >= {
        ("a", "scanned"),
        ("b", "scan_failed"),
        ("fast", "scanned"),
    }
    result = runner.invoke(app, ["status", "--config", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert rows["b"]["last_error"] == "AuthError: 401" and rows["b"]["consecutive_failures"] == 1
    # the notify job ran after the pass: both alert items went out, the finding stays open
    assert rows["a"]["open_findings"] == 1 and rows["a"]["unsent_outbox"] == 0
    assert rows["a"]["backlog"] == 1
    assert len(list((folder / "var" / "outbox").glob("*.eml"))) == 2  # in the state folder
    assert rows["a"]["next_scan_at"] > rows["a"]["last_scan_at"]
    assert rows["a"]["lease_owner"] is None
    result = runner.invoke(app, ["status", "--config", str(folder)])
    assert result.exit_code == 0 and "401" in result.stdout and "cron-1" not in result.stdout


# --- cron schedules ------------------------------------------------------------------------------


def add_key(folder: Path, account_id: str, line: str) -> None:
    path = folder / "accounts.yaml"
    marker = f"  - id: {account_id}\n"
    path.write_text(path.read_text().replace(marker, marker + f"    {line}\n"))


def config_problems(folder: Path) -> list[str]:
    try:
        load_config(folder, checks=(cron_problems,))
    except ConfigError as exc:
        return str(exc).splitlines()
    return []


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        (['cron: "0 7 * * 1-5"'], None),
        (['cron: "*/15 6-18 * * mon-fri"'], None),
        (['cron: "30 6 1 * *"'], None),
        (['cron: "0 7 * *"'], "'0 7 * *' is not a crontab expression (got 4 fields, not 5)"),
        (['cron: "61 * * * *"'], "is higher than the maximum value (59)"),
        (['cron: "0 7 * * 8"'], "day of week '8' is not 0-7 or sun-sat"),
        (['cron: "@daily"'], "'@daily' is not a crontab expression"),
        (['cron: "0 7 31 2 *"'], "'0 7 31 2 *' never fires; expected a date that exists"),
        (['cron: "0 7 1 * 1"'], "restrict the day of month or the day of week, not both"),
        (
            ["interval: 30m", 'cron: "0 7 * * *"'],
            "set together with interval; expected either interval or cron",
        ),
    ],
)
def test_cron_key_is_validated(tmp_path: Path, keys: list[str], problem: str | None) -> None:
    folder = make_config(tmp_path / "c", accounts=[{"id": "a"}])
    for line in keys:
        add_key(folder, "a", line)
    problems = config_problems(folder)
    if problem is None:
        assert problems == []
        return
    assert len(problems) == 1, problems
    assert problems[0].startswith("accounts.yaml: accounts[0].cron: "), problems
    assert problem in problems[0]
    if "not a crontab" in problem:
        assert problems[0].endswith(
            "expected five fields 'minute hour day-of-month month day-of-week', e.g. '0 7 * * 1-5'"
        )


# T0 is Monday 2026-10-05 10:00 in Los Angeles (PDT, UTC-7); DST ends Sunday 2026-11-01.
@pytest.mark.parametrize(
    ("cron", "scanned_at", "next_local"),
    [
        ("0 7 * * 1-5", T0, "2026-10-06 07:00"),  # weekdays as crontab counts them
        ("0 7 * * 1-5", datetime(2026, 10, 9, 15, 0, tzinfo=UTC), "2026-10-12 07:00"),  # Fri
        ("0 17 * * 0", T0, "2026-10-11 17:00"),  # 0 = Sunday, not Monday
        ("0 17 * * 7", T0, "2026-10-11 17:00"),
        ("*/15 * * * *", T0 + timedelta(minutes=1), "2026-10-05 10:15"),
        ("0 10 * * *", T0, "2026-10-06 10:00"),  # scanned at 10:00 sharp: not due again at once
        ("0 7 * * *", datetime(2026, 10, 31, 17, 0, tzinfo=UTC), "2026-11-01 07:00"),  # PST
        ("30 6 1 * *", T0, "2026-11-01 06:30"),
    ],
)
def test_cron_schedule_in_district_timezone(
    tmp_path: Path, engine: Engine, cron: str, scanned_at: datetime, next_local: str
) -> None:
    folder = make_config(tmp_path / "c", accounts=[{"id": "a"}, {"id": "b"}])
    add_key(folder, "a", f'cron: "{cron}"')
    h = Harness(folder, engine)
    h.clock.t = scanned_at
    assert h.scanned() == ["a", "b"]  # a new account is scanned at once, then on its schedule
    zone = ZoneInfo("America/Los_Angeles")
    due = datetime.fromisoformat(next_local).replace(tzinfo=zone).astimezone(UTC)
    at = accounts(engine)["a"].next_scan_at
    assert at is not None and due <= at <= due + timedelta(seconds=120)  # + jitter
    h.clock.t = due - timedelta(seconds=1)
    assert "a" not in h.scanned()
    h.clock.t = due + timedelta(seconds=120)
    assert "a" in h.scanned()

"""`scanner run`: the long-running service — claims due accounts with leases, scans, notifies, purges.

Signals: SIGTERM/SIGINT finish the current account and exit; SIGHUP or a config change reloads.
Design: docs/architecture.md, "scanner.schedule".
"""

from __future__ import annotations

import logging
import os
import random
import signal
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from detectors.base import Detector
from scanner.config.loader import load_config
from scanner.config.schema import AccountConfig, Config, parse_duration
from scanner.errors import ConfigError, code_locations
from scanner.notify.send import Notifier
from scanner.review.retention import purge
from scanner.scan.followers import FollowerCheck, FollowersFn, fetch_followers
from scanner.scan.pipeline import AccountResult, FetchFn, Pipeline, ScanSummary
from scanner.scan.wiring import build_detectors, fetch_account
from scanner.schedule.cron import cron_problems, cron_trigger
from scanner.store import tables
from scanner.store.engine import session_scope
from scanner.store.leases import (
    DEFAULT_LEASE_SECONDS,
    claim_due_accounts,
    release_account,
    release_all,
    renew_lease,
    sync_accounts,
)

log = logging.getLogger(__name__)
Job = Callable[[Config, Engine, str, Callable[[], datetime]], Any]


def default_worker_name() -> str:
    """host:pid — unique per process, readable in `scanner status`."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_notifier(config: Config, engine: Engine, worker: str, now: Callable[[], datetime]) -> Any:
    """Send what is due (scanner.notify.send claims outbox rows with its own leases)."""

    return Notifier(config, engine, worker=worker, now=now).run(digest_now=False)


def run_purge(config: Config, engine: Engine, _worker: str, now: Callable[[], datetime]) -> Any:
    """Apply the retention settings."""

    return purge(config, engine, now=now())


class Service:
    """One worker: scans due accounts, sends notifications, purges; `run_forever` or `run_once`."""

    def __init__(
        self,
        config_dir: Path,
        engine: Engine,
        *,
        config: Config | None = None,
        worker: str | None = None,
        detectors: dict[str, Detector] | None = None,
        detector_factory: Callable[[Config], dict[str, Detector]] | None = None,
        fetch: FetchFn | None = None,
        followers: FollowersFn | None = None,
        now: Callable[[], datetime] = tables.utcnow,
        notify: Job | None = run_notifier,
        purge: Job | None = run_purge,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        batch_size: int = 5,
        tick_seconds: float = 30.0,
        rng: random.Random | None = None,
    ):
        self.config_dir = Path(config_dir)
        self.engine = engine
        self.worker = worker or default_worker_name()
        self.now = now
        self.fetch = fetch or fetch_account
        self.fetch_followers = followers or fetch_followers
        self._followers: FollowerCheck | None = None  # built for the current config when needed
        self.detector_factory = detector_factory or build_detectors
        self.notify_job, self.purge_job = notify, purge
        self.lease_seconds, self.batch_size, self.tick_seconds = (
            lease_seconds,
            batch_size,
            tick_seconds,
        )
        self.rng = rng or random.Random()
        self.config = config or load_config(self.config_dir, checks=(cron_problems,))
        self.detectors = detectors if detectors is not None else self.detector_factory(self.config)
        self.pipeline = self._pipeline(self.config, self.detectors)
        self._exclude: set[str] | None = None  # ids never to claim; None = sync before next claim
        self._held: set[str] = set()  # claimed, not yet released (left over if a pass failed)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._reload = threading.Event()
        self._scheduler: BackgroundScheduler | None = None

    # --- scanning ------------------------------------------------------------------------

    def _pipeline(self, config: Config, detectors: dict[str, Detector]) -> Pipeline:
        return Pipeline(
            config, self.engine, detectors, fetch=self.fetch, worker=self.worker, now=self.now
        )

    @property
    def stopping(self) -> bool:
        """True once a stop was requested (SIGTERM/SIGINT or `request_stop`)."""
        return self._stop.is_set()

    def request_stop(self) -> None:
        """Finish the current account, then stop."""
        self._stop.set()

    def request_reload(self) -> None:
        """Reload the config at the next poll (what SIGHUP does)."""
        self._reload.set()

    def scan_due(self, max_accounts: int | None = None) -> ScanSummary:
        """Claim and scan due accounts until none is due (or stop / `max_accounts` reached)."""
        started = self.now()
        results: list[AccountResult] = []
        with self._lock:
            if self._exclude is None:
                self._exclude = sync_accounts(self.engine, self.config.accounts)
            exclude = self._exclude
        self._release_stranded()
        while not self.stopping and (max_accounts is None or len(results) < max_accounts):
            limit = self.batch_size
            if max_accounts is not None:
                limit = min(limit, max_accounts - len(results))
            ids = claim_due_accounts(
                self.engine, self.worker, limit, self.lease_seconds, self.now(), exclude=exclude
            )
            if not ids:
                break
            self._held.update(ids)
            log.debug("claimed %d accounts", len(ids), extra={"event": "claim"})
            for i, account_id in enumerate(ids):
                if self.stopping:
                    for rest in ids[i:]:
                        release_account(self.engine, rest, self.worker)
                        self._held.discard(rest)
                    break
                result = self._scan_one(account_id)  # raises only when the database is gone
                self._held.discard(account_id)
                if result is not None:
                    results.append(result)
        return ScanSummary(self._record_run(started, results), results)

    def _release_stranded(self) -> None:
        """Release leases a failed pass left behind (the database went away mid-pass).

        Without this the worker's own claimed accounts would wait for their leases to expire.
        """
        if not self._held:
            return
        for account_id in sorted(self._held):
            release_account(self.engine, account_id, self.worker)
        log.info(
            "released %d leases left by a failed pass",
            len(self._held),
            extra={"event": "leases_released"},
        )
        self._held.clear()

    def _scan_one(self, account_id: str) -> AccountResult | None:
        """Scan one leased account and release it; None when it was not ours to scan."""
        with self._lock:
            config, pipeline = self.config, self.pipeline
        account = _enabled_account(config, account_id)
        if account is None:
            release_account(self.engine, account_id, self.worker)
            return None
        if not renew_lease(self.engine, account_id, self.worker, self.lease_seconds, self.now()):
            log.warning(
                "account %s: lease lost; skipped",
                account_id,
                extra={"account": account_id, "event": "lease_lost"},
            )
            return None
        next_at = None
        try:
            result = pipeline.scan_account(account)
            if result.ok:
                next_at = self._next_scan_at(config, account)
            self._check_followers(config, account)
        finally:
            release_account(self.engine, account_id, self.worker, next_scan_at=next_at)
        log.info(
            "account %s: %s (fetched %d, new %d, changed %d, findings %d)",
            account_id,
            "ok" if result.ok else "failed",
            result.fetched,
            result.posts_new,
            result.posts_changed,
            result.findings_new,
            extra={"account": account_id, "event": "scanned" if result.ok else "scan_failed"},
        )
        return result

    def _check_followers(self, config: Config, account: AccountConfig) -> None:
        """The account's follower consent check, when due (`schedule.followers_interval`),
        under the account's lease; its failure is recorded on its own, never on the scan."""
        try:
            if self._followers is None or self._followers.config is not config:
                self._followers = FollowerCheck(
                    config, self.engine, fetch=self.fetch_followers, now=self.now
                )
            if self._followers.due([account]):
                self._followers.check_account(account)
        except Exception as exc:  # the database went away: the next pass tries again
            log.error(
                "account %s: follower check skipped: %s",
                account.id,
                type(exc).__name__,
                extra={"account": account.id, "event": "followers_failed"},
            )

    def _next_scan_at(self, config: Config, account: AccountConfig) -> datetime:
        """Now + interval, or the cron expression's next time (district timezone); + jitter."""
        jitter = timedelta(seconds=self.rng.uniform(0, config.scanner.schedule.jitter_seconds))
        now = self.now()
        if account.cron:
            trigger = cron_trigger(account.cron, ZoneInfo(config.scanner.timezone))
            # strictly after now: a scan that ran at 07:00:00 is not due again at 07:00
            at = trigger.get_next_fire_time(None, now + timedelta(seconds=1))
            if at is not None:
                return at.astimezone(UTC) + jitter
        interval = parse_duration(account.interval or config.scanner.schedule.interval)
        return now + timedelta(seconds=interval) + jitter

    def _record_run(self, started: datetime, results: list[AccountResult]) -> int | None:
        if not results:
            return None
        with session_scope(self.engine) as s:
            run = tables.ScanRun(
                worker=self.worker,
                started_at=started,
                finished_at=self.now(),
                accounts_ok=sum(r.ok for r in results),
                accounts_failed=sum(not r.ok for r in results),
                posts_new=sum(r.posts_new for r in results),
                posts_changed=sum(r.posts_changed for r in results),
                findings_new=sum(r.findings_new for r in results),
                errors={r.account_id: r.error for r in results if r.error},
            )
            s.add(run)
            s.flush()
            return run.id

    # --- other jobs ----------------------------------------------------------------------

    def notify(self) -> Any:
        """Send due notifications; errors are logged, never raised."""
        return self._guarded("notify", self.notify_job)

    def purge(self) -> Any:
        """Apply retention; errors are logged, never raised."""
        return self._guarded("purge", self.purge_job)

    def _guarded(self, name: str, job: Job | None) -> Any:
        if job is None:
            return None
        with self._lock:
            config = self.config
        try:
            return job(config, self.engine, self.worker, self.now)
        except ImportError as exc:
            log.warning("%s job unavailable (%s)", name, exc.name, extra={"event": name})
        except Exception as exc:
            log.error("%s job failed: %s", name, type(exc).__name__, extra={"event": name})
            log.debug("traceback: %s", code_locations(exc))
        return None

    def tick(self) -> None:
        """The scheduled scan job: scan what is due; a database outage is logged, not raised."""
        try:
            self.scan_due()
        except Exception as exc:
            log.error("scan tick failed: %s", type(exc).__name__, extra={"event": "tick_failed"})
            log.debug("traceback: %s", code_locations(exc))

    def run_once(self) -> ScanSummary:
        """One pass over due accounts, then send what is due (`scanner run --once`)."""
        summary = self.scan_due()
        if not self.stopping:
            self.notify()
        return summary

    # --- config reload -------------------------------------------------------------------

    def config_stamp(self) -> tuple[tuple[str, int, int], ...]:
        """(path, mtime_ns, size) of every config file; a change means reload."""
        scanner = self.config.scanner
        names = ["scanner.yaml", "accounts.yaml"] + [
            p
            for p in (scanner.official_contacts, scanner.staff_directory, scanner.student_roster)
            if p
        ]
        out = []
        for name in names:
            path = self.config.resolve(name) if name.endswith(".csv") else self.config_dir / name
            try:
                st = path.stat()
                out.append((str(path), st.st_mtime_ns, st.st_size))
            except OSError:
                out.append((str(path), -1, -1))
        return tuple(out)

    def reload(self) -> bool:
        """Load the config folder again; keep the old config (and log why) if the new is invalid."""
        try:
            new = load_config(self.config_dir, checks=(cron_problems,))
        except ConfigError as exc:
            for problem in exc.problems:
                log.error("config reload rejected: %s", problem, extra={"event": "reload_rejected"})
            log.error("keeping the previous config", extra={"event": "reload_rejected"})
            return False
        old = self.config
        if new.scanner.database != old.scanner.database:
            log.warning("database settings changed; restart to apply", extra={"event": "reload"})
        detectors = self.detectors
        if new.detectors != old.detectors or new.district != old.district:
            detectors = self.detector_factory(new)
        with self._lock:
            self.config, self.detectors = new, detectors
            self.pipeline = self._pipeline(new, detectors)
            self._exclude = None
        if self._scheduler is not None and new.scanner.schedule != old.scanner.schedule:
            self._schedule_side_jobs(self._scheduler, replace=True)
        log.info("config reloaded (%d accounts)", len(new.accounts), extra={"event": "reload"})
        return True

    # --- the service loop ----------------------------------------------------------------

    def _schedule_side_jobs(self, scheduler: BackgroundScheduler, *, replace: bool) -> None:
        schedule = self.config.scanner.schedule
        for job_id, func, every in (
            ("notify", self.notify, schedule.notify_interval),
            ("purge", self.purge, schedule.purge_interval),
        ):
            trigger = IntervalTrigger(seconds=parse_duration(every), timezone=UTC)
            if replace:
                scheduler.reschedule_job(job_id, trigger=trigger)
            else:
                scheduler.add_job(
                    func, trigger, id=job_id, name=job_id, next_run_time=datetime.now(UTC)
                )

    def run_forever(self, *, poll_seconds: float = 2.0, install_signals: bool = True) -> None:
        """Run until SIGTERM/SIGINT (or `request_stop`); the current account is always finished."""
        scheduler = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        scheduler.add_job(
            self.tick,
            IntervalTrigger(seconds=self.tick_seconds, timezone=UTC),
            id="scan",
            name="scan",
            next_run_time=datetime.now(UTC),
        )
        self._schedule_side_jobs(scheduler, replace=False)
        previous = self._install_signals() if install_signals else {}
        self._scheduler = scheduler
        scheduler.start()
        log.info("worker %s started", self.worker, extra={"event": "started"})
        stamp = self.config_stamp()
        try:
            while not self._stop.wait(poll_seconds):
                current = self.config_stamp()
                if self._reload.is_set() or current != stamp:
                    self._reload.clear()
                    self.reload()
                    stamp = self.config_stamp()
        finally:
            scheduler.shutdown(wait=True)  # waits for the running job: the current account
            self._scheduler = None
            released = release_all(self.engine, self.worker)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            log.info(
                "worker %s stopped (%d leases released)",
                self.worker,
                released,
                extra={"event": "stopped"},
            )

    def _install_signals(self) -> dict[int, Any]:
        previous: dict[int, Any] = {}
        handlers = {
            signal.SIGTERM: lambda *_: self.request_stop(),
            signal.SIGINT: lambda *_: self.request_stop(),
            signal.SIGHUP: lambda *_: self.request_reload(),
        }
        for sig, handler in handlers.items():
            previous[sig] = signal.signal(sig, handler)
        return previous


def _enabled_account(config: Config, account_id: str) -> AccountConfig | None:
    for account in config.accounts:
        if account.id == account_id:
            return account if account.enabled else None
    return None

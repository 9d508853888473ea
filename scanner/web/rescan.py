""" "Fixed, please re-check": one account scanned again by the scan pipeline, in the background.

The detectors are built once, on the first re-check (spaCy loads then), and reused. At most one
re-scan runs at a time; a request for an account already queued is not queued twice.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from sqlalchemy.engine import Engine

from scanner.config.schema import Config
from scanner.errors import ScannerError, code_locations
from scanner.scan.pipeline import Pipeline
from scanner.scan.results import ScanSummary
from scanner.scan.wiring import build_detectors

log = logging.getLogger(__name__)

PipelineFactory = Callable[[Config, Engine], Pipeline]


def default_pipeline(config: Config, engine: Engine) -> Pipeline:
    """The production pipeline: the configured detectors and the real connectors."""
    return Pipeline(config, engine, build_detectors(config))


class Rescanner:
    """Runs re-scans of single accounts on one worker thread."""

    def __init__(
        self, config: Config, engine: Engine, make_pipeline: PipelineFactory = default_pipeline
    ) -> None:
        self.config, self.engine, self.make_pipeline = config, engine, make_pipeline
        self._pipeline: Pipeline | None = None
        self._queue: queue.Queue[str] = queue.Queue()
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self.done: list[ScanSummary] = []

    def request(self, account_id: str) -> bool:
        """Queue a re-scan of the account; False when one is already queued."""
        with self._lock:
            if account_id in self._pending:
                return False
            self._pending.add(account_id)
            self._queue.put(account_id)
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="recheck", daemon=True)
                self._worker.start()
        return True

    def wait(self, timeout: float = 60.0) -> None:
        """Block until the queue is empty (for tests and shutdown)."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)

    def _run(self) -> None:
        while True:
            try:
                account_id = self._queue.get(timeout=1.0)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._worker = None
                        return
                continue
            try:
                self.done.append(self.scan(account_id))
            except ScannerError as exc:
                log.warning("re-check of %s failed: %s", account_id, type(exc).__name__)
            except Exception as exc:  # a worker thread must survive any one account
                log.error("re-check of %s failed: %s", account_id, code_locations(exc))
            finally:
                with self._lock:
                    self._pending.discard(account_id)

    def scan(self, account_id: str) -> ScanSummary:
        """Scan one account now, in this thread."""
        if self._pipeline is None or self._pipeline.config is not self.config:
            self._pipeline = self.make_pipeline(self.config, self.engine)
        return self._pipeline.scan([account_id])

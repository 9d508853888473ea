"""The console's shared state: the config (reloaded when its files change) and the database."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from scanner.config.loader import AccountsCheck, load_config
from scanner.config.schema import Config
from scanner.errors import ConfigError
from scanner.web.auth import SignInLimiter
from scanner.web.rescan import Rescanner

log = logging.getLogger(__name__)


@dataclass
class Console:
    """What every request needs: the config (reloaded when its files change) and the database."""

    config_dir: Path
    config: Config
    engine: Engine
    checks: Sequence[AccountsCheck] = ()
    limiter: SignInLimiter = field(default_factory=lambda: SignInLimiter(5, 900))
    rescanner: Rescanner | None = None
    idle_seconds: float = 1800
    oidc: Any = None  # scanner.web.oidc.OidcClient when configured
    _stamp: tuple[float, ...] = ()

    def files_stamp(self) -> tuple[float, ...]:
        """Modification times of scanner.yaml and accounts.yaml."""
        out = []
        for name in ("scanner.yaml", "accounts.yaml", "allow_rules.yaml"):
            try:
                out.append((self.config_dir / name).stat().st_mtime)
            except OSError:
                out.append(0.0)
        return tuple(out)

    def refresh(self, force: bool = False) -> Config:
        """Reload the config when a file changed (edits here or by `scanner accounts add`)."""
        stamp = self.files_stamp()
        if force or stamp != self._stamp:
            self.config = load_config(self.config_dir, checks=self.checks)
            self._stamp = stamp
            if self.rescanner is not None:
                self.rescanner.config = self.config
        return self.config

    def refresh_quietly(self) -> Config:
        """`refresh`, keeping the last good config when the files are broken right now."""
        try:
            return self.refresh()
        except ConfigError as exc:
            log.warning(
                "config folder has %d problems; keeping the last good config", len(exc.problems)
            )
            self._stamp = self.files_stamp()
            return self.config

"""What a scan did: per account (`AccountResult`) and per pass (`ScanSummary`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class AccountResult:
    """What one account's scan did."""

    account_id: str
    platform: str
    ok: bool = True
    fetched: int = 0
    posts_new: int = 0
    posts_changed: int = 0
    findings_new: int = 0
    findings_resolved: int = 0
    error: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class ScanSummary:
    """What one pass did, per account."""

    run_id: int | None
    results: list[AccountResult]

    @property
    def failed(self) -> list[AccountResult]:
        """Accounts whose scan failed."""
        return [r for r in self.results if not r.ok]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "run_id": self.run_id,
            "accounts": [vars(r) for r in self.results],
            "totals": {
                k: sum(getattr(r, k) for r in self.results)
                for k in ("fetched", "posts_new", "posts_changed", "findings_new")
            }
            | {"accounts_failed": len(self.failed)},
        }

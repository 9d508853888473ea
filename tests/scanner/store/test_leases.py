"""Account leases on SQLite and PostgreSQL: what is due, exclusivity, expiry, release, sync."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from scanner.config.loader import load_config
from scanner.store import tables
from scanner.store.leases import (
    claim_due_accounts,
    release_account,
    release_all,
    renew_lease,
    sync_accounts,
)
from tests.support.config import write_config

T0 = datetime(2026, 10, 5, 17, 0, tzinfo=UTC)
H = timedelta(hours=1)


def add_accounts(engine: Engine, rows: dict[str, dict[str, Any]]) -> None:
    with Session(engine) as s:
        for account_id, fields in rows.items():
            s.add(
                tables.AccountRow(
                    id=account_id, platform="reddit", handle=f"r/{account_id}", **fields
                )
            )
        s.commit()


def account(engine: Engine, account_id: str) -> tables.AccountRow:
    with Session(engine) as s:
        row = s.get(tables.AccountRow, account_id)
        assert row is not None
        return row


DUE_TABLE = [
    ("never scanned", {}, True),
    ("next scan passed", {"next_scan_at": T0 - H}, True),
    ("next scan exactly now", {"next_scan_at": T0}, True),
    ("next scan later", {"next_scan_at": T0 + H}, False),
    ("retry_at later", {"next_scan_at": T0 - H, "retry_at": T0 + H}, False),
    ("retry_at passed", {"next_scan_at": T0 - H, "retry_at": T0 - H}, True),
    ("capped", {"capped": True}, False),
    ("leased by another", {"lease_owner": "w2", "lease_until": T0 + H}, False),
    ("lease expired", {"lease_owner": "w2", "lease_until": T0 - timedelta(seconds=1)}, True),
]


@pytest.mark.parametrize(("label", "fields", "due"), DUE_TABLE, ids=[r[0] for r in DUE_TABLE])
def test_what_is_due(engine: Engine, label: str, fields: dict[str, Any], due: bool) -> None:
    add_accounts(engine, {"a": fields})
    claimed = claim_due_accounts(engine, "w1", 10, 600, T0)
    assert claimed == (["a"] if due else [])
    row = account(engine, "a")
    if due:
        assert (row.lease_owner, row.lease_until) == ("w1", T0 + timedelta(seconds=600))
    else:
        assert row.lease_owner == fields.get("lease_owner")


def test_claims_are_exclusive_ordered_and_expire(engine: Engine) -> None:
    add_accounts(
        engine,
        {
            "late": {"next_scan_at": T0 - 2 * H},
            "later": {"next_scan_at": T0 - H},
            "new": {},
            "off": {},
            "future": {"next_scan_at": T0 + H},
        },
    )
    first = claim_due_accounts(engine, "w1", 2, 600, T0, exclude={"off"})
    assert first == ["late", "new"]  # never scanned and most overdue chosen first
    assert claim_due_accounts(engine, "w2", 10, 600, T0, exclude={"off"}) == ["later"]
    assert claim_due_accounts(engine, "w3", 10, 600, T0, exclude={"off"}) == []
    # w1 died: its leases expire, w3 takes them over; w2 still renews its own
    after = T0 + timedelta(seconds=601)
    assert renew_lease(engine, "later", "w2", 600, T0 + timedelta(seconds=300))
    assert claim_due_accounts(engine, "w3", 10, 600, after, exclude={"off"}) == ["late", "new"]
    assert not renew_lease(engine, "late", "w1", 600, after)  # w1 lost it
    assert renew_lease(engine, "late", "w3", 900, after)
    assert account(engine, "late").lease_until == after + timedelta(seconds=900)


def test_release(engine: Engine) -> None:
    add_accounts(engine, {"a": {}, "b": {}, "c": {}})
    assert claim_due_accounts(engine, "w1", 3, 600, T0) == ["a", "b", "c"]
    assert not release_account(engine, "a", "w2")  # not w2's lease
    assert release_account(engine, "a", "w1", next_scan_at=T0 + H)
    row = account(engine, "a")
    assert (row.lease_owner, row.lease_until, row.next_scan_at) == (None, None, T0 + H)
    assert claim_due_accounts(engine, "w2", 3, 600, T0) == []  # a not due, b/c leased
    assert release_all(engine, "w1") == 2
    assert claim_due_accounts(engine, "w2", 3, 600, T0) == ["b", "c"]


def test_sync_accounts(engine: Engine, tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path / "c", accounts=[{"id": "x"}, {"id": "y"}]))
    cfg.accounts[1] = cfg.accounts[1].model_copy(update={"enabled": False})
    add_accounts(engine, {"gone": {}})
    assert sync_accounts(engine, cfg.accounts) == {"gone"}
    assert sync_accounts(engine, cfg.accounts) == {"gone"}  # idempotent
    assert account(engine, "x").site_name == "Club 0"
    assert claim_due_accounts(engine, "w", 10, 60, T0, exclude={"gone"}) == ["x"]


def test_concurrent_claims_never_overlap(engine: Engine) -> None:
    ids = [f"a{i:03d}" for i in range(120)]
    add_accounts(engine, {i: {} for i in ids})
    got: dict[str, list[str]] = {}
    barrier = threading.Barrier(4)

    def worker(name: str) -> None:
        barrier.wait()
        mine: list[str] = []
        while batch := claim_due_accounts(engine, name, 3, 600, T0):
            mine.extend(batch)
        got[name] = mine

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    claimed = [i for mine in got.values() for i in mine]
    assert sorted(claimed) == ids  # every account exactly once
    with Session(engine) as s:
        owners = {a.id: a.lease_owner for a in s.exec(select(tables.AccountRow)).all()}
    assert all(owners[i] == name for name, mine in got.items() for i in mine)

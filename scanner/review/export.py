"""Exports of findings and the audit trail: CSV with formula cells neutralised, and JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from scanner.records import neutralise_controls

EXPORT_FIELDS = (
    "id",
    "status",
    "detector",
    "category",
    "severity",
    "account",
    "site_name",
    "school",
    "platform",
    "url",
    "posted_at",
    "found_at",
    "updated_at",
    "start",
    "end",
    "score",
    "explanation",
    "masked_excerpt",
    "reviewer",
    "note",
    "resolved_reason",
)


AUDIT_FIELDS = ("id", "at", "actor", "action", "finding_id", "account_id", "detail")


def to_csv(rows: Iterable[dict[str, Any]], fields: Sequence[str]) -> str:
    """Rows as CSV text (nested values as JSON); cells that a spreadsheet would run as a
    formula are prefixed with an apostrophe."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(fields), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in fields})
    return buf.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str):
        value = neutralise_controls(value)  # no terminal escapes or NULs in a spreadsheet
        if value[:1] in ("=", "+", "-", "@"):
            return "'" + value
    return "" if value is None else value


def to_json(rows: Iterable[dict[str, Any]]) -> str:
    """Rows as a JSON array."""
    return json.dumps(list(rows), ensure_ascii=False, indent=2) + "\n"

"""A `District` from a folder of CSVs, for detector tests and benchmarks (no config folder)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from scanner.records import District, StaffMember


def district_from_csvs(folder: Path, **extra: Any) -> District:
    """A District from `staff.csv` and `official_contacts.csv` in `folder`; official `domain`
    rows become the district domains."""
    with (folder / "staff.csv").open(newline="", encoding="utf-8") as f:
        staff = tuple(
            StaffMember(r["first_name"], r["last_name"], r.get("title") or "", r.get("email") or "")
            for r in csv.DictReader(f)
        )
    with (folder / "official_contacts.csv").open(newline="", encoding="utf-8") as f:
        contacts = tuple((r["kind"].strip(), r["value"].strip()) for r in csv.DictReader(f))
    domains = tuple(v for k, v in contacts if k == "domain")
    return District(district_domains=domains, official_contacts=contacts, staff=staff, **extra)

"""The district's CSV files: official contacts, staff directory, student roster.

Each file is validated as a whole; every problem is reported with its file, row and column.
The roster may carry an optional `handles` column (platform handles, `;`-separated) that the
follower consent check matches on.
The roster is only handed to the detector (which keeps keyed hashes of names), never stored.
"""

from __future__ import annotations

import csv
from pathlib import Path
from zoneinfo import ZoneInfo

from scanner.config.keys import read_local_key
from scanner.config.schema import ScannerFile
from scanner.errors import Problem, SecretError
from scanner.records import District, RosterEntry, StaffMember

CONTACT_COLUMNS = ("kind", "value")
STAFF_COLUMNS = ("first_name", "last_name", "title", "email")
ROSTER_COLUMNS = (
    "student_id",
    "first_name",
    "last_name",
    "grade",
    "school",
    "directory_opt_out",
    "media_consent",
)
CONTACT_KINDS = ("phone", "email", "domain")
TRUE = {"1", "true", "yes", "y", "t"}
FALSE = {"0", "false", "no", "n", "f", ""}


def read_csv(
    path: Path, label: str, required: tuple[str, ...], problems: list[Problem]
) -> list[dict[str, str]]:
    """Rows of a CSV with the required columns; problems recorded, never raised."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            columns = [c.strip() for c in reader.fieldnames or []]
            missing = [c for c in required if c not in columns]
            if missing:
                problems.append(
                    Problem(
                        path.name,
                        label,
                        f"missing columns {', '.join(missing)}",
                        f"a header with {','.join(required)}",
                    )
                )
                return []
            return [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader]
    except OSError as exc:
        problems.append(
            Problem(
                "scanner.yaml",
                label,
                f"cannot read {path} ({exc.strerror})",
                "a readable CSV file (absolute or relative to the config folder)",
            )
        )
    except (UnicodeDecodeError, csv.Error) as exc:
        problems.append(Problem(path.name, label, f"not a valid UTF-8 CSV ({exc})", "a CSV file"))
    return []


def _flag(value: str, file: str, where: str, problems: list[Problem]) -> bool:
    """A yes/no cell of the roster. The value is never echoed: a shifted column can put a
    student's name or birth date here, and problems are printed and logged."""
    low = value.lower()
    if low in TRUE:
        return True
    if low not in FALSE:
        problems.append(Problem(file, where, "is not yes/no", "true/false, yes/no or 1/0"))
    return False


def _handles(cell: str) -> tuple[str, ...]:
    """The optional `handles` cell of a roster row: handles separated by `;` or spaces."""
    return tuple(h for h in cell.replace(";", " ").split() if h)


def roster_secret(
    cfg_dir: Path, scanner: ScannerFile, state_dir: Path, problems: list[Problem]
) -> bytes:
    """The HMAC key for roster hashes: the configured secret, else the local key file if it
    exists (b"" when none was made yet; the commands that need one create it)."""
    if scanner.roster_secret is not None:
        try:
            return scanner.roster_secret.reveal(cfg_dir).encode()
        except SecretError as exc:
            problems.append(
                Problem("scanner.yaml", "roster_secret", str(exc), "a secret reference")
            )
            return b""
    return read_local_key(state_dir)


def load_district_csvs(
    cfg_dir: Path, scanner: ScannerFile, state_dir: Path, problems: list[Problem]
) -> District:
    """Build the detectors' `District` from scanner.yaml and the CSVs it names."""

    def resolve(p: str) -> Path:
        path = Path(p).expanduser()
        return path if path.is_absolute() else cfg_dir / path

    contacts: list[tuple[str, str]] = []
    if scanner.official_contacts:
        path = resolve(scanner.official_contacts)
        for i, row in enumerate(read_csv(path, "official_contacts", CONTACT_COLUMNS, problems), 2):
            if row["kind"] not in CONTACT_KINDS:
                problems.append(
                    Problem(
                        path.name,
                        f"row {i}.kind",
                        f"unknown kind {row['kind']!r}",
                        f"one of {', '.join(CONTACT_KINDS)}",
                    )
                )
            elif row["value"]:
                contacts.append((row["kind"], row["value"]))
    staff: list[StaffMember] = []
    if scanner.staff_directory:
        path = resolve(scanner.staff_directory)
        for row in read_csv(path, "staff_directory", STAFF_COLUMNS, problems):
            staff.append(
                StaffMember(row["first_name"], row["last_name"], row["title"], row["email"])
            )
    roster: list[RosterEntry] | None = None
    if scanner.student_roster:
        path = resolve(scanner.student_roster)
        roster = []
        for i, row in enumerate(read_csv(path, "student_roster", ROSTER_COLUMNS, problems), 2):
            if not (row["first_name"] and row["last_name"]):
                problems.append(
                    Problem(path.name, f"row {i}", "first_name/last_name empty", "names")
                )
                continue
            roster.append(
                RosterEntry(
                    student_id=row["student_id"],
                    first_name=row["first_name"],
                    last_name=row["last_name"],
                    grade=row["grade"],
                    school=row["school"],
                    directory_opt_out=_flag(
                        row["directory_opt_out"], path.name, f"row {i}.directory_opt_out", problems
                    ),
                    media_consent=_flag(
                        row["media_consent"], path.name, f"row {i}.media_consent", problems
                    ),
                    preferred_name=row.get("preferred_name", ""),
                    handles=_handles(row.get("handles", "")),
                )
            )
    secret = roster_secret(cfg_dir, scanner, state_dir, problems)
    return District(
        timezone=ZoneInfo(scanner.timezone),
        district_domains=tuple(d.lower() for d in scanner.district_domains),
        official_contacts=tuple(contacts),
        staff=tuple(staff),
        roster=tuple(roster) if roster is not None else None,
        roster_secret=secret,
        config_dir=cfg_dir,
    )

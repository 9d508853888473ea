"""Posting-time detector: bell schedules per school, DST, holidays, non-school days, exemptions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from detectors.posting_time import PostingTimeDetector, PostingTimeSettings
from scanner.records import AccountInfo, DetectionContext, District, Post

TZ = ZoneInfo("America/Los_Angeles")

SCHOOLS: dict[str, Any] = {
    "Jefferson High School": {
        "periods": [
            {"start": "07:45", "end": "08:40"},
            {"start": "08:40", "end": "08:45", "kind": "passing"},
            {"start": "08:45", "end": "09:40"},
            {"start": "09:45", "end": "10:40"},
            {"start": "10:45", "end": "11:10", "name": "advisory"},
            {"start": "11:10", "end": "11:40", "kind": "lunch"},
            {"start": "11:45", "end": "14:20"},
        ],
        "days": ["mon", "tue", "wed", "thu", "fri"],
    },
    "Lincoln Elementary": {
        "periods": [
            {"start": "08:30", "end": "10:00"},
            {"start": "10:00", "end": "10:15", "kind": "recess"},
            {"start": "10:15", "end": "11:45"},
            {"start": "11:45", "end": "12:30", "kind": "lunch"},
            {"start": "12:30", "end": "15:00"},
        ],
        "days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    },
}

ACCOUNTS = {
    "jhs": AccountInfo(id="jhs", school="Jefferson High School"),
    "lincoln": AccountInfo(id="lincoln", school="lincoln  elementary"),  # case/space folded
    "mvms": AccountInfo(id="mvms", school="Maple Valley Middle School"),  # no own schedule
    "tool": AccountInfo(id="tool", school="Jefferson High School", scheduled_posts_exempt=True),
}

ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Maple Valley SD//Calendar//EN
BEGIN:VEVENT
UID:1@mvsd
DTSTART;VALUE=DATE:20251024
DTEND;VALUE=DATE:20251025
SUMMARY:No School - Teacher Inservice
END:VEVENT
BEGIN:VEVENT
UID:2@mvsd
DTSTART;VALUE=DATE:20260216
DTEND;VALUE=DATE:20260221
SUMMARY:Mid-Winter Break (no school)
END:VEVENT
BEGIN:VEVENT
UID:3@mvsd
DTSTART;TZID=America/Los_Angeles:20260304T120000
DTEND;TZID=America/Los_Angeles:20260304T150000
SUMMARY:Early Release - no school after noon
END:VEVENT
BEGIN:VEVENT
UID:4@mvsd
DTSTART;VALUE=DATE:20260305
SUMMARY:Spring Concert
END:VEVENT
END:VCALENDAR
"""


def make(tmp_path: Path | None = None, **overrides: Any) -> PostingTimeDetector:
    raw: dict[str, Any] = {
        "schools": SCHOOLS,
        "default": {"periods": [{"start": "09:00", "end": "15:00"}]},
    }
    raw.update(overrides)
    settings = PostingTimeSettings.model_validate(raw)
    district = District(timezone=TZ, config_dir=tmp_path or Path.cwd())
    return PostingTimeDetector(settings, district)


def judge(det: PostingTimeDetector, account: str, utc: str, **post: Any) -> str | None:
    p = Post(
        platform="facebook",
        account=account,
        external_id="1",
        url="",
        author=None,
        created_at=datetime.fromisoformat(utc).replace(tzinfo=UTC),
        text="hello",
        **post,
    )
    [findings] = det.detect_batch([p], DetectionContext(ACCOUNTS))
    if not findings:
        return None
    [f] = findings
    assert (f.detector, f.category, f.severity, f.start, f.end) == (
        "posting_time",
        "instructional_time",
        "low",
        None,
        None,
    )
    return f.explanation


LA = "at Jefferson High School (America/Los_Angeles)"


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # spring forward (Sun 2025-03-09): PST = UTC-8 before, PDT = UTC-7 after
        ("2025-03-07T15:50", f"posted Fri 07:50 during period 1 {LA}"),
        ("2025-03-10T14:50", f"posted Mon 07:50 during period 1 {LA}"),  # 06:50 if still PST
        ("2025-03-10T15:50", f"posted Mon 08:50 during period 2 {LA}"),
        ("2025-03-07T14:50", None),  # 06:50 PST, before school
        # fall back (Sun 2025-11-02)
        ("2025-10-31T14:50", f"posted Fri 07:50 during period 1 {LA}"),
        ("2025-11-03T14:50", None),  # 06:50 PST (07:50 with a stale PDT offset)
        ("2025-11-03T15:50", f"posted Mon 07:50 during period 1 {LA}"),
        # the example of the issue
        ("2025-03-11T17:14", f"posted Tue 10:14 during period 3 {LA}"),
        ("2025-03-11T18:50", f"posted Tue 11:50 during period 4 {LA}"),  # advisory is not counted
        ("2025-03-11T18:00", f"posted Tue 11:00 during advisory {LA}"),  # named period
        ("2025-03-11T15:42", None),  # passing time
        ("2025-03-11T18:20", None),  # lunch
        ("2025-03-11T21:30", None),  # 14:30 after school
        ("2025-03-15T17:14", None),  # Saturday
    ],
)
def test_dst_and_periods(utc: str, expected: str | None) -> None:
    assert judge(make(), "jhs", utc) == expected


@pytest.mark.parametrize(
    ("utc", "holidays", "expected"),
    [
        ("2025-11-27T18:00", {}, None),  # Thanksgiving
        ("2025-11-11T18:00", {}, None),  # Veterans Day
        ("2026-01-19T18:00", {}, None),  # Martin Luther King Jr. Day
        ("2026-01-20T18:00", {}, "posted Tue 10:00 during period 3"),  # the day after
        ("2025-11-27T18:00", {"enabled": False}, "posted Thu 10:00 during period 3"),
        ("2025-10-13T18:00", {}, None),  # Columbus Day (federal)
        ("2025-10-13T18:00", {"ignore": ["Columbus Day"]}, "posted Mon 11:00 during advisory"),
        ("2025-10-13T18:00", {"subdivision": "WA"}, "posted Mon 11:00 during advisory"),  # WA: no
        ("2025-11-28T18:00", {"subdivision": "WA"}, None),  # Native American Heritage Day (WA)
    ],
)
def test_holidays(utc: str, holidays: dict[str, Any], expected: str | None) -> None:
    got = judge(make(holidays=holidays), "jhs", utc)
    assert (got if got is None else got.removesuffix(f" {LA}")) == expected


@pytest.mark.parametrize(
    ("utc", "flagged"),
    [
        ("2025-10-10T17:00", False),  # single configured date
        ("2025-12-22T17:00", False),  # first day of the configured range
        ("2025-12-30T17:00", False),  # inside it
        ("2026-01-02T17:00", False),  # its last day (inclusive)
        ("2026-01-05T17:00", True),  # back to school
        ("2025-10-09T17:00", True),
    ],
)
def test_non_school_days_from_config(utc: str, flagged: bool) -> None:
    det = make(
        non_school_days=[
            "2025-10-10",
            {"start": "2025-12-22", "end": "2026-01-02", "name": "Winter break"},
        ]
    )
    assert (judge(det, "jhs", utc) is not None) == flagged


@pytest.mark.parametrize(
    ("utc", "match", "flagged"),
    [
        ("2025-10-24T17:00", [], False),  # all-day event
        ("2025-10-23T17:00", [], True),
        ("2026-02-18T18:00", [], False),  # multi-day event (DTEND exclusive) ...
        ("2026-02-20T18:00", [], False),
        ("2026-02-23T18:00", [], True),  # ... ends before Monday
        ("2026-03-04T17:00", [], True),  # 09:00, before the early-release interval
        ("2026-03-04T21:00", [], False),  # 13:00, inside the timed event
        ("2026-03-05T18:00", [], False),  # every event counts without calendar_match
        ("2026-03-05T18:00", ["no school"], True),  # the concert is not a closure
        ("2025-10-24T17:00", ["no school"], False),
    ],
)
def test_non_school_days_from_icalendar(
    tmp_path: Path, utc: str, match: list[str], flagged: bool
) -> None:
    (tmp_path / "calendar.ics").write_text(ICS, encoding="utf-8")
    det = make(tmp_path, calendar_file="calendar.ics", calendar_match=match)
    assert (judge(det, "jhs", utc) is not None) == flagged


@pytest.mark.parametrize(
    ("account", "utc", "overrides", "expected"),
    [
        ("lincoln", "2025-03-11T17:05", {}, "posted Tue 10:05 during recess at Lincoln Elementary"),
        ("lincoln", "2025-03-11T17:05", {"include_recess": False}, None),
        ("lincoln", "2025-03-11T19:00", {}, None),  # 12:00 lunch
        (
            "lincoln",
            "2025-03-11T19:00",
            {"include_lunch": True},
            "posted Tue 12:00 during lunch at Lincoln Elementary",
        ),
        ("lincoln", "2025-03-11T15:20", {}, None),  # 08:20: class at JHS, before Lincoln's bell
        (
            "jhs",
            "2025-03-11T15:20",
            {},
            "posted Tue 08:20 during period 1 at Jefferson High School",
        ),
        (
            "jhs",
            "2025-03-11T15:42",
            {"include_passing": True},
            "posted Tue 08:42 during passing time at Jefferson High School",
        ),
        (
            "mvms",
            "2025-03-11T17:14",
            {},
            "posted Tue 10:14 during period 1 at Maple Valley Middle School (default schedule)",
        ),
        ("stranger", "2025-03-11T17:14", {}, "posted Tue 10:14 during period 1 (default schedule)"),
        ("mvms", "2025-03-11T17:14", {"default": None}, None),
    ],
)
def test_per_school_schedules(
    account: str, utc: str, overrides: dict[str, Any], expected: str | None
) -> None:
    got = judge(make(**overrides), account, utc)
    assert (got if got is None else got.removesuffix(" (America/Los_Angeles)")) == expected


@pytest.mark.parametrize(
    ("account", "raw", "require_evidence", "flagged"),
    [
        ("tool", {"scheduled": True}, True, False),  # exempt account + scheduled post
        ("tool", {}, True, True),  # no evidence the post was queued
        ("tool", {"scheduled": False}, True, True),
        ("jhs", {"scheduled": True}, True, True),  # the account has no exemption
        ("tool", {}, False, False),  # district trusts the account flag alone ...
        ("tool", {"scheduled": False}, False, True),  # ... unless the post says it was live
    ],
)
def test_scheduled_posts(
    account: str, raw: dict[str, Any], require_evidence: bool, flagged: bool
) -> None:
    det = make(require_scheduled_evidence=require_evidence)
    assert (judge(det, account, "2025-03-11T17:14", raw=raw) is not None) == flagged


def test_deleted_post_and_batch_shape() -> None:
    det = make()
    assert judge(det, "jhs", "2025-03-11T17:14", deleted=True) is None
    assert det.detect_batch([], DetectionContext()) == []


def test_naive_created_at_is_taken_as_utc() -> None:
    det = make()
    post = Post("x", "jhs", "1", "", None, datetime(2025, 3, 11, 17, 14), "t")
    [[finding]] = det.detect_batch([post], DetectionContext(ACCOUNTS))
    assert finding.explanation.startswith("posted Tue 10:14 during period 3")


def test_empty_block_has_a_default_schedule() -> None:
    settings = PostingTimeSettings()
    assert settings.default is not None and settings.schools == {}
    assert not settings.include_lunch and settings.include_recess


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"default": {"periods": [{"start": "8:00", "end": "09:00"}]}}, "not HH:MM"),
        ({"default": {"periods": [{"start": "08:00", "end": "24:00"}]}}, "not HH:MM"),
        ({"default": {"periods": [{"start": "10:00", "end": "09:00"}]}}, "not before"),
        ({"default": {"periods": [{"start": "09:00", "end": "09:00"}]}}, "not before"),
        ({"default": {"periods": [{"start": "09:00", "end": "10:00", "kind": "nap"}]}}, "kind"),
        ({"default": {"periods": [], "days": ["mon", "funday"]}}, "unknown day names"),
        (
            {
                "schools": {
                    "X": {
                        "periods": [
                            {"start": "08:00", "end": "09:00"},
                            {"start": "08:30", "end": "10:00"},
                        ]
                    }
                }
            },
            "overlap",
        ),
        ({"non_school_days": [{"start": "2026-01-02", "end": "2025-12-22"}]}, "before start"),
        ({"holidays": {"country": "US", "state": "WA"}}, "Extra inputs"),
        ({"lunch": True}, "Extra inputs"),
    ],
)
def test_bad_schedules_are_config_errors(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        PostingTimeSettings.model_validate(raw)

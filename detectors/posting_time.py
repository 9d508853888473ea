"""Posting-time detector: flags posts created during instructional time of the account's school.

Bell schedules per school in the district's timezone; non-school days from config dates, an
iCalendar file and public holidays; scheduled posts exempt only with evidence. Design notes:
docs/architecture.md, "detectors".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from detectors.base import DetectorSettings
from scanner.records import (
    Category,
    DetectionContext,
    DetectorInfo,
    District,
    Finding,
    Post,
    Severity,
)

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
Kind = Literal["class", "lunch", "recess", "passing"]


# --- settings ------------------------------------------------------------------------------------


class Period(BaseModel):
    """One block of the bell schedule. `name` defaults to "period N" for class periods."""

    model_config = ConfigDict(extra="forbid")
    start: str
    end: str
    kind: Kind = "class"
    name: str | None = None

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError(f"time {value!r} is not HH:MM (00:00-23:59)")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start >= self.end:
            raise ValueError(f"period start {self.start} is not before end {self.end}")
        return self

    @property
    def start_time(self) -> time:
        """`start` as a time of day."""
        return time.fromisoformat(self.start)

    @property
    def end_time(self) -> time:
        """`end` as a time of day."""
        return time.fromisoformat(self.end)


class Schedule(BaseModel):
    """A weekly bell schedule: the same periods on each listed day."""

    model_config = ConfigDict(extra="forbid")
    periods: list[Period]
    days: list[str] = Field(default_factory=lambda: list(DAY_NAMES[:5]))

    @field_validator("days")
    @classmethod
    def _day_names(cls, days: list[str]) -> list[str]:
        folded = [d.strip().lower()[:3] for d in days]
        bad = [d for d, f in zip(days, folded, strict=True) if f not in DAY_NAMES]
        if bad:
            raise ValueError(f"unknown day names {bad}; expected {list(DAY_NAMES)}")
        return folded

    @model_validator(mode="after")
    def _no_overlap(self) -> Schedule:
        ordered = sorted(self.periods, key=lambda p: p.start)
        for a, b in zip(ordered, ordered[1:], strict=False):
            if b.start < a.end:
                raise ValueError(f"periods {a.start}-{a.end} and {b.start}-{b.end} overlap")
        self.periods = ordered
        return self


class DateRange(BaseModel):
    """Non-school days from `start` to `end` inclusive (e.g. winter break)."""

    model_config = ConfigDict(extra="forbid")
    start: date
    end: date
    name: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.end < self.start:
            raise ValueError(f"range end {self.end} is before start {self.start}")
        return self


class HolidaySettings(BaseModel):
    """Public holidays from the `holidays` package."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    country: str = "US"
    subdivision: str | None = None  # e.g. "WA" adds the state's holidays
    ignore: list[str] = Field(default_factory=list, description="holiday names schools keep open")


def _default_schedule() -> Schedule:
    return Schedule(
        periods=[
            Period(start="08:00", end="11:30"),
            Period(start="11:30", end="12:15", kind="lunch"),
            Period(start="12:15", end="15:00"),
        ]
    )


class PostingTimeSettings(DetectorSettings):
    """`detectors.posting_time` in scanner.yaml."""

    schools: dict[str, Schedule] = Field(default_factory=dict)
    default: Schedule | None = Field(
        default_factory=_default_schedule,
        description="schedule of accounts whose school has none; null: such posts are not judged",
    )
    include_lunch: bool = False
    include_recess: bool = True
    include_passing: bool = False
    non_school_days: list[date | DateRange] = Field(default_factory=list)
    calendar_file: str | None = None  # iCalendar, relative to the config folder
    calendar_match: list[str] = Field(
        default_factory=list,
        description="if given, only calendar events whose summary contains one of these count",
    )
    holidays: HolidaySettings = Field(default_factory=HolidaySettings)
    require_scheduled_evidence: bool = True


# --- the detector --------------------------------------------------------------------------------


class PostingTimeDetector:
    """Flags posts created during instructional time of the account's school."""

    name: ClassVar[str] = "posting_time"
    info: ClassVar[DetectorInfo] = DetectorInfo(
        policy_item="Policy: electronic communication at times that do not disrupt class",
        action="Post outside instructional time, or schedule posts for before or after school; "
        "if the account publishes scheduled posts, ask for it to be marked as such.",
        categories={Category.INSTRUCTIONAL_TIME: "Posted during instructional time"},
        needs_created_at=True,
        comments_by_others=False,  # the sponsor does not choose when others comment
    )
    Settings: ClassVar[type[PostingTimeSettings]] = PostingTimeSettings

    def __init__(self, settings: PostingTimeSettings, district: District):
        self.settings = settings
        self.tz = district.timezone
        self.schools = {_key(name): (name, sched) for name, sched in settings.schools.items()}
        self.closed_dates: dict[date, str] = {}
        for item in settings.non_school_days:
            if isinstance(item, DateRange):
                day = item.start
                while day <= item.end:
                    self.closed_dates[day] = item.name or "non-school day"
                    day += timedelta(days=1)
            else:
                self.closed_dates[item] = "non-school day"
        self.closed_intervals: list[tuple[datetime, datetime, str]] = []
        if settings.calendar_file:
            self._load_calendar(district.config_dir / settings.calendar_file)
        self._holidays = None
        if settings.holidays.enabled:
            import holidays  # loaded only when holidays are configured (start-up speed)

            self._holidays = holidays.country_holidays(
                settings.holidays.country, subdiv=settings.holidays.subdivision
            )
        self._ignored = {n.casefold() for n in settings.holidays.ignore}
        kinds = {"class"}
        kinds |= {"lunch"} if settings.include_lunch else set()
        kinds |= {"recess"} if settings.include_recess else set()
        kinds |= {"passing"} if settings.include_passing else set()
        self.kinds = kinds

    def _load_calendar(self, path: Path) -> None:
        from icalendar import Calendar  # loaded only when a calendar is configured (start-up speed)

        cal = Calendar.from_ical(path.read_bytes())
        wanted = [w.casefold() for w in self.settings.calendar_match]
        for event in cal.walk("VEVENT"):
            summary = str(event.get("SUMMARY", "")) or "calendar event"
            if wanted and not any(w in summary.casefold() for w in wanted):
                continue
            start = event.decoded("DTSTART")
            end = event.decoded("DTEND") if "DTEND" in event else None
            if isinstance(start, datetime):
                start = start if start.tzinfo else start.replace(tzinfo=self.tz)
                end = end if isinstance(end, datetime) else start + timedelta(hours=1)
                end = end if end.tzinfo else end.replace(tzinfo=self.tz)
                self.closed_intervals.append((start, end, summary))
            else:  # all-day: DTEND is exclusive, a missing DTEND means one day
                stop = end if isinstance(end, date) and end > start else start + timedelta(days=1)
                day = start
                while day < stop:
                    self.closed_dates[day] = summary
                    day += timedelta(days=1)

    # -- public API --

    def detect_batch(self, posts: Sequence[Post], ctx: DetectionContext) -> list[list[Finding]]:
        """One list per post: an `instructional_time` finding or nothing."""
        return [self._judge(post, ctx) for post in posts]

    def non_school_reason(self, day: date) -> str | None:
        """Why `day` is not a school day (holiday, break, calendar event), or None."""
        if day in self.closed_dates:
            return self.closed_dates[day]
        if self._holidays is not None:
            name = self._holidays.get(day)
            if name and not any(n.strip().casefold() in self._ignored for n in name.split(";")):
                return name
        return None

    def _judge(self, post: Post, ctx: DetectionContext) -> list[Finding]:
        account = ctx.account(post.account)
        if post.deleted or self._scheduled_exempt(post, account.scheduled_posts_exempt):
            return []
        where, schedule = self._schedule(account.school)
        if schedule is None:
            return []
        created = post.created_at
        created = created if created.tzinfo else created.replace(tzinfo=UTC)
        local = created.astimezone(self.tz)
        if DAY_NAMES[local.weekday()] not in schedule.days:
            return []
        if self.non_school_reason(local.date()) is not None:
            return []
        if any(start <= created < end for start, end, _ in self.closed_intervals):
            return []
        clock = local.time().replace(tzinfo=None)
        number = 0
        for period in schedule.periods:
            number += period.kind == "class" and not period.name  # named blocks keep no number
            if not period.start_time <= clock < period.end_time:
                continue
            if period.kind not in self.kinds:
                return []
            label = period.name or _label(period.kind, number)
            return [
                Finding(
                    detector=self.name,
                    category=Category.INSTRUCTIONAL_TIME,
                    severity=Severity.LOW,
                    start=None,
                    end=None,
                    score=1.0 if period.kind == "class" else 0.8,
                    explanation=(f"posted {local:%a %H:%M} during {label} {where} ({self.tz.key})"),
                )
            ]
        return []

    def _scheduled_exempt(self, post: Post, account_exempt: bool) -> bool:
        if not account_exempt:
            return False
        flag = post.raw.get("scheduled") if post.raw else None
        if self.settings.require_scheduled_evidence:
            return bool(flag)
        return flag is not False

    def _schedule(self, school: str) -> tuple[str, Schedule | None]:
        """Where (for the explanation) and which schedule: the school's own, else the default."""
        found = self.schools.get(_key(school)) if school else None
        if found:
            return f"at {found[0]}", found[1]
        where = f"at {school} (default schedule)" if school else "(default schedule)"
        return where, self.settings.default


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def _label(kind: str, number: int) -> str:
    return {"class": f"period {number}", "passing": "passing time"}.get(kind, kind)

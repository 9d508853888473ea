"""Crontab schedules: standard 5-field expressions as APScheduler triggers, and their validation.

APScheduler is imported only in `scanner.schedule`. Config loading stays free of it: commands pass
`cron_problems` to `scanner.config.loader.load_config(checks=…)`, so a bad `cron:` is reported
like every other config problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from scanner.config.schema import ACCOUNTS_FILE, AccountConfig
from scanner.errors import Problem

WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]  # crontab numbering: 0 (or 7) = sun


def _crontab_weekdays(field: str) -> str:
    """A crontab day-of-week field as weekday names (APScheduler 3 counts 0 = Monday).

    `1-5` means Monday to Friday in crontab but Tuesday to Saturday to APScheduler's
    `from_crontab`; names mean the same to both, so numbers are expanded into names.
    """
    if not any(c.isdigit() for c in field):
        return field

    def day(token: str) -> int:
        if token.isdigit() and int(token) <= 7:
            return int(token) % 7
        if token.lower() in WEEKDAYS:
            return WEEKDAYS.index(token.lower())
        raise ValueError(f"day of week {token!r} is not 0-7 or sun-sat")

    days: set[int] = set()
    for part in field.split(","):
        base, _, step = part.partition("/")
        if base == "*":
            first, last = 0, 6
        elif "-" in base:
            a, _, b = base.partition("-")
            first, last = day(a), day(b)
            last = 7 if b == "7" else last  # 5-7 = fri-sun
        else:
            first = day(base)
            last = 6 if step else first
        if first > last or (step and (not step.isdigit() or int(step) == 0)):
            raise ValueError(f"day of week {part!r} is not a valid range or step")
        days.update(d % 7 for d in range(first, last + 1, int(step or 1)))
    return "*" if len(days) == 7 else ",".join(WEEKDAYS[d] for d in sorted(days))


def cron_trigger(expr: str, timezone: Any = UTC) -> CronTrigger:
    """The trigger of a standard 5-field crontab expression (minute hour day month weekday).

    Day of week is numbered as crontab does (0 or 7 = Sunday). Restricting both the day of
    month and the day of week is refused: cron fires when EITHER matches, APScheduler when both.
    """
    fields = expr.split()
    try:
        if len(fields) != 5:
            raise ValueError(f"got {len(fields)} fields, not 5")
        if fields[2] != "*" and fields[4] != "*":
            raise ValueError("restrict the day of month or the day of week, not both")
        fields[4] = _crontab_weekdays(fields[4])
        trigger = CronTrigger.from_crontab(" ".join(fields), timezone=timezone)
    except ValueError as exc:
        reason = str(exc).replace(";", ",")
        raise ValueError(
            f"{expr!r} is not a crontab expression ({reason}); expected five fields "
            "'minute hour day-of-month month day-of-week', e.g. '0 7 * * 1-5'"
        ) from None
    if trigger.get_next_fire_time(None, datetime.now(UTC)) is None:
        raise ValueError(f"{expr!r} never fires; expected a date that exists, e.g. '0 7 1 * *'")
    return trigger


def validate_cron(expr: str) -> None:
    """Raise ValueError (with what is expected) unless `expr` is a usable crontab expression."""
    cron_trigger(expr)


def cron_problems(accounts: Sequence[AccountConfig]) -> list[Problem]:
    """One problem per account whose `cron` is not a usable crontab expression."""
    problems = []
    for i, account in enumerate(accounts):
        if account.cron is None:
            continue
        try:
            validate_cron(account.cron)
        except ValueError as exc:
            what, _, expected = str(exc).partition("; expected ")
            problems.append(Problem(ACCOUNTS_FILE, f"accounts[{i}].cron", what, expected))
    return problems

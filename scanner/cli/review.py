"""CLI: `scanner findings …`, `scanner report`, `scanner purge`.

Every refused action (unknown id, invalid transition, a note over the limit, a retention config
that would expire open findings) prints one line and exits 2 with nothing changed.
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table
from rich.text import Text

from scanner import errors
from scanner.cli.common import (
    ConfigOption,
    JsonOption,
    console,
    engine_or_exit,
    err_console,
    fail,
    load_config_or_exit,
    print_json,
    printable,
)
from scanner.cli.report import purge_cmd, report_cmd
from scanner.config.schema import Config
from scanner.errors import ConfigError
from scanner.files import write_private_text
from scanner.records import FindingStatus, Severity
from scanner.review import export, workflow

findings_app = typer.Typer(help="Review findings: list, show, confirm, dismiss, resolve, export.")

FORMATS = ("csv", "json")
MAX_ID = 2**63 - 1  # the largest id a database integer column holds
NoteOption = typer.Option(None, "--note", "-n", help=f"Why (up to {workflow.NOTE_LIMIT} chars).")
ReviewerOption = typer.Option(
    None, "--reviewer", "-r", help="Who decides (default: the USER variable)."
)
ReopenOption = typer.Option(
    False, "--reopen", help="Allow moving a dismissed/resolved/confirmed finding."
)
SinceOption = typer.Option(None, "--since", help="On or after DATE (YYYY-MM-DD or ISO time).")
UntilOption = typer.Option(None, "--until", help="Up to and including DATE.")
FormatOption = typer.Option(..., "--format", "-f", help="csv or json")
OutputOption = typer.Option(None, "--output", "-o", help="File (default: stdout).")


def _reviewer(value: str | None) -> str:
    if value:
        return value
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):
        return ""


def parse_when(value: str | None, config: Config, *, end: bool = False) -> datetime | None:
    """A --since/--until value; a bare date is midnight in the district's time zone
    (for --until, the end of that day)."""
    if not value:
        return None
    tz = ZoneInfo(config.scanner.timezone)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = date.fromisoformat(value) + timedelta(days=1 if end else 0)
            return datetime.combine(day, time(), tz)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(f"{'--until' if end else '--since'}: {value!r} is not a date; expected YYYY-MM-DD")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def check_choices(label: str, values: list[str] | None, allowed: tuple[str, ...]) -> list[str]:
    """`values` when every one is allowed; otherwise one line naming the bad ones, exit 2."""
    bad = [v for v in values or [] if v not in allowed]
    if bad:
        fail(f"{label}: unknown value {', '.join(bad)}; expected one of {', '.join(allowed)}")
    return list(values or [])


def _filters(
    config: Config,
    status: list[str] | None,
    detector: list[str] | None,
    category: list[str] | None,
    severity: list[str] | None,
    account: list[str] | None,
    school: str | None,
    since: str | None,
    until: str | None,
    mine: str | None,
    limit: int | None,
) -> workflow.FindingFilter:
    return workflow.FindingFilter(
        status=check_choices("--status", status, tuple(FindingStatus)),
        detector=list(detector or []),
        category=list(category or []),
        severity=check_choices("--severity", severity, tuple(Severity)),
        account=list(account or []),
        school=school,
        since=parse_when(since, config),
        until=parse_when(until, config, end=True),
        mine=mine,
        limit=limit,
    )


def open_review(config_dir: Path) -> tuple[Config, Any]:
    """The config and its migrated database, or exit 2."""
    config = load_config_or_exit(config_dir)
    return config, engine_or_exit(config)


# --- findings -------------------------------------------------------------------------------


@findings_app.command("list")
def list_cmd(
    status: list[str] = typer.Option(None, "--status", "-s", help="open, confirmed, …"),
    detector: list[str] = typer.Option(None, "--detector", "-d"),
    category: list[str] = typer.Option(None, "--category"),
    severity: list[str] = typer.Option(None, "--severity", help="high, medium, low"),
    account: list[str] = typer.Option(None, "--account", "-a", help="Account id."),
    school: str = typer.Option(None, "--school", help="The accounts' school (exact, any case)."),
    since: str = SinceOption,
    until: str = UntilOption,
    mine: str = typer.Option(
        None, "--mine", help="Accounts this sponsor/admin e-mail looks after."
    ),
    limit: int = typer.Option(None, "--limit", min=1, help="At most N findings."),
    config_dir: Path = ConfigOption,
    as_json: bool = JsonOption,
) -> None:
    """List findings, newest first (dates filter on when a finding was found)."""
    config, engine = open_review(config_dir)
    flt = _filters(
        config, status, detector, category, severity, account, school, since, until, mine, limit
    )
    rows = workflow.list_findings(engine, flt, config)
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"{len(rows)} findings")
    for column in (
        "id",
        "status",
        "severity",
        "detector",
        "category",
        "account",
        "in",
        "found",
        "excerpt",
    ):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["status"],
            r["severity"],
            r["detector"],
            r["category"],
            r["account"],
            _where(r),
            r["found_at"][:16].replace("T", " "),
            Text(printable(r["masked_excerpt"][:80])),
        )
    console.print(table)


def _where(row: dict[str, Any]) -> str:
    """Where the finding is: the account's post, its own reply, or someone else's comment."""
    if row.get("post_kind") != "comment":
        return "post"
    return "reply" if row.get("author_role") == "account" else "comment"


def _post_text(detail: workflow.FindingDetail) -> Text:
    post, f = detail.post, detail.finding
    if post is None:
        return Text("(post not stored)", style="dim")
    if post.text_purged_at is not None:
        day = post.text_purged_at.date().isoformat()
        return Text(f"(post text purged on {day} under the retention policy)", style="dim")
    text = Text(printable(post.text))
    if detail.text_current and f.start is not None and f.end is not None:
        text.stylize("bold black on yellow", f.start, f.end)
    return text


@findings_app.command("show")
def show_cmd(
    finding_id: int = typer.Argument(..., help="Finding id.", min=1, max=MAX_ID),
    config_dir: Path = ConfigOption,
    as_json: bool = JsonOption,
) -> None:
    """One finding: the post text with the flagged span highlighted, and its history."""
    _, engine = open_review(config_dir)
    try:
        detail = workflow.get_finding(engine, finding_id)
    except errors.ReviewError as exc:
        fail(str(exc))
    row = workflow.finding_row(detail.finding, detail.post, detail.account)
    history = [workflow.audit_row(e) for e in detail.history]
    if as_json:
        print_json(row | {"history": history})
        return
    head = Table.grid(padding=(0, 2))
    for key in (
        "status",
        "severity",
        "detector",
        "category",
        "account",
        "site_name",
        "post_kind",
        "author_role",
        "url",
        "posted_at",
        "found_at",
        "score",
        "explanation",
        "reviewer",
        "note",
        "resolved_reason",
    ):
        if row.get(key) not in (None, ""):
            head.add_row(Text(key, style="bold"), Text(printable(str(row[key]))))
    console.print(Text(f"Finding {finding_id}", style="bold underline"))
    console.print(head)
    if detail.post is not None and not detail.text_current and detail.post.text_purged_at is None:
        console.print(
            Text("The post changed after this finding; the span is not highlighted.", "yellow")
        )
    console.print(Text("\nPost text", style="bold"))
    console.print(_post_text(detail))
    if history:
        table = Table(title="History")
        for column in ("at", "actor", "action", "detail"):
            table.add_column(column, overflow="fold")
        for h in history:
            table.add_row(
                h["at"][:19].replace("T", " "),
                h["actor"],
                h["action"],
                Text(printable(detail_text(h["detail"]))),
            )
        console.print(table)


def detail_text(detail: dict[str, Any]) -> str:
    """An audit event's detail as `key=value; …` (empty values left out)."""
    return "; ".join(f"{k}={v}" for k, v in detail.items() if v not in (None, "", False))


def _set_status(
    target: str,
    finding_id: int,
    config_dir: Path,
    note: str | None,
    reviewer: str | None,
    reopen: bool,
) -> None:
    _, engine = open_review(config_dir)
    try:
        f = workflow.change_status(
            engine, finding_id, target, reviewer=_reviewer(reviewer), note=note, reopen=reopen
        )
    except errors.ReviewError as exc:
        fail(str(exc))
    console.print(
        f"finding {f.id} is now {f.status}", markup=False, highlight=False, soft_wrap=True
    )


def _status_command(command: str, target: str, doc: str) -> Any:
    """Register `findings COMMAND ID` moving a finding to `target`; with `--reopen` unless the
    target is "open" (reopening always allows leaving a decided status)."""
    run: Callable[..., None]
    if target == "open":

        def run_open(
            finding_id: int = typer.Argument(..., min=1, max=MAX_ID),
            note: str = NoteOption,
            reviewer: str = ReviewerOption,
            config_dir: Path = ConfigOption,
        ) -> None:
            _set_status(target, finding_id, config_dir, note, reviewer, True)

        run = run_open
    else:

        def run_decided(
            finding_id: int = typer.Argument(..., min=1, max=MAX_ID),
            note: str = NoteOption,
            reviewer: str = ReviewerOption,
            reopen: bool = ReopenOption,
            config_dir: Path = ConfigOption,
        ) -> None:
            _set_status(target, finding_id, config_dir, note, reviewer, reopen)

        run = run_decided
    run.__doc__ = doc
    run.__name__ = run.__qualname__ = f"{command}_cmd"
    return findings_app.command(command)(run)


confirm_cmd = _status_command(
    "confirm", "confirmed", "Confirm: the finding is a real policy problem."
)
dismiss_cmd = _status_command(
    "dismiss",
    "dismissed",
    "Dismiss: not a problem (it stays dismissed while the post is unchanged).",
)
resolve_cmd = _status_command("resolve", "resolved", "Resolve: the post was edited or taken down.")
reopen_cmd = _status_command("reopen", "open", "Move a decided finding back to open.")


@findings_app.command("allow")
def allow_cmd(
    finding_id: int = typer.Argument(..., min=1, max=MAX_ID),
    reason: str = typer.Option(..., "--reason", help='e.g. "staff member", "booster club phone"'),
    reviewer: str = ReviewerOption,
    config_dir: Path = ConfigOption,
) -> None:
    """Add an allow-rule from this finding (future scans skip the same value); dismiss it."""
    config, engine = open_review(config_dir)
    try:
        rule = workflow.add_allow_rule(
            config, engine, finding_id, reason=reason, reviewer=_reviewer(reviewer)
        )
    except errors.ReviewError as exc:
        fail(str(exc))
    except ConfigError as exc:
        for problem in exc.problems:
            err_console.print(str(problem), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    console.print(
        f"allow-rule {rule.id} ({rule.detector}/{rule.category}) written to "
        f"{config.dir / 'allow_rules.yaml'}; finding {finding_id} dismissed",
        markup=False,
        highlight=False,
    )


def write_export(
    rows: list[dict[str, Any]], fields: Sequence[str], fmt: str, output: Path | None
) -> None:
    """Write `rows` as CSV (these columns) or JSON to `output`, or to stdout."""
    text = export.to_csv(rows, fields) if fmt == "csv" else export.to_json(rows)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        write_private_text(output, text)  # 0600: exports carry student data
    except OSError as exc:
        fail(f"--output: cannot write {output} ({exc.strerror})")
    err_console.print(f"wrote {output}", markup=False, highlight=False, soft_wrap=True)


@findings_app.command("export")
def export_cmd(
    fmt: str = FormatOption,
    output: Path = OutputOption,
    status: list[str] = typer.Option(None, "--status", "-s"),
    account: list[str] = typer.Option(None, "--account", "-a"),
    since: str = SinceOption,
    until: str = UntilOption,
    config_dir: Path = ConfigOption,
) -> None:
    """Export findings (masked excerpts only, never the post text) as CSV or JSON."""
    check_choices("--format", [fmt], FORMATS)
    config, engine = open_review(config_dir)
    flt = _filters(config, status, None, None, None, account, None, since, until, None, None)
    rows = workflow.list_findings(engine, flt, config)
    write_export(rows, export.EXPORT_FIELDS, fmt, output)


def register(app: typer.Typer) -> None:
    """Add `findings`, `report` and `purge` to the main app."""
    app.add_typer(findings_app, name="findings")
    app.command("report")(report_cmd)
    app.command("purge")(purge_cmd)

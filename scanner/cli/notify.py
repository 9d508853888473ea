"""`scanner notify`: send the alerts that are due, or show what is pending, retrying and dead."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from scanner.cli.common import (
    ConfigOption,
    ExitCode,
    JsonOption,
    console,
    engine_or_exit,
    load_config_or_exit,
    print_json,
)
from scanner.notify.send import Notifier, StatusReport


def _when(value: object) -> str:
    return value.isoformat(timespec="minutes") if hasattr(value, "isoformat") else "-"


def _print_status(report: StatusReport) -> None:
    if not report.emails:
        console.print("No unsent e-mails.")
    else:
        table = Table(title="Unsent e-mails")
        for col in ("id", "state", "recipient", "kind", "attempts", "next attempt / dead since"):
            table.add_column(col)
        for e in report.emails:
            when = _when(e.dead_at) if e.state == "dead" else _when(e.next_attempt_at)
            table.add_row(str(e.id), e.state, e.recipient, e.delivery, str(e.attempts), when)
        console.print(table)
        for e in report.emails:  # unwrapped, so an error can be copied or grepped whole
            if e.last_error:
                console.print(
                    f"e-mail {e.id} ({e.state}): {e.last_error}",
                    soft_wrap=True,
                    markup=False,
                    highlight=False,
                )
    for w in report.waiting:
        console.print(f"{w['items']} {w['delivery']} item(s) waiting for {w['recipient']}")
    console.print(f"Next digest: {_when(report.next_digest_at)} (UTC)")


def register(app: typer.Typer) -> None:
    """Add the `notify` command to the CLI."""

    @app.command("notify")
    def notify(
        config: Path = ConfigOption,
        status: bool = typer.Option(
            False,
            "--status",
            help="List pending, retrying and dead-lettered e-mails; send nothing.",
        ),
        json_out: bool = JsonOption,
        digest_now: bool = typer.Option(
            False, "--digest-now", help="Send the daily digests now instead of at digest_time."
        ),
        retry_dead: bool = typer.Option(
            False, "--retry-dead", help="Give dead-lettered e-mails a fresh set of attempts first."
        ),
    ) -> None:
        """Send the alerts that are due (exit 1 when some e-mails failed this time)."""
        cfg = load_config_or_exit(config)
        engine = engine_or_exit(cfg)
        notifier = Notifier(cfg, engine)
        if status:
            report = notifier.status()
            if json_out:
                print_json(report.to_dict())
            else:
                _print_status(report)
            raise typer.Exit(ExitCode.OK)
        requeued = notifier.retry_dead() if retry_dead else 0
        result = notifier.run(digest_now=digest_now)
        if json_out:
            print_json(result.to_dict() | {"requeued": requeued})
        else:
            if requeued:
                console.print(f"{requeued} dead-lettered e-mail(s) queued again.")
            console.print(
                f"{result.emails_created} e-mail(s) composed, {result.sent} sent, "
                f"{result.failed} to retry, {result.dead} dead-lettered."
            )
        raise typer.Exit(ExitCode.PARTIAL_FAILURE if result.failed or result.dead else ExitCode.OK)

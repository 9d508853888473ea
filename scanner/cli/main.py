"""`scanner` command line (typer). Exit codes: 0 ok, 1 some accounts failed, 2 usage/config."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from scanner import __version__
from scanner.cli.admin import register as register_admin
from scanner.cli.common import (
    EXIT_ACCOUNTS_FAILED,
    ConfigOption,
    JsonOption,
    console,
    engine_or_exit,
    err_console,
    fail,
    load_config_or_exit,
    print_json,
    setup_logging,
)
from scanner.cli.eval import register as register_eval
from scanner.cli.notify import register as register_notify
from scanner.cli.plugins import register as register_plugins
from scanner.cli.review import register as register_review
from scanner.cli.run import register as register_run
from scanner.errors import ConnectorError
from scanner.records import Post
from scanner.scan.pipeline import Pipeline, ScanSummary

app = typer.Typer(
    help="District post scanner: checks registered school social-media accounts against policy.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Debug logging on stderr."),
    log_json: bool = typer.Option(False, "--log-json", help="Logs as one JSON object per line."),
) -> None:
    setup_logging(verbose, log_json)


@app.command()
def version() -> None:
    """Print the scanner's version."""
    console.print(__version__)


def print_summary(summary: ScanSummary) -> None:
    """The per-account summary table of a scan."""
    table = Table(title=f"Scan {summary.run_id}")
    for col in ("account", "platform", "fetched", "new", "changed", "findings", "status"):
        table.add_column(
            col, justify="right" if col in ("fetched", "new", "changed", "findings") else "left"
        )
    for r in summary.results:
        status = "[green]ok[/]" if r.ok else f"[red]{r.error}[/]"
        if r.notes:
            status += " " + "; ".join(r.notes)
        table.add_row(
            r.account_id,
            r.platform,
            str(r.fetched),
            str(r.posts_new),
            str(r.posts_changed),
            str(r.findings_new),
            status,
        )
    console.print(table)


def run_scan(config: Any, engine: Any, account_ids: list[str] | None, quiet: bool) -> ScanSummary:
    """Build detectors once, scan with a progress bar, return the summary."""
    from scanner.scan.wiring import build_detectors

    with console.status("Loading detectors…", spinner="dots"):
        detectors = build_detectors(config)
    pipeline = Pipeline(config, engine, detectors)
    ids = account_ids or [a.id for a in config.accounts if a.enabled]
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=err_console,
        disable=quiet,
        transient=True,
    ) as progress:
        task = progress.add_task("Scanning accounts", total=len(ids))
        return pipeline.scan(ids, on_account=lambda _r: progress.advance(task))


@app.command()
def scan(
    account: list[str] = typer.Option(None, "--account", "-a", help="Only this account id."),
    config_dir: Path = ConfigOption,
    as_json: bool = JsonOption,
) -> None:
    """One pass over the registered accounts (or only --account ID)."""
    config = load_config_or_exit(config_dir)
    unknown = [a for a in account or [] if a not in {x.id for x in config.accounts}]
    if unknown:
        fail(f"unknown account id {', '.join(unknown)}; see `scanner accounts list`")
    engine = engine_or_exit(config)
    summary = run_scan(config, engine, account or None, quiet=as_json)
    if as_json:
        print_json(summary.to_dict())
    else:
        print_summary(summary)
    if summary.failed:
        raise typer.Exit(EXIT_ACCOUNTS_FAILED)


def post_to_json(post: Post) -> dict[str, Any]:
    """A `Post` as a JSON-ready dict (ISO-8601 datetimes)."""
    out = {k: getattr(post, k) for k in post.__dataclass_fields__}
    for key in ("created_at", "edited_at"):
        if out[key] is not None:
            out[key] = out[key].isoformat()
    out["raw"] = dict(post.raw)
    return out


@app.command()
def fetch(
    platform: str = typer.Option(
        ..., "--platform", "-p", help="reddit, x, facebook, instagram, blog"
    ),
    handle: str = typer.Option(
        ..., "--handle", help="u/NAME, r/NAME, @name, page id, ig user id, or a blog label"
    ),
    replay: Path = typer.Option(None, "--replay", help="Replay this vcrpy cassette (offline)."),
    record: Path = typer.Option(
        None, "--record", help="Record the live traffic to this cassette (secrets filtered)."
    ),
    feed_url: str = typer.Option(None, "--feed-url", help="Feed URL (blog)."),
    limit: int = typer.Option(100, "--limit", help="Posts to take on a first fetch."),
    cursor: str = typer.Option(None, "--cursor", help="Only posts newer than this cursor."),
    config_dir: Path = ConfigOption,
    as_json: bool = typer.Option(False, "--json", help="JSON lines (one Post each)."),
) -> None:
    """Fetch one account and print its posts (JSON lines with --json)."""
    from connectors import CONNECTORS
    from scanner.config.schema import AccountConfig, Contact
    from scanner.errors import RegistryError
    from scanner.scan.wiring import build_connector, replay_context

    if replay is not None and not replay.is_file():
        fail(f"--replay: cassette {replay} not found")
    if replay is not None and record is not None:
        fail("--replay and --record cannot be combined")
    try:
        CONNECTORS.get(platform)
    except RegistryError as exc:
        fail(str(exc))
    config = _config_for_fetch(config_dir)
    person = Contact(name="cli", email="cli@localhost.localdomain")
    account = AccountConfig(
        id=handle.strip("@/").replace("/", "-") or "account",
        platform=platform,
        handle=handle,
        site_name=handle,
        admin_contact=person,
        sponsor=person,
        feed_url=feed_url,
        initial_posts=limit,
    )
    connector = build_connector(config, platform, offline=replay is not None)
    try:
        with replay_context(replay or record, record=record is not None):
            result = connector.fetch(account, cursor, {})
    except ConnectorError as exc:
        fail(f"{platform} {handle}: {type(exc).__name__}: {exc}", EXIT_ACCOUNTS_FAILED)
    if as_json:
        for post in result.posts:
            sys.stdout.write(json.dumps(post_to_json(post), ensure_ascii=False) + "\n")
        return
    table = Table(title=f"{platform} {handle}: {len(result.posts)} posts (cursor {result.cursor})")
    for col in ("created", "id", "text"):
        table.add_column(col)
    for post in result.posts:
        flag = " [deleted]" if post.deleted else (" [edited]" if post.edited_at else "")
        table.add_row(
            post.created_at.isoformat(timespec="minutes"),
            post.external_id,
            post.text[:80].replace("\n", " ") + flag,
        )
    console.print(table)


def _config_for_fetch(config_dir: Path) -> Any:
    """The config when there is one (platform settings); built-in defaults otherwise."""
    from scanner.config.schema import Config, ScannerFile

    if (config_dir / "scanner.yaml").is_file():
        return load_config_or_exit(config_dir)
    return Config(config_dir.resolve(), ScannerFile(version=1), [])


@app.command()
def detect(
    config_dir: Path = ConfigOption,
    input_file: str = typer.Option("-", "--input", "-i", help="JSON-lines file, or - for stdin."),
) -> None:
    """Run the configured detectors on JSON lines {"id","text","platform"?,"account"?,"created_at"?}."""
    from scanner.cli.detect import run_detect

    config = load_config_or_exit(config_dir)
    if input_file == "-":
        stream = sys.stdin.buffer
    else:
        try:
            stream = open(input_file, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            fail(f"--input: cannot read {input_file} ({exc.strerror})")
    try:
        run_detect(config, stream, sys.stdout, err_console)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


@app.command()
def demo(
    config_dir: Path = ConfigOption,
    out: Path = typer.Option(Path("var/demo"), "--out", help="Where the demo writes its files."),
) -> None:
    """The full pipeline offline: bundled config + cassettes → SQLite, .eml files, HTML report."""
    from scanner.cli.demo import run_demo

    code = run_demo(config_dir, out)
    if code:
        raise typer.Exit(code)


for _register in (
    register_admin,
    register_review,
    register_notify,
    register_run,
    register_eval,
    register_plugins,
):
    _register(app)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())

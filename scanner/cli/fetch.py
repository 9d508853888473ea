"""`scanner fetch`: what a connector sees for one account (live, replayed or recorded)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from rich.table import Table

from connectors import CONNECTORS
from scanner.cli.common import (
    ConfigOption,
    ExitCode,
    console,
    err_console,
    fail,
    load_config_or_exit,
    printable,
)
from scanner.config.schema import AccountConfig, Config, Contact, ScannerFile
from scanner.errors import ConnectorError, RegistryError
from scanner.records import Post, PostKind
from scanner.scan.wiring import build_connector, replay_context


def post_to_json(post: Post) -> dict[str, Any]:
    """A `Post` as a JSON-ready dict (ISO-8601 datetimes)."""
    out = {k: getattr(post, k) for k in post.__dataclass_fields__}
    for key in ("created_at", "edited_at"):
        if out[key] is not None:
            out[key] = out[key].isoformat()
    out["raw"] = dict(post.raw)
    return out


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
    allow_http: bool = typer.Option(
        False, "--allow-http", help="Allow a feed over plain http (default: https only)."
    ),
    comments: bool = typer.Option(
        False, "--comments", help="Also fetch comments and replies (printed after the posts)."
    ),
    profile: bool = typer.Option(
        False, "--profile", help="Also read the profile/about text (one more request)."
    ),
    limit: int = typer.Option(100, "--limit", help="Posts to take on a first fetch."),
    cursor: str = typer.Option(None, "--cursor", help="Only posts newer than this cursor."),
    config_dir: Path = ConfigOption,
    as_json: bool = typer.Option(False, "--json", help="JSON lines (one Post each)."),
) -> None:
    """Fetch one account and print its posts (JSON lines with --json)."""

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
    try:
        account = AccountConfig(
            id=handle.strip("@/").replace("/", "-") or "account",
            platform=platform,
            handle=handle,
            site_name=handle,
            admin_contact=person,
            sponsor=person,
            allow_http=allow_http,
            comments=comments,
            profile_disclaimer_counts=profile,
            feed_url=feed_url,
            initial_posts=limit,
        )
    except ValidationError as exc:  # the options as an account: name the option, not a key
        first = exc.errors()[0]
        option = {"feed_url": "--feed-url", "initial_posts": "--limit"}.get(
            str(first["loc"][0]) if first["loc"] else "", "--handle"
        )
        fail(f"{option}: {first['msg'].removeprefix('Value error, ')}")
    connector = build_connector(config, platform, offline=replay is not None)
    try:
        with replay_context(replay or record, record=record is not None):
            result = connector.fetch(account, cursor, {})
    except ConnectorError as exc:
        fail(f"{platform} {handle}: {type(exc).__name__}: {exc}", ExitCode.PARTIAL_FAILURE)
    # posts first, then comments (each group in the connector's order)
    result.posts.sort(key=lambda p: p.kind == PostKind.COMMENT)
    for note in result.notes:
        err_console.print(f"note: {printable(note)}", soft_wrap=True)
    if as_json:
        for post in result.posts:
            sys.stdout.write(json.dumps(post_to_json(post), ensure_ascii=False) + "\n")
        return
    table = Table(title=f"{platform} {handle}: {len(result.posts)} posts (cursor {result.cursor})")
    for col in ("created", "id", "text"):
        table.add_column(col)
    for post in result.posts:
        flag = " [deleted]" if post.deleted else (" [edited]" if post.edited_at else "")
        if post.kind == PostKind.COMMENT:
            flag += f" [comment on {post.parent_external_id}]"
        table.add_row(
            post.created_at.isoformat(timespec="minutes"),
            post.external_id,
            post.text[:80].replace("\n", " ") + flag,
        )
    console.print(table)


def _config_for_fetch(config_dir: Path) -> Any:
    """The config when there is one (platform settings); built-in defaults otherwise."""

    if (config_dir / "scanner.yaml").is_file():
        return load_config_or_exit(config_dir)
    return Config(config_dir.resolve(), ScannerFile(version=1), [])


def register(app: typer.Typer) -> None:
    """Add `fetch` to the app."""
    app.command("fetch")(fetch)

"""`scanner detect`: JSON lines in, one JSON line per finding out; no database, no network."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import typer
from rich.console import Console

from detectors.base import Detector
from scanner.cli.common import (
    ConfigOption,
    ExitCode,
    err_console,
    fail,
    load_config_or_exit,
)
from scanner.config.schema import Config
from scanner.errors import InputError
from scanner.records import Post, bounded_for_detection, kind_and_role
from scanner.scan.wiring import build_detectors, detection_context

BATCH = 1000  # large enough for the PII detector to use both cores


class BadLine(InputError):
    """An input line that cannot be judged; the message never repeats the post text."""


def parse_line(raw: bytes, lineno: int) -> Post | None:
    """One input line as a `Post` (None for blank lines)."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadLine(f"line {lineno}: not valid UTF-8 (byte {exc.start}); skipped") from None
    if not line.strip():
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"line {lineno}: invalid JSON ({exc.msg}); skipped") from None
    except (RecursionError, ValueError):
        raise BadLine(f"line {lineno}: JSON nested too deeply or too large; skipped") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) or "id" not in obj:
        raise BadLine(f'line {lineno}: expected an object with "id" and "text"; skipped')
    created = obj.get("created_at")
    when: datetime | None = None
    if created is not None:
        try:
            when = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
            if when.tzinfo is not None:
                when.astimezone(UTC)  # out-of-range instants fail here, not later
        except (ValueError, OverflowError):
            raise BadLine(f"line {lineno}: created_at is not an ISO-8601 time; skipped") from None
        if when.tzinfo is None:
            raise BadLine(f"line {lineno}: created_at has no time zone; skipped")
    try:
        kind, role = kind_and_role(obj.get("kind"), obj.get("author_role"))
    except ValueError as exc:
        raise BadLine(f"line {lineno}: {exc}; skipped") from None
    return Post(
        platform=str(obj.get("platform") or "unknown"),
        account=str(obj.get("account") or ""),
        external_id=str(obj["id"]),
        url="",
        author=None,
        created_at=(when or datetime.now(UTC)).astimezone(UTC),
        text=bounded_for_detection(obj["text"]),
        raw={"created_at_known": when is not None},
        kind=kind,
        author_role=role,
    )


def _judge(detectors: dict[str, Detector], posts: list[Post], ctx: Any, out: IO[str]) -> None:
    timed = [p for p in posts if p.raw.get("created_at_known")]
    for name, detector in detectors.items():
        batch = [
            p
            for p in (timed if detector.info.needs_created_at else posts)
            if detector.info.judges(p)
        ]
        if not batch:
            continue
        for post, findings in zip(batch, detector.detect_batch(batch, ctx), strict=True):
            for f in findings:
                record = {
                    "post_id": post.external_id,
                    "detector": f.detector or name,
                    "category": f.category,
                    "severity": f.severity,
                    "start": f.start,
                    "end": f.end,
                    "score": round(f.score, 4),
                    "explanation": f.explanation,
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()


def run_detect(config: Config, stream: Iterable[bytes], out: IO[str], err: Console) -> int:
    """Judge every line; bad lines get one error line on stderr and the rest continue."""
    detectors = build_detectors(config)
    ctx = detection_context(config, {})
    batch: list[Post] = []
    bad = 0
    for lineno, raw in enumerate(stream, 1):
        try:
            post = parse_line(raw.rstrip(b"\r\n"), lineno)
        except BadLine as exc:
            err.print(str(exc), markup=False, highlight=False)
            bad += 1
            continue
        if post is not None:
            batch.append(post)
        if len(batch) >= BATCH:
            bad += _judge_safely(detectors, batch, ctx, out, err)
            batch = []
    if batch:
        bad += _judge_safely(detectors, batch, ctx, out, err)
    return bad


def _judge_safely(
    detectors: dict[str, Detector], batch: list[Post], ctx: Any, out: IO[str], err: Console
) -> int:
    """Judge a batch; if a detector fails on it, judge its posts one by one and report the
    ones that still fail (by id and error type only). Returns how many were skipped."""
    try:
        _judge(detectors, batch, ctx, out)
        return 0
    except Exception:
        skipped = 0
        for post in batch:
            try:
                _judge(detectors, [post], ctx, out)
            except Exception as exc:
                err.print(
                    f"post {post.external_id}: a detector failed ({type(exc).__name__}); skipped",
                    markup=False,
                    highlight=False,
                )
                skipped += 1
        return skipped


def detect(
    config_dir: Path = ConfigOption,
    input_file: str = typer.Option("-", "--input", "-i", help="JSON-lines file, or - for stdin."),
) -> None:
    """Run the configured detectors on JSON lines {"id","text","platform"?,"account"?,"created_at"?}."""
    config = load_config_or_exit(config_dir)
    if input_file == "-":
        stream = sys.stdin.buffer
    else:
        try:
            stream = open(input_file, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            fail(f"--input: cannot read {input_file} ({exc.strerror})")
    try:
        skipped = run_detect(config, stream, sys.stdout, err_console)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    if skipped:
        raise typer.Exit(ExitCode.PARTIAL_FAILURE)


def register(app: typer.Typer) -> None:
    """Add `detect` to the app."""
    app.command("detect")(detect)

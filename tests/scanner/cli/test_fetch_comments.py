"""`scanner fetch --comments` on the Reddit, X and blog connectors, replaying the demo cassettes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli.main import app
from tests.support.paths import CASSETTES

runner = CliRunner()
LIBRARY = "https://blogs.mvsd.k12.wa.us/library"

# platform: (handle, extra options, {comment id: parent id}, ids of the posts)
CASES = {
    "reddit": (
        "r/JeffersonRobotics",
        [],
        {
            "t1_m9k2x1": "t3_1r3b7x",
            "t1_m9k1q7": "t1_m9k0z3",
            "t1_m9k0z3": "t3_1r3b7x",
            "t1_m8z7c5": "t3_1qzq4m",
        },
        5,
    ),
    "x": ("@JeffersonHSAthletics", [], None, 5),
    "blog": (
        "library-blog",
        ["--feed-url", f"{LIBRARY}/feed"],
        {
            f"{LIBRARY}/?p=412#comment-87": f"{LIBRARY}/?p=412",
            f"{LIBRARY}/?p=412#comment-88": f"{LIBRARY}/?p=412#comment-87",
        },
        3,
    ),
}


def fetch_lines(platform: str, tmp_path: Path, *extra: str) -> tuple[int, list[dict], str]:
    handle, options, _parents, _posts = CASES[platform]
    cassette = CASSETTES / "demo" / f"{platform}.yaml"
    args = ["fetch", "--platform", platform, "--handle", handle, "--replay", str(cassette)]
    result = runner.invoke(app, [*args, *options, "--json", "--config", str(tmp_path), *extra])
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.exit_code, lines, result.stderr


@pytest.mark.parametrize("platform", list(CASES))
def test_fetch_comments_prints_posts_then_comments(platform, tmp_path):
    _handle, _options, parents, post_count = CASES[platform]
    code, lines, stderr = fetch_lines(platform, tmp_path, "--comments")
    assert code == 0, stderr
    kinds = [line["kind"] for line in lines]
    assert kinds == ["post"] * post_count + ["comment"] * (len(lines) - post_count)
    assert len(lines) > post_count
    assert all(line["parent_external_id"] is None for line in lines[:post_count])
    comments = {line["external_id"]: line for line in lines if line["kind"] == "comment"}
    post_ids = {line["external_id"] for line in lines[:post_count]}
    for comment in comments.values():
        assert comment["parent_external_id"]
        assert comment["thread_external_id"] in post_ids  # every thread hangs under a post
        assert comment["url"].startswith("https://")
    if parents is not None:
        assert {k: v["parent_external_id"] for k, v in comments.items()} == parents
    assert "note:" not in stderr  # every comment request was answered


@pytest.mark.parametrize("platform", list(CASES))
def test_fetch_without_comments_prints_no_comment_lines(platform, tmp_path):
    code, lines, _ = fetch_lines(platform, tmp_path)
    assert code == 0
    assert len(lines) == CASES[platform][3]
    assert {line["kind"] for line in lines} == {"post"}


def test_fetch_comments_on_an_old_cassette_keeps_posts_and_notes(tmp_path):
    """A cassette without the comment request: the posts print, a note says why no comments."""
    cassette = CASSETTES / "reddit" / "first.yaml"
    args = ["fetch", "--platform", "reddit", "--handle", "r/MapleValleyChess"]
    result = runner.invoke(
        app,
        [*args, "--replay", str(cassette), "--json", "--comments", "--config", str(tmp_path)],
    )
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 5 and {line["kind"] for line in lines} == {"post"}
    assert "comments were not read" in result.stderr

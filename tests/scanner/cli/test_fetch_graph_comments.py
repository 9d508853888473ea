"""`scanner fetch --comments` on the Graph API connectors (Facebook page, Instagram), replayed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scanner.cli.main import app
from tests.support.paths import CASSETTES

runner = CliRunner()

CASES = {
    "facebook": (
        "MVChessParents",
        ["104857600099999_5005", "104857600099999_5004", "104857600099999_5001"],
        {"5005_9004": "5005_9001", "5005_9003": "5005_9001", "5005_9001": "104857600099999_5005"},
    ),
    "instagram": (
        "17841400000099999",
        ["18010000000000008", "18010000000000005", "18010000000000001"],
        {
            "17990000000000011": "18010000000000008",
            "17990000000000013": "17990000000000011",
            "17990000000000017": "17990000000000015",
        },
    ),
}


def fetch_lines(platform: str, tmp_path: Path, *extra: str) -> tuple[int, list[dict]]:
    handle = CASES[platform][0]
    cassette = CASSETTES / platform / "comments.yaml"
    args = ["fetch", "--platform", platform, "--handle", handle, "--replay", str(cassette)]
    result = runner.invoke(app, [*args, "--json", "--config", str(tmp_path), *extra])
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.exit_code, lines


@pytest.mark.parametrize("platform", list(CASES))
def test_fetch_comments_prints_posts_then_comments(platform, tmp_path):
    _handle, posts, parents = CASES[platform]
    code, lines = fetch_lines(platform, tmp_path, "--comments")
    assert code == 0
    kinds = [line["kind"] for line in lines]
    assert kinds == sorted(kinds, key=lambda k: k == "comment")  # posts, then comments
    assert [line["external_id"] for line in lines if line["kind"] == "post"] == posts
    assert all(line["parent_external_id"] is None for line in lines if line["kind"] == "post")
    comments = {line["external_id"]: line for line in lines if line["kind"] == "comment"}
    for comment_id, parent in parents.items():
        assert comments[comment_id]["parent_external_id"] == parent
        assert comments[comment_id]["thread_external_id"] == posts[0]
    roles = {line["author_role"] for line in comments.values()}
    assert roles == {"account", "other"}  # the account's own replies are told apart


@pytest.mark.parametrize("platform", list(CASES))
def test_fetch_without_comments_is_unchanged(platform, tmp_path):
    code, lines = fetch_lines(platform, tmp_path)
    assert code == 0
    assert [line["external_id"] for line in lines] == CASES[platform][1]
    assert {line["kind"] for line in lines} == {"post"}

"""`scanner detect` as DESIGN.md specifies it: JSON lines in, one line per finding out."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from scanner.cli.main import app
from tests.support.paths import CONFIG

DISCLAIMER = "Information may change. For official information visit mvsd.k12.wa.us."
runner = CliRunner()

# every test runs `scanner detect`, which builds the real detectors (spaCy + Presidio)
pytestmark = pytest.mark.slow


def detect(stdin: bytes) -> tuple[list[dict], str, int]:
    result = runner.invoke(app, ["detect", "--config", str(CONFIG)], input=stdin)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return lines, result.stderr, result.exit_code


@pytest.fixture(scope="module")
def outcome() -> tuple[list[dict], str, int]:
    posts = [
        {
            "id": "p1",
            "text": f"Congrats to Maya Chen (Grade 11) on the robotics award! {DISCLAIMER}",
        },
        {"id": "p2", "text": "Bake sale Friday in the gym!"},
        {"id": "p3", "text": f"Great job by Mrs. Parker organizing homecoming. {DISCLAIMER}"},
        {"id": "p4", "text": f"Game tonight! {DISCLAIMER}", "created_at": "2026-10-06T17:30:00Z"},
        {"id": "p5", "text": f"Early post! {DISCLAIMER}"},
    ]
    data = b"".join(json.dumps(p).encode() + b"\n" for p in posts[:2])
    data += b'{"id": "bad", "text": "\xff\xfe broken"}\n' + b"not json\n" + b'{"text": "no id"}\n'
    data += b"".join(json.dumps(p).encode() + b"\n" for p in posts[2:])
    return detect(data)


def test_one_json_line_per_finding_with_the_contract_fields(outcome) -> None:
    lines, _, code = outcome
    assert code == 1  # three lines were skipped: a partial failure (issue 13 item 8)
    assert lines, "expected findings"
    for line in lines:
        assert set(line) == {
            "post_id",
            "detector",
            "category",
            "severity",
            "start",
            "end",
            "score",
            "explanation",
        }


def test_student_name_found_and_explained_without_the_value(outcome) -> None:
    lines, _, _ = outcome
    names = [x for x in lines if x["post_id"] == "p1" and x["category"] == "STUDENT_NAME"]
    assert names and names[0]["detector"] == "student_pii"
    text = "Congrats to Maya Chen (Grade 11)"
    assert text[names[0]["start"] : names[0]["end"]] == "Maya Chen"
    assert "Maya" not in names[0]["explanation"] and "Chen" not in names[0]["explanation"]


def test_missing_disclaimer_and_no_line_for_clean_posts(outcome) -> None:
    lines, _, _ = outcome
    assert {x["post_id"] for x in lines if x["detector"] == "disclaimer"} == {"p2"}
    assert not [x for x in lines if x["post_id"] in ("p3", "p5")]


def test_posting_time_only_when_created_at_is_given(outcome) -> None:
    lines, _, _ = outcome
    timed = [x for x in lines if x["detector"] == "posting_time"]
    assert [x["post_id"] for x in timed] == ["p4"]  # Tue 10:30 in Los Angeles
    assert timed[0]["severity"] == "low"


def test_bad_lines_get_an_error_and_the_rest_continue(outcome) -> None:
    lines, stderr, code = outcome
    assert code == 1  # partial failure: some lines were skipped
    assert "line 3: not valid UTF-8" in stderr
    assert "line 4: invalid JSON" in stderr
    assert 'line 5: expected an object with "id" and "text"' in stderr
    assert "broken" not in stderr
    assert any(x["post_id"] == "p4" for x in lines)  # lines after the bad ones were judged


@pytest.mark.parametrize(
    "text",
    ["", "\u200b\u200f\u202e 🎉🎉", "مرحبا بالطلاب", "word " * 20_000],
    ids=["empty", "zero-width-rtl-emoji", "arabic", "100KB"],
)
def test_awkward_text_does_not_break_detection(text: str) -> None:
    lines, stderr, code = detect(json.dumps({"id": "x", "text": text}).encode() + b"\n")
    assert code == 0 and "Traceback" not in stderr
    assert all(x["post_id"] == "x" for x in lines)
    assert {x["detector"] for x in lines} <= {"disclaimer", "student_pii"}
    assert any(x["detector"] == "disclaimer" for x in lines)  # none of them carries one


HOSTILE = {  # the line, and the exit code: 1 when the line had to be skipped
    "deeply nested JSON": (b"[" * 200_000 + b"\n", 1),
    "out-of-range created_at": (
        b'{"id": "t", "text": "hi", "created_at": "0001-01-01T00:00:00+14:00"}\n',
        1,
    ),
    "lone surrogate": (b'{"id": "s", "text": "\\ud800 Congrats to Maya Chen (Grade 7)!"}\n', 0),
    "10 MB of text": (json.dumps({"id": "big", "text": "word " * 2_000_000}).encode() + b"\n", 0),
}


@pytest.mark.parametrize(("line", "code"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_line_never_stops_the_lines_after_it(line: bytes, code: int) -> None:
    """Issue 13 item 8: no traceback, the next line is still judged, skipped lines exit 1."""
    after = json.dumps({"id": "after", "text": "Congrats to Maya Chen (Grade 7)!"}).encode()
    lines, err, exit_code = detect(line + after + b"\n")
    assert "Traceback" not in err
    assert any(f["post_id"] == "after" and f["category"] == "STUDENT_NAME" for f in lines)
    assert exit_code == code


def test_comments_by_others_get_the_pii_check_but_not_the_accounts_own_rules() -> None:
    """Issue 15: `kind` and `author_role` per line; the disclaimer and posting-time rules bind
    the account's own posts, the student-PII check applies to anyone's comment."""
    text = "my daughter Emma Ruiz in Ms. Lee's 3rd grade can't wait"
    during_class = "2026-10-06T17:30:00Z"  # a Tuesday, 10:30 in Maple Valley
    lines = [
        {"id": "c1", "text": text, "kind": "comment", "created_at": during_class},
        {"id": "p1", "text": text, "created_at": during_class},
        {"id": "c2", "text": text, "kind": "comment", "author_role": "account"},
        {"id": "bad", "text": text, "kind": "story"},
    ]
    found, stderr, code = detect(b"".join(json.dumps(x).encode() + b"\n" for x in lines))
    by_post: dict[str, set[str]] = {}
    for f in found:
        by_post.setdefault(f["post_id"], set()).add(f["detector"])
    assert by_post["c1"] == {"student_pii"}
    assert {"student_pii", "disclaimer", "posting_time"} <= by_post["p1"]
    assert by_post["c2"] == {"student_pii"}  # the account's reply: no disclaimer demanded
    assert "bad" not in by_post and 'line 4: kind is not "post" or "comment"' in stderr
    assert code == 1

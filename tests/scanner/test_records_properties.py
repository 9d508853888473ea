"""Property-based checks (hypothesis) of what hostile text can do at the boundaries (issue 13):
any text a platform sends becomes a storable, scannable post, the detectors' view keeps offsets,
and `scanner detect` input lines either parse or fail with a one-line `BadLine`."""

from __future__ import annotations

import json
import string
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.blog import html_to_text
from scanner.cli.detect import BadLine, parse_line
from scanner.records import MAX_DETECT_CHARS, MAX_RUN, Post, bounded_for_detection, clean_text

ANY_TEXT = st.text(st.characters(codec=None, blacklist_categories=()), max_size=2_000)
SURROGATE_TEXT = st.text(
    st.one_of(st.characters(), st.sampled_from(["\ud800", "\udfff", "\x00", "\x1b", "\x7f"])),
    max_size=500,
)


@given(SURROGATE_TEXT)
def test_any_platform_text_becomes_a_clean_storable_post(text: str) -> None:
    post = Post("x", "a", "1", "u", None, datetime.now(UTC), text, raw={"t": text})
    assert "\x00" not in post.text and "\x1b" not in post.text
    post.text.encode("utf-8")  # no lone surrogate left: every database and library accepts it
    json.dumps(post.raw).encode("utf-8")
    assert clean_text(post.text) == post.text  # idempotent


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=50)
@given(st.text(alphabet="(x)🎉 \n", min_size=0, max_size=3_000))
def test_the_detectors_view_keeps_offsets_and_has_no_long_runs(text: str) -> None:
    view = bounded_for_detection(text)
    assert len(view) == min(len(text), MAX_DETECT_CHARS)
    assert all(a == b or a == " " for a, b in zip(view, text, strict=False))
    assert all(len(run) <= MAX_RUN for run in view.split())


@given(st.binary(max_size=400))
def test_any_detect_input_line_parses_or_is_one_bad_line(raw: bytes) -> None:
    try:
        parse_line(raw, 7)
    except BadLine as exc:
        assert str(exc).startswith("line 7: ") and "\n" not in str(exc)


@given(SURROGATE_TEXT)
def test_any_json_object_line_with_hostile_fields(text: str) -> None:
    line = json.dumps({"id": text, "text": text, "created_at": text, "platform": text})
    try:
        post = parse_line(line.encode("utf-8", "surrogatepass"), 1)
    except BadLine:
        return
    assert post is None or "\x00" not in post.text


@given(ANY_TEXT)
def test_blog_html_to_text_never_raises_and_leaves_no_tags(fragment: str) -> None:
    text = html_to_text(f"<p>{fragment}</p><script>var x = '<b>';</script>")
    assert "var x" not in text  # script content is never part of what readers see


@given(st.text(alphabet=string.ascii_letters + string.digits + " \t\n.,!?", max_size=300))
def test_blog_html_to_text_keeps_plain_words(fragment: str) -> None:
    assert html_to_text(fragment).split() == fragment.split()

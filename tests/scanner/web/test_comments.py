"""Findings on comments say so in the review queue and on the finding page (issue 15)."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, select
from starlette.testclient import TestClient

from scanner.store import tables
from tests.scanner.web.conftest import Site, reload
from tests.support.review import pipeline


def test_a_finding_on_someone_elses_comment_says_so(
    site: Site, as_role: Callable[[str], tuple[TestClient, str]]
) -> None:
    site.feed.put(
        "acct-0",
        "c1",
        "my daughter Emma Johnson can't wait",
        kind="comment",
        parent_external_id="p0",
        thread_external_id="p0",
        author_role="other",
    )
    pipeline(reload(site), site.engine, site.feed).scan()
    with Session(site.engine) as s:
        finding = s.exec(
            select(tables.FindingRow).join(tables.PostRow).where(tables.PostRow.external_id == "c1")
        ).first()
    assert finding is not None
    client, _ = as_role("privacy_officer")
    queue = client.get("/findings").text
    assert queue.count("in a comment by someone else") == 1
    page = client.get(f"/findings/{finding.id}").text
    assert "<dt>Comment</dt>" in page and "a comment by someone else" in page

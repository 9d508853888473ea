"""Self-harm findings reach the privacy officer and every admin at once (a category the
detector declares urgent); `scanner eval` scores category-list corpora per category."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

from detectors.acceptable_use import AcceptableUseDetector, AcceptableUseSettings
from detectors.base import Detector
from scanner.config.loader import load_config
from scanner.records import District, Severity
from scanner.scan.evaluate import ALL, evaluate, load_corpus
from scanner.scan.routing import routes_for
from tests.support.config import write_config

OFFICER = "privacy@mvsd.k12.wa.us"
SPONSOR = "sponsor0@mvsd.k12.wa.us"
NOTIFICATIONS = """\
notifications:
  immediate_severities: [high]
  admin_cc: {high: [principal@mvsd.k12.wa.us], low: [Supt@mvsd.k12.wa.us]}
  recipients:
    privacy@mvsd.k12.wa.us: {immediate_severities: [], digest: false}
"""


def routes(tmp_path: Path, category: str, severity: Severity) -> dict[str, tuple[str, str]]:
    config = load_config(write_config(tmp_path, scanner_extra=NOTIFICATIONS))
    info = AcceptableUseDetector.info
    found = routes_for(
        config,
        config.accounts[0],
        severity,
        privacy_officer=info.privacy_officer,
        urgent=category in info.urgent_categories,
    )
    return {r.recipient: (r.role, r.delivery) for r in found}


def test_self_harm_goes_at_once_to_officer_and_every_admin(tmp_path: Path) -> None:
    assert routes(tmp_path, "self_harm", Severity.HIGH) == {
        SPONSOR: ("sponsor", "immediate"),
        OFFICER: ("privacy_officer", "immediate"),  # despite the officer's own preferences
        "principal@mvsd.k12.wa.us": ("admin_cc", "immediate"),
        "supt@mvsd.k12.wa.us": ("admin_cc", "immediate"),
    }


def test_other_categories_route_as_before(tmp_path: Path) -> None:
    assert routes(tmp_path, "profanity", Severity.LOW) == {
        SPONSOR: ("sponsor", "digest"),
        "supt@mvsd.k12.wa.us": ("admin_cc", "digest"),
    }
    assert routes(tmp_path, "threat", Severity.HIGH) == {
        SPONSOR: ("sponsor", "immediate"),
        "principal@mvsd.k12.wa.us": ("admin_cc", "immediate"),
    }


def test_eval_scores_each_category_at_post_level(tmp_path: Path) -> None:
    lines = [
        {"id": 1, "text": "you're such a loser", "acceptable_use": ["harassment"]},
        {"id": 2, "text": "we killed it at the meet", "acceptable_use": []},
        {"id": 3, "text": "i want to die", "acceptable_use": ["self_harm"]},
        {"id": 4, "text": "hello", "acceptable_use": ["threat"]},
        {"id": 5, "text": "damn", "acceptable_use": []},
        {"id": 6, "text": "bad", "acceptable_use": "threat"},
    ]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines))
    records, errors = load_corpus(path, (), ("acceptable_use",))
    assert len(records) == 5 and "must be a list of category names" in errors[0]
    detector = AcceptableUseDetector(AcceptableUseSettings(), District())
    # Settings is a subclass there: mypy's protocol check wants the base exactly (as for others)
    detectors = {"acceptable_use": cast(Detector, detector)}
    report = evaluate(records, detectors, vanilla_model=None)
    table = report.labels["acceptable_use"]
    assert (table["harassment"].tp, table["harassment"].fp) == (1, 0)
    assert (table["threat"].fn, table["threat"].misses) == (1, ["4"])
    assert (table["profanity"].fp, table["profanity"].misses) == (1, ["5"])
    assert (table[ALL].tp, table[ALL].fp, table[ALL].fn, table[ALL].tn) == (2, 1, 1, 1)
    assert report.to_dict()["acceptable_use"]["self_harm"]["recall"] == 1.0

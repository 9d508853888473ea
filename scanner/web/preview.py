"""The detector-settings "preview": `scanner eval` on the configured labelled corpora, with the
saved settings and with the edited ones, so an admin sees the change before saving it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from detectors import DETECTORS
from scanner.config.problems import problems_from_validation
from scanner.config.schema import SCANNER_FILE, Config
from scanner.errors import ConfigError, Problem
from scanner.scan.evaluate import ALL, EvalReport, evaluate, load_corpus
from scanner.scan.wiring import build_detectors


@dataclass
class Preview:
    """Before/after figures for one detector: rows of (figure, before, after)."""

    detector: str
    records: int
    rows: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def settings_for(name: str, block: dict[str, Any]) -> Any:
    """The detector's Settings from a block; ConfigError with the loader's problem lines."""
    cls = DETECTORS.get(name)
    try:
        return cls.Settings.model_validate(block)
    except ValidationError as exc:
        raise ConfigError(
            problems_from_validation(exc, SCANNER_FILE, cls.Settings, ["detectors", name])
        ) from None


def corpus(config: Config, flag_fields: list[str]) -> tuple[list[dict], list[str]]:
    """The records of every configured corpus (console.eval_corpora), and their load errors."""
    records: list[dict] = []
    errors: list[str] = []
    for path in config.scanner.console.eval_corpora:
        resolved = config.resolve(path)
        if not resolved.is_file():
            errors.append(f"console.eval_corpora: {path} not found")
            continue
        recs, errs = load_corpus(resolved, flag_fields)
        records += recs
        errors += errs[:5]
    return records, errors


def _figures(report: EvalReport, name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    if name in report.pii:
        m = report.pii[name][ALL]
        out |= {
            "span recall": f"{m.recall:.3f}",
            "span precision": f"{m.precision:.3f}",
            "span F2": f"{m.f2:.3f}",
            "post recall": f"{m.post_recall:.3f}",
        }
    if name in report.flags:
        d = report.flags[name]
        out |= {
            "accuracy": f"{d.accuracy:.3f}",
            "precision": f"{d.precision:.3f}",
            "recall": f"{d.recall:.3f}",
            "missed (FN)": str(d.fn),
            "false alarms (FP)": str(d.fp),
        }
    return out


def run_preview(config: Config, name: str, block: dict[str, Any]) -> Preview:
    """Evaluate detector `name` with its saved and with the edited settings."""
    if name not in DETECTORS.names():
        raise ConfigError([Problem(SCANNER_FILE, f"detectors.{name}", "unknown detector")])
    after_settings = settings_for(name, block)
    before_settings = config.detectors.get(name) or settings_for(name, {})
    info = DETECTORS.get(name).info
    records, errors = corpus(config, [info.eval_flag_field] if info.eval_flag_field else [])
    preview = Preview(detector=name, records=len(records), notes=errors)
    if not records:
        preview.notes.append("no labelled corpus configured (console.eval_corpora in scanner.yaml)")
        return preview
    figures = []
    for settings in (before_settings, after_settings):
        enabled = settings.model_copy(update={"enabled": True})
        detectors = build_detectors(dataclasses.replace(config, detectors={name: enabled}))
        figures.append(_figures(evaluate(records, detectors, vanilla_model=None), name))
    before, after = figures
    preview.rows = [(k, before.get(k, ""), after.get(k, "")) for k in before]
    if not preview.rows:
        preview.notes.append(f"the corpora have no labels {name} is scored on")
    return preview

"""`scanner plugins`: the connectors and detectors this installation knows, and where they come from."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from connectors import CONNECTORS
from detectors import DETECTORS
from scanner.cli.common import JsonOption, console, fail, print_json
from scanner.errors import RegistryError
from scanner.plugins import Registry


def _rows(registry: Registry) -> list[dict[str, Any]]:
    rows = []
    for name in registry.names():
        cls = registry.get(name)
        info = cls.info
        rows.append(
            {
                "kind": registry.kind,
                "name": name,
                "source": "built-in"
                if name in registry.builtin
                else f"entry point {registry.group}",
                "target": registry.targets[name],
                "describes": getattr(info, "label", None) or getattr(info, "policy_item", ""),
            }
        )
    return rows


def plugins_cmd(as_json: bool = JsonOption) -> None:
    """List the installed connectors and detectors (built-in and entry points)."""
    try:
        rows = _rows(CONNECTORS) + _rows(DETECTORS)
    except (RegistryError, ImportError, AttributeError) as exc:
        fail(f"plugins: {type(exc).__name__}: {exc}")
    if as_json:
        print_json(rows)
        return
    table = Table(title="Plugins")
    for col in ("kind", "name", "source", "target", "describes"):
        table.add_column(col)
    for row in rows:
        table.add_row(*(str(row[k]) for k in ("kind", "name", "source", "target", "describes")))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add `plugins` to the app."""
    app.command("plugins")(plugins_cmd)

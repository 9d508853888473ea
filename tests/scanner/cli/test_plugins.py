"""`scanner plugins`: the built-in connectors and detectors, entry points, and duplicate names."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib.metadata import EntryPoint

import pytest
from typer.testing import CliRunner

from connectors import CONNECTORS
from detectors import DETECTORS
from scanner import plugins
from scanner.cli import plugins as cli_plugins
from scanner.cli.main import app
from scanner.errors import RegistryError
from scanner.plugins import Registry

BUILT_IN = {
    ("platform", "reddit"): "connectors.reddit:RedditConnector",
    ("platform", "x"): "connectors.x:XConnector",
    ("platform", "facebook"): "connectors.facebook:FacebookConnector",
    ("platform", "instagram"): "connectors.instagram:InstagramConnector",
    ("platform", "blog"): "connectors.blog:BlogConnector",
    ("detector", "student_pii"): "detectors.pii:StudentPiiDetector",
    ("detector", "disclaimer"): "detectors.disclaimer:DisclaimerDetector",
    ("detector", "posting_time"): "detectors.posting_time:PostingTimeDetector",
    ("detector", "acceptable_use"): "detectors.acceptable_use:AcceptableUseDetector",
}


def entry_points_of(known: str, *eps: tuple[str, str]) -> Callable[..., list[EntryPoint]]:
    """A stand-in for `importlib.metadata.entry_points`: `eps` (name, target) in group `known`."""

    def entry_points(*, group: str) -> list[EntryPoint]:
        return [EntryPoint(name, value, group) for name, value in eps] if group == known else []

    return entry_points


def plugins_json() -> tuple[int, list[dict], str]:
    result = CliRunner().invoke(app, ["plugins", "--json"])
    rows = json.loads(result.stdout) if result.exit_code == 0 else []
    return result.exit_code, rows, result.stderr


def test_plugins_json_lists_the_built_in_connectors_and_detectors() -> None:
    code, rows, _ = plugins_json()
    assert code == 0
    built_in = {(r["kind"], r["name"]): r for r in rows if r["source"] == "built-in"}
    assert {key: r["target"] for key, r in built_in.items()} == BUILT_IN
    # built-ins first, in their registry order: five connectors, then four detectors
    assert [(r["kind"], r["name"]) for r in rows[: len(BUILT_IN)]] == list(BUILT_IN)
    assert all(r["describes"] for r in built_in.values())
    assert all(set(r) == {"kind", "name", "source", "target", "describes"} for r in rows)


def test_an_entry_point_is_listed_with_its_group(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = Registry("detector", "scanner.detectors", DETECTORS.builtin)
    monkeypatch.setattr(
        plugins,
        "entry_points",
        entry_points_of(
            "scanner.detectors", ("house_rules", "detectors.disclaimer:DisclaimerDetector")
        ),
    )
    monkeypatch.setattr(cli_plugins, "DETECTORS", registry)
    code, rows, _ = plugins_json()
    assert code == 0
    [row] = [r for r in rows if r["name"] == "house_rules"]
    assert row["kind"] == "detector" and row["source"] == "entry point scanner.detectors"
    assert row["target"] == "detectors.disclaimer:DisclaimerDetector"


@pytest.mark.parametrize(
    ("group", "builtin", "eps"),
    [
        (  # a plugin that takes a built-in's name
            "scanner.detectors",
            DETECTORS.builtin,
            [("student_pii", "thirdparty.pii:Detector")],
        ),
        (  # two plugins with one name
            "scanner.connectors",
            CONNECTORS.builtin,
            [("mastodon", "one.masto:Connector"), ("mastodon", "two.masto:Connector")],
        ),
    ],
    ids=["shadows-a-built-in", "two-entry-points"],
)
def test_a_name_registered_twice_is_a_registry_error(
    monkeypatch: pytest.MonkeyPatch, group: str, builtin: dict[str, str], eps: list
) -> None:
    monkeypatch.setattr(plugins, "entry_points", entry_points_of(group, *eps))
    registry = Registry("plugin", group, builtin)
    name = eps[-1][0]
    with pytest.raises(RegistryError, match=f"'{name}' is registered twice"):
        registry.names()
    with pytest.raises(RegistryError):
        registry.get(name)


def test_plugins_command_exits_2_on_a_duplicate_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        plugins, "entry_points", entry_points_of("scanner.detectors", ("disclaimer", "x.y:Z"))
    )
    monkeypatch.setattr(
        cli_plugins, "DETECTORS", Registry("detector", "scanner.detectors", DETECTORS.builtin)
    )
    code, _, stderr = plugins_json()
    assert code == 2
    assert "RegistryError" in stderr and "'disclaimer' is registered twice" in stderr
    assert "Traceback" not in stderr

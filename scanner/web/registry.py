"""Editing accounts.yaml and a detector block of scanner.yaml from the console.

A change is validated exactly as `scanner config check` / `scanner accounts add` validate it
(`load_config` with the same registry checks) before anything is written; the file is replaced
atomically and its comments are kept (ruamel.yaml).
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from scanner.config.loader import AccountsCheck, load_config
from scanner.config.schema import ACCOUNTS_FILE, SCANNER_FILE
from scanner.errors import ConfigError, Problem

FIELDS = (
    "id",
    "platform",
    "handle",
    "site_name",
    "school",
    "admin_name",
    "admin_email",
    "sponsor_name",
    "sponsor_email",
    "feed_url",
    "interval",
    "cron",
)


def _yaml() -> YAML:
    y = YAML()
    y.preserve_quotes = True
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _atomic_write(path: Path, data: Any) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".yaml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            _yaml().dump(data, fh)
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ConfigError([Problem(path.name, "", f"cannot write ({exc.strerror})")]) from None


def entry_from_form(form: dict[str, str], existing: dict[str, Any] | None = None) -> dict[str, Any]:
    """An accounts.yaml entry from the form's fields (keys the form does not show are kept)."""
    entry: dict[str, Any] = dict(existing or {})
    for key in ("id", "platform", "handle", "site_name", "school"):
        entry[key] = form.get(key, "").strip()
    entry["admin_contact"] = {
        "name": form.get("admin_name", "").strip(),
        "email": form.get("admin_email", "").strip(),
    }
    entry["sponsor"] = {
        "name": form.get("sponsor_name", "").strip(),
        "email": form.get("sponsor_email", "").strip(),
    }
    for key in ("feed_url", "interval", "cron"):
        value = form.get(key, "").strip()
        if value:
            entry[key] = value
        else:
            entry.pop(key, None)
    return entry


def form_from_entry(entry: dict[str, Any]) -> dict[str, str]:
    """The form's fields for an accounts.yaml entry."""
    admin, sponsor = entry.get("admin_contact") or {}, entry.get("sponsor") or {}
    out = {k: str(entry.get(k) or "") for k in ("id", "platform", "handle", "site_name", "school")}
    out |= {
        "admin_name": str(admin.get("name") or ""),
        "admin_email": str(admin.get("email") or ""),
        "sponsor_name": str(sponsor.get("name") or ""),
        "sponsor_email": str(sponsor.get("email") or ""),
    }
    out |= {k: str(entry.get(k) or "") for k in ("feed_url", "interval", "cron")}
    return out


def read_accounts(config_dir: Path) -> Any:
    """accounts.yaml as ruamel data (comments kept)."""
    data = _yaml().load((config_dir / ACCOUNTS_FILE).read_text(encoding="utf-8"))
    if data.get("accounts") is None:
        data["accounts"] = []
    return data


def change_accounts(
    config_dir: Path, change: Callable[[Any], None], checks: Sequence[AccountsCheck]
) -> None:
    """Apply `change` to accounts.yaml's data; write it only if the result validates."""
    data = read_accounts(config_dir)
    change(data["accounts"])
    load_config(config_dir, checks=checks, accounts_data=data)  # ConfigError: nothing written
    _atomic_write(config_dir / ACCOUNTS_FILE, data)


def field_problems(problems: Sequence[Problem], index: int) -> dict[str, list[str]]:
    """Problems about accounts[index] by form field ("" for the rest)."""
    prefix = f"accounts[{index}]"
    out: dict[str, list[str]] = {}
    for p in problems:
        key = ""
        if p.file == ACCOUNTS_FILE and p.path.startswith(prefix):
            rest = p.path[len(prefix) :].lstrip(".")
            key = {
                "admin_contact.name": "admin_name",
                "admin_contact.email": "admin_email",
                "sponsor.name": "sponsor_name",
                "sponsor.email": "sponsor_email",
            }.get(rest, rest.split(".")[0])
            key = key if key in FIELDS else ""
        text = (p.problem + (f"; expected {p.expected}" if p.expected else "")) if key else str(p)
        out.setdefault(key, []).append(text)
    return out


def read_detector_block(config_dir: Path, name: str) -> str:
    """The `detectors.<name>` block of scanner.yaml as YAML text."""
    data = _yaml().load((config_dir / SCANNER_FILE).read_text(encoding="utf-8"))
    block = (data.get("detectors") or {}).get(name) or {}
    buf = io.StringIO()
    _yaml().dump(block, buf)
    text = buf.getvalue()
    return "" if text.strip() in ("{}", "") else text


def parse_block(text: str) -> dict[str, Any]:
    """A detector block typed into the form; ConfigError when it is not a YAML mapping."""
    try:
        value = YAML(typ="safe").load(text or "{}")
    except Exception as exc:  # ruamel raises many types for bad YAML
        first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise ConfigError(
            [Problem(SCANNER_FILE, "detectors", f"not valid YAML ({first})")]
        ) from None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError([Problem(SCANNER_FILE, "detectors", "not a mapping", "key: value lines")])
    return value


def write_detector_block(
    config_dir: Path, name: str, block: dict[str, Any], checks: Sequence[AccountsCheck]
) -> None:
    """Replace `detectors.<name>` in scanner.yaml; restored if the folder no longer validates."""
    path = config_dir / SCANNER_FILE
    before = path.read_text(encoding="utf-8")
    data = _yaml().load(before)
    if data.get("detectors") is None:
        data["detectors"] = {}
    data["detectors"][name] = block
    _atomic_write(path, data)
    try:
        load_config(config_dir, checks=checks)
    except ConfigError:
        fd, tmp = tempfile.mkstemp(prefix=".scanner-", suffix=".yaml", dir=config_dir)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(before)
        os.replace(tmp, path)
        raise

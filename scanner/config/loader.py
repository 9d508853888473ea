"""Loading a config folder: YAML files parsed strictly, plugin settings and district CSVs validated.

Every problem is collected and reported at once (`ConfigError`). Loading reads files only; it never
writes anything.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from connectors import CONNECTORS
from detectors import DETECTORS
from scanner.config.district import load_district_csvs
from scanner.config.problems import problems_from_validation
from scanner.config.schema import (
    ACCOUNTS_FILE,
    SCANNER_FILE,
    AccountConfig,
    AccountsFile,
    Config,
    ScannerFile,
)
from scanner.errors import ConfigError, Problem
from scanner.records import District
from scanner.secrets import Secret

if TYPE_CHECKING:
    _SafeLoader = yaml.SafeLoader
else:  # libyaml: 10× faster
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SafeLoader):
    """SafeLoader that rejects duplicate mapping keys instead of silently keeping the last."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path, problems: list[Problem]) -> dict[str, Any] | None:
    """Parse one YAML file into a mapping, recording a problem instead of raising."""
    if not path.is_file():
        problems.append(Problem(path.name, "", "file not found", f"a file at {path}"))
        return None
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except UnicodeDecodeError:
        problems.append(Problem(path.name, "", "not valid UTF-8 text", "a UTF-8 YAML file"))
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(Problem(path.name, where, f"malformed YAML ({what})", "valid YAML"))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(path.name, "", "the file is not a mapping", "`version: 1` etc."))
        return None
    return data


def _validate_plugins(
    kind: str, registry: Any, blocks: dict[str, Any], problems: list[Problem]
) -> dict[str, Any]:
    """Validate `platforms.<name>` / `detectors.<name>` blocks against each plugin's Settings."""
    settings: dict[str, Any] = {}
    names = registry.names()
    for name in names if kind == "detectors" else blocks:
        if name not in names:
            problems.append(
                Problem(
                    SCANNER_FILE, f"{kind}.{name}", "unknown name", f"one of {', '.join(names)}"
                )
            )
            continue
        block = blocks.get(name) or {}
        try:
            cls = registry.get(name)
        except ImportError as exc:  # a plugin whose module is broken or not installed
            problems.append(Problem(SCANNER_FILE, f"{kind}.{name}", f"cannot load ({exc})", ""))
            continue
        try:
            settings[name] = cls.Settings.model_validate(block)
        except ValidationError as exc:
            problems.extend(problems_from_validation(exc, SCANNER_FILE, cls.Settings, [kind, name]))
    for name in blocks:
        if kind == "detectors" and name not in names:
            problems.append(
                Problem(
                    SCANNER_FILE, f"{kind}.{name}", "unknown name", f"one of {', '.join(names)}"
                )
            )
    return settings


def _check_accounts(cfg_dir: Path, accounts: list[AccountConfig], problems: list[Problem]) -> None:
    seen: dict[str, int] = {}
    platforms = CONNECTORS.names()
    for i, account in enumerate(accounts):
        where = f"accounts[{i}]"
        if account.id in seen:
            problems.append(
                Problem(
                    ACCOUNTS_FILE,
                    f"{where}.id",
                    f"duplicate account id {account.id!r}",
                    f"ids unique (first used at accounts[{seen[account.id]}])",
                )
            )
        seen.setdefault(account.id, i)
        if account.platform not in platforms:
            problems.append(
                Problem(
                    ACCOUNTS_FILE,
                    f"{where}.platform",
                    f"unknown platform {account.platform!r}",
                    f"one of {', '.join(platforms)}",
                )
            )
        else:
            info = CONNECTORS.get(account.platform).info
            for key in info.required_account_fields:
                if not getattr(account, key, None):
                    problems.append(
                        Problem(
                            ACCOUNTS_FILE,
                            f"{where}.{key}",
                            f"missing for {account.platform} accounts",
                            f"the {key.replace('_', ' ')}",
                        )
                    )
        if account.replay and not (cfg_dir / account.replay).is_file():
            problems.append(
                Problem(
                    ACCOUNTS_FILE,
                    f"{where}.replay",
                    f"cassette {account.replay} not found",
                    "a path relative to the config folder",
                )
            )


def _without_bad_keys(raw: dict[str, Any], exc: ValidationError) -> ScannerFile | None:
    """scanner.yaml with the top-level keys that failed validation left at their defaults, so
    that one schema error does not hide the detector, platform and CSV problems; None when
    that is not valid either (a required key is missing or wrong)."""
    bad = {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
    try:
        return ScannerFile.model_validate({k: v for k, v in raw.items() if k not in bad})
    except ValidationError:
        return None


STATE_ENV = "SCANNER_STATE_DIR"


def state_dir_for(cfg_dir: Path, scanner_file: ScannerFile | None, *, environ: bool = True) -> Path:
    """The state folder: $SCANNER_STATE_DIR (when `environ`), else `state_dir` from
    scanner.yaml (relative to the config folder), else `var/` inside the config folder."""
    chosen = os.environ.get(STATE_ENV) if environ else None
    if not chosen and scanner_file is not None and scanner_file.state_dir:
        chosen = scanner_file.state_dir
    path = Path(chosen).expanduser() if chosen else Path("var")
    return (path if path.is_absolute() else cfg_dir / path).resolve()


#: An extra check of the registry by a higher layer (e.g. crontab expressions by the scheduler).
AccountsCheck = Callable[[Sequence[AccountConfig]], list[Problem]]


def load_config(
    config_dir: Path | str = "config",
    *,
    checks: Sequence[AccountsCheck] = (),
    accounts_data: Mapping[str, Any] | None = None,
) -> Config:
    """Load and validate a config folder; raises `ConfigError` listing every problem.

    `checks` run on the parsed accounts and add their problems to the same report;
    `accounts_data` stands in for accounts.yaml (to validate a change before writing it).
    """
    cfg_dir = Path(config_dir).resolve()
    problems: list[Problem] = []
    if not cfg_dir.is_dir():
        raise ConfigError([Problem(str(config_dir), "", "config folder not found", "a folder")])
    raw_scanner = read_yaml(cfg_dir / SCANNER_FILE, problems)
    raw_accounts = (
        dict(accounts_data)
        if accounts_data is not None
        else read_yaml(cfg_dir / ACCOUNTS_FILE, problems)
    )

    scanner_file: ScannerFile | None = None
    partial: ScannerFile | None = None  # without the keys in error: the other checks go on
    if raw_scanner is not None:
        try:
            scanner_file = partial = ScannerFile.model_validate(raw_scanner)
        except ValidationError as exc:
            problems.extend(problems_from_validation(exc, SCANNER_FILE, ScannerFile))
            partial = _without_bad_keys(raw_scanner, exc)
    accounts: list[AccountConfig] = []
    if raw_accounts is not None:
        try:
            accounts = AccountsFile.model_validate(raw_accounts).accounts
        except ValidationError as exc:
            problems.extend(problems_from_validation(exc, ACCOUNTS_FILE, AccountsFile))
        _check_accounts(cfg_dir, accounts, problems)
        for check in checks:
            problems.extend(check(accounts))

    platforms: dict[str, Any] = {}
    detector_settings: dict[str, Any] = {}
    district = District()
    if partial is not None:
        platforms = _validate_plugins("platforms", CONNECTORS, partial.platforms, problems)
        detector_settings = _validate_plugins("detectors", DETECTORS, partial.detectors, problems)
        district = load_district_csvs(cfg_dir, partial, state_dir_for(cfg_dir, partial), problems)
    if problems:
        raise ConfigError(problems)
    assert scanner_file is not None
    return Config(
        cfg_dir,
        scanner_file,
        accounts,
        platforms,
        detector_settings,
        district,
        state_dir_for(cfg_dir, scanner_file),
    )


def missing_secrets(config: Config) -> list[Problem]:
    """Secret references that the live accounts' platforms or the SMTP transport will need and
    that cannot be resolved now (an unset variable, an unreadable file); values never shown."""
    problems: list[Problem] = []
    live = {a.platform for a in config.accounts if a.enabled and not a.replay}
    for platform in sorted(live):
        settings = config.platforms.get(platform)
        if settings is None:
            continue
        for name, value in settings:
            if isinstance(value, Secret) and not value.is_available(config.dir):
                problems.append(
                    Problem(
                        SCANNER_FILE,
                        f"platforms.{platform}.{name}",
                        f"{value.reference} cannot be resolved",
                        "the variable set or the file readable where the scanner runs",
                    )
                )
    mail = config.scanner.mail
    password = mail.password
    if mail.transport == "smtp" and password is not None and not password.is_available(config.dir):
        problems.append(
            Problem(
                SCANNER_FILE,
                "mail.password",
                f"{password.reference} cannot be resolved",
                "the variable set or the file readable where the scanner runs",
            )
        )
    return problems

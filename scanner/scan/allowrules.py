"""Allow-rules: reviewer decisions that suppress a detector's finding in future scans.

`allow_rules.yaml` in the config folder holds only an HMAC of the normalised flagged value, keyed
with the local key, and the key's id (a changed key is reported). Design: docs/architecture.md.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import yaml
from anyascii import anyascii
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from scanner.config.keys import ensure_local_key, key_path, read_local_key
from scanner.config.loader import read_yaml
from scanner.config.problems import problems_from_validation
from scanner.config.schema import Config
from scanner.errors import ConfigError, Problem
from scanner.records import Finding

RULES_FILE = "allow_rules.yaml"
_KEY_CHECK = b"district-post-scanner allow-rules key check"
_PHONE_CHARS = re.compile(r"^[\d\s().+\-/]+$")
_NON_WORD = re.compile(r"[^\w@.]+")


class AllowRule(BaseModel):
    """One reviewer decision: this detector/category on this (hashed) value is not a problem."""

    model_config = ConfigDict(extra="forbid")

    id: int = Field(ge=1)
    detector: str = Field(min_length=1)
    category: str = Field(min_length=1, description='a category, or "*" for any')
    match: Literal["span", "post"] = "span"
    value_hmac: str = Field(pattern=r"^[0-9a-f]{64}$")
    reason: str = Field(min_length=1, max_length=500)
    added_by: str = Field(min_length=1, max_length=320)
    added_at: AwareDatetime
    finding_id: int | None = None


class AllowRulesFile(BaseModel):
    """allow_rules.yaml."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1]
    key_id: str | None = Field(default=None, pattern=r"^[0-9a-f]{16}$")
    rules: list[AllowRule] = Field(default_factory=list)


def normalise(value: str) -> str:
    """The comparable form of a flagged value.

    NFKC, invisible characters dropped, transliterated to ASCII, case-folded; a phone-like value
    becomes its digits (a leading US country code 1 dropped); anything else keeps words, `@` and
    dots with single spaces, so "Emma  JOHNSON," and "emma johnson" match.
    """
    text = unicodedata.normalize("NFKC", value)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = anyascii(text).casefold().strip()
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 7 and _PHONE_CHARS.match(text):
        return "tel:" + (digits[1:] if len(digits) == 11 and digits[0] == "1" else digits)
    return _NON_WORD.sub(" ", text).strip(" .")


def rule_key(config: Config, *, create: bool = False) -> bytes:
    """The local HMAC key (the roster's): `roster_secret` if configured, else the key file in
    the state folder, made when `create` (adding a rule) and missing."""
    if config.district.roster_secret:
        return config.district.roster_secret
    key = ensure_local_key(config.state_dir) if create else read_local_key(config.state_dir)
    if not key:
        raise ConfigError(
            [
                Problem(
                    "scanner.yaml",
                    "roster_secret",
                    f"allow_rules.yaml has rules but the key they were hashed with is missing "
                    f"({key_path(config.state_dir)})",
                    "the roster_secret or the state folder the rules were written with",
                )
            ]
        )
    return key


def key_id(key: bytes) -> str:
    """A short, non-reversible identifier of `key`."""
    return hmac.new(key, _KEY_CHECK, hashlib.sha256).hexdigest()[:16]


def value_hmac(key: bytes, value: str) -> str:
    """HMAC-SHA256 of the normalised value."""
    return hmac.new(key, normalise(value).encode("utf-8"), hashlib.sha256).hexdigest()


def flagged_text(text: str, start: int | None, end: int | None) -> tuple[str, str]:
    """("span", the flagged text) or ("post", the whole text) for whole-post findings."""
    if start is None or end is None:
        return "post", text
    return "span", text[start:end]


@dataclass
class AllowRules:
    """The loaded rules, indexed by detector, with the key to hash candidate values."""

    path: Path
    rules: list[AllowRule] = field(default_factory=list)
    key: bytes = b""
    key_id: str | None = None

    @classmethod
    def load(cls, config: Config) -> AllowRules:
        """Rules from the config folder (none when the file is absent); ConfigError if invalid."""
        path = config.dir / RULES_FILE
        if not path.exists():
            return cls(path)
        problems: list[Problem] = []
        data = read_yaml(path, problems)
        if data is None:
            raise ConfigError(problems)
        try:
            parsed = AllowRulesFile.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(problems_from_validation(exc, RULES_FILE, AllowRulesFile)) from None
        ids = [r.id for r in parsed.rules]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ConfigError(
                [Problem(RULES_FILE, "rules", f"duplicate rule ids {dupes}", "unique ids")]
            )
        rules = cls(path, parsed.rules, key_id=parsed.key_id)
        if parsed.rules:
            rules.key = rule_key(config)
            if parsed.key_id is not None and parsed.key_id != key_id(rules.key):
                raise ConfigError(
                    [
                        Problem(
                            RULES_FILE,
                            "key_id",
                            "the rules were hashed with a different key (roster_secret or "
                            "the key file in the state folder changed)",
                            "the key the rules were written with",
                        )
                    ]
                )
        return rules

    def __len__(self) -> int:
        return len(self.rules)

    def matching(self, text: str, finding: Finding) -> AllowRule | None:
        """The first rule that suppresses `finding` in `text`, or None."""
        candidates = [
            r
            for r in self.rules
            if r.detector == finding.detector and r.category in (finding.category, "*")
        ]
        if not candidates:
            return None
        kind, value = flagged_text(text, finding.start, finding.end)
        digest = value_hmac(self.key, value)
        for rule in candidates:
            if rule.match == kind and hmac.compare_digest(rule.value_hmac, digest):
                return rule
        return None

    def permits(self, text: str, finding: Finding) -> bool:
        """False when an allow-rule suppresses this finding (it should not be stored)."""
        return self.matching(text, finding) is None


def add_rule(
    config: Config,
    *,
    detector: str,
    category: str,
    text: str,
    start: int | None,
    end: int | None,
    reason: str,
    added_by: str,
    finding_id: int | None,
    now: datetime | None = None,
) -> AllowRule:
    """Append a rule built from a flagged value to allow_rules.yaml (atomically, under a lock)."""
    if not reason.strip():
        raise ValueError("an allow-rule needs a --reason")
    key = rule_key(config, create=True)
    kind, value = flagged_text(text, start, end)
    if not normalise(value):
        raise ValueError("the flagged text is empty after normalising; no rule can match it")
    path = config.dir / RULES_FILE
    with _locked(path):
        existing = AllowRules.load(config)
        if existing.key_id is not None and existing.key_id != key_id(key):
            raise ValueError("allow_rules.yaml was written with a different key")
        rule = AllowRule(
            id=max((r.id for r in existing.rules), default=0) + 1,
            detector=detector,
            category=category,
            match=kind,
            value_hmac=value_hmac(key, value),
            reason=reason.strip(),
            added_by=added_by,
            added_at=(now or datetime.now(UTC)).replace(microsecond=0),
            finding_id=finding_id,
        )
        body = AllowRulesFile(version=1, key_id=key_id(key), rules=[*existing.rules, rule])
        _write_atomic(path, body)
    return rule


def remove_rule(config: Config, rule_id: int) -> AllowRule:
    """Delete one rule by id (KeyError when there is none)."""
    path = config.dir / RULES_FILE
    with _locked(path):
        existing = AllowRules.load(config)
        keep = [r for r in existing.rules if r.id != rule_id]
        if len(keep) == len(existing.rules):
            raise KeyError(rule_id)
        removed = next(r for r in existing.rules if r.id == rule_id)
        _write_atomic(path, AllowRulesFile(version=1, key_id=existing.key_id, rules=keep))
    return removed


HEADER = (
    "# Allow-rules added by reviewers (`scanner findings allow ID --reason ...`).\n"
    "# value_hmac is a keyed hash of the normalised flagged text, never the text itself.\n"
)


def _write_atomic(path: Path, body: AllowRulesFile) -> None:
    data = body.model_dump(mode="json", exclude_none=False)
    text = HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    fd, tmp = tempfile.mkstemp(prefix=".allow_rules.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock so two reviewers adding rules at once do not lose one."""
    lock = path.with_name("." + path.name + ".lock")
    with lock.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)

"""Config problems as `file: key.path: what is wrong; what is expected` lines."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from scanner.errors import Problem


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types inside Optional/Union/Annotated."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg)]
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    return [annotation]


def _field(model: type[BaseModel], key: str) -> Any:
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return info.annotation
    return None


def _resolve(model: type[BaseModel], loc: tuple[Any, ...]) -> Any:
    """The annotation found by walking `loc` from `model` (None when it cannot be followed)."""
    current: Any = model
    for part in loc:
        nxt = None
        for candidate in _unwrap(current):
            origin = typing.get_origin(candidate)
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                if isinstance(part, str):
                    nxt = _field(candidate, part)
            elif origin in (list, tuple) and isinstance(part, int):
                nxt = typing.get_args(candidate)[0]
            elif origin is dict and isinstance(part, str):
                nxt = typing.get_args(candidate)[1]
            if nxt is not None:
                break
        if nxt is None:
            return None
        current = nxt
    return current


def _keys_of(annotation: Any) -> list[str]:
    for candidate in _unwrap(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return [info.alias or name for name, info in candidate.model_fields.items()]
    return []


def _describe(annotation: Any) -> str:
    if annotation is None:
        return ""
    text = str(annotation).replace("typing.", "").replace("NoneType", "None")
    for candidate in _unwrap(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return f"a mapping with keys {', '.join(_keys_of(candidate))}"
        if isinstance(candidate, type):
            text = candidate.__name__
    return text.replace("<class '", "").replace("'>", "")


MAX_SHOWN = 60


def _shown(value: Any) -> str:
    """A bad value as shown in a problem line: its repr, cut to `MAX_SHOWN` characters."""
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def format_path(loc: tuple[Any, ...]) -> str:
    """("accounts", 2, "sponsor", "email") -> "accounts[2].sponsor.email"."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def problems_from_validation(
    exc: ValidationError, file: str, model: type[BaseModel], prefix: list[Any] | None = None
) -> list[Problem]:
    """One `Problem` per pydantic error, with the full key path and what was expected."""
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        kind = err["type"]
        if kind == "missing":
            what, expected = "required key is missing", _describe(_resolve(model, loc))
        elif kind == "extra_forbidden":
            allowed = _keys_of(_resolve(model, loc[:-1]) if loc[:-1] else model)
            what, expected = "unknown key", f"one of {', '.join(allowed)}" if allowed else ""
        elif kind == "string_pattern_mismatch" and "@" in str(err.get("ctx", {})):
            what, expected = (
                f"{_shown(err.get('input'))} is not an e-mail address",
                "name@example.org",
            )
        elif kind in ("literal_error", "enum"):
            what, expected = (
                f"{_shown(err.get('input'))} is not allowed",
                str(err["ctx"]["expected"]),
            )
        elif kind in ("value_error", "assertion_error"):
            msg = str(err["msg"]).removeprefix("Value error, ")
            what, _, expected = msg.partition("; expected ")
        else:
            what = f"{err['msg'].lower()} (got {_shown(err.get('input'))})"
            expected = _describe(_resolve(model, loc))
        problems.append(Problem(file, format_path(tuple(prefix or ()) + loc), what, expected))
    return problems

"""Explicit plugin registries: built-ins listed by name, third parties via entry points."""

from __future__ import annotations

import importlib
from functools import cached_property
from importlib.metadata import entry_points
from typing import Any

from scanner.errors import RegistryError


class Registry:
    """Maps plugin names to "module:Class" targets, imported on first use."""

    def __init__(self, kind: str, group: str, builtin: dict[str, str]):
        self.kind = kind
        self.group = group
        self.builtin = dict(builtin)

    @cached_property
    def targets(self) -> dict[str, str]:
        """All names -> import targets; a name registered twice is an error."""
        found = dict(self.builtin)
        for ep in entry_points(group=self.group):
            if ep.name in found:
                raise RegistryError(f"{self.kind} name {ep.name!r} is registered twice")
            found[ep.name] = ep.value
        return found

    def names(self) -> list[str]:
        """Registered names, built-ins first in their listed order."""
        return list(self.targets)

    def get(self, name: str) -> Any:
        """The class registered under `name`."""
        if name not in self.targets:
            raise RegistryError(
                f"unknown {self.kind} {name!r}; expected one of {', '.join(self.targets)}"
            )
        module, _, attr = self.targets[name].partition(":")
        return getattr(importlib.import_module(module), attr)

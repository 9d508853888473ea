"""Secret references: `{"$env": NAME}` or `{"$file": PATH}` in YAML, never a literal value.

A `Secret` resolves lazily (so `config check` can report a missing variable without printing
anything sensitive) and masks itself in every repr, str and JSON dump.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_serializer, model_validator

from scanner.errors import SecretError

MASK = "********"


class Secret(BaseModel):
    """A reference to a secret held in an environment variable or a file."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    env: str | None = Field(default=None, alias="$env")
    file: str | None = Field(default=None, alias="$file")

    @model_validator(mode="before")
    @classmethod
    def _reject_literals(cls, data: Any) -> Any:
        if not isinstance(data, dict):  # a string, a number, a list: never echo it
            raise ValueError(
                'a literal secret is not allowed; use {"$env": "NAME"} or {"$file": "path"}'
            )
        return data

    @model_validator(mode="after")
    def _exactly_one(self) -> Secret:
        if (self.env is None) == (self.file is None):
            raise ValueError('give exactly one of "$env" or "$file"')
        return self

    @property
    def reference(self) -> str:
        """Where the secret lives, safe to print."""
        return f"$env:{self.env}" if self.env else f"$file:{self.file}"

    def reveal(self, base_dir: Path | None = None) -> str:
        """The secret's value; raises `SecretError` (naming only the reference) if unavailable."""
        if self.env:
            value = os.environ.get(self.env)
            if not value:
                raise SecretError(f"environment variable {self.env} is not set")
            return value
        path = Path(self.file or "")
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SecretError(f"secret file {path} cannot be read ({exc.strerror})") from None
        except UnicodeDecodeError:
            raise SecretError(f"secret file {path} is not UTF-8 text") from None

    def is_available(self, base_dir: Path | None = None) -> bool:
        """True when `reveal` would succeed."""
        try:
            self.reveal(base_dir)
        except SecretError:
            return False
        return True

    @model_serializer
    def _serialize(self) -> dict[str, str]:
        return {"$env": self.env} if self.env else {"$file": self.file or ""}

    def __repr__(self) -> str:
        return f"Secret({self.reference}={MASK})"

    __str__ = __repr__

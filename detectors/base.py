"""The detector protocol and the settings base every detector extends.

Detectors are pure: no I/O, no database, no network. Heavy engines are built once in the
detector's constructor (from its settings and the `scanner.records.District` resources) and
reused per batch. Each detector declares what the core prints about it (`DetectorInfo`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from scanner.records import DetectionContext, DetectorInfo, Finding, Post


class DetectorSettings(BaseModel):
    """Base of each detector's `detectors.<name>` settings block in scanner.yaml."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = True


@runtime_checkable
class Detector(Protocol):
    """A detector: flags policy problems in a batch of posts."""

    name: ClassVar[str]
    info: ClassVar[DetectorInfo]
    Settings: ClassVar[type[DetectorSettings]]

    def detect_batch(self, posts: Sequence[Post], ctx: DetectionContext) -> list[list[Finding]]:
        """One list of findings per post, in the posts' order."""
        ...


@runtime_checkable
class SensitiveText(Protocol):
    """A detector that can point out every span of a text that might identify someone, with
    recall over precision and without its heavy model; the core masks them in alert excerpts,
    so an excerpt never carries a value the detector missed or rejected."""

    def sensitive_spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) offsets into `text`, in any order, possibly overlapping."""
        ...

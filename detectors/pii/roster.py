"""Roster matching on keyed hashes: the detector never keeps a student's name in plaintext.

Each roster row yields normalized name forms — "first last", "first l" (last initial), and the
same with `preferred_name` — stored only as HMAC-SHA256 digests keyed by the district's
`roster_secret`, mapped to the two consent flags that raise a finding's severity.
`StudentIndex` also maps each digest (and digests of the roster's handles) to roster student
ids, in memory, for the follower consent check (`detectors.consent`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass

from anyascii import anyascii

from scanner.records import RosterEntry

_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_APOSTROPHES = re.compile(r"['’`]")
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def normalize_name(name: str) -> str:
    """Case, diacritics, apostrophes, hyphens and suffixes folded: "José O'Neil-Ruiz Jr." ->
    "jose oneil ruiz"."""
    text = anyascii(name).casefold()
    text = re.sub(r"['’`]s\b", "", text)  # possessive
    text = _APOSTROPHES.sub("", text)
    words = [w for w in _SEPARATORS.split(text) if w]
    while words and words[-1] in _SUFFIXES:
        words.pop()
    return " ".join(words)


@dataclass(frozen=True)
class RosterFlags:
    """What a roster match tells the detector (no name, no student id)."""

    directory_opt_out: bool
    media_consent: bool

    @property
    def restricted(self) -> bool:
        """A named student whose family opted out or gave no media consent."""
        return self.directory_opt_out or not self.media_consent


def name_forms(entry: RosterEntry) -> set[str]:
    """The normalized forms under which a roster row is recognized in a post."""
    last = normalize_name(entry.last_name)
    firsts = {normalize_name(entry.first_name), normalize_name(entry.preferred_name)}
    forms: set[str] = set()
    for first in firsts - {""}:
        if last:
            forms.add(f"{first} {last}")
            forms.add(f"{first} {last[0]}")
    return forms


class RosterIndex:
    """HMAC digests of roster name forms -> consent flags. Holds no plaintext name."""

    def __init__(self, entries: Iterable[RosterEntry], secret: bytes):
        if not secret:
            raise ValueError("a roster needs a non-empty roster_secret to key its name hashes")
        self._key = secret
        self._flags: dict[bytes, RosterFlags] = {}
        for entry in entries:
            flags = RosterFlags(entry.directory_opt_out, entry.media_consent)
            for form in name_forms(entry):
                digest = self._digest(form)
                old = self._flags.get(digest)
                if old is not None:  # two students share a form: keep the stricter flags
                    flags = RosterFlags(
                        old.directory_opt_out or flags.directory_opt_out,
                        old.media_consent and flags.media_consent,
                    )
                self._flags[digest] = flags

    def __len__(self) -> int:
        return len(self._flags)

    def _digest(self, normalized: str) -> bytes:
        return hmac.new(self._key, normalized.encode(), hashlib.sha256).digest()

    def lookup(self, name: str) -> RosterFlags | None:
        """The flags of the roster student this name (as written in a post) refers to, if any."""
        normalized = normalize_name(name)
        if " " not in normalized:  # a single word is never a roster match
            return None
        return self._flags.get(self._digest(normalized))

    def digests(self) -> frozenset[bytes]:
        """The stored digests (for tests asserting that no plaintext is kept)."""
        return frozenset(self._flags)


def normalize_handle(handle: str) -> str:
    """A platform handle folded for matching: "@Maya_Chen", "u/maya_chen" -> "maya_chen"."""
    text = anyascii(handle).strip().casefold()
    for prefix in ("/u/", "u/", "/user/", "user/"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text.lstrip("@").strip()


class StudentIndex(RosterIndex):
    """A `RosterIndex` whose digests also yield the roster student ids (in memory only), plus
    keyed digests of the roster's optional handles: for the follower consent check, which must
    say which student follows an account without ever storing the name or the handle."""

    def __init__(self, entries: Iterable[RosterEntry], secret: bytes):
        entries = list(entries)
        super().__init__(entries, secret)
        self._ids: dict[bytes, set[str]] = {}
        for entry in entries:
            keys = {self._digest(form) for form in name_forms(entry)}
            keys |= {self._digest("@" + normalize_handle(h)) for h in entry.handles}
            for key in keys - {self._digest("@")}:
                self._ids.setdefault(key, set()).add(entry.student_id)

    def students_named(self, name: str) -> frozenset[str]:
        """Roster ids of the students this name (a display name) refers to."""
        normalized = normalize_name(name)
        if " " not in normalized:  # a single word is never a roster match
            return frozenset()
        return frozenset(self._ids.get(self._digest(normalized), ()))

    def students_with_handle(self, handle: str) -> frozenset[str]:
        """Roster ids of the students whose `handles` list this handle."""
        normalized = normalize_handle(handle)
        if not normalized:
            return frozenset()
        return frozenset(self._ids.get(self._digest("@" + normalized), ()))

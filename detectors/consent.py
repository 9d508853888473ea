"""The follower consent check's declaration and its pure matching step (policy item 3).

Not a post detector (it is not in the registry and never sees a post): `scanner.scan.followers`
fetches an account's followers or members, calls `match_followers` with a `StudentIndex`, and
files a finding for each roster student who follows without written parental permission on
file. Matching works on keyed hashes only; what comes back is roster student ids.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from anyascii import anyascii

from detectors.pii.roster import StudentIndex, normalize_name
from scanner.records import Category, DetectorInfo

NAME = "consent"
CATEGORY = Category.FOLLOWER_WITHOUT_CONSENT
INFO = DetectorInfo(
    policy_item=(
        'Policy item 3: students may not become "friends" (followers or members) of the site '
        "until written parental permission is on file."
    ),
    action=(
        "File the written parental permission (and import it with `scanner consents import`) "
        "or remove the follower."
    ),
    categories={CATEGORY: "Student follows the account without consent on file"},
    comments_by_others=False,
    comments_by_account=False,
)
_WORDS = re.compile(r"[a-z]+")


def name_candidates(display_name: str) -> list[str]:
    """The texts a display name may name a student by: the whole name (emoji and symbols
    dropped), each pair of words next to each other or one apart, and each run of three words
    (a double last name): "Maya Lin Chen 🎨" -> "maya lin chen", "maya lin", "maya chen", …"""
    letters = "".join(
        ch if unicodedata.category(ch)[0] in "LMZ" or ch in "'’-." else " " for ch in display_name
    )
    words = normalize_name(letters).split()
    out = [" ".join(words)] if words else []
    for i, word in enumerate(words):
        out.extend(f"{word} {other}" for other in words[i + 1 : i + 3])
        if i + 3 <= len(words):
            out.append(" ".join(words[i : i + 3]))
    return list(dict.fromkeys(out))


def handle_as_name(handle: str) -> str:
    """A handle read as a name when it is one ("maya_chen07" -> "maya chen"), else ""."""
    words = _WORDS.findall(anyascii(handle).casefold())
    return " ".join(words) if len(words) >= 2 else ""


def match_followers(followers: Iterable[tuple[str, str]], index: StudentIndex) -> dict[str, str]:
    """Roster ids of the students among `followers` ((display name, handle) pairs) -> how they
    matched ("handle" when a roster handle matched, else "name"). A name shared by several
    students names them all: each is checked against the consent register."""
    found: dict[str, str] = {}
    for display_name, handle in followers:
        by_handle = index.students_with_handle(handle) if handle else frozenset()
        for sid in by_handle:
            found[sid] = "handle"
        texts = name_candidates(display_name) if display_name else []
        if handle:
            texts.append(handle_as_name(handle))
        for text in texts:
            for sid in index.students_named(text) if text else ():
                found.setdefault(sid, "name")
    return found

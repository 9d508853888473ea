"""Names: the recall-first candidate stage and the features the decision stage weighs.

Candidates come from spaCy PERSON spans *and* from the gazetteers, so a name the small model
misses is still proposed: capitalised runs, ALL-CAPS runs, lower-case given name + surname
pairs, "First L.", "Last, First", names inside @handles, #hashtags and URL slugs, and logins
made of a name and digits. Whether a candidate is a *student's* name is decided from its
features (`model.py`), never here.
"""

from __future__ import annotations

import re

from detectors.pii.context import PostText
from detectors.pii.gazetteer import Gazetteer, fold
from detectors.pii.name_features import NameCandidate, NameFeatures
from detectors.pii.text import FUNCTION_WORDS, Token, name_parts, split_joined

PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la", "le"}
    | {"bin", "ibn", "al", "el", "abu", "st", "ter", "ten", "y"}
)
_INITIAL = re.compile(r"[A-Z]\.")
_SEP = re.compile(r"[ \u00a0]")
_CONTRACTION = re.compile(r"['’](?:t|ll|re|ve|m|d)$", re.I)
_LOGIN = re.compile(r"(?<![\w.@])(?P<name>[a-z][a-z.]{2,}[a-z])(?P<digits>\d{2,4})(?![\w@])")


class NameRules(NameFeatures):
    """Proposes name candidates and computes their features, for one district's settings."""

    def __init__(
        self,
        gaz: Gazetteer,
        english: frozenset[str],
        staff_full: set[str],
        staff_last: set[str],
        figures_full: set[str],
        figures_last: set[str],
        window: int,
    ):
        self.gaz = gaz
        self.english = english  # without the word names: see use_vocabulary
        self.staff_full, self.staff_last = staff_full, staff_last
        self.figures_full, self.figures_last = figures_full, figures_last
        self.window = window
        self.role_words: frozenset[str] = frozenset()

    def use_vocabulary(self, role_words: frozenset[str], word_names: frozenset[str]) -> None:
        """Single words of titles, roles and cues (dropped at the edges of a run), and given
        names that are also words ("Will", "Grace": never dismissed as ordinary words)."""
        self.role_words = role_words
        self.english = self.english - word_names

    # --- candidate stage -------------------------------------------------------------------

    def candidates(self, post: PostText) -> list[NameCandidate]:
        """Every span that might be a name (overlaps resolved: longer evidence wins)."""
        out = self._runs(post) + self._zones(post) + self._logins(post)
        out = _last_comma_first(post, out, self.gaz, self.english) + self._lower_singles(post)
        out += [
            c
            for c in self._ner_only(post)
            if not any(o.start < c.end and c.start < o.end for o in out)
        ]
        kept: list[NameCandidate] = []
        for cand in sorted(out, key=lambda c: (-(c.end - c.start), c.start)):
            if not any(k.start < cand.end and cand.start < k.end for k in kept):
                kept.append(cand)
        return sorted(kept, key=lambda c: c.start)

    def _is_name_token(self, tok: Token) -> bool:
        return tok.shape in ("title", "upper", "mixed") or bool(_INITIAL.fullmatch(tok.text))

    def _runs(self, post: PostText) -> list[NameCandidate]:
        """Capitalised and ALL-CAPS runs, trimmed to their name-shaped core; lower-case
        given name + surname pairs."""
        out: list[NameCandidate] = []
        run: list[Token] = []

        def flush() -> None:
            if run:
                out.extend(self._trim(list(run)))
            run.clear()

        toks = [t for t in post.tokens if not post.in_zone(t.start, t.end)]
        for i, tok in enumerate(toks):
            gap_ok = bool(run) and _SEP.fullmatch(post.text[run[-1].end : tok.start] or "x")
            initial_dot = (
                tok.end < len(post.text) and post.text[tok.end] == "." and len(tok.text) == 1
            )
            end = tok.end + 1 if initial_dot else tok.end
            tok = Token(post.text[tok.start : end], tok.start, end) if initial_dot else tok
            particle = (
                fold(tok.text) in PARTICLES
                and bool(run)
                and i + 1 < len(toks)
                and toks[i + 1].shape in ("title", "upper")
            )
            joined_initials = (
                bool(run)
                and _INITIAL.fullmatch(run[-1].text) is not None
                and _INITIAL.fullmatch(tok.text) is not None
                and run[-1].end == tok.start
            )
            if self._is_name_token(tok) or particle:
                if run and not (gap_ok or joined_initials):
                    flush()
                run.append(tok)
            else:
                flush()
        flush()
        out.extend(self._lower_pairs(post, toks))
        return out

    def droppable(self, tok: Token) -> bool:
        """A word at the edge of a run that is not part of the name: a function word, a role,
        title or cue word ("Coach", "Senior", "Congrats"), an ordinary word or a stray capital."""
        key = fold(tok.text)
        if _INITIAL.fullmatch(tok.text):
            return False
        if key in FUNCTION_WORDS or key.rstrip("s") in self.role_words or key in self.role_words:
            return True
        if _CONTRACTION.search(tok.text):
            return True
        named = self.gaz.is_name_part(tok.text)
        return not named and (key in self.english or tok.shape == "upper")

    def _trim(self, run: list[Token]) -> list[NameCandidate]:
        """Drop leading/trailing words that are not name parts (cue words, ordinary words),
        split over-long runs into name-sized pieces."""
        droppable = self.droppable

        while run and droppable(run[0]):
            run.pop(0)
        if (  # "Ask Priya", "Call Sofia": an ordinary word before a given name
            len(run) > 1
            and fold(run[0].text) in self.english
            and self.gaz.first_bucket(run[0].text) <= 1
            and self.gaz.first_bucket(run[1].text)
            and not self.gaz.last_bucket(run[1].text) > self.gaz.first_bucket(run[1].text)
        ):
            run.pop(0)
        while run and (droppable(run[-1]) or fold(run[-1].text) in PARTICLES):
            run.pop()
        if not run:
            return []
        if all(t.shape == "upper" for t in run):
            # ALL CAPS: only given name + name part pairs that are not ordinary words
            pieces: list[list[Token]] = [[]]
            for tok in run:
                if self.gaz.is_name_part(tok.text) and fold(tok.text) not in self.english:
                    pieces[-1].append(tok)
                elif pieces[-1]:
                    pieces.append([])
            return [
                self._cand(p, "run")
                for p in pieces
                if len(p) > 1 and self.gaz.first_bucket(p[0].text)
            ]
        if len(run) > 4:
            return [self._cand(run[i : i + 2], "run") for i in range(0, len(run) - 1, 2)]
        return [self._cand(run, "run")]

    def _cand(self, toks: list[Token], source: str) -> NameCandidate:
        return NameCandidate(toks[0].start, toks[-1].end, source)

    def _lower_pairs(self, post: PostText, toks: list[Token]) -> list[NameCandidate]:
        out = []
        for a, b in zip(toks, toks[1:], strict=False):
            if a.shape != "lower" or b.shape != "lower":
                continue
            if not _SEP.fullmatch(post.text[a.end : b.start] or "x"):
                continue
            ka, kb = fold(a.text), fold(b.text)
            if ka in FUNCTION_WORDS or kb in FUNCTION_WORDS:
                continue
            if self.gaz.first_bucket(a.text) and (
                self.gaz.last_bucket(b.text) or self.gaz.first_bucket(b.text)
            ):
                if ka in self.english and kb in self.english:
                    continue
                out.append(NameCandidate(a.start, b.end, "lower"))
        return out

    def _lower_singles(self, post: PostText) -> list[NameCandidate]:
        """A lower-case given name right after a student cue ("congrats makayla", "sorry ella")."""
        out = []
        for tok in post.tokens:
            if tok.shape != "lower" or post.in_zone(tok.start, tok.end):
                continue
            key = fold(tok.text)
            if key in FUNCTION_WORDS or key in self.english or not self.gaz.first_bucket(tok.text):
                continue
            before = post.text[max(0, tok.start - 30) : tok.start].lower()
            if post.ends_before("student_cues", tok.start, max_words=1) or re.search(
                r"\b(?:sorry|love you|miss you|thanks|thank you|go|hi|hey|omg|yay)\W*$", before
            ):
                out.append(NameCandidate(tok.start, tok.end, "lower"))
        return out

    def _ner_only(self, post: PostText) -> list[NameCandidate]:
        """spaCy PERSON spans, trimmed to their words (kept even without gazetteer support)."""
        out = []
        for start, end in post.person_spans:
            toks = [t for t in post.tokens if start <= t.start and t.end <= end]
            while toks and self.droppable(toks[0]):
                toks.pop(0)
            while toks and self.droppable(toks[-1]):
                toks.pop()
            if toks and not post.in_zone(toks[0].start, toks[-1].end):
                out.append(NameCandidate(toks[0].start, toks[-1].end, "ner"))
        return out

    def _zones(self, post: PostText) -> list[NameCandidate]:
        """A name inside a handle, hashtag or URL path: a given name and the name parts after
        it (surnames, initials, unknown capitalised humps), or a joined "mayachen"."""
        out = []
        for kind, start, end in post.zones:
            if kind == "email":
                continue
            body_start = start
            if kind == "url":
                slash = post.text.find(
                    "/",
                    post.text.find("//", start) + 2 if "//" in post.text[start:end] else start,
                    end,
                )
                if slash == -1:
                    continue
                body_start = slash
            body = post.text[body_start:end]
            parts = list(name_parts(body))
            i = 0
            while i < len(parts):
                a1, b1 = parts[i]
                first = body[a1:b1]
                if (
                    fold(first) in FUNCTION_WORDS
                    or not self.gaz.first_bucket(first)
                    or (fold(first) in self.english and self.gaz.first_bucket(first) < 3)
                ):
                    joined = split_joined(first, self.gaz) if kind == "handle" else None
                    if joined is not None:
                        out.append(NameCandidate(body_start + a1, body_start + b1, kind))
                    i += 1
                    continue
                j = i
                while j + 1 < len(parts):
                    a2, b2 = parts[j + 1]
                    nxt = body[a2:b2]
                    gap = body[parts[j][1] : a2]
                    if len(gap) > 1 or any(ch.isdigit() for ch in gap):
                        break
                    is_part = (
                        self.gaz.last_bucket(nxt)
                        or (kind == "handle" and len(nxt) <= 2)
                        or (nxt[:1].isupper() and fold(nxt) not in self.english)
                    )
                    if not is_part:
                        break
                    j += 1
                slug_ok = kind != "url" or all(
                    body[x:y].islower() and len(body[x:y]) > 2 for x, y in parts[i : j + 1]
                )
                if j > i and slug_ok:
                    out.append(NameCandidate(body_start + a1, body_start + parts[j][1], kind))
                i = j + 1
        return out

    def _logins(self, post: PostText) -> list[NameCandidate]:
        """Words of a name (or initial + surname) and 2–4 digits: "mchen2031", "ava.patel10"."""
        out = []
        for m in _LOGIN.finditer(post.text):
            if post.zone_at(m.start(), m.end()) in ("email", "url"):
                continue
            letters = m.group("name")
            pieces = [p for p in letters.split(".") if p]
            named = (
                any(
                    self.gaz.last_bucket(p) or self.gaz.first_bucket(p)
                    for p in pieces
                    if len(p) > 2
                )
                or self.gaz.last_bucket(letters[1:])
                or split_joined(letters, self.gaz) is not None
            )
            if named or post.near("login_cues", m.start(), m.end(), 60):
                out.append(NameCandidate(m.start(), m.end(), "login"))
        return out


def _last_comma_first(
    post: PostText, cands: list[NameCandidate], gaz: Gazetteer, english: frozenset[str]
) -> list[NameCandidate]:
    """Merge "Chen, Maya" (a surname or unknown capitalised word, a comma, a given name, then
    the end of the item) into one candidate."""
    singles = sorted(
        (c for c in cands if " " not in post.text[c.start : c.end]), key=lambda c: c.start
    )
    merged: list[NameCandidate] = []
    used: set[int] = set()
    for a, b in zip(singles, singles[1:], strict=False):
        if id(a) in used or post.text[a.end : b.start] != ", ":
            continue
        last, first = post.text[a.start : a.end], post.text[b.start : b.end]
        if not gaz.first_bucket(first) or fold(last) in english or gaz.first_bucket(last) > 2:
            continue
        after = post.text[b.end : b.end + 3]
        ends = after[:1] in ("", "\n", ";", "(", "•", "|") or after[:2] in (
            " (",
            " —",
            " –",
            " -",
            " •",
            " |",
        )
        if ends or after.startswith(", "):
            merged.append(NameCandidate(a.start, b.end, "lastfirst"))
            used.update({id(a), id(b)})
    return [c for c in cands if id(c) not in used] + merged

"""The features of a name candidate: what the post says around it (see `model.FEATURES`).

Each feature is a number in [0, 1] computed from the candidate's words, the gazetteers, the
vocabulary lists and the post's structure; `model.py` weighs them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from detectors.pii.context import PostText
from detectors.pii.gazetteer import Gazetteer, fold
from detectors.pii.roster import normalize_name
from detectors.pii.text import name_parts

_INITIAL = re.compile(r"[A-Z]\.")

_LIST_GAP = re.compile(r"\s*(?:,|&|;|/|\band\b|\by\b|,\s*and)\s*")
_BULLET = re.compile(r"\s*(?:[-*•▪◦·–—]|\d{1,2}[.)])\s+")
_LABEL = re.compile(r"\s*(?:[-*•▪◦·–—]\s*)?[^\n:]{1,40}:\s*$")
_AFTER_STUDENT = re.compile(
    r"\s*(?:\(|,|\u2014|-)\s*(?:[^)\n]{0,20}?\b)?(?:gr(?:ade|\.)?\s*\d{1,2}|\d{1,2}(?:st|nd|rd|th)"
    r"(?:\s*grade|\s*grader)?|k(?:inder\w*)?\b|pre-?k|freshman|sophomore|junior|senior|age\s*\d"
    r"|\d{1,2}\s*(?:yrs?|years?)|grado\s*\d|class of)"
    r"|\s+in\s+(?:mrs?|ms|miss|mx|dr|coach|señora|sra)\.?\s+[\w'’-]+['’]s\s+(?:\w+\s+)?(?P<class>class|room|homeroom)\b",
    re.IGNORECASE,
)
_STATS_AFTER = re.compile(
    r"\s+(?:\w+\s+){0,2}\d+\s*(?P<stat>pts|points|goals?|assists?|ast|reb|rebounds|boards|yards|saves|kills"
    r"|aces|blocks|steals|hits|rbis?|strikeouts|tds?|touchdowns)\b",
    re.IGNORECASE,
)
_KIN_AFTER = re.compile(r"['’]s\s+(\w+)")
_DATE_AFTER = re.compile(r"\.?\s+\d{1,2}(?:st|nd|rd|th)?\b(?!\s*(?:pts|points|goals|years|yrs|-))")
_LOCATIVE = re.compile(
    r"\b(?:in|at|near|into|to|from|visit(?:ed|ing)?|toward|across|around)\s+(?:the\s+)?$", re.I
)
_KIN_OF = re.compile(
    r"\b(?:parents?|mom|mother|dad|father|family|families|guardians?|grandparents?|padres|familia)\s+(?:of|de)\s+$",
    re.I,
)
_CONTACT_AFTER = re.compile(r"[^.\n]{0,25}?(?:\(?\d{3}\)?[\s.-]\d{3}-\d{4}|[\w.+-]+@[\w-]+\.\w)")
_BY = re.compile(r"\b(?:by|de|por)\s+$", re.I)
_AS = re.compile(r"\b(?:as|como)\s+$", re.I)
_THANKS_LIST = re.compile(
    r"\bthank(?:s| you)(?:\s+to)?\s+(?:[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*(?:\s*,\s*|\s+and\s+|\s*&\s*))+$"
)
_THANKS = re.compile(
    r"\b(?:thank(?:s| you)|gracias|shout-?out to our volunteer)(?:\s+(?:to|a))?[\s,!]*$", re.I
)
_CONTACT_VERB = re.compile(
    r"\b(?:e-?mail|call|text|contact|reach|see|ask(?: for)?|message|dm|llame a|contacte a)\s+$",
    re.I,
)
_PLACE_PREFIX = re.compile(
    r"\b(?:st|mt|ft|saint|mount|fort|lake|port|san|santa|los|las|el|new)\.?\s+$", re.I
)
_ALUM_CLASS = re.compile(r"\s*[,(]\s*(?:class of\s*)?['’]?(?:19\d\d|20[01]\d)\b", re.I)
_MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)


@dataclass
class NameCandidate:
    """A span that may be a person's name, with the evidence about it."""

    start: int
    end: int
    source: str  # run | ner | lower | handle | hashtag | slug | login
    features: dict[str, float] = field(default_factory=dict)
    cue: str = ""  # the word that tied it to a student, for the explanation
    school_post: bool = True  # the post has some school vocabulary


class NameFeatures:
    """Feature extraction for `NameRules` (its gazetteers, word lists and directories)."""

    gaz: Gazetteer
    english: frozenset[str]
    staff_full: set[str]
    staff_last: set[str]
    figures_full: set[str]
    figures_last: set[str]
    window: int

    def features(self, post: PostText, cands: list[NameCandidate]) -> None:
        """Fill each candidate's features (see `model.NAME_FEATURES` for their meaning)."""
        for cand in cands:
            self._features(post, cand, cands)

    def _features(
        self, post: PostText, c: NameCandidate, all_cands: Iterable[NameCandidate]
    ) -> None:
        text, low = post.text, post.folded
        span = text[c.start : c.end]
        toks = [t for t in post.tokens if c.start <= t.start and t.end <= c.end]
        if c.source in ("handle", "hashtag", "url"):
            parts = [span[a:b] for a, b in name_parts(span)] or [span]
        else:
            parts = [t.text for t in toks if not _INITIAL.fullmatch(t.text)] or [span]
        if c.source == "lastfirst":
            parts = parts[1:] + parts[:1]
        keys = [fold(p) for p in parts]
        norm = normalize_name(span)
        f = c.features
        f["ner_person"] = float(post.person(c.start, c.end))
        f["first_gaz"] = self._first(parts[0]) / 5
        f["last_gaz"] = self.gaz.last_bucket(parts[-1]) / 5 if len(parts) > 1 else 0.0
        f["single_word"] = float(len(parts) == 1)
        f["single_surname_only"] = float(
            len(parts) == 1 and not self._first(parts[0]) and bool(self.gaz.last_bucket(parts[0]))
        )
        f["last_comma_first"] = float(c.source == "lastfirst")
        f["unknown_words"] = float(not any(self.gaz.is_name_part(p) for p in parts))
        f["initial"] = float(any(_INITIAL.fullmatch(t.text) for t in toks))
        shapes = {t.shape for t in toks} or {"title"}
        f["all_caps"] = float(shapes == {"upper"})
        f["lower_case"] = float(shapes == {"lower"})
        f["english_words"] = sum(k in self.english for k in keys) / len(keys)
        f["sentence_start"] = float(post.sentence_start(c.start) and len(parts) == 1)
        f["source_ner_only"] = float(c.source == "ner")
        f["in_slug"] = float(c.source == "url")
        f["login"] = float(c.source == "login")
        f["login_cue"] = float(
            c.source == "login" and bool(post.near("login_cues", c.start, c.end, 60))
        )
        cue = post.ends_before("student_cues", c.start, max_words=3)
        kin_child = post.ends_before("kin_child", c.start, max_words=2)
        f["cue_before"] = float(bool(cue))
        f["kin_child_before"] = float(bool(kin_child))
        kin_after = _KIN_AFTER.match(text, c.end)
        after_word = fold(kin_after.group(1)) if kin_after is not None else ""
        f["kin_adult_after"] = float(
            after_word in post.vocab["kin_adult"] or after_word in post.vocab["student_words"]
        )
        f["kin_adult_before"] = float(bool(post.ends_before("kin_adult", c.start, max_words=1)))
        student_after = _AFTER_STUDENT.match(text, c.end)
        stats = _STATS_AFTER.match(text, c.end)
        f["student_after"] = float(bool(student_after))
        f["stats_after"] = float(bool(stats))
        turns = re.match(r"\s+(?:turns|turned|is turning|cumple)\b", low[c.end : c.end + 20])
        f["turns_after"] = float(bool(turns))
        words_near = post.near("student_words", c.start, c.end, self.window)
        f["student_words_near"] = float(bool(words_near))
        f["staff_title_before"] = float(
            bool(post.ends_before("staff_titles", c.start, max_words=0))
        )
        f["adult_role_before"] = float(bool(post.ends_before("adult_roles", c.start, max_words=1)))
        appos = re.match(
            r"\s*[,(\u2014-]\s*(?:our|the|a|an|his|her|their)?\s*(?:\w+\s+){0,2}?",
            text[c.end : c.end + 40],
        )
        f["adult_role_after"] = float(
            bool(appos)
            and bool(post.starts_after("adult_roles", c.end, max_words=3))
            and text[c.end : c.end + 1] in ",(-—"
        )
        officer = post.ends_before("officer_roles", c.start, max_words=1)
        f["officer_adult_org"] = float(
            bool(officer) and bool(post.near("adult_orgs", c.start, c.end, 80))
        )
        f["staff_directory"] = float(
            norm in self.staff_full or (len(keys) == 1 and keys[0] in self.staff_last)
        )
        f["public_figure"] = float(
            norm in self.figures_full or (len(keys) == 1 and keys[0] in self.figures_last)
        )
        f["figure_cue_before"] = float(bool(post.ends_before("figure_cues", c.start, max_words=3)))
        nxt = re.match(r"(?:['’]s)?\s+([^\W\d_]+)", text[c.end : c.end + 30])
        nxt_key = fold(nxt.group(1)) if nxt else ""
        f["place_after"] = float(
            nxt_key in post.vocab["place_words"] or nxt_key in post.vocab["figure_suffixes"]
        )
        f["org_after"] = float(
            nxt_key in post.vocab["org_words"] or nxt_key in post.vocab["mascots"]
        )
        f["org_in_span"] = float(any(k in post.vocab["org_words"] for k in keys))
        f["mascot"] = float(
            any(k in post.vocab["mascots"] for k in keys) or _plural_noun(keys, self.english)
        )
        f["school_name"] = float(
            any(norm.startswith(s) or s.startswith(norm) for s in post.vocab["school_names"] if s)
        )
        f["not_name"] = float(all(k in post.vocab["not_names"] for k in keys))
        f["place_in_span"] = float(any(k in post.vocab["place_words"] for k in keys[1:]))
        f["place_name"] = float(
            norm in post.vocab["place_names"]
            or (len(keys) == 1 and keys[0] in post.vocab["place_names"])
        )
        f["date_after"] = float(bool(_DATE_AFTER.match(text, c.end)))
        f["locative_before"] = float(bool(_LOCATIVE.search(text[max(0, c.start - 20) : c.start])))
        f["kin_of_before"] = float(bool(_KIN_OF.search(text[max(0, c.start - 25) : c.start])))
        f["contact_after"] = float(bool(_CONTACT_AFTER.match(text, c.end)))
        f["possessive_after"] = float(text[c.end : c.end + 2] in ("'s", "’s"))
        f["by_before"] = float(bool(_BY.search(text[max(0, c.start - 12) : c.start])))
        f["as_before"] = float(bool(_AS.search(text[max(0, c.start - 12) : c.start])))
        f["thanks_before"] = float(
            bool(_THANKS.search(text[max(0, c.start - 30) : c.start]))
            or bool(_THANKS_LIST.search(text[max(0, c.start - 120) : c.start]))
        )
        f["contact_verb_before"] = float(
            bool(_CONTACT_VERB.search(text[max(0, c.start - 20) : c.start]))
        )
        f["place_prefix_before"] = float(
            bool(_PLACE_PREFIX.search(text[max(0, c.start - 10) : c.start]))
        )
        f["alum_class"] = float(bool(_ALUM_CLASS.match(text, c.end)))
        f["month_date"] = float(len(keys) == 1 and keys[0] in _MONTHS and f["date_after"] > 0)
        line_start, line_end = post.line_of(c.start)
        line = text[line_start:line_end]
        rel_s = c.start - line_start
        f["in_quotes"] = float(
            line[:rel_s].count('"') % 2 == 1 or line[:rel_s].count("“") > line[:rel_s].count("”")
        )
        f["student_word_before"] = float(
            bool(post.ends_before("student_words", c.start, max_words=1))
        )
        line_start, _ = post.line_of(c.start)
        prefix = text[line_start : c.start]
        f["role_label"] = float(bool(_LABEL.fullmatch(prefix)) and ":" in prefix)
        f["bullet"] = float(bool(_BULLET.fullmatch(prefix)))
        f["list_sibling"] = float(
            any(
                o is not c
                and (
                    _LIST_GAP.fullmatch(text, o.end, c.start) is not None
                    or _LIST_GAP.fullmatch(text, c.end, o.start) is not None
                )
                for o in all_cands
            )
        )
        context = (
            "cue_before",
            "kin_child_before",
            "kin_adult_after",
            "kin_of_before",
            "student_after",
            "stats_after",
            "turns_after",
            "student_words_near",
            "student_word_before",
            "possessive_after",
            "role_label",
            "bullet",
            "list_sibling",
            "login_cue",
        )
        has_context = any(f.get(k) for k in context)
        f["no_school_context"] = float(not has_context)
        c.school_post = post.school_post or has_context
        f["single_no_context"] = float(f["single_word"] > 0 and not has_context)
        f["handle_in_context"] = float(c.source in ("handle", "hashtag") and has_context)
        f["handle_no_context"] = float(c.source in ("handle", "hashtag") and not has_context)
        after_cue = (
            (kin_after.group(1) if kin_after and f["kin_adult_after"] else None)
            or (student_after.group("class") if student_after else None)
            or (stats.group("stat") if stats else None)
        )
        c.cue = (cue or kin_child or after_cue or words_near or "").strip()

    def _first(self, part: str) -> int:
        """Given-name bucket of a name part, or of its hyphenated pieces ("Sun-hee")."""
        pieces = [part, *part.replace("’", "-").replace("'", "-").split("-")]
        return max(self.gaz.first_bucket(p) for p in pieces if p)


def _plural_noun(keys: list[str], english: frozenset[str]) -> bool:
    """A one-word plural of an English word that is not itself a word: a team ("Jaguars")."""
    if len(keys) != 1:
        return False
    word = keys[0]
    if len(word) < 4 or not word.endswith("s") or word.endswith(("ss", "us", "is", "as")):
        return False
    stems = [word[:-1]] + ([word[:-3] + "y"] if word.endswith("ies") else [])
    return word not in english and any(s in english for s in stems)

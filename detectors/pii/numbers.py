"""Student IDs and birth dates/ages: candidates found by their relation to a name or a cue.

Every number-shaped token is an ID candidate and every date, age phrase and birth year a DOB
candidate; the features say how it relates to the post (an ID cue before it, a name next to
it, a birthday word, an event word, an adult's context) and `model.py` decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from detectors.pii.context import PostText

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|enero|febrero|marzo|abril|mayo"
    r"|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)\.?"
)
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen|uno|dos|tres|cuatro|cinco|seis|siete|ocho|"
    "nueve|diez|once|doce|trece|catorce|quince|dieciséis|diecisiete|dieciocho"
)
DATE = re.compile(
    rf"(?<![\w/])(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d\d)?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+|de\s+)?{_MONTH}(?:,?\s+(?:de\s+)?(?:19|20)\d\d)?"
    r"|\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d\d|(?:19|20)\d\d-\d\d-\d\d|\d{1,2}/\d{1,2})(?![\w/])",
    re.IGNORECASE,
)
AGE = re.compile(
    rf"(?:\b(?:turn(?:s|ed|ing)|cumple|is)\s+(?:{_NUMBER_WORDS}|\d{{1,2}})\b(?![-/.,]\d)(?:\s+(?:años|years?(?:\s+old)?))?"
    rf"(?:\s+(?:today|tomorrow|on\s+\w+(?:day)?|this\s+\w+|el\s+\w+|hoy|mañana))?"
    rf"|\b(?:age[ds]?|edad)\s+\d{{1,2}}\b"
    rf"|\b(?:{_NUMBER_WORDS}|\d{{1,2}})[-\s](?:years?|yrs?|año|años)[-\s]old\b"
    rf"|\b(?:{_NUMBER_WORDS}|\d{{1,2}})\s+(?:years?|yrs?)\s+old\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)\s+(?:birthday|bday|b-day)\b"
    rf"|\bsweet\s+(?:16|sixteen)\b"
    rf"|(?<=\()\d{{1,2}}(?=\)))",
    re.IGNORECASE,
)
BIRTH_YEAR = re.compile(
    r"\b(?:born|nació|nacido|nacida)\s+(?:in|en)\s+(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE
)
NUMBER = re.compile(r"(?<![\w$.,/:#-])#?(?:[A-Z]{1,3}-?)?\d(?:[\d-]*\d)?(?![\w%]|[.,:/]\d)")
_COMBO = re.compile(r"\d{1,2}-\d{1,2}-\d{1,2}")
_PHONE = re.compile(r"^\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}$")
_NOT_ID_BEFORE = re.compile(
    r"(?:room|rm|grade|gr|page|pg|jersey|no\.?|#|score|\$|usd|bus|route|period|hour|ext|"
    r"x|chapter|ch|lesson|unit|level|size|class of|pts|points|vs\.?|won|lost|beat)\s*$",
    re.IGNORECASE,
)


@dataclass
class NumberCandidate:
    """A number (ID) or date/age (DOB) span, with its features."""

    category: str  # "id" | "dob"
    start: int
    end: int
    kind: str  # number | combination | date | age | year
    features: dict[str, float] = field(default_factory=dict)
    cue: str = ""


def id_candidates(post: PostText, taken: list[tuple[int, int]]) -> list[NumberCandidate]:
    """Number-shaped tokens outside URLs/e-mails, phones and dates."""
    out = []
    for m in NUMBER.finditer(post.text):
        start, end = m.span()
        value = m.group(0).lstrip("#")
        start = end - len(value)
        if post.in_zone(start, end) or any(a < end and start < b for a, b in taken):
            continue
        digits = sum(ch.isdigit() for ch in value)
        if digits < 3 and not _COMBO.fullmatch(value):
            continue
        kind = "combination" if _COMBO.fullmatch(value) else "number"
        out.append(NumberCandidate("id", start, end, kind))
    return out


def dob_candidates(post: PostText, taken: list[tuple[int, int]]) -> list[NumberCandidate]:
    """Dates, age phrases and birth years."""
    out = []
    for pattern, kind in ((DATE, "date"), (AGE, "age")):
        for m in pattern.finditer(post.text):
            start, end = m.span()
            if post.in_zone(start, end) or any(a < end and start < b for a, b in taken):
                continue
            value = post.text[start:end]
            lead = re.match(r"(?i)(?:turn(?:s|ed|ing)|cumple|is)\s+", value)
            if lead:  # label the age/day phrase, not the verb
                start += lead.end()
            out.append(NumberCandidate("dob", start, end, kind))
    for m in BIRTH_YEAR.finditer(post.text):
        out.append(NumberCandidate("dob", m.start("year"), m.end("year"), "year"))
    kept: list[NumberCandidate] = []
    for cand in sorted(out, key=lambda c: (-(c.end - c.start), c.start)):
        if not any(k.start < cand.end and cand.start < k.end for k in kept):
            kept.append(cand)
    return sorted(kept, key=lambda c: c.start)


def number_features(
    post: PostText, cands: list[NumberCandidate], names: list[tuple[int, int]]
) -> None:
    """Fill the features of ID and DOB candidates (`model.ID_FEATURES`, `model.DOB_FEATURES`)."""
    for c in cands:
        value = post.text[c.start : c.end]
        before = post.text[max(0, c.start - 25) : c.start]
        name_before = any(0 <= c.start - e <= 40 for s, e in names)
        name_after = any(0 <= s - c.end <= 25 for s, e in names)
        f = c.features
        f["name_before"] = float(name_before)
        f["name_after"] = float(name_after)
        f["paren_after_name"] = float(
            post.text[c.start - 1 : c.start] == "(" and any(0 <= c.start - e <= 3 for s, e in names)
        )
        line_start, line_end = post.line_of(c.start)
        f["name_on_line"] = float(any(line_start <= s and e <= line_end for s, e in names))
        f["adult_context"] = float(
            bool(post.near("staff_titles", c.start, c.end, 50))
            or bool(post.near("adult_roles", c.start, c.end, 40))
        )
        if c.category == "id":
            digits = sum(ch.isdigit() for ch in value)
            cue = post.ends_before("id_cues", c.start, max_words=3)
            f["id_cue"] = float(bool(cue))
            f["id_cue_near"] = float(bool(post.near("id_cues", c.start, c.end, 40)))
            f["login_cue_near"] = float(bool(post.near("login_cues", c.start, c.end, 40)))
            f["digits_5plus"] = float(digits >= 5)
            f["digits_7plus"] = float(digits >= 7)
            f["letter_prefix"] = float(value[:1].isalpha())
            f["combination"] = float(c.kind == "combination")
            f["year_like"] = float(bool(re.fullmatch(r"(?:19|20)\d\d", value)))
            f["phone_like"] = float(bool(_PHONE.match(value)))
            f["not_id_before"] = float(bool(_NOT_ID_BEFORE.search(before)) and not cue)
            f["money_or_time"] = float(
                post.text[c.start - 1 : c.start] in ("$", ":")
                or post.text[c.end : c.end + 1] in (":", "%")
            )
            c.cue = (cue or "").strip()
        else:
            cue = post.near("dob_cues", c.start, c.end, 40)
            f["dob_cue"] = float(bool(cue))
            f["dob_cue_before"] = float(bool(post.ends_before("dob_cues", c.start, max_words=4)))
            f["birthday_post"] = float(bool(re.search(r"birthday|bday|b-day|cumple", post.folded)))
            f["event_near"] = float(bool(post.near("event_words", c.start, c.end, 40)))
            f["is_age"] = float(c.kind == "age")
            f["is_year"] = float(c.kind == "year")
            f["has_year"] = float(bool(re.search(r"(?:19|20)\d\d", value)) and c.kind == "date")
            f["kin_near"] = float(bool(post.near("kin_child", c.start, c.end, 50)))
            c.cue = (cue or "").strip()

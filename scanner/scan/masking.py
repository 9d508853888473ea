"""Masked forms of PII values for alerts, reports and logs (never the raw value).

- names keep each word's first letter: "Emma Johnson" -> "E*** J******"
- phone numbers keep the last four digits: "(425) 555-4567" -> "***-***-4567"
- e-mail addresses keep the first letter and the domain: "emma.j@gmail.com" -> "e*****@gmail.com"
- student IDs, birth dates, addresses and anything else: every letter and digit masked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_ALNUM = re.compile(r"[^\W_]")
_EMAIL = re.compile(r"^\s*([^@\s]+)@([^@\s]+)\s*$")


def mask_name(name: str) -> str:
    """First letter of each word, the rest as '*' ("Mary-Kate O'Neil" -> "M******** O*****")."""
    return _WORD.sub(lambda m: m.group(0)[0] + "*" * (len(m.group(0)) - 1), name)


def mask_phone(phone: str) -> str:
    """Only the last four digits survive: "***-***-4567" ("***-***-****" if fewer digits)."""
    digits = re.sub(r"\D", "", phone)
    return "***-***-" + (digits[-4:] if len(digits) >= 7 else "****")


def mask_email(email: str) -> str:
    """First character of the local part and the domain: "e*****@gmail.com"."""
    match = _EMAIL.match(email)
    if not match:
        return mask_all(email)
    local, domain = match.groups()
    return local[0] + "*" * (len(local) - 1) + "@" + domain


def mask_all(value: str) -> str:
    """Every letter and digit replaced by '*' (punctuation and spacing kept)."""
    return _ALNUM.sub("*", value)


def mask_value(value: str, category: str) -> str:
    """The masked form of a finding's value, by category."""
    if category == "STUDENT_NAME":
        return mask_name(value)
    if category == "STUDENT_CONTACT":
        if "@" in value:
            return mask_email(value)
        digits = sum(c.isdigit() for c in value)
        if digits >= 7 and digits >= 0.6 * len(re.sub(r"\s", "", value)):
            return mask_phone(value)
    return mask_all(value)


def mask_span(text: str, start: int, end: int, category: str) -> str:
    """The masked form of `text[start:end]` (what an alert may show for a finding)."""
    start, end = max(0, start), min(len(text), end)
    return mask_value(text[start:end], category) if start < end else ""


def mask_text(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """`text` with every (start, end, category) span masked in place (an excerpt for alerts);
    overlapping spans are merged under the first one's category."""
    out, pos = [], 0
    for start, end, category in sorted(spans):
        start = max(start, pos)
        if start >= end:
            continue
        out.append(text[pos:start])
        out.append(mask_span(text, start, end, category))
        pos = end
    out.append(text[pos:])
    return "".join(out)

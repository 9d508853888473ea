"""Short context around a finding with every detected PII span and every sensitive span masked
(for alerts and review); see "scanner.scan — alert excerpts" in docs/architecture.md."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import partial

from scanner.scan.masking import mask_all, mask_name, mask_value

WINDOW = 40
#: Put around the finding's own (masked) value, so the reader sees which masked value it is.
MARK_OPEN, MARK_CLOSE = "[", "]"
# Defence in depth: whatever the detectors found or missed, an excerpt never shows a run of five
# or more digits (phone numbers, IDs, PINs, dates of birth) or an e-mail address's user part.
_DIGIT_RUN = re.compile(r"\d(?:[\s\-()./]*\d){4,}")
_EMAIL_USER = re.compile(r"[\w.+-]+(?=@[\w-]+\.[\w.-]+)")
#: A sensitive span made of words only (letters, inner apostrophes/hyphens/periods, spaces).
_WORDS_ONLY = re.compile(r"[^\W\d_]+(?:[\s'’.\-]+[^\W\d_]+)*\.?")

Masker = Callable[[str], str]


def scrub(text: str) -> str:
    """Mask digit runs and e-mail user parts that no detector flagged (length-preserving)."""
    text = _DIGIT_RUN.sub(lambda m: re.sub(r"\d", "*", m.group()), text)
    return _EMAIL_USER.sub(lambda m: m.group()[0] + "*" * (len(m.group()) - 1), text)


def sensitive_masker(value: str) -> Masker:
    """How a sensitive span (one a detector could not rule out) is masked: words keep their first
    letter like a masked name ("Maya" → "M***"); anything with digits, "@", "#" or other marks
    (handles, hashtags, logins, numbers, URL paths) is masked in full."""
    return mask_name if _WORDS_ONLY.fullmatch(value) else mask_all


def masked_excerpt(
    text: str,
    start: int | None,
    end: int | None,
    pii_spans: Sequence[tuple[int | None, int | None, str]],
    window: int = WINDOW,
    sensitive: Sequence[tuple[int, int]] = (),
) -> str:
    """Text around [start, end) with all PII spans and sensitive spans masked, the finding itself
    between `MARK_OPEN` and `MARK_CLOSE`; "" for whole-post findings.

    `pii_spans` are (start, end, category) of the post's findings whose detector masks its spans:
    each is masked by category (`scanner.scan.masking.mask_value`). `sensitive` are the
    (start, end) spans the detectors' `sensitive_spans` returned: masked with
    `sensitive_masker`. Overlaps and cut spans: see `_mask_range`; the finding's own value is
    always masked by its own category. Only a short window is kept, and `scrub` runs over the
    result.
    """
    if start is None or end is None:
        return ""

    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    lo, hi = max(0, start - window), min(len(text), end + window)
    plan: list[tuple[int, int, int, Masker]] = [
        (s, e, 0, partial(mask_value, category=c))
        for s, e, c in pii_spans
        if s is not None and e is not None
    ]
    plan += [(s, e, 1, sensitive_masker(text[s:e])) for s, e in sensitive]
    before, finding, after = (
        _mask_range(text, a, b, plan) for a, b in ((lo, start), (start, end), (end, hi))
    )
    # scrub keeps lengths, so the finding's place is known after it
    body = scrub(before + finding + after)
    i, j = len(before), len(before) + len(finding)
    body = body[:i] + MARK_OPEN + body[i:j] + MARK_CLOSE + body[j:]
    body = body.replace("\n", " ").strip()
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(text) else "")


def _mask_range(text: str, lo: int, hi: int, plan: Sequence[tuple[int, int, int, Masker]]) -> str:
    """`text[lo:hi]` with the planned (start, end, rank, masker) spans masked in place.

    Spans are cut to [lo, hi); where they overlap, the one starting first wins (at the same
    start a finding, rank 0, before a sensitive span), the next is masked from where it ends.
    A span's own masker runs only on a piece that begins where the span begins; a piece cut off
    a span's start (at the window's edge, the finding's edges or an overlap) is masked in full,
    so no letter from inside a word passes for an initial.
    """
    spans = sorted(
        (
            (max(s, lo), rank, -min(e, hi), s, mask)
            for s, e, rank, mask in plan
            if s < hi and e > lo
        ),
        key=lambda p: p[:4],
    )
    out, pos = [], lo
    for s, _, neg_e, own_start, mask in spans:
        s, e = max(s, pos), -neg_e
        if s >= e:
            continue
        out.append(text[pos:s])
        out.append(mask(text[s:e]) if s == own_start else mask_all(text[s:e]))
        pos = e
    out.append(text[pos:hi])
    return "".join(out)

"""Short context around a finding with every detected PII span masked (for alerts and review)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from scanner.scan.masking import mask_span

WINDOW = 40
# Defence in depth: whatever the detectors found or missed, an excerpt never shows a run of five
# or more digits (phone numbers, IDs, PINs, dates of birth) or an e-mail address's user part.
_DIGIT_RUN = re.compile(r"\d(?:[\s\-().]*\d){4,}")
_EMAIL_USER = re.compile(r"[\w.+-]+(?=@[\w-]+\.[\w.-]+)")


def scrub(text: str) -> str:
    """Mask digit runs and e-mail user parts that no detector flagged."""
    text = _DIGIT_RUN.sub(lambda m: re.sub(r"\d", "*", m.group()), text)
    return _EMAIL_USER.sub(lambda m: m.group()[0] + "*" * (len(m.group()) - 1), text)


def masked_excerpt(
    text: str,
    start: int | None,
    end: int | None,
    pii_spans: Sequence[tuple[int | None, int | None, str]],
    window: int = WINDOW,
) -> str:
    """Text around [start, end) with all PII spans masked; "" for whole-post findings.

    Only a short window is kept so that an undetected name elsewhere in the post does not
    travel into an e-mail.
    """
    if start is None or end is None:
        return ""

    lo, hi = max(0, start - window), min(len(text), end + window)
    spans = sorted(
        (s, e, c) for s, e, c in pii_spans if s is not None and e is not None and s < hi and e > lo
    )
    out, pos = [], lo
    for s, e, category in spans:
        if s < pos:  # overlapping spans: extend the mask over the union
            s = pos
        if s >= e:
            continue
        out.append(text[pos:s])
        out.append(mask_span(text, s, e, category))
        pos = e
    if pos < hi:
        out.append(text[pos:hi])
    body = scrub("".join(out)).replace("\n", " ").strip()
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(text) else "")

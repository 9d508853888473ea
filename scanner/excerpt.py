"""Short context around a finding with every detected PII span masked (for alerts and review)."""

from __future__ import annotations

from collections.abc import Sequence

WINDOW = 40


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
    from scanner.masking import mask_span

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
    # The window must not cut into a masked span at either edge.
    if pos < hi:
        out.append(text[pos:hi])
    body = "".join(out).replace("\n", " ").strip()
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(text) else "")

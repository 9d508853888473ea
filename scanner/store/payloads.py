"""The JSON payloads stored in `outbox.payload`: written by the scan, read by the notifier.

Everything in a payload is safe to e-mail: the explanation never holds a raw value and the
excerpt is masked before it is stored. Rows written by older versions may lack the newer keys.
"""

from __future__ import annotations

from typing import TypedDict


class ItemPayload(TypedDict, total=False):
    """One finding for one recipient (`outbox.kind == "item"`)."""

    account_id: str
    site_name: str
    platform: str
    url: str
    posted_at: str  # ISO-8601
    detector: str
    category: str
    category_label: str
    severity: str
    explanation: str
    excerpt: str  # masked
    policy_item: str
    action: str  # what the sponsor should do, from the detector's declaration
    role: str  # sponsor | privacy_officer | admin_cc
    resolved: bool  # a resolution notice rather than a new finding
    post_kind: str  # "post" | "comment" (a comment or reply on the account's post)
    author_role: str  # "account" | "other": who wrote it

"""Config-folder builders: a minimal valid scanner.yaml + accounts.yaml in a tmp folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

ACCOUNT_YAML = """\
  - id: {id}
    platform: {platform}
    handle: "{handle}"
    site_name: {site_name}
    school: Jefferson High School
    admin_contact: {{name: Dana Parker, email: dparker@mvsd.k12.wa.us}}
    sponsor: {{name: Luis Ortega, email: {sponsor}}}
"""


def write_config(
    folder: Path,
    *,
    scanner_extra: str = "",
    accounts: list[dict[str, str]] | None = None,
    accounts_yaml: str | None = None,
) -> Path:
    """A minimal valid config folder; `accounts` entries override id/platform/handle/etc."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scanner.yaml").write_text(
        textwrap.dedent(
            """\
            version: 1
            district_name: Maple Valley School District
            timezone: America/Los_Angeles
            district_domains: [mvsd.k12.wa.us, maplevalleysd.org]
            privacy_officer: {name: Grace Kim, email: privacy@mvsd.k12.wa.us}
            mail: {transport: file, folder: outbox, from: scanner@mvsd.k12.wa.us}
            """
        )
        + scanner_extra
    )
    if accounts_yaml is None:
        rows = accounts or [{}]
        body = "".join(
            ACCOUNT_YAML.format(
                **{
                    "id": f"acct-{i}",
                    "platform": "reddit",
                    "handle": f"r/club{i}",
                    "site_name": f"Club {i}",
                    "sponsor": f"sponsor{i}@mvsd.k12.wa.us",
                    **row,
                }
            )
            for i, row in enumerate(rows)
        )
        accounts_yaml = "version: 1\naccounts:\n" + body
    (folder / "accounts.yaml").write_text(accounts_yaml)
    return folder

"""`scanner demo`: the whole pipeline offline on the bundled config and cassettes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from scanner.cli.common import console, fail, load_config_or_exit
from scanner.config.schema import Config, DatabaseConfig
from scanner.errors import DatabaseError
from scanner.store.engine import make_engine, upgrade


def demo_config(config: Config, out: Path) -> Config:
    """The bundled config pointed at var/demo: SQLite there, e-mails as .eml files there.

    SCANNER_DATABASE_URL is deliberately ignored: the demo never touches a real database.
    """
    scanner = config.scanner.model_copy(
        update={
            "database": DatabaseConfig(url=f"sqlite:///{(out / 'scanner.db').resolve()}"),
            "mail": config.scanner.mail.model_copy(
                update={"transport": "file", "folder": str(out / "outbox")}
            ),
        }
    )
    missing = [a.id for a in config.accounts if a.enabled and not a.replay]
    if missing:
        fail(f"demo: accounts without a `replay` cassette: {', '.join(missing)}")
    return dataclasses.replace(config, scanner=scanner)


def run_demo(config_dir: Path, out: Path) -> int:
    """Scan every bundled account from its cassette, send alerts to .eml files, write a report."""
    from scanner.cli.main import print_summary, run_scan
    from scanner.notify.send import Notifier
    from scanner.review.report import write_report

    config = demo_config(load_config_or_exit(config_dir), out)
    out.mkdir(parents=True, exist_ok=True)
    engine = make_engine(config.scanner.database.url)
    try:
        upgrade(engine)
    except DatabaseError as exc:
        fail(str(exc))
    summary = run_scan(config, engine, None, quiet=False)
    print_summary(summary)
    sent = Notifier(config, engine).run(digest_now=True)
    write_report(config, engine, out / "report.html", out / "report.csv")
    outbox = Path(config.scanner.mail.folder)
    console.print(
        f"\nDatabase: {out / 'scanner.db'}\n"
        f"E-mails:  {outbox}/ ({sent.sent} written this run, "
        f"{len(list(outbox.glob('*.eml'))) if outbox.is_dir() else 0} in total)\n"
        f"Report:   {out / 'report.html'}\n"
        "Next: `scanner findings list --config config` after pointing database.url at the demo "
        f"database (SCANNER_DATABASE_URL=sqlite:///{out / 'scanner.db'})."
    )
    return 1 if summary.failed else 0

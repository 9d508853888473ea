"""`scanner demo`: the whole pipeline offline on the bundled config and cassettes."""

from __future__ import annotations

import dataclasses
import secrets
from pathlib import Path

import typer
from sqlalchemy.engine import Engine

from scanner.cli.common import ConfigOption, console, fail, load_config_or_exit
from scanner.cli.scan import check_followers, print_followers, print_summary, run_scan
from scanner.config.loader import state_dir_for
from scanner.config.schema import Config, DatabaseConfig
from scanner.errors import DatabaseError
from scanner.notify.send import Notifier
from scanner.review.consents import import_consents
from scanner.review.report import write_report
from scanner.store.engine import make_engine, upgrade
from scanner.web import users as console_users

#: The demo's consent register (policy item 3), imported on every run.
DEMO_CONSENTS = "consents.csv"


def demo_config(config: Config, out: Path) -> Config:
    """The bundled config pointed at `out`: its state folder, SQLite there, e-mails as .eml files.

    SCANNER_DATABASE_URL and SCANNER_STATE_DIR are deliberately ignored: the demo never touches
    a real deployment's database or state, and only runs on accounts that replay cassettes.
    """
    scanner = config.scanner.model_copy(
        update={
            "database": DatabaseConfig(url=f"sqlite:///{(out / 'scanner.db').resolve()}"),
            "mail": config.scanner.mail.model_copy(
                update={"transport": "file", "folder": str((out / "outbox").resolve())}
            ),
        }
    )
    missing = [a.id for a in config.accounts if a.enabled and not a.replay]
    if missing:
        fail(f"demo: accounts without a `replay` cassette: {', '.join(missing)}")
    return dataclasses.replace(config, scanner=scanner, state_dir=out.resolve())


def demo_users(config: Config, engine: Engine) -> list[tuple[str, str, str]]:
    """One console user per role for the demo, each with a new random password (demo only:
    printed once, never stored in clear). Returns (role, e-mail, password)."""
    officer = config.scanner.privacy_officer
    domain = (config.scanner.district_domains or ["example.org"])[0]
    sponsor = next((a.sponsor.email for a in config.accounts if a.enabled), f"sponsor@{domain}")
    wanted = [
        ("privacy_officer", officer.email if officer else f"privacy@{domain}"),
        ("sponsor", sponsor),
        ("admin", f"district-admin@{domain}"),
    ]
    out = []
    for role, email in wanted:
        password = secrets.token_urlsafe(12)
        if console_users.find_user(engine, email) is None:
            console_users.add_user(engine, email, role, password, actor="demo")
        else:
            console_users.update_user(
                engine, email, actor="demo", password=password, role=role, disabled=False
            )
        out.append((role, email.lower(), password))
    return out


def run_demo(config_dir: Path, out: Path | None) -> int:
    """Scan every bundled account from its cassette, send alerts to .eml files, write a report."""
    loaded = load_config_or_exit(config_dir)
    out = out or state_dir_for(loaded.dir, loaded.scanner, environ=False)
    config = demo_config(loaded, out)
    out.mkdir(parents=True, exist_ok=True)
    engine = make_engine(str(config.scanner.database.url))
    try:
        upgrade(engine)
    except DatabaseError as exc:
        fail(str(exc))
    summary = run_scan(config, engine, None, quiet=False)
    print_summary(summary)
    consents = config.dir / DEMO_CONSENTS
    if consents.is_file():  # the demo's register of written parental permissions
        import_consents(config, engine, consents, actor="demo")
    print_followers(check_followers(config, engine, None))
    sent = Notifier(config, engine).run(digest_now=True)
    write_report(config, engine, out / "report.html", out / "report.csv")
    outbox = config.state_path(config.scanner.mail.folder)
    emails = len(list(outbox.glob("*.eml"))) if outbox.is_dir() else 0
    where = "" if config_dir.resolve() == Path("config").resolve() else f" --config {config_dir}"
    logins = demo_users(config, engine)
    console.print(
        f"\nDatabase: {out / 'scanner.db'}\n"
        f"E-mails:  {outbox}/ ({sent.sent} written this run, {emails} in total)\n"
        f"Report:   {out / 'report.html'}\n"
        f"Next:     scanner findings list{where}   (then: findings show ID, report, status)",
        markup=False,
        highlight=False,
    )
    console.print(
        f"\nReview console: scanner serve --config {config_dir}   then open http://127.0.0.1:8080/\n"
        "Demo sign-ins (demo only; new passwords each run, shown only here):\n"
        + "\n".join(f"  {role:<16} {email:<32} {password}" for role, email, password in logins),
        markup=False,
        highlight=False,
    )
    return 1 if summary.failed else 0


def demo(
    config_dir: Path = ConfigOption,
    out: Path = typer.Option(
        None, "--out", help="Where the demo writes its files (default: the config's state folder)."
    ),
) -> None:
    """The full pipeline offline: bundled config + cassettes → SQLite, .eml files, HTML report."""
    code = run_demo(config_dir, out)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add `demo` to the app."""
    app.command("demo")(demo)

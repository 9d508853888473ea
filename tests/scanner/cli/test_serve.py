"""`scanner serve` as a real process, and the demo's console users."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from typer.testing import CliRunner

from scanner.cli.demo import demo_users
from scanner.cli.main import app
from scanner.config.loader import load_config
from scanner.store.engine import open_database, resolve_url
from scanner.web import users
from tests.scanner.web.server import free_port
from tests.support.config import write_config

pytestmark = pytest.mark.slow


def test_serve_runs_the_console_with_no_environment_variable(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "config")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCANNER_")}
    add = subprocess.run(
        [
            sys.executable,
            "-m",
            "scanner",
            "users",
            "add",
            "--email",
            "po@mvsd.k12.wa.us",
            "--role",
            "privacy_officer",
            "--password-stdin",
            "--config",
            str(cfg),
        ],
        input="a long enough secret\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert add.returncode == 0, add.stderr
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scanner",
            "serve",
            "--config",
            str(cfg),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "serve did not answer"
            time.sleep(0.3)
        with httpx.Client(base_url=base) as client:
            assert client.get("/api/findings").status_code == 401
            page = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token
            r = client.post(
                "/login",
                data={
                    "email": "po@mvsd.k12.wa.us",
                    "password": "a long enough secret",
                    "csrf_token": token.group(1),
                },
            )
            assert r.status_code == 303
            assert client.get("/api/findings").json() == []
        key = cfg / "var" / "console-session.key"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    finally:
        proc.terminate()
        proc.wait(10)


def test_serve_with_a_broken_config_exits_2(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "config", scanner_extra="console: {idle_timeout: soon}\n")
    r = CliRunner().invoke(app, ["serve", "--config", str(cfg)])
    assert r.exit_code == 2 and "console.idle_timeout" in r.output


def test_demo_users_one_per_role_with_fresh_passwords(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SCANNER_DATABASE_URL", raising=False)
    config = load_config(write_config(tmp_path / "config"))
    engine = open_database(resolve_url(None, config.state_dir))
    first = demo_users(config, engine)
    assert [r for r, _, _ in first] == ["privacy_officer", "sponsor", "admin"]
    again = demo_users(config, engine)
    for (role, email, old), (_, _, new) in zip(first, again, strict=True):
        assert old != new
        assert users.verify_password(engine, email, old) is None
        user = users.verify_password(engine, email, new)
        assert user is not None and user.role.value == role
    engine.dispose()

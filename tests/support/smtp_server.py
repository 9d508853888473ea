"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, with scripted outages and error replies.

`SmtpServer.fail(stage, reply, times)` makes the next `times` commands of a stage ("ehlo",
"mail", "rcpt", "data") answer `reply` (e.g. "451 4.3.0 try later") instead of 250;
`down()` closes the port (connections are refused) and `up()` reopens it. TLS (STARTTLS or
implicit) and AUTH use a throw-away certificate made with the `openssl` command, trusted by the
client through SSL_CERT_FILE.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "scanner", "s3cret-Pa55"


def free_port() -> int:
    """A TCP port that is free right now on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    """One message as the server accepted it."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        """The parsed message."""
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]

    @property
    def message_id(self) -> str:
        """Its Message-ID header."""
        return str(self.message["Message-ID"])


@dataclass
class SmtpServer:
    """A controllable aiosmtpd server (see the module docstring)."""

    port: int = field(default_factory=free_port)
    host: str = "127.0.0.1"
    tls: ssl.SSLContext | None = None
    implicit_tls: bool = False
    require_auth: bool = False
    messages: list[Received] = field(default_factory=list)
    faults: dict[str, list[str]] = field(default_factory=dict)
    logins: list[tuple[str, str]] = field(default_factory=list)
    commands: dict[str, int] = field(default_factory=dict)
    controller: Controller | None = None

    def fail(self, stage: str, reply: str, times: int = 1) -> None:
        """Answer the next `times` commands of `stage` with `reply`."""
        self.faults.setdefault(stage, []).extend([reply] * times)

    def _fault(self, stage: str) -> str | None:
        self.commands[stage] = self.commands.get(stage, 0) + 1
        queue = self.faults.get(stage)
        return queue.pop(0) if queue else None

    # aiosmtpd handler hooks
    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        reply = self._fault("ehlo")
        if reply:
            return [reply]
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server: Any, session: Any, envelope: Any, hostname: str) -> str:
        reply = self._fault("ehlo")
        if reply:
            return reply
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        reply = self._fault("mail")
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        reply = self._fault("rcpt")
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = self._fault("data")
        if reply:
            return reply
        data = envelope.original_content or envelope.content
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(data)))
        return "250 2.0.0 Message accepted for delivery"

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, password))
        return AuthResult(success=(login, password) == (USER, PASSWORD), handled=False)

    def up(self) -> None:
        """Start listening (again) on the same port."""
        if self.controller is not None:
            return
        kwargs: dict[str, Any] = {}
        if self.tls is not None and self.implicit_tls:
            # aiosmtpd does not recognise implicit TLS on current Pythons when it decides
            # whether AUTH may be offered; the connection is encrypted from its first byte.
            kwargs |= {"ssl_context": self.tls, "auth_require_tls": False}
        elif self.tls is not None:
            kwargs |= {"tls_context": self.tls, "require_starttls": True}
        if self.require_auth:
            kwargs |= {"authenticator": self._authenticate, "auth_required": True}
        self.controller = Controller(self, hostname=self.host, port=self.port, **kwargs)
        self.controller.start()

    def down(self) -> None:
        """Stop listening: connections are refused until `up()`."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def mail_block(self, **overrides: Any) -> dict[str, Any]:
        """A `mail:` config block pointing at this server."""
        return {
            "transport": "smtp",
            "host": self.host,
            "port": self.port,
            "from": "scanner@mvsd.k12.wa.us",
            "timeout_seconds": 5,
            **overrides,
        }


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A plain SMTP server on a free port of 127.0.0.1."""
    server = SmtpServer()
    server.up()
    yield server
    server.down()


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1/localhost and its key (needs `openssl`)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_context(tls_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """The server side of the test certificate; the client trusts it via SSL_CERT_FILE."""
    cert, key = tls_files
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx

"""Mail transports against a real aiosmtpd server: TLS, auth, timeouts, 4xx/5xx classification."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from scanner.config.schema import MailConfig
from scanner.errors import SendError
from scanner.notify.transports import FileTransport, SmtpTransport
from tests.support.smtp_server import PASSWORD, USER, SmtpServer

# aiosmtpd warns about AUTH without its own TLS check; our implicit-TLS server is encrypted.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def message(to: str = "sponsor@mvsd.k12.wa.us", mid: str = "<m1@mvsd.k12.wa.us>") -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = "[Post scanner] HIGH: 1 new finding on Club"
    msg["From"] = "scanner@mvsd.k12.wa.us"
    msg["To"] = to
    msg["Message-ID"] = mid
    msg.set_content("plain body")
    msg.add_alternative("<p>html body</p>", subtype="html")
    return msg


def mail(server: SmtpServer, **overrides: Any) -> MailConfig:
    return MailConfig.model_validate(server.mail_block(**overrides))


def test_file_transport_overwrites_same_key(tmp_path: Path) -> None:
    transport = FileTransport(tmp_path / "out")
    transport.send(message(), key="00000001-abc")
    transport.send(message(), key="00000001-abc")  # a retry of the same row
    transport.send(message(mid="<m2@x>"), key="00000002-def")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "00000001-abc.eml",
        "00000002-def.eml",
    ]
    raw = (tmp_path / "out" / "00000001-abc.eml").read_bytes()
    assert b"\r\nMessage-ID: <m1@mvsd.k12.wa.us>\r\n" in raw


def test_file_transport_unwritable_folder_is_a_send_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(SendError) as err:
        FileTransport(tmp_path / "file").send(message(), key="x")
    assert not err.value.permanent


def test_plain_smtp_delivers_with_envelope(smtp_server: SmtpServer) -> None:
    transport = SmtpTransport(mail(smtp_server))
    transport.send(message(), key="k1")
    transport.send(message(to="privacy@mvsd.k12.wa.us", mid="<m2@x>"), key="k2")
    transport.close()
    assert [(m.mail_from, m.rcpt_tos) for m in smtp_server.messages] == [
        ("scanner@mvsd.k12.wa.us", ["sponsor@mvsd.k12.wa.us"]),
        ("scanner@mvsd.k12.wa.us", ["privacy@mvsd.k12.wa.us"]),
    ]
    assert smtp_server.commands["ehlo"] == 1  # one connection reused for both messages
    parts = [p.get_content_type() for p in smtp_server.messages[0].message.walk()]
    assert parts == ["multipart/alternative", "text/plain", "text/html"]


@pytest.fixture
def tls_server(request: pytest.FixtureRequest, tls_context: ssl.SSLContext) -> Iterator[SmtpServer]:
    server = SmtpServer(tls=tls_context, implicit_tls=request.param, require_auth=True)
    server.up()
    yield server
    server.down()


@pytest.mark.parametrize("tls_server", [False, True], ids=["starttls", "implicit"], indirect=True)
def test_tls_and_auth_with_env_and_file_secrets(
    tls_server: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tls = {"ssl": True} if tls_server.implicit_tls else {"starttls": True}
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    (tmp_path / "smtp.secret").write_text(PASSWORD + "\n")
    for secret in ({"$env": "SMTP_PASSWORD"}, {"$file": "smtp.secret"}):
        transport = SmtpTransport(
            mail(tls_server, username=USER, password=secret, **tls), secrets_dir=tmp_path
        )
        transport.send(message(), key="k")
        transport.close()
    assert len(tls_server.messages) == 2
    assert tls_server.logins == [(USER, PASSWORD)] * 2


@pytest.mark.parametrize("tls_server", [False], ids=["starttls"], indirect=True)
def test_wrong_password_is_transient_and_not_echoed(
    tls_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", "wrong-Secret-42")
    transport = SmtpTransport(
        mail(tls_server, username=USER, password={"$env": "SMTP_PASSWORD"}, starttls=True)
    )
    with pytest.raises(SendError) as err:
        transport.send(message(), key="k")
    assert not err.value.permanent
    assert "535" in str(err.value) and "wrong-Secret-42" not in str(err.value)
    assert tls_server.messages == []


def test_untrusted_certificate_is_refused(
    tls_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = tls_files
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server = SmtpServer(tls=ctx)  # the client does NOT trust this certificate
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    server.up()
    try:
        with pytest.raises(SendError) as err:
            SmtpTransport(mail(server, starttls=True)).send(message(), key="k")
    finally:
        server.down()
    assert not err.value.permanent and "SSL" in str(err.value)
    assert server.messages == []


@pytest.mark.parametrize(
    ("stage", "reply", "permanent", "expect"),
    [
        ("ehlo", "421 4.3.2 service not available", False, "HeloError: 421"),
        ("mail", "451 4.3.0 mailbox busy", False, "sender refused: 451"),
        ("mail", "553 5.1.8 sender rejected", True, "sender refused: 553"),
        ("rcpt", "450 4.2.1 try again later", False, "recipient refused: 450"),
        ("rcpt", "550 5.1.1 no such user", True, "recipient refused: 550"),
        ("data", "451 4.7.1 greylisted", False, "data refused: 451"),
        ("data", "554 5.7.1 message rejected", True, "data refused: 554"),
    ],
)
def test_reply_codes_are_classified(
    smtp_server: SmtpServer, stage: str, reply: str, permanent: bool, expect: str
) -> None:
    smtp_server.fail(stage, reply, times=2 if stage == "ehlo" else 1)  # EHLO, then HELO
    transport = SmtpTransport(mail(smtp_server))
    with pytest.raises(SendError) as err:
        transport.send(message(), key="k")
    assert err.value.permanent is permanent
    assert expect in str(err.value) and "127.0.0.1" in str(err.value)
    transport.send(message(), key="k")  # the fault was one-off: the same transport recovers
    transport.close()
    assert len(smtp_server.messages) == 1


def test_refused_connection_is_transient(smtp_server: SmtpServer) -> None:
    smtp_server.down()
    with pytest.raises(SendError) as err:
        SmtpTransport(mail(smtp_server)).send(message(), key="k")
    assert not err.value.permanent and "ConnectionRefusedError" in str(err.value)


def test_silent_server_times_out() -> None:
    with socket.socket() as listener:  # accepts TCP connections, never says a word
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        port = listener.getsockname()[1]
        config = MailConfig.model_validate(
            {"transport": "smtp", "host": "127.0.0.1", "port": port, "timeout_seconds": 0.3}
        )
        with pytest.raises(SendError) as err:
            SmtpTransport(config).send(message(), key="k")
    assert not err.value.permanent and "timed out" in str(err.value).lower()


def test_starttls_missing_on_server_is_transient(smtp_server: SmtpServer) -> None:
    with pytest.raises(SendError) as err:
        SmtpTransport(mail(smtp_server, starttls=True)).send(message(), key="k")
    assert not err.value.permanent and "STARTTLS" in str(err.value)
    assert smtp_server.messages == []


def test_password_is_never_sent_in_clear(
    smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    cfg = mail(smtp_server, username=USER, password={"$env": "SMTP_PASSWORD"})
    with pytest.raises(SendError) as err:
        SmtpTransport(cfg).send(message(), key="k")
    assert "without TLS" in str(err.value)
    assert smtp_server.logins == [] and smtp_server.commands == {}


def test_missing_password_variable_is_transient(
    smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_SMTP_PASSWORD", raising=False)
    cfg = mail(smtp_server, username=USER, password={"$env": "NO_SUCH_SMTP_PASSWORD"}, ssl=True)
    smtp_server.down()  # not even reached: the connection fails first or the secret does
    with pytest.raises(SendError) as err:
        SmtpTransport(cfg).send(message(), key="k")
    assert not err.value.permanent

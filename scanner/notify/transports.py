"""Mail transports: SMTP (STARTTLS or implicit TLS, auth, timeouts) and `.eml` files in a folder.

`SendError.permanent` is true only for a 5xx reply about this message (dead-lettered at once);
session-level failures are transient and retried. Messages never quote the e-mail.
"""

from __future__ import annotations

import hashlib
import logging
import os
import smtplib
import ssl
import tempfile
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path
from typing import Protocol

from scanner.config.schema import Config, MailConfig
from scanner.errors import SecretError, SendError

log = logging.getLogger(__name__)

MAX_ERROR_CHARS = 300


class Transport(Protocol):
    """Delivers finished messages; `key` is a stable name for the message (its outbox row)."""

    def send(self, message: EmailMessage, *, key: str) -> None:
        """Deliver `message`; raise `SendError` when it was not accepted."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


#: CRLF line ends; headers folded only past RFC 5322's hard limit, because Python's folder
#: breaks a subject such as "[Post scanner] HIGH: …" right after "Subject:" (clients then show
#: a leading blank). Bodies are quoted-printable with short lines whatever this says.
WIRE_POLICY = SMTP_POLICY.clone(max_line_length=998)


def message_bytes(message: EmailMessage) -> bytes:
    """The message as it goes over the wire."""
    return message.as_bytes(policy=WIRE_POLICY)


class FileTransport:
    """Writes each message to `<folder>/<key>.eml`; the same key overwrites, never duplicates."""

    def __init__(self, folder: Path):
        self.folder = folder

    def send(self, message: EmailMessage, *, key: str) -> None:
        """Write the message atomically (temp file + rename)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".eml", dir=self.folder)
            with os.fdopen(fd, "wb") as fh:
                fh.write(message_bytes(message))
            os.replace(tmp, self.folder / f"{key}.eml")
        except OSError as exc:
            raise SendError(f"cannot write to {self.folder}: {exc.strerror}") from None

    def close(self) -> None:
        """Nothing to close."""


class SmtpTransport:
    """SMTP with optional STARTTLS or implicit TLS and login; one connection reused per run.

    Certificates are verified with the system's trust store (`ssl.create_default_context`).
    A password is never sent over an unencrypted connection.
    """

    def __init__(self, mail: MailConfig, *, secrets_dir: Path | None = None):
        self.mail = mail
        self.secrets_dir = secrets_dir
        self._smtp: smtplib.SMTP | None = None

    @property
    def server(self) -> str:
        """host:port, for messages."""
        return f"{self.mail.host}:{self.mail.port}"

    def _connect(self) -> smtplib.SMTP:
        mail = self.mail
        if mail.username and not (mail.ssl or mail.starttls):
            raise SendError(
                f"SMTP {self.server}: refusing to log in without TLS; set mail.starttls or mail.ssl"
            )
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if mail.ssl:
            smtp = smtplib.SMTP_SSL(
                mail.host, mail.port, timeout=mail.timeout_seconds, context=context
            )
        else:
            smtp = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout_seconds)
        try:
            smtp.ehlo_or_helo_if_needed()
            if mail.starttls and not mail.ssl:
                smtp.starttls(context=context)
                smtp.ehlo_or_helo_if_needed()
            if mail.username:
                password = mail.password.reveal(self.secrets_dir) if mail.password else ""
                smtp.login(mail.username, password)
        except BaseException:
            _quietly_close(smtp)
            raise
        return smtp

    def send(self, message: EmailMessage, *, key: str) -> None:  # noqa: ARG002 - SMTP needs no file name
        """Send to the message's `To` address; raises `SendError` (permanent or transient)."""
        to = message["To"]
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.send_message(message, from_addr=self.mail.sender, to_addrs=[str(to)])
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()), (0, b""))
            self._after_refusal(code)
            raise SendError(
                self._describe("recipient refused", code, reply), permanent=code >= 500
            ) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            self._after_refusal(exc.smtp_code)
            what = (
                "sender refused" if isinstance(exc, smtplib.SMTPSenderRefused) else "data refused"
            )
            raise SendError(
                self._describe(what, exc.smtp_code, exc.smtp_error), permanent=exc.smtp_code >= 500
            ) from None
        except smtplib.SMTPResponseException as exc:  # greeting, EHLO, STARTTLS, AUTH …
            self.close()
            what = type(exc).__name__.removeprefix("SMTP")
            raise SendError(self._describe(what, exc.smtp_code, exc.smtp_error)) from None
        except SecretError as exc:
            self.close()
            raise SendError(f"SMTP {self.server}: password unavailable ({exc})") from None
        except SendError:
            self.close()
            raise
        except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
            self.close()
            detail = str(exc).splitlines()[0][:120] if str(exc) else ""
            name = type(exc).__name__
            raise SendError(
                f"SMTP {self.server}: {name}" + (f" ({detail})" if detail else "")
            ) from None

    def _after_refusal(self, code: int) -> None:
        """smtplib has RSET the session after a refusal; 421 means the server is closing it."""
        if code == 421:
            self.close()

    def _describe(self, what: str, code: int, reply: bytes | str) -> str:
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        text = " ".join(text.split())[:160]
        return f"SMTP {self.server}: {what}: {code} {text}".rstrip()

    def close(self) -> None:
        """Say QUIT (or just drop the connection if the server has gone)."""
        if self._smtp is not None:
            _quietly_close(self._smtp)
            self._smtp = None


def _quietly_close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def eml_name(outbox_id: int, message_id: str) -> str:
    """The stable file name (without `.eml`) of an e-mail row: its id and a hash of its ID."""
    digest = hashlib.sha256(message_id.encode()).hexdigest()[:12]
    return f"{outbox_id:08d}-{digest}"


def build_transport(config: Config) -> Transport:
    """The configured transport. A relative `mail.folder` resolves against the state folder."""
    mail = config.scanner.mail
    if mail.transport == "file":
        return FileTransport(config.state_path(mail.folder))
    return SmtpTransport(mail, secrets_dir=config.dir)

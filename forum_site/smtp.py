"""What an SMTP error means for an email: give up (permanent) or try again later."""

import smtplib
from typing import NamedTuple


class SmtpVerdict(NamedTuple):
    permanent: bool
    # Whether the same connection can carry the next message.
    connection_usable: bool
    description: str


def _smtp_text(code: int, message: bytes | str) -> str:
    if isinstance(message, bytes):
        message = message.decode(errors="replace")
    return f"{code} {message}".strip()


def classify_smtp_error(exc: Exception) -> SmtpVerdict:
    """(permanent, connection_usable, description) of a sending error.

    A 5xx reply about this message (recipient refused, message rejected) is permanent;
    4xx replies and connection problems are transient.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = list(exc.recipients.values())
        text = "; ".join(
            f"{rcpt}: {_smtp_text(code, msg)}" for rcpt, (code, msg) in exc.recipients.items()
        )
        return SmtpVerdict(bool(replies) and all(code >= 500 for code, _ in replies), True, text)
    if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        # smtplib sent RSET after these: the connection can carry the next message.
        return SmtpVerdict(exc.smtp_code >= 500, True, _smtp_text(exc.smtp_code, exc.smtp_error))
    return SmtpVerdict(False, False, f"{type(exc).__name__}: {exc}"[:1000])

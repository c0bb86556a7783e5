"""Which SMTP errors are permanent, and whether the connection survives (forum_site/smtp.py)."""

import smtplib

from forum_site.smtp import classify_smtp_error


def test_refused_recipients_are_permanent_only_when_every_reply_is_5xx():
    gone = smtplib.SMTPRecipientsRefused({"a@x.example": (550, b"5.1.1 No such user")})
    assert classify_smtp_error(gone) == (True, True, "a@x.example: 550 5.1.1 No such user")
    mixed = smtplib.SMTPRecipientsRefused(
        {"a@x.example": (550, b"gone"), "b@x.example": (451, b"busy")}
    )
    assert classify_smtp_error(mixed)[:2] == (False, True)


def test_data_errors_keep_the_connection_and_connection_errors_do_not():
    assert classify_smtp_error(smtplib.SMTPDataError(554, b"rejected")) == (
        True,
        True,
        "554 rejected",
    )
    assert classify_smtp_error(smtplib.SMTPDataError(452, "full")).permanent is False
    verdict = classify_smtp_error(ConnectionResetError("reset by peer"))
    assert verdict == (False, False, "ConnectionResetError: reset by peer")

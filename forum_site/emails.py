"""Sending templated email in the recipient's language.

Each email is a set of templates named `<name>.<lang>.subject.txt`, `<name>.<lang>.txt` and,
optionally, `<name>.<lang>.html` (lang is `en` or `ja`; English is the fallback). One
template per language keeps Japanese mail natural instead of sentence-by-sentence
translated.
"""

import hashlib
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation


def _render(name: str, language: str, suffix: str, context: dict) -> str | None:
    for lang in dict.fromkeys([language, "en"]):
        try:
            return render_to_string(f"{name}.{lang}.{suffix}", context)
        except TemplateDoesNotExist:
            continue
    return None


def build_email(
    *,
    template: str,
    to: Sequence[str],
    context: dict,
    language: str = "en",
    attachments: Iterable[tuple[str, bytes | str, str]] = (),
    headers: dict | None = None,
    reply_to: Sequence[str] = (),
) -> EmailMultiAlternatives:
    context = {"site_url": settings.SITE_URL, "language": language, **context}
    with translation.override(language):
        subject = _render(template, language, "subject.txt", context)
        body = _render(template, language, "txt", context)
        html = _render(template, language, "html", context)
    if subject is None or body is None:
        raise TemplateDoesNotExist(f"{template}.{language}.subject.txt / .txt")
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body,
        to=list(to),
        headers=headers or {},
        reply_to=list(reply_to),
    )
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def send_email(*, connection=None, **kwargs) -> int:
    message = build_email(**kwargs)
    message.connection = connection or get_connection()
    return message.send()


def stable_message_id(kind: str, *parts: object) -> str:
    """A Message-ID derived from what the email is about, so a resend is recognisable."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:24]
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "sme-forum"
    return f"<{kind}.{digest}@{domain}>"

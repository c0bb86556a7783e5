"""Forms of the inbox pages: they check the shape of the input in the reader's language;
the rules (who may message whom, blocks, the edit window) are the services', whose refusals
`service_errors` puts on the form."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from members.messaging import services
from members.messaging.models import MESSAGE_MAX_LENGTH


def _refusals() -> dict[str, str]:
    """The services' refusals a page can meet, in the reader's language (the services
    speak English: the API's words)."""
    window = settings.MESSAGING_EDIT_WINDOW_MINUTES
    return {
        services.BLOCKED: gettext("You cannot send messages to this conversation."),
        services.BLOCKED_START: gettext("You cannot start a conversation with these recipients."),
        services.NOT_ALLOWED: gettext(
            "Only people of approved member organisations and staff can send messages."
        ),
        "This organisation cannot be messaged (unknown, or not an approved member).": gettext(
            "This organisation cannot be messaged (unknown, or not an approved member)."
        ),
        "This message was deleted.": gettext("This message was deleted."),
        f"A message can be edited for {window} minutes after it was sent.": gettext(
            "A message can be edited for %(minutes)s minutes after it was sent."
        )
        % {"minutes": window},
        "You can only change your own messages.": gettext("You can only change your own messages."),
    }


def refusal_text(message: str) -> str:
    return _refusals().get(message, message)


def service_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's refusal on the form: on the field it names when the form has it,
    otherwise above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, [refusal_text(m) for m in exc.messages])
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, [refusal_text(m) for m in errors])


class BodyField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            max_length=MESSAGE_MAX_LENGTH,
            strip=False,
            widget=forms.Textarea(attrs={"rows": 4}),
            error_messages={"required": _("Write a message.")},
            **kwargs,
        )

    def validate(self, value):
        super().validate(value)
        if not value.strip():
            raise ValidationError(self.error_messages["required"], code="required")


class MessageForm(forms.Form):
    body = BodyField(label=pgettext_lazy("the text written", "Message"))


class ComposeForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=services.SUBJECT_MAX_LENGTH,
        error_messages={"required": _("Give the conversation a subject.")},
    )
    body = BodyField(label=pgettext_lazy("the text written", "Message"))

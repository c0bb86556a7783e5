"""The invitee's page behind the personal link: the event (or, for a host invitation, the
delegation with the proposed city and days), Accept and Decline; after accepting, a guest
(an account made by accepting, without a password) may ask for a link to set a password.

GET never changes anything (mail scanners open every link); answers are POSTed forms with
CSRF protection. Unknown tokens get a 404, expired/revoked/answered ones a 410, each with a
page that says what happened and nothing about any other invitation.

The whole response, the site's header included, is in the invitee's language (their
profile's, else the invitation's) and time zone, unless the reader chose a language with
the switcher (Django's language cookie). `Referrer-Policy: same-origin` (see
docs/invitations.md): the token in the URL never leaves for another site, while the
browser still sends the page's Origin with the forms, which Django's CSRF check needs
(`no-referrer` makes browsers send `Origin: null`, and every answer was refused).
"""

import contextlib
import zoneinfo

from allauth.account.forms import ResetPasswordForm
from allauth.core import ratelimit
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from events.invitations import selectors, services
from events.invitations.models import Invitation
from forum_site.i18n import person_language, person_time_zone
from forum_site.locking import Busy
from members.models import Affiliation, Country, Organisation

TEMPLATE = "invitations/respond.html"
HOST_TEMPLATE = "invitations/host_respond.html"
# Same-origin posts keep their Origin (CSRF); no other site sees the URL with the token.
REFERRER_POLICY = "same-origin"
LANGUAGES = dict(settings.LANGUAGES)


def _reader(request, invitation: Invitation | None) -> tuple[str, str]:
    """The language and time zone of the page: the switcher's choice (the language
    cookie), else the invitee's profile, else the invitation's."""
    if invitation is None:
        return translation.get_language(), timezone.get_current_timezone_name()
    account = invitation.user or selectors.invitee_account(invitation)
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    language = chosen if chosen in LANGUAGES else person_language(account, invitation.language)
    return language, person_time_zone(account, invitation.time_zone)


@contextlib.contextmanager
def _as_reader(request, language: str, time_zone: str):
    try:
        zone = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = timezone.get_current_timezone()
    with translation.override(language), timezone.override(zone):
        request.LANGUAGE_CODE = language
        yield


def _render(
    request,
    invitation: Invitation | None,
    template: str,
    context: dict,
    status: int = 200,
    *,
    details: bool = False,
):
    """Render in the reader's language and time zone; `details`: with the invitation's
    event or delegation (services.invitation_context)."""
    language, time_zone = _reader(request, invitation)
    with _as_reader(request, language, time_zone):
        # The services' messages are English msgids in the catalogue: translated here,
        # in the reader's language.
        errors = {k: " ".join(_(m) for m in v) for k, v in context.get("errors", {}).items()}
        context = {
            **context,
            "errors": errors,
            "message": _(context["message"]) if context.get("message") else "",
            "token": request.resolver_match.kwargs.get("token", ""),
            "set_password": _set_password_offer(invitation, context),
        }
        if details:
            context.update(
                services.invitation_context(invitation, language=language, time_zone=time_zone)
            )
        response = render(request, template, context, status=status)
    response["Content-Language"] = language
    response["Referrer-Policy"] = REFERRER_POLICY
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


def _set_password_offer(invitation: Invitation | None, context: dict) -> bool:
    """Offer "Set a password" once accepted, while the account has none."""
    accepted = context.get("done") == "accepted" or context.get("reason") == "accepted"
    return bool(invitation and accepted and services.needs_password(invitation))


def _unavailable(request, exc: services.InvitationUnavailable):
    invitation = getattr(exc, "invitation", None)
    return _render(
        request,
        invitation,
        "invitations/unavailable.html",
        {
            "message": exc.message,
            "reason": exc.reason,
            "invitation": invitation,
            "event": invitation.target if invitation else None,
            "registration": invitation.registration if invitation else None,
        },
        status=exc.status_code,
    )


def _affiliations(invitation: Invitation) -> list[Affiliation]:
    """The organisations the invitee may attend for (the page offers a choice)."""
    user = selectors.invitee_account(invitation)
    if user is None:
        return []
    return list(
        Affiliation.objects.filter(user=user, is_active=True).select_related("organisation")
    )


def _page(request, invitation: Invitation, *, errors=None, status: int = 200, done: str = ""):
    context = {
        "errors": errors or {},
        "form": request.POST if request.method == "POST" else {},
        "done": done,
    }
    if invitation.delegation_id:
        template = HOST_TEMPLATE
    else:
        template = TEMPLATE
        affiliations = _affiliations(invitation)
        context.update(
            {
                "affiliations": affiliations,
                "needs_organisation": not affiliations,
                "countries": Country.choices,
                "registration": invitation.registration,
            }
        )
    return _render(request, invitation, template, context, status, details=True)


def _error_dict(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"__all__": exc.messages}


@never_cache
@require_http_methods(["GET", "POST"])
def respond(request, token: str):
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationUnavailable as exc:
        return _unavailable(request, exc)
    if request.method == "GET":
        return _page(request, invitation)

    action = request.POST.get("action")
    try:
        if action == "accept":
            organisation = None
            chosen = request.POST.get("organisation", "")
            if chosen:
                organisation = (
                    Organisation.objects.filter(pk=chosen).first() if chosen.isdigit() else None
                )
                if organisation is None:
                    raise ValidationError({"organisation": gettext_noop("No such organisation.")})
            invitation = services.invitation_accept(
                token=token,
                organisation=organisation,
                organisation_name=request.POST.get("organisation_name", ""),
                country=request.POST.get("country", ""),
                name=request.POST.get("name", ""),
            )
            return _page(request, invitation, done="accepted")
        if action == "decline":
            invitation = services.invitation_decline(
                token=token, reason=request.POST.get("reason", "")
            )
            return _page(request, invitation, done="declined")
        return _page(
            request,
            invitation,
            errors={"__all__": [gettext_noop("Choose Accept or Decline.")]},
            status=400,
        )
    except services.InvitationUnavailable as exc:
        return _unavailable(request, exc)
    except ValidationError as exc:
        return _page(request, invitation, errors=_error_dict(exc), status=400)
    except PermissionDenied as exc:
        return _page(request, invitation, errors={"__all__": [str(exc)]}, status=403)
    except Busy as exc:
        return _page(request, invitation, errors={"__all__": [str(exc)]}, status=503)


@never_cache
@require_POST
def set_password(request, token: str):
    """Email the guest allauth's password-reset link (its token, its pages, its rate
    limit), in their language; only for an accepted invitation whose account has no
    password. The link goes to the invited address, never shown on the page."""
    try:
        invitation = services.invitation_guest_for_token(token)
    except services.InvitationUnavailable as exc:
        return _unavailable(request, exc)
    email = invitation.user.email
    language, time_zone = _reader(request, invitation)
    with _as_reader(request, language, time_zone):
        limited = ratelimit.consume_or_429(request, action="reset_password", key=email.lower())
        if limited:
            return limited
        form = ResetPasswordForm(data={"email": email})
        if form.is_valid():
            form.save(request)
    return _render(
        request,
        invitation,
        "invitations/password_sent.html",
        {"email": email, "invitation": invitation},
    )

"""The invitee's page behind the personal link: the event (or, for a host invitation, the
delegation with the proposed city and days), Accept and Decline.

GET never changes anything (mail scanners open every link); answers are POSTed forms with
CSRF protection. Unknown tokens get a 404, expired/revoked/answered ones a 410, each with a
page that says what happened and nothing about any other invitation.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from events.invitations import selectors, services
from events.invitations.models import Invitation
from forum_site.locking import Busy
from members.models import Affiliation, Country, Organisation

TEMPLATE = "invitations/respond.html"
HOST_TEMPLATE = "invitations/host_respond.html"


def _unavailable(request, exc: services.InvitationUnavailable):
    invitation = getattr(exc, "invitation", None)
    return render(
        request,
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
        **services.invitation_context(invitation),
        "ja": invitation.language == "ja",
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
    response = render(request, template, context, status=status)
    response["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    return response


def _error_dict(exc: ValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {field: " ".join(messages) for field, messages in exc.message_dict.items()}
    return {"__all__": " ".join(exc.messages)}


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
                    raise ValidationError({"organisation": "No such organisation."})
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
            request, invitation, errors={"__all__": "Choose Accept or Decline."}, status=400
        )
    except services.InvitationUnavailable as exc:
        return _unavailable(request, exc)
    except ValidationError as exc:
        return _page(request, invitation, errors=_error_dict(exc), status=400)
    except PermissionDenied as exc:
        return _page(request, invitation, errors={"__all__": str(exc)}, status=403)
    except Busy as exc:
        return _page(request, invitation, errors={"__all__": str(exc)}, status=503)

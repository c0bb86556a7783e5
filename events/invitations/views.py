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

from events.invitations import services
from events.invitations.models import Invitation
from forum_site.locking import Busy
from members.models import Affiliation, Country, Organisation

TEMPLATE = "invitations/respond.html"
HOST_TEMPLATE = "invitations/host_respond.html"


def _unavailable(request, exc, status: int):
    invitation = getattr(exc, "invitation", None)
    return render(
        request,
        "invitations/unavailable.html",
        {
            "message": exc.message if hasattr(exc, "message") else str(exc),
            "reason": getattr(exc, "reason", "unknown"),
            "invitation": invitation,
            "event": invitation.target if invitation else None,
            "registration": invitation.registration if invitation else None,
        },
        status=status,
    )


def _affiliations(invitation: Invitation) -> list[Affiliation]:
    user = invitation.user
    if user is None:
        from django.contrib.auth import get_user_model

        user = (
            get_user_model()
            .objects.filter(email__iexact=invitation.email, is_active=True)
            .order_by("pk")
            .first()
        )
    if user is None:
        return []
    return list(
        Affiliation.objects.filter(user=user, is_active=True).select_related("organisation")
    )


def _page(request, invitation: Invitation, *, errors=None, status: int = 200, done: str = ""):
    context = services.email_context(invitation, token="")
    if invitation.delegation_id:
        context.update({"ja": invitation.language == "ja", "errors": errors or {}, "done": done})
        context["form"] = request.POST if request.method == "POST" else {}
        response = render(request, HOST_TEMPLATE, context, status=status)
        response["Referrer-Policy"] = "no-referrer"
        return response
    affiliations = _affiliations(invitation)
    context.update(
        {
            "ja": invitation.language == "ja",
            "affiliations": affiliations,
            "needs_organisation": not affiliations,
            "countries": Country.choices,
            "errors": errors or {},
            "form": request.POST if request.method == "POST" else {},
            "done": done,
            "registration": invitation.registration,
        }
    )
    response = render(request, TEMPLATE, context, status=status)
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
    except services.InvitationNotFound as exc:
        return _unavailable(request, exc, 404)
    except services.InvitationGone as exc:
        return _unavailable(request, exc, 410)
    if request.method == "GET":
        return _page(request, invitation)

    action = request.POST.get("action")
    try:
        if action == "accept":
            organisation = None
            if request.POST.get("organisation"):
                organisation = Organisation.objects.filter(pk=request.POST["organisation"]).first()
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
    except services.InvitationGone as exc:
        return _unavailable(request, exc, 410)
    except ValidationError as exc:
        return _page(request, invitation, errors=_error_dict(exc), status=400)
    except PermissionDenied as exc:
        return _page(request, invitation, errors={"__all__": str(exc)}, status=403)
    except Busy as exc:
        return _page(request, invitation, errors={"__all__": str(exc)}, status=503)

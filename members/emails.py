"""Emails of the member directory."""

from forum_site.emails import send_email, stable_message_id
from forum_site.links import absolute_url
from members.models import Affiliation, Membership, RepresentativeInvitation


def organisation_admin_recipients(organisation_id: int) -> list[tuple[str, str]]:
    """(email, language) of the organisation's active admins that have an address."""
    rows = (
        Affiliation.objects.filter(
            organisation_id=organisation_id, role=Affiliation.Role.ADMIN, is_active=True
        )
        .exclude(user__email="")
        .values_list("user__email", "user__profile__language")
    )
    return [(email, language or "en") for email, language in rows]


def send_membership_decision_email(membership: Membership) -> int:
    sent = 0
    for email, language in organisation_admin_recipients(membership.organisation_id):
        sent += send_email(
            template="members/email/membership_decision",
            to=[email],
            language=language,
            context={"membership": membership, "approved": membership.status == "approved"},
            headers={
                "Message-ID": stable_message_id(
                    "membership", membership.pk, f"{membership.decided_at:%Y%m%d%H%M%S}", email
                )
            },
        )
    return sent


def send_representative_invitation_email(invitation: RepresentativeInvitation) -> int:
    signup = absolute_url("account_signup", query={"email": invitation.email})
    return send_email(
        template="members/email/representative_invitation",
        to=[invitation.email],
        language=invitation.language,
        context={
            "invitation": invitation,
            "organisation": invitation.organisation,
            "inviter": invitation.invited_by,
            "join_url": absolute_url("members:invitation", invitation.token),
            "signup_url": signup,
        },
        headers={
            "Message-ID": stable_message_id(
                "representative-invitation", invitation.pk, invitation.token
            )
        },
    )

from celery import shared_task

from forum_site.tasks import RETRY_ON_MAIL_ERRORS
from members import services


@shared_task(name="members.send_membership_decision", **RETRY_ON_MAIL_ERRORS)
def send_membership_decision(membership_id: int) -> bool:
    return services.membership_notify_decision(membership_id=membership_id)


@shared_task(name="members.send_representative_invitation", **RETRY_ON_MAIL_ERRORS)
def send_representative_invitation(invitation_id: int) -> bool:
    return services.representative_invitation_send(invitation_id=invitation_id)

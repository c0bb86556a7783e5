from celery import shared_task

from members import services


@shared_task(
    name="members.send_membership_decision",
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_membership_decision(membership_id: int) -> bool:
    return services.membership_notify_decision(membership_id=membership_id)

"""The notification tasks on a real Celery worker (Redis, PostgreSQL, SMTP)."""

import pytest

from events import services
from tests.factories import EventFactory, StaffFactory, member

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_promotion_and_cancellation_emails_through_the_worker(celery_worker, mailbox):
    event = EventFactory(capacity=1, title="Osaka hydrogen forum")
    first = member(email="first@sme.example")
    second = member(email="second@sme.example", profile__language="ja")
    registration = services.registration_create(actor=first, event=event)
    services.registration_create(actor=second, event=event)
    mailbox.wait_for(2)
    mailbox.clear()

    services.registration_cancel(actor=first, registration=registration)
    [promoted] = mailbox.wait_for(1)
    assert (promoted["X-Envelope-To"], promoted["Subject"].strip()) == (
        "second@sme.example",
        "空席が出ました: Osaka hydrogen forum のご登録が確定しました",
    )
    mailbox.clear()
    services.event_cancel(actor=StaffFactory(), event=event)
    [cancelled] = mailbox.wait_for(1)
    assert (cancelled["X-Envelope-To"], cancelled["Subject"]) == (
        "second@sme.example",
        "開催中止: Osaka hydrogen forum",
    )

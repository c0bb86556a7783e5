"""The membership decision email through a real Celery worker on Redis."""

import pytest

from members import services
from members.models import Membership
from tests.factories import MembershipFactory, StaffFactory, member

pytestmark = [pytest.mark.worker]


def test_membership_approval_is_emailed_by_a_real_worker(celery_worker, mailbox):
    admin = member(email="plant-head@tn-auto.example")
    membership = MembershipFactory(organisation=admin.affiliations.get().organisation)
    services.membership_approve(actor=StaffFactory(), membership=membership)  # commits
    messages = mailbox.wait_for(1, timeout=60)
    assert [m["X-Envelope-To"] for m in messages] == ["plant-head@tn-auto.example"]
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
    assert membership.decision_notified_at is not None

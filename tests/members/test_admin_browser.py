"""Staff approve a membership in the Django admin, in a real browser."""

import pytest

from members.models import Membership
from tests.factories import MembershipFactory, StaffFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_approve_membership_in_admin(page, mailbox):
    StaffFactory(username="secretariat", is_superuser=True)
    applicant = member(email="founder@bamboo.example")
    membership = MembershipFactory(organisation=applicant.affiliations.get().organisation)

    page.goto("/admin/login/?next=/admin/members/membership/")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.check(f"input[name=_selected_action][value='{membership.pk}']")
    page.select_option("select[name=action]", "approve")
    page.click("button[name=index]")
    page.wait_for_selector(".messagelist")
    assert "1 membership(s) updated" in page.inner_text(".messagelist")

    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
    [mail] = mailbox.wait_for(1)
    assert mail["X-Envelope-To"] == "founder@bamboo.example"


def test_staff_reject_membership_with_reason_in_admin(page, mailbox):
    StaffFactory(username="secretariat", is_superuser=True)
    applicant = member(email="ceo@pharma.example")
    membership = MembershipFactory(organisation=applicant.affiliations.get().organisation)

    page.goto("/admin/login/?next=/admin/members/membership/")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.check(f"input[name=_selected_action][value='{membership.pk}']")
    page.select_option("select[name=action]", "reject")
    page.click("button[name=index]")
    # An empty reason is refused (the browser will not submit it) and changes nothing.
    page.click("input[name=apply]")
    assert page.eval_on_selector("textarea[name=reason]", "e => e.validity.valueMissing") is True
    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPLIED
    page.fill("textarea[name=reason]", "Please complete your company profile first.")
    page.click("input[name=apply]")
    page.wait_for_selector(".messagelist")
    membership.refresh_from_db()
    assert (membership.status, membership.decision_reason) == (
        Membership.Status.REJECTED,
        "Please complete your company profile first.",
    )
    [mail] = mailbox.wait_for(1)
    assert "Please complete your company profile first." in mailbox.text(mail)

"""The staff pages of invitations in a real browser, at desk and phone width: the invite
form's pickers and the statistics page's buttons are laid out without overlapping or
overflowing, and inviting a person picked in the selector works."""

import pytest

from events.invitations.models import Invitation
from tests.browser import SCREENSHOTS, WIDTHS
from tests.factories import EventFactory, StaffFactory, UserFactory
from tests.worlds import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The boxes of the matching elements that intersect another one, and how far the page
# scrolls sideways.
LAYOUT = """selector => {
  const boxes = [...document.querySelectorAll(selector)]
    .filter(e => e.offsetParent !== null)
    .map(e => [e, e.getBoundingClientRect()]);
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, ra] = boxes[i], [b, rb] = boxes[j];
      if (a.contains(b) || b.contains(a)) continue;
      if (ra.left < rb.right - 1 && rb.left < ra.right - 1 &&
          ra.top < rb.bottom - 1 && rb.top < ra.bottom - 1)
        overlaps.push(`${a.id || a.className || a.textContent.trim()} × ${b.id || b.className || b.textContent.trim()}`);
    }
  const outside = boxes
    .filter(([e, r]) => r.right > document.documentElement.clientWidth + 1 || r.left < -1)
    .map(([e]) => e.id || e.className || e.textContent.trim());
  return {
    count: boxes.length,
    overlaps,
    outside,
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  };
}"""


def check_layout(page, name: str, selector: str, minimum: int) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        layout = page.evaluate(LAYOUT, selector)
        page.screenshot(path=SCREENSHOTS / f"admin-{name}-en-{width}.png", full_page=True)
        assert layout["count"] >= minimum, (name, width, layout)
        assert (layout["overlaps"], layout["outside"], layout["overflow"]) == ([], [], 0), (
            name,
            width,
            layout,
        )
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def log_in_staff(page):
    """After the test's data exists (the worlds make staff of their own)."""
    StaffFactory(username="chief-of-staff", is_superuser=True)
    page.goto("/admin/login/")
    page.fill("#id_username", "chief-of-staff")
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


def test_invite_form_pickers_are_laid_out_and_invite_the_picked_person(page, mailbox):
    event = EventFactory(title="Tea roundtable")
    UserFactory(username="kenji", email="kenji@kato.example")
    log_in_staff(page)
    page.goto(f"/admin/invitations/invitation/invite/{event.pk}/")
    page.wait_for_selector(".selector")
    # Each picker's three parts (available, arrows, chosen), the fields and the buttons.
    check_layout(
        page,
        "invite",
        ".selector-available, .selector-chooser, .selector-chosen, "
        "#invite-form .form-row label, #invite-form .help, #invite-form input[type=submit]",
        10,
    )
    page.fill("#id_users_input", "kenji")
    page.select_option("#id_users_from", label="kenji")
    page.click("#id_users_add")
    page.click("#invite-form input[type=submit]")
    page.wait_for_selector("#invite-result")
    assert "1 created" in page.inner_text("#invite-result")
    assert list(Invitation.objects.values_list("email", flat=True)) == ["kenji@kato.example"]
    check_layout(page, "invite-result", "#invite-result, #invite-form .selector", 2)


def test_invitation_statistics_buttons_do_not_overlap(page, mailbox):
    event = EventFactory(title="A rather long event title for the statistics page header")
    log_in_staff(page)
    page.goto(f"/admin/invitations/invitation/event/{event.pk}/")
    page.wait_for_selector("#invitation-stats")
    check_layout(page, "invitation-stats", ".object-tools a, #invitation-stats, h1", 5)


def test_invite_hosts_form_is_laid_out(page, mailbox):
    w = build_world()
    log_in_staff(page)
    page.goto(f"/admin/invitations/invitation/invite-hosts/{w.delegation.pk}/")
    page.wait_for_selector(".selector")
    check_layout(
        page,
        "invite-hosts",
        ".selector-available, .selector-chooser, .selector-chosen, #id_days label, "
        "#invite-hosts-form .form-row label, #invite-hosts-form input[type=submit]",
        8,
    )

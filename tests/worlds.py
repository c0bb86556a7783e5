"""Worlds: small, named scenes that several test modules share (built with the factories)."""

import datetime as dt
from types import SimpleNamespace

from events.delegations import services as delegation_services
from events.delegations.models import DelegationBreak, GroupActivity
from tests.factories import (
    DelegationDayFactory,
    DelegationFactory,
    OrganisationFactory,
    PlatformFactory,
    StaffFactory,
    member,
)

# --- The delegation world -------------------------------------------------------------


def person(name: str, org_name: str, country: str, platform, language: str = "en"):
    """An organisation admin whose organisation is an approved member of `platform`."""
    organisation = OrganisationFactory(name=org_name, country=country)
    user = member(
        organisation=organisation,
        platform=platform if country == "JP" else None,
        username=name,
        email=f"{name}@example.com",
        profile__language=language,
    )
    return user, organisation


def build_world(*, places: int = 3, tables: int = 2) -> SimpleNamespace:
    """Japan → India, two days (Ahmedabad, Guwahati), grid 09:00–12:00 in 30-minute slots
    minus a 10:30 coffee break (5 slots a day); a briefing for the delegates 09:00–09:30
    on day 1. Two Japanese applicants (not yet decided), two Indian hosts (one per city)."""
    platform = PlatformFactory(slug="sme-forum", name="Japan–India SME Forum")
    delegation = DelegationFactory(
        platform=platform, places=places, title="Gujarat & Assam delegation"
    )
    day1 = DelegationDayFactory(
        delegation=delegation, date=dt.date(2026, 2, 10), city="Ahmedabad", tables=tables
    )
    day2 = DelegationDayFactory(
        delegation=delegation,
        date=dt.date(2026, 2, 11),
        city="Guwahati",
        venue="Assam Startup Hub",
        tables=tables,
    )
    DelegationBreak.objects.create(
        delegation=delegation, title="Coffee", start=dt.time(10, 30), end=dt.time(11, 0)
    )
    GroupActivity.objects.create(
        delegation=delegation,
        day=day1,
        start=dt.time(9, 0),
        end=dt.time(9, 30),
        title="Briefing at JETRO Ahmedabad",
    )
    kenji, kato = person("kenji", "Kato Precision", "JP", platform, "ja")
    yuki, mori = person("yuki", "Mori Foods", "JP", platform)
    asha, sneha = person("asha", "Sneha Tea Estates", "IN", platform)
    ravi, bamboo = person("ravi", "Assam Bamboo Works", "IN", platform)
    outsider, other = person("olga", "Other Org", "JP", platform)
    staff = StaffFactory(username="secretariat", email="secretariat@example.com")
    return SimpleNamespace(**locals())


def accept_and_host(w) -> SimpleNamespace:
    """Both Japanese firms applied and accepted; Sneha hosts in Ahmedabad (day 1),
    Assam Bamboo in Guwahati (day 2)."""
    w.app_kato = delegation_services.application_submit(
        actor=w.kenji, delegation=w.delegation, objectives="Find a tea partner"
    )
    w.app_mori = delegation_services.application_submit(
        actor=w.yuki, delegation=w.delegation, objectives="Meet partners"
    )
    for app in (w.app_kato, w.app_mori):
        delegation_services.application_decide(actor=w.staff, application=app, status="accepted")
    w.host_sneha = delegation_services.host_add(
        actor=w.staff,
        delegation=w.delegation,
        organisation=w.sneha,
        days=[w.day1],
        representatives=[w.asha],
    )
    w.host_bamboo = delegation_services.host_add(
        actor=w.staff, delegation=w.delegation, organisation=w.bamboo, days=[w.day2]
    )
    return w


def with_requests(w) -> SimpleNamespace:
    """Kato ↔ Sneha mutual (must-meet + normal), Kato → Bamboo high, Mori → Sneha normal."""
    delegation_services.meeting_request_create(
        actor=w.kenji, delegation=w.delegation, to_organisation=w.sneha, priority="must_meet"
    )
    delegation_services.meeting_request_create(
        actor=w.asha, delegation=w.delegation, to_organisation=w.kato
    )
    delegation_services.meeting_request_create(
        actor=w.kenji, delegation=w.delegation, to_organisation=w.bamboo, priority="high"
    )
    delegation_services.meeting_request_create(
        actor=w.yuki, delegation=w.delegation, to_organisation=w.sneha
    )
    return w


def with_visit(w, *, travel_minutes: int = 40, visitor_limit: int = 2) -> SimpleNamespace:
    """Sneha's tea estate outside Ahmedabad (`travel_minutes` from the venue), visited by
    Kato and Mori together (a group visit)."""
    from events.delegations.models import HostSite, SiteVisit

    w.estate = HostSite.objects.create(
        host=w.host_sneha,
        name="Sneha tea estate, Sanand",
        name_ja="スネハ茶園（サナンド）",
        visitor_limit=visitor_limit,
        travel_minutes=travel_minutes,
    )
    w.visit = SiteVisit.objects.create(delegation=w.delegation, site=w.estate, priority="high")
    w.visit.delegates.set([w.kato, w.mori])
    return w

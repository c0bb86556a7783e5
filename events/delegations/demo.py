"""Demo delegations: deterministic and idempotent (safe to load twice).

1. A Japanese SME delegation to Gujarat and Assam (Ahmedabad ×2, Guwahati; food processing,
   bamboo, tea, EV components): applications in every state, hosts, meeting requests, two
   group site visits (a factory in Sanand, a tea estate near Guwahati, with travel times)
   and a published schedule (solved while loading, 5 s, one worker, so the same every time).
2. An Indian semiconductor and precision-manufacturing delegation to Osaka and Nagoya:
   open, with applications, hosts and requests but no schedule yet, so that a visitor can
   run the scheduler from the admin.

Organisations are the member directory's demo firms (members/demo.py), picked by country,
region and sector in slug order. Rows are written directly: no email goes out while loading.
"""

import datetime as dt
import random

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from events.delegations import services
from events.delegations.models import (
    ApplicationStatus,
    Delegation,
    DelegationApplication,
    DelegationBreak,
    DelegationDay,
    DelegationHost,
    GroupActivity,
    HostSite,
    MeetingRequest,
    ScheduleVersion,
    SiteVisit,
)
from members.models import Affiliation, Organisation, Platform, Sector

KOLKATA, TOKYO = "Asia/Kolkata", "Asia/Tokyo"

DELEGATIONS = [
    {
        "slug": "japan-sme-mission-gujarat-assam-2026",
        "title": "Japanese SME mission to Gujarat and Assam",
        "title_ja": "グジャラート・アッサム 日本中小企業ミッション",
        "direction": "jp_to_in",
        "description": (
            "Four days with food processors, tea estates, bamboo value chains and EV "
            "component makers in Ahmedabad and Guwahati."
        ),
        "sectors": ["food-processing", "bamboo", "tea", "electric-vehicles"],
        "places": 12,
        "status": "open",
        "days": [
            (0, "Ahmedabad", "GIFT City Business Club", KOLKATA),
            (1, "Ahmedabad", "GIFT City Business Club", KOLKATA),
            (2, "Guwahati", "Assam Startup – The Nest", KOLKATA),
        ],
        "tables": 8,
        "host_regions": {"Ahmedabad": "IN-GJ", "Guwahati": "IN-AS"},
        "activities": [
            (
                0,
                "09:30",
                "10:30",
                "Briefing by JETRO Ahmedabad",
                "JETROアーメダバード ブリーフィング",
            ),
            (
                1,
                "14:00",
                "16:00",
                "Site visit: Sanand EV components cluster",
                "サナンドEV部品集積地 視察",
            ),
            (
                2,
                "09:30",
                "11:30",
                "Site visit: tea garden and bamboo processing",
                "茶園・竹加工場 視察",
            ),
        ],
        "first_day_offset": 75,
        "schedule": True,
        # Site visits at hosts' own premises: (city of the host, site name, Japanese name,
        # address, visitor limit, minutes from the city's venue, how many delegates go).
        "sites": [
            (
                "Ahmedabad",
                "{host} factory, Sanand",
                "{host} サナンド工場",
                "Sanand GIDC Estate, Sanand, Gujarat",
                6,
                50,
                3,
            ),
            (
                "Guwahati",
                "{host} tea estate near Guwahati",
                "{host} 茶園（グワハティ近郊）",
                "Sonapur, Kamrup Metropolitan, Assam",
                4,
                45,
                2,
            ),
        ],
    },
    {
        "slug": "india-semiconductor-mission-osaka-nagoya-2026",
        "title": "Indian semiconductor and precision mission to Osaka and Nagoya",
        "title_ja": "インド半導体・精密加工ミッション（大阪・名古屋）",
        "direction": "in_to_jp",
        "description": (
            "OSAT/ATMP and precision-manufacturing SMEs from India meet Kansai and Chubu "
            "suppliers and equipment makers."
        ),
        "sectors": ["semiconductors", "precision-manufacturing"],
        "places": 10,
        "status": "open",
        "days": [
            (0, "Osaka", "Osaka Business Park", TOKYO),
            (1, "Osaka", "Osaka Business Park", TOKYO),
            (2, "Nagoya", "Nagoya Trade & Industry Center", TOKYO),
        ],
        "tables": 6,
        "host_regions": {"Osaka": "JP-27", "Nagoya": "JP-23"},
        "activities": [
            (0, "09:30", "10:30", "Welcome by JETRO Osaka", "JETRO大阪 歓迎挨拶"),
            (2, "14:00", "16:30", "Factory visit: precision machining", "精密加工工場 見学"),
        ],
        "first_day_offset": 120,
        "schedule": False,
    },
]

# Application states, in order, for the applicants after the accepted ones.
OTHER_STATES = [
    ApplicationStatus.SHORTLISTED,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.REJECTED,
    ApplicationStatus.WITHDRAWN,
    ApplicationStatus.SUBMITTED,
]


def _t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _pick(country: str, sectors: list[str], *, regions: list[str] | None = None, limit: int):
    qs = Organisation.objects.filter(
        country=country, slug__startswith="demo-", sectors__slug__in=sectors
    )
    if regions:
        qs = qs.filter(region__code__in=regions)
    return list(qs.distinct().order_by("slug")[:limit])


def _admins(org_ids) -> dict[int, list]:
    out: dict[int, list] = {}
    for a in Affiliation.objects.filter(
        organisation_id__in=org_ids, role="admin", is_active=True
    ).select_related("user"):
        out.setdefault(a.organisation_id, []).append(a.user)
    return out


def _delegation(spec: dict, platform: Platform, sectors: dict) -> Delegation:
    delegation, _ = Delegation.objects.update_or_create(
        slug=spec["slug"],
        create_defaults={
            "status": spec["status"],
            "platform": platform,
            "places": spec["places"],
            "direction": spec["direction"],
            "title": spec["title"],
        },
        defaults={
            "platform": platform,
            "title": spec["title"],
            "title_ja": spec["title_ja"],
            "description": spec["description"],
            "direction": spec["direction"],
            "places": spec["places"],
            "applications_open_at": timezone.now() - dt.timedelta(days=30),
            "applications_close_at": timezone.now()
            + dt.timedelta(days=spec["first_day_offset"] // 2),
            "first_slot_start": dt.time(9, 30),
            "last_slot_end": dt.time(17, 0),
            "slot_minutes": 30,
        },
    )
    delegation.sectors.set([sectors[s] for s in spec["sectors"] if s in sectors])
    return delegation


def _programme(delegation: Delegation, spec: dict, first: dt.date) -> list[DelegationDay]:
    """The days (city, venue), the lunch break and the group activities."""
    days = []
    for offset, city, venue, tz in spec["days"]:
        day, _ = DelegationDay.objects.update_or_create(
            delegation=delegation,
            date=first + dt.timedelta(days=offset),
            defaults={"city": city, "venue": venue, "time_zone": tz, "tables": spec["tables"]},
        )
        days.append(day)
    DelegationBreak.objects.get_or_create(
        delegation=delegation, title="Lunch", defaults={"start": _t("12:30"), "end": _t("13:30")}
    )
    for day_index, start, end, title, title_ja in spec["activities"]:
        GroupActivity.objects.update_or_create(
            delegation=delegation,
            title=title,
            defaults={
                "day": days[day_index],
                "start": _t(start),
                "end": _t(end),
                "title_ja": title_ja,
                "location": days[day_index].venue,
            },
        )
    return days


def _applicants(delegation: Delegation, spec: dict) -> list[Organisation]:
    """The demo people's firms first, then firms of the delegation's sectors."""
    delegate_country = delegation.delegate_country
    # ravi's firm (demo-in-000) is left out so that he can apply himself in the demo.
    people_orgs = ["mitsui-co", "demo-jp-001"] if delegate_country == "JP" else []
    applicants = list(Organisation.objects.filter(slug__in=people_orgs).order_by("slug"))
    applicants += [
        o
        for o in _pick(delegate_country, spec["sectors"], limit=spec["places"] + 8)
        if o.slug not in people_orgs and o.slug != "demo-in-000"
    ]
    return applicants


def _applications(
    delegation: Delegation, spec: dict, applicants: list[Organisation], now: dt.datetime
) -> list[DelegationApplication]:
    """Applications in every state (the first ones accepted); returns the accepted ones."""
    accepted_n = spec["places"] - 2
    admins = _admins([o.pk for o in applicants])
    existing = set(
        DelegationApplication.objects.filter(delegation=delegation).values_list(
            "organisation_id", flat=True
        )
    )
    for i, org in enumerate(applicants):
        if org.pk in existing:
            continue
        status = (
            ApplicationStatus.ACCEPTED
            if i < accepted_n
            else OTHER_STATES[(i - accepted_n) % len(OTHER_STATES)]
        )
        decided = status not in {ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN}
        application = DelegationApplication.objects.create(
            delegation=delegation,
            organisation=org,
            status=status,
            objectives=f"{org.name}: partners in {', '.join(spec['sectors'][:2])}.",
            decided_at=now if decided else None,
            decision_notified_at=now if decided else None,
            decision_note="Selected by the secretariat." if status == "accepted" else "",
        )
        application.representatives.set(admins.get(org.pk, []))
        # What the firm offers and seeks on the trip: its directory profile's capabilities.
        application.offers.set(org.offers.all())
        application.seeks.set(org.seeks.all())
    accepted = list(
        DelegationApplication.objects.filter(delegation=delegation, status="accepted")
        .select_related("organisation")
        .order_by("organisation__slug")
    )
    Delegation.objects.filter(pk=delegation.pk).update(accepted_count=len(accepted))
    return accepted


def _hosts(delegation: Delegation, spec: dict, days: list[DelegationDay]) -> list[DelegationHost]:
    """Firms of the visited country in each city's region, and Sneha Farms in Ahmedabad."""
    hosts = []
    for city, region in spec["host_regions"].items():
        city_days = [d for d in days if d.city == city]
        orgs = _pick(delegation.host_country, spec["sectors"], regions=[region], limit=6)
        if len(orgs) < 4:  # not enough in the sectors: take the region's other firms
            orgs += [
                o
                for o in Organisation.objects.filter(
                    country=delegation.host_country, slug__startswith="demo-", region__code=region
                ).order_by("slug")
                if o not in orgs
            ][: 6 - len(orgs)]
        if delegation.host_country == "IN" and city == "Ahmedabad":
            orgs = [*Organisation.objects.filter(slug="sneha-farms"), *orgs]
        for org in orgs:
            host, created = DelegationHost.objects.get_or_create(
                delegation=delegation, organisation=org
            )
            if created:
                host.days.set(city_days)
                host.representatives.set(_admins([org.pk]).get(org.pk, []))
            hosts.append(host)
    return hosts


def _requests(
    delegation: Delegation,
    spec: dict,
    accepted: list[DelegationApplication],
    host_orgs: list[Organisation],
) -> None:
    """Each delegate asks 3–4 hosts; a third of them ask back (mutual). Mitsui must meet
    Sneha Farms, who asks back."""
    rng = random.Random(spec["slug"])
    pairs = []
    for application in accepted:
        targets = rng.sample(host_orgs, min(len(host_orgs), rng.choice([3, 4])))
        for target in targets:
            priority = rng.choices(["must_meet", "high", "normal"], weights=[1, 3, 6])[0]
            pairs.append((application.organisation, target, priority))
            if rng.random() < 0.33:
                pairs.append((target, application.organisation, "normal"))
    mitsui = Organisation.objects.filter(slug="mitsui-co").first()
    sneha = Organisation.objects.filter(slug="sneha-farms").first()
    accepted_ids = {a.organisation_id for a in accepted}
    if mitsui and sneha and mitsui.pk in accepted_ids and sneha in host_orgs:
        pairs += [(mitsui, sneha, "must_meet"), (sneha, mitsui, "high")]
    have = set(
        MeetingRequest.objects.filter(delegation=delegation).values_list(
            "from_organisation_id", "to_organisation_id"
        )
    )
    new = []
    for a, b, priority in pairs:
        if (a.pk, b.pk) not in have:
            have.add((a.pk, b.pk))
            new.append(
                MeetingRequest(
                    delegation=delegation, from_organisation=a, to_organisation=b, priority=priority
                )
            )
    MeetingRequest.objects.bulk_create(new)


def _visits(
    delegation: Delegation, spec: dict, accepted: list[DelegationApplication], hosts
) -> None:
    """A factory in Sanand and a tea estate near Guwahati, each visited by a group of
    delegates (Mitsui, kenji's firm, goes to the factory)."""
    delegates = [a.organisation for a in accepted]
    mitsui = [o for o in delegates if o.slug == "mitsui-co"]
    others = [o for o in delegates if o.slug != "mitsui-co"]
    for n, (city, name, name_ja, address, limit, minutes, group) in enumerate(
        spec.get("sites", [])
    ):
        host = next(
            (
                h
                for h in hosts
                if h.organisation.slug != "sneha-farms" and {d.city for d in h.days.all()} == {city}
            ),
            None,
        )
        if host is None:
            continue
        org_name = host.organisation.name
        site, _ = HostSite.objects.update_or_create(
            host=host,
            address=address,
            defaults={
                "name": name.format(host=org_name),
                "name_ja": name_ja.format(host=org_name),
                "visitor_limit": limit,
                "travel_minutes": minutes,
            },
        )
        visit, created = SiteVisit.objects.get_or_create(
            delegation=delegation, site=site, defaults={"priority": "high"}
        )
        if created:
            pool = (mitsui if n == 0 else []) + others[n * group :]
            visit.delegates.set(pool[:group])


def _schedule(delegation: Delegation, now: dt.datetime) -> None:
    """Solve version 1 while loading and publish it without emailing anybody."""
    if ScheduleVersion.objects.filter(delegation=delegation).exists():
        return
    version = ScheduleVersion.objects.create(delegation=delegation, number=1, time_limit=5)
    services.schedule_execute(version_id=version.pk, workers=1)
    version.refresh_from_db()
    if version.publishable:
        ScheduleVersion.objects.filter(pk=version.pk).update(published_at=now, notified_at=now)
        Delegation.objects.filter(pk=delegation.pk).update(
            published_version=version, status="scheduled"
        )


def _load_one(spec: dict, platform: Platform, sectors: dict, today: dt.date) -> dict:
    now = timezone.now()
    delegation = _delegation(spec, platform, sectors)
    days = _programme(delegation, spec, today + dt.timedelta(days=spec["first_day_offset"]))
    applicants = _applicants(delegation, spec)
    accepted = _applications(delegation, spec, applicants, now)
    hosts = _hosts(delegation, spec, days)
    _requests(delegation, spec, accepted, [h.organisation for h in hosts])
    _visits(delegation, spec, accepted, hosts)
    if spec["schedule"]:
        _schedule(delegation, now)
    return {"applications": len(applicants), "hosts": len(hosts)}


@transaction.atomic
def load() -> dict[str, int]:
    today = timezone.localdate()
    platform = Platform.objects.get(slug="sme-forum")
    sectors = {s.slug: s for s in Sector.objects.all()}
    for spec in DELEGATIONS:
        _load_one(spec, platform, sectors, today)
    slugs = [s["slug"] for s in DELEGATIONS]
    return {
        "delegations": Delegation.objects.filter(slug__in=slugs).count(),
        "applications": DelegationApplication.objects.filter(delegation__slug__in=slugs).count(),
        "hosts": DelegationHost.objects.filter(delegation__slug__in=slugs).count(),
        "meeting requests": MeetingRequest.objects.filter(delegation__slug__in=slugs).count(),
        "site visits": SiteVisit.objects.filter(delegation__slug__in=slugs).count(),
        "scheduled meetings": Delegation.objects.filter(slug__in=slugs).aggregate(
            n=Count("published_version__meetings")
        )["n"],
    }

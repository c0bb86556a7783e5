"""Demo events: deterministic, dated relative to today, idempotent (safe to load twice).

Registrations are written directly (no emails are sent while loading) and the counters are
recomputed with `event_recount`.
"""

import datetime as dt
import zoneinfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from events.models import Event, Registration
from events.services import event_recount
from members.models import Affiliation, Organisation, Platform, Profile, Sector

KOLKATA, TOKYO = "Asia/Kolkata", "Asia/Tokyo"

# slug, platform, kind, title, title_ja, day offset (None: fixed date), start hour, hours,
# tz, venue, city, country, online, capacity, per-org limit, visibility, status, sectors,
# description
EVENTS = [
    {
        "slug": "sme-forum-launch-2025",
        "platform": "sme-forum",
        "kind": "forum_session",
        "title": "Launch of the Japan–India SME Forum",
        "title_ja": "日印中小企業フォーラム 発足式",
        "date": dt.date(2025, 11, 21),
        "hour": 10,
        "hours": 4,
        "tz": KOLKATA,
        "venue": "Bharat Mandapam",
        "city": "New Delhi",
        "country": "IN",
        "capacity": 300,
        "visibility": "public",
        "status": "completed",
        "sectors": ["semiconductors", "electric-vehicles", "food-processing", "clean-energy"],
        "description": "The forum's launch with METI, JETRO and the Japan Chamber of Commerce "
        "and Industry: pairing Japanese chuken companies with Indian mid-tier "
        "manufacturers for technology transfer and co-development.",
    },
    {
        "slug": "council-meeting-q3-2026",
        "platform": "business-council",
        "kind": "council_meeting",
        "title": "Business Council: quarterly meeting (Q3)",
        "title_ja": "ビジネス評議会 四半期会合（第3四半期）",
        "days": -70,
        "hour": 14,
        "hours": 3,
        "tz": TOKYO,
        "venue": "JCCI Conference Hall",
        "city": "Tokyo",
        "country": "JP",
        "capacity": 60,
        "visibility": "members",
        "status": "completed",
        "sectors": ["precision-manufacturing", "electric-vehicles"],
        "description": "Progress of the SME pairing programme; priorities for the next quarter.",
    },
    {
        "slug": "startup-hub-pitch-webinar",
        "platform": "startup-hub",
        "kind": "webinar",
        "title": "Startup Hub webinar: raising capital across India and Japan",
        "title_ja": "スタートアップハブ・ウェビナー：日印をまたぐ資金調達",
        "days": 5,
        "hour": 16,
        "hours": 2,
        "tz": KOLKATA,
        "online": "https://meet.sme-forum.example/webinar-capital",
        "capacity": None,
        "visibility": "public",
        "status": "published",
        "sectors": ["it-iot"],
        "description": "Investors from Bengaluru and Tokyo on what they look for in cross-border "
        "startups.",
    },
    {
        "slug": "startup-hub-pitch-clinic",
        "platform": "startup-hub",
        "kind": "pitch_session",
        "title": "Pitch clinic (small group)",
        "title_ja": "ピッチ・クリニック（少人数）",
        "days": 9,
        "hour": 11,
        "hours": 2,
        "tz": KOLKATA,
        "venue": "T-Hub",
        "city": "Hyderabad",
        "country": "IN",
        "capacity": 3,
        "visibility": "public",
        "status": "published",
        "sectors": ["it-iot", "robotics"],
        "description": "Three startups get 30 minutes of feedback each from Japanese corporate "
        "venture investors. Full: join the waitlist.",
    },
    {
        "slug": "startup-hub-pitch-session-ev",
        "platform": "startup-hub",
        "kind": "pitch_session",
        "title": "Pitch session: semiconductors and EV components",
        "title_ja": "ピッチセッション：半導体とEV部品",
        "days": 12,
        "hour": 15,
        "hours": 3,
        "tz": KOLKATA,
        "venue": "Bangalore International Centre",
        "city": "Bengaluru",
        "country": "IN",
        "capacity": 40,
        "per_org": 2,
        "visibility": "public",
        "status": "published",
        "sectors": ["semiconductors", "electric-vehicles"],
        "description": "Indian startups in OSAT/ATMP and EV power electronics pitch to Japanese "
        "component makers.",
    },
    {
        "slug": "forum-tea-horticulture-roundtable",
        "platform": "sme-forum",
        "kind": "forum_session",
        "title": "Roundtable: tea and horticulture value chains",
        "title_ja": "ラウンドテーブル：茶・園芸のバリューチェーン",
        "days": 15,
        "hour": 10,
        "hours": 2,
        "tz": KOLKATA,
        "venue": "Assam Administrative Staff College",
        "city": "Guwahati",
        "country": "IN",
        "capacity": 2,
        "visibility": "members",
        "status": "published",
        "sectors": ["tea", "horticulture", "organic-farming"],
        "description": "A small members' roundtable on processing and export of Assam tea and "
        "north-eastern horticulture with Japanese buyers.",
    },
    {
        "slug": "forum-food-processing-hyderabad",
        "platform": "sme-forum",
        "kind": "forum_session",
        "title": "Forum session: food processing and poultry partnerships",
        "title_ja": "フォーラム：食品加工・養鶏分野の提携",
        "days": 18,
        "hour": 10,
        "hours": 6,
        "tz": KOLKATA,
        "venue": "HICC",
        "city": "Hyderabad",
        "country": "IN",
        "capacity": 120,
        "per_org": 3,
        "visibility": "public",
        "status": "published",
        "sectors": ["food-processing", "poultry"],
        "description": "Lessons from Mitsui & Co.'s stake in Sneha Farms; cold chains, feed and "
        "processing technology.",
    },
    {
        "slug": "delegation-briefing-north-east",
        "platform": "sme-forum",
        "kind": "delegation_briefing",
        "title": "Delegation briefing: Japanese SMEs to India's north-east",
        "title_ja": "代表団説明会：インド北東部訪問",
        "days": 21,
        "hour": 17,
        "hours": 1,
        "tz": TOKYO,
        "online": "https://meet.sme-forum.example/ne-briefing",
        "capacity": 80,
        "visibility": "members",
        "status": "published",
        "sectors": ["bamboo", "tea"],
        "description": "What to expect in Assam, Meghalaya and Tripura: bamboo, tea and "
        "food-processing sites, logistics and permits.",
    },
    {
        "slug": "council-meeting-q4-2026",
        "platform": "business-council",
        "kind": "council_meeting",
        "title": "Business Council: quarterly meeting (Q4)",
        "title_ja": "ビジネス評議会 四半期会合（第4四半期）",
        "days": 30,
        "hour": 14,
        "hours": 3,
        "tz": TOKYO,
        "venue": "JETRO Head Office",
        "city": "Tokyo",
        "country": "JP",
        "capacity": 60,
        "visibility": "members",
        "status": "published",
        "sectors": ["precision-manufacturing", "defence"],
        "description": "Members' meeting: defence and precision manufacturing co-operation.",
    },
    {
        "slug": "site-visit-gujarat-osat",
        "platform": "sme-forum",
        "kind": "site_visit",
        "title": "Site visit: semiconductor assembly and test plants, Gujarat",
        "title_ja": "視察：グジャラート州の半導体組立・検査工場",
        "days": 40,
        "hour": 9,
        "hours": 8,
        "tz": KOLKATA,
        "venue": "Sanand GIDC",
        "city": "Ahmedabad",
        "country": "IN",
        "capacity": 25,
        "per_org": 2,
        "visibility": "members",
        "status": "published",
        "sectors": ["semiconductors"],
        "description": "OSAT/ATMP plants under construction and suppliers around Sanand.",
    },
    {
        "slug": "forum-clean-energy-osaka",
        "platform": "sme-forum",
        "kind": "forum_session",
        "title": "Forum session: clean energy and hydrogen",
        "title_ja": "フォーラム：クリーンエネルギーと水素",
        "days": 50,
        "hour": 13,
        "hours": 4,
        "tz": TOKYO,
        "venue": "Grand Front Osaka",
        "city": "Osaka",
        "country": "JP",
        "capacity": 150,
        "visibility": "public",
        "status": "published",
        "sectors": ["clean-energy", "water"],
        "description": "Japanese electrolyser and storage makers meet Indian project developers.",
    },
    {
        "slug": "council-working-group-draft",
        "platform": "business-council",
        "kind": "council_meeting",
        "title": "Working group: standards and certification (draft)",
        "days": 60,
        "hour": 10,
        "hours": 2,
        "tz": KOLKATA,
        "venue": "FICCI Federation House",
        "city": "New Delhi",
        "country": "IN",
        "capacity": 30,
        "visibility": "members",
        "status": "draft",
        "sectors": ["medical-devices"],
        "description": "Not yet announced.",
    },
]

# Extra people who fill seats: (username, first, last, organisation slug).
DELEGATES = [
    ("priya", "Priya", "Nair", "demo-in-002"),
    ("arjun", "Arjun", "Shah", "demo-in-004"),
    ("meera", "Meera", "Iyer", "demo-in-006"),
    ("hiroshi", "Hiroshi", "Suzuki", "demo-jp-003"),
    ("aiko", "Aiko", "Watanabe", "demo-jp-005"),
    ("takumi", "Takumi", "Ito", "demo-jp-007"),
]

# event slug -> [(username, status)] in registration order.
REGISTRATIONS = {
    "sme-forum-launch-2025": [
        ("asha", "attended"),
        ("kenji", "attended"),
        ("priya", "attended"),
        ("hiroshi", "attended"),
        ("arjun", "cancelled"),
    ],
    "council-meeting-q3-2026": [("asha", "attended"), ("kenji", "attended")],
    "startup-hub-pitch-clinic": [
        ("priya", "confirmed"),
        ("hiroshi", "confirmed"),
        ("arjun", "confirmed"),
        ("aiko", "waitlisted"),
    ],
    "startup-hub-pitch-session-ev": [("meera", "confirmed"), ("takumi", "confirmed")],
    "forum-tea-horticulture-roundtable": [("meera", "confirmed")],
    "forum-food-processing-hyderabad": [
        ("asha", "confirmed"),
        ("kenji", "confirmed"),
        ("aiko", "confirmed"),
    ],
    "delegation-briefing-north-east": [("hiroshi", "confirmed"), ("takumi", "confirmed")],
}


def _people() -> dict:
    User = get_user_model()
    people = {
        u.username: u for u in User.objects.filter(username__in=["asha", "kenji", "ravi", "yuki"])
    }
    organisations = {
        o.slug: o for o in Organisation.objects.filter(slug__in=[d[3] for d in DELEGATES])
    }
    for username, first, last, org_slug in DELEGATES:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo-sme.example",
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Profile.objects.get_or_create(
            user=user,
            defaults={
                "language": "ja" if org_slug.startswith("demo-jp") else "en",
                "time_zone": TOKYO if org_slug.startswith("demo-jp") else KOLKATA,
            },
        )
        Affiliation.objects.get_or_create(
            user=user,
            organisation=organisations[org_slug],
            defaults={"role": Affiliation.Role.REPRESENTATIVE},
        )
        people[username] = user
    return people


def _times(spec: dict, today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = zoneinfo.ZoneInfo(spec["tz"])
    day = spec.get("date") or today + dt.timedelta(days=spec["days"])
    start = dt.datetime.combine(day, dt.time(spec["hour"]), tzinfo=tz)
    return start, start + dt.timedelta(hours=spec["hours"])


@transaction.atomic
def load() -> dict[str, int]:
    today = timezone.localdate()
    platforms = {p.slug: p for p in Platform.objects.all()}
    sectors = {s.slug: s for s in Sector.objects.all()}
    people = _people()
    events = {}
    for spec in EVENTS:
        start, end = _times(spec, today)
        event, _ = Event.objects.update_or_create(
            slug=spec["slug"],
            defaults={
                "platform": platforms[spec["platform"]],
                "kind": spec["kind"],
                "title": spec["title"],
                "title_ja": spec.get("title_ja", ""),
                "description": spec["description"],
                "starts_at": start,
                "ends_at": end,
                "time_zone": spec["tz"],
                "venue": spec.get("venue", ""),
                "city": spec.get("city", ""),
                "country": spec.get("country", ""),
                "online_url": spec.get("online", ""),
                "capacity": spec["capacity"],
                "max_per_organisation": spec.get("per_org"),
                "registration_opens_at": start - dt.timedelta(days=90),
                "registration_closes_at": start - dt.timedelta(hours=2),
                "visibility": spec["visibility"],
                "status": spec["status"],
            },
        )
        event.sectors.set([sectors[s] for s in spec["sectors"] if s in sectors])
        events[event.slug] = event
    organisers = Organisation.objects.filter(slug__in=["jetro", "jcci", "ficci"])
    events["sme-forum-launch-2025"].organiser_organisations.set(organisers)

    now = timezone.now()
    for slug, rows in REGISTRATIONS.items():
        event = events[slug]
        if Registration.objects.filter(event=event).exists():
            continue  # loaded before: leave what people did in the demo alone
        position = 0
        for username, status in rows:
            user = people[username]
            affiliation = (
                Affiliation.objects.filter(user=user, is_active=True).order_by("id").first()
            )
            waitlisted = status == "waitlisted"
            position += waitlisted
            Registration.objects.create(
                event=event,
                user=user,
                organisation_id=affiliation.organisation_id,
                status=status,
                waitlist_position=position if waitlisted else None,
                confirmed_at=None if waitlisted else now,
                cancelled_at=now if status == "cancelled" else None,
                checked_in_at=event.starts_at if status == "attended" else None,
                notified_state="waitlisted" if waitlisted else "confirmed",
            )
        event_recount(event_id=event.pk)
    return {
        "events": Event.objects.count(),
        "registrations": Registration.objects.count(),
    }

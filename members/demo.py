"""Demo data for the member directory: deterministic and idempotent (safe to load twice)."""

import datetime as dt
import random

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from members.models import (
    Affiliation,
    Capability,
    Membership,
    Organisation,
    Platform,
    Profile,
    Region,
    Sector,
)

DEMO_PASSWORD = "demo-pass-2026"

PLATFORMS = [
    {
        "slug": "sme-forum",
        "name": "Japan–India SME Forum",
        "name_ja": "日印中小企業フォーラム",
        "launched_on": dt.date(2025, 11, 21),
        "description": (
            "Launched on 21 November 2025 with METI, JETRO and the Japan Chamber of Commerce "
            "and Industry to pair Japanese and Indian small and mid-sized firms for technology "
            "transfer and co-development."
        ),
        "organisers": ["meti", "jetro", "jcci", "ficci"],
    },
    {
        "slug": "business-council",
        "name": "India–Japan SME Business Council",
        "name_ja": "印日中小企業ビジネス評議会",
        "description": "Council of industry bodies and firms steering SME co-operation.",
        "organisers": ["ficci", "jcci"],
    },
    {
        "slug": "startup-hub",
        "name": "India–Japan Startup Hub",
        "name_ja": "日印スタートアップハブ",
        "description": "Pitch sessions and partnering between Indian and Japanese startups.",
        "organisers": ["jetro", "startup-india"],
    },
]

INSTITUTIONS = [
    # slug, name, name_ja, country, kind, region code
    (
        "meti",
        "Ministry of Economy, Trade and Industry (METI)",
        "経済産業省",
        "JP",
        "government",
        "JP-13",
    ),
    (
        "jetro",
        "Japan External Trade Organization (JETRO)",
        "日本貿易振興機構",
        "JP",
        "government",
        "JP-13",
    ),
    (
        "jcci",
        "The Japan Chamber of Commerce and Industry",
        "日本商工会議所",
        "JP",
        "industry_body",
        "JP-13",
    ),
    (
        "ficci",
        "Federation of Indian Chambers of Commerce and Industry (FICCI)",
        "インド商工会議所連盟",
        "IN",
        "industry_body",
        "IN-DL",
    ),
    ("startup-india", "Startup India", "スタートアップ・インディア", "IN", "government", "IN-DL"),
]

COMPANIES = [
    {
        "slug": "mitsui-co",
        "name": "Mitsui & Co., Ltd.",
        "name_ja": "三井物産株式会社",
        "country": "JP",
        "kind": "large",
        "region": "JP-13",
        "employees": 5400,
        "revenue_band": "gt_250m",
        "founded_year": 1947,
        "website": "https://www.mitsui.com/",
        "sectors": ["food-processing", "poultry", "chemicals", "logistics"],
        "offers": ["investment", "distribution", "technology-transfer"],
        "seeks": ["joint-venture", "sourcing"],
        "description": (
            "Japanese trading and investment company. Took a 25.01% stake in Sneha Farms, "
            "a transaction cleared by the Competition Commission of India."
        ),
    },
    {
        "slug": "sneha-farms",
        "name": "Sneha Farms Pvt. Ltd.",
        "name_ja": "スネハ・ファームズ",
        "country": "IN",
        "kind": "mid_sized",
        "region": "IN-TG",
        "employees": 3500,
        "revenue_band": "50m_250m",
        "founded_year": 1985,
        "sectors": ["poultry", "food-processing"],
        "offers": ["contract-manufacturing", "distribution"],
        "seeks": ["investment", "technology-transfer"],
        "description": (
            "Vertically integrated Indian broiler producer (breeding, feed, processing). "
            "Mitsui & Co. holds a 25.01% stake, approved by the Competition Commission of India."
        ),
    },
]

PEOPLE = [
    # username, first, last, email, language, time zone, organisation slug, job title
    (
        "asha",
        "Asha",
        "Reddy",
        "asha@snehafarms.example",
        "en",
        "Asia/Kolkata",
        "sneha-farms",
        "Head of Partnerships",
    ),
    (
        "kenji",
        "Kenji",
        "Sato",
        "kenji@mitsui.example",
        "ja",
        "Asia/Tokyo",
        "mitsui-co",
        "General Manager, Food Business",
    ),
    (
        "ravi",
        "Ravi",
        "Menon",
        "ravi@demo-sme.example",
        "en",
        "Asia/Kolkata",
        None,
        "Managing Director",
    ),
    (
        "yuki",
        "Yuki",
        "Tanaka",
        "yuki@demo-sme.example",
        "ja",
        "Asia/Tokyo",
        None,
        "Overseas Business Manager",
    ),
]

IN_WORDS = [
    "Shakti",
    "Prakash",
    "Surya",
    "Ganga",
    "Kaveri",
    "Himalaya",
    "Deccan",
    "Narmada",
    "Vasant",
    "Arjun",
    "Lakshmi",
    "Indus",
    "Brahmaputra",
    "Sahyadri",
    "Konark",
    "Tejas",
]
JP_WORDS = [
    "Sakura",
    "Fuji",
    "Kawa",
    "Yamato",
    "Hikari",
    "Midori",
    "Asahi",
    "Kiso",
    "Tsubasa",
    "Hayabusa",
    "Nishiki",
    "Kaede",
    "Tomoe",
    "Seiko",
    "Kotobuki",
    "Minato",
]
SECTOR_NOUNS = {
    "semiconductors": "Semiconductor",
    "electric-vehicles": "Mobility",
    "pharmaceuticals": "Pharma",
    "clean-energy": "Energy",
    "defence": "Aerospace",
    "food-processing": "Foods",
    "poultry": "Poultry",
    "tea": "Tea",
    "horticulture": "Agro",
    "organic-farming": "Organics",
    "bamboo": "Bamboo",
    "precision-manufacturing": "Precision",
    "it-iot": "Digital",
    "robotics": "Robotics",
    "textiles": "Textiles",
    "chemicals": "Chemicals",
    "medical-devices": "Medical",
    "water": "Aqua",
    "logistics": "Logistics",
}
IN_REGIONS = [
    "IN-GJ",
    "IN-TN",
    "IN-MH",
    "IN-KA",
    "IN-AS",
    "IN-TG",
    "IN-UP",
    "IN-WB",
    "IN-ML",
    "IN-SK",
    "IN-TR",
    "IN-HR",
    "IN-DL",
    "IN-KL",
    "IN-OR",
    "IN-AP",
]
JP_REGIONS = [
    "JP-13",
    "JP-27",
    "JP-23",
    "JP-14",
    "JP-40",
    "JP-26",
    "JP-22",
    "JP-28",
    "JP-34",
    "JP-15",
    "JP-20",
    "JP-01",
    "JP-21",
    "JP-11",
]
GENERATED_COUNT = 300


def generated_organisations(count: int = GENERATED_COUNT, seed: int = 2025) -> list[dict]:
    """Deterministic SMEs across the sectors and regions (same list on every machine)."""
    rng = random.Random(seed)
    sector_slugs = sorted(SECTOR_NOUNS)
    capability_slugs = [
        "technology-transfer",
        "co-development",
        "joint-venture",
        "distribution",
        "investment",
        "contract-manufacturing",
        "licensing",
        "sourcing",
        "research",
        "talent",
    ]
    out = []
    for i in range(count):
        country = "IN" if i % 2 == 0 else "JP"
        sectors = rng.sample(sector_slugs, rng.choice([1, 1, 2, 3]))
        noun = SECTOR_NOUNS[sectors[0]]
        if country == "IN":
            name = f"{rng.choice(IN_WORDS)} {noun} {rng.choice(['Pvt. Ltd.', 'Industries', 'Technologies', 'LLP'])}"
            region = rng.choice(IN_REGIONS)
        else:
            name = f"{rng.choice(JP_WORDS)} {noun} {rng.choice(['Co., Ltd.', 'K.K.', 'Works', 'Industries'])}"
            region = rng.choice(JP_REGIONS)
        kind = rng.choices(["sme", "mid_sized", "startup"], weights=[6, 3, 2])[0]
        employees = {
            "sme": rng.randint(10, 250),
            "mid_sized": rng.randint(250, 2000),
            "startup": rng.randint(3, 60),
        }[kind]
        offers = rng.sample(capability_slugs, 2)
        seeks = rng.sample([c for c in capability_slugs if c not in offers], 2)
        out.append(
            {
                "slug": f"demo-{country.lower()}-{i:03d}",
                "name": name,
                "country": country,
                "kind": kind,
                "region": region,
                "employees": employees,
                "revenue_band": "lt_1m"
                if kind == "startup"
                else rng.choice(["1m_10m", "10m_50m", "50m_250m"]),
                "founded_year": rng.randint(2012, 2024)
                if kind == "startup"
                else rng.randint(1948, 2015),
                "sectors": sectors,
                "offers": offers,
                "seeks": seeks,
                "verified": rng.random() < 0.7,
                "description": f"{name}: {', '.join(sectors)}; offers {', '.join(offers)}; seeks {', '.join(seeks)}.",
            }
        )
    return out


def _upsert_organisations(rows: list[dict]) -> dict[str, Organisation]:
    regions = {r.code: r for r in Region.objects.all()}
    sectors = {s.slug: s for s in Sector.objects.all()}
    caps = {c.slug: c for c in Capability.objects.all()}
    existing = {o.slug: o for o in Organisation.objects.filter(slug__in=[r["slug"] for r in rows])}
    new = []
    for row in rows:
        if row["slug"] in existing:
            continue
        fields = {k: v for k, v in row.items() if k not in {"sectors", "offers", "seeks", "region"}}
        new.append(Organisation(**fields, region=regions[row["region"]]))
    for organisation in Organisation.objects.bulk_create(new):
        existing[organisation.slug] = organisation
    through_rows = {"sectors": [], "offers": [], "seeks": []}
    lookups = {"sectors": sectors, "offers": caps, "seeks": caps}
    for row in rows:
        organisation = existing[row["slug"]]
        for field in through_rows:
            through = getattr(Organisation, field).through
            target = "sector_id" if field == "sectors" else "capability_id"
            for slug in row.get(field, []):
                through_rows[field].append(
                    through(organisation_id=organisation.pk, **{target: lookups[field][slug].pk})
                )
    for field, objs in through_rows.items():
        getattr(Organisation, field).through.objects.bulk_create(objs, ignore_conflicts=True)
    return existing


@transaction.atomic
def load() -> dict[str, int]:
    institutions = [
        {"slug": s, "name": n, "name_ja": j, "country": c, "kind": k, "region": r, "verified": True}
        for s, n, j, c, k, r in INSTITUTIONS
    ]
    companies = [{**c, "verified": True} for c in COMPANIES]
    generated = generated_organisations()
    organisations = _upsert_organisations(institutions + companies + generated)

    platforms = {}
    for spec in PLATFORMS:
        spec = dict(spec)
        organisers = spec.pop("organisers")
        platform, _ = Platform.objects.update_or_create(slug=spec.pop("slug"), defaults=spec)
        platform.organisers.set([organisations[s] for s in organisers])
        platforms[platform.slug] = platform

    User = get_user_model()
    people = {}
    for username, first, last, email, language, tz, org_slug, title in PEOPLE:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "email": email}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Profile.objects.update_or_create(
            user=user, defaults={"language": language, "time_zone": tz, "job_title": title}
        )
        # The demo members' addresses count as confirmed: they log in at once.
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        people[username] = user
        organisation = organisations[org_slug] if org_slug else None
        if organisation is None:
            organisation = organisations["demo-in-000" if language == "en" else "demo-jp-001"]
        Affiliation.objects.get_or_create(
            user=user, organisation=organisation, defaults={"role": Affiliation.Role.ADMIN}
        )

    # Memberships: most generated firms belong to the forum, some to the council and the
    # startup hub; a few applications are waiting for the secretariat.
    rng = random.Random(7)
    now = timezone.now()
    existing = set(Membership.objects.values_list("organisation_id", "platform_id"))
    memberships = []

    def add(org, platform, status):
        # Draw the random numbers first so a second run sees the same sequence.
        applied_days, decided_days = rng.randint(20, 300), rng.randint(1, 19)
        if (org.pk, platform.pk) in existing:
            return
        existing.add((org.pk, platform.pk))
        memberships.append(
            Membership(
                organisation=org,
                platform=platform,
                status=status,
                applied_at=now - dt.timedelta(days=applied_days),
                decided_at=None if status == "applied" else now - dt.timedelta(days=decided_days),
                decision_notified_at=None if status == "applied" else now,
            )
        )

    for slug in ("mitsui-co", "sneha-farms", "demo-in-000", "demo-jp-001"):
        for platform in platforms.values():
            add(organisations[slug], platform, "approved")
    for row in generated:
        org = organisations[row["slug"]]
        roll = rng.random()
        add(org, platforms["sme-forum"], "applied" if roll < 0.05 else "approved")
        if roll < 0.35:
            add(org, platforms["business-council"], "applied" if roll < 0.08 else "approved")
        if row["kind"] == "startup":
            add(org, platforms["startup-hub"], "approved")
    Membership.objects.bulk_create(memberships)
    return {
        "organisations": Organisation.objects.count(),
        "platforms": Platform.objects.count(),
        "memberships": Membership.objects.count(),
        "people": len(people),
    }

"""Deterministic generator of delegation problems (`forum-schedule/1`).

Used by the benchmark's scale case, the tests and the Django demo data. The default is a
Japanese delegation visiting three Indian cities: 150 delegate firms travel together, 300
local host firms each meet only in their own city, and 2,000 optional requests carry a
weight of priority (1..3) x mutuality (1 if one side asked, 2 if both did).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from .problem import FORMAT

CITIES = ("ahmedabad", "guwahati", "pune", "chennai", "kolkata")


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _agenda(
    start_date: dt.date, days: int, day_city: list[str], slot_minutes: int, tables: int
) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """The slots of every day (9:00-12:20 morning, lunch, 13:20-17:00 afternoon), and the
    slot ids of each day."""
    slots: list[dict[str, Any]] = []
    slots_of_day: list[list[str]] = []
    for d in range(days):
        date = (start_date + dt.timedelta(days=d)).isoformat()
        ids: list[str] = []
        # 9:00-12:20 morning, lunch, 13:20-17:00 afternoon (with 20-minute slots).
        for session, begin, finish in (
            ("morning", 9 * 60, 12 * 60 + 20),
            ("afternoon", 13 * 60 + 20, 17 * 60),
        ):
            t = begin
            while t + slot_minutes <= finish:
                sid = f"d{d + 1}-{_clock(t).replace(':', '')}"
                slots.append(
                    {
                        "id": sid,
                        "day": date,
                        "start": _clock(t),
                        "end": _clock(t + slot_minutes),
                        "session": session,
                        "location": day_city[d],
                        "tables": tables,
                    }
                )
                ids.append(sid)
                t += slot_minutes
        slots_of_day.append(ids)
    return slots, slots_of_day


def generate_delegation(
    *,
    seed: int = 0,
    delegates: int = 150,
    hosts: int = 300,
    requests: int = 2000,
    days: int = 4,
    cities: int = 3,
    slot_minutes: int = 20,
    tables: int = 20,
    first_day: str = "2026-02-10",
    unavailable_share: float = 0.1,
    required: int = 0,
    max_break_difference: int | None = None,
    visits: int = 0,
) -> dict[str, Any]:
    """Return a problem dict; the same arguments always give the same problem.

    `visits` > 0 adds that many group visits: a host's own site (a plant, an estate) with a
    visitor limit, 30-70 minutes from its city's venue, visited by the host and two to four
    delegates who asked to meet it (see "Visits" in docs/scheduling-format.md)."""
    rng = random.Random(seed)
    city_names = list(CITIES[:cities])
    # Days are spread over the cities in order: with 4 days and 3 cities the first city
    # gets two days, as a delegation usually starts where most hosts are.
    day_city = [city_names[min(d * cities // days, cities - 1)] for d in range(days)]
    start_date = dt.date.fromisoformat(first_day)

    slots, slots_of_day = _agenda(start_date, days, day_city, slot_minutes, tables)

    participants: list[dict[str, Any]] = []
    delegate_ids = [f"jp-{i + 1:03d}" for i in range(delegates)]
    host_ids = [f"in-{i + 1:03d}" for i in range(hosts)]
    host_city = {h: city_names[i % cities] for i, h in enumerate(host_ids)}
    for pid in delegate_ids + host_ids:
        unavailable: list[str] = []
        if rng.random() < unavailable_share:
            # A half-day away (a factory visit, a flight): one session of one day.
            d = rng.randrange(days)
            if pid in host_city:
                own = [i for i in range(days) if day_city[i] == host_city[pid]]
                d = rng.choice(own) if own else d
            half = len(slots_of_day[d]) // 2
            unavailable = slots_of_day[d][:half] if rng.random() < 0.5 else slots_of_day[d][half:]
        participants.append(
            {
                "id": pid,
                "name": ("Delegate " if pid.startswith("jp") else "Host ") + pid,
                "unavailable": unavailable,
                "locations": [host_city[pid]] if pid in host_city else None,
            }
        )

    # Popular hosts attract more requests (a skewed but bounded popularity).
    popularity = [1.0 + 3.0 * rng.random() ** 3 for _ in host_ids]
    pairs: set[tuple[str, str]] = set()
    meetings: list[dict[str, Any]] = []
    attempts = 0
    while len(meetings) < requests and attempts < requests * 50:
        attempts += 1
        d = rng.choice(delegate_ids)
        h = rng.choices(host_ids, weights=popularity)[0]
        if (d, h) in pairs:
            continue
        pairs.add((d, h))
        priority = rng.choice((1, 1, 2, 2, 3))
        mutual = 2 if rng.random() < 0.3 else 1
        is_required = len(meetings) < required
        meetings.append(
            {
                "id": f"m-{len(meetings) + 1:04d}",
                "participants": [d, h],
                "required": is_required,
                "weight": priority * mutual,
                "session": rng.choice(("morning", "afternoon")) if rng.random() < 0.05 else None,
                "fixed_slot": None,
                "after": [],
            }
        )
    problem: dict[str, Any] = {
        "format": FORMAT,
        "name": f"Generated delegation (seed {seed}, {delegates} delegates, {hosts} hosts)",
        "slots": slots,
        "participants": participants,
        "meetings": meetings,
    }
    if max_break_difference is not None:
        problem["fairness"] = {"max_break_difference": max_break_difference}
    if visits:
        _add_visits(problem, rng, visits, host_city, delegate_ids)
    return problem


SITES = ("plant", "estate", "works", "campus")


def _add_visits(
    problem: dict[str, Any],
    rng: random.Random,
    count: int,
    host_city: dict[str, str],
    delegate_ids: list[str],
) -> None:
    """Group visits to hosts' sites: a site per visited host, travel from the city venue."""
    interested: dict[str, list[str]] = {}
    for m in problem["meetings"]:
        d, h = m["participants"]
        interested.setdefault(h, []).append(d)
    hosts = sorted(h for h, ds in interested.items() if len(ds) >= 2)
    locations, travel, meetings = [], [], []
    for i, host in enumerate(rng.sample(hosts, min(count, len(hosts)))):
        site = f"{host}-{SITES[i % len(SITES)]}"
        size = rng.randint(2, min(4, len(interested[host])))
        locations.append(
            {"id": site, "name": f"{host} {SITES[i % len(SITES)]}", "visitor_limit": size + 1}
        )
        travel.append(
            {"from": host_city[host], "to": site, "minutes": rng.choice((30, 40, 50, 70))}
        )
        meetings.append(
            {
                "id": f"v-{i + 1:03d}",
                "participants": [host, *sorted(rng.sample(interested[host], size))],
                "required": False,
                "weight": 4,
                "session": None,
                "fixed_slot": None,
                "after": [],
                "location": site,
            }
        )
    problem["locations"] = locations
    problem["travel"] = travel
    problem["meetings"].extend(meetings)


def generate_hard_forum(
    *,
    seed: int = 0,
    participants: int = 60,
    morning: int = 12,
    afternoon: int = 9,
    tables: int = 10,
    hubs: int = 8,
    session_share: float = 0.6,
    max_break_difference: int | None = 2,
) -> dict[str, Any]:
    """A hard B2B forum in the image of the crafted 13-series: one day, few tables, "hub"
    participants with as many meetings as a session has slots, most of their meetings tied
    to that session, all meetings required. Deterministic by seed."""
    rng = random.Random(f"hard/{seed}")
    slots = []
    for i in range(morning + afternoon):
        begin = 9 * 60 + 20 * i
        slots.append(
            {
                "id": f"t{i + 1}",
                "day": "2026-02-10",
                "start": _clock(begin),
                "end": _clock(begin + 20),
                "session": "morning" if i < morning else "afternoon",
                "location": "venue",
                "tables": tables,
            }
        )
    people = [f"p{i + 1}" for i in range(participants)]
    count = dict.fromkeys(people, 0)
    pairs: set[tuple[str, str]] = set()
    meetings: list[dict[str, Any]] = []

    def add(a: str, b: str, session: str | None) -> None:
        pairs.add((min(a, b), max(a, b)))
        count[a] += 1
        count[b] += 1
        meetings.append(
            {
                "id": f"m{len(meetings) + 1}",
                "participants": [a, b],
                "required": True,
                "weight": 1,
                "session": session,
                "fixed_slot": None,
                "after": [],
            }
        )

    for h in range(hubs):
        hub = people[h]
        session = "morning" if h % 2 == 0 else None
        size = morning - 1 if session else morning + 1
        partners = [p for p in people[hubs:] if count[p] < 4]
        for other in rng.sample(partners, min(size - count[hub], len(partners))):
            if (min(hub, other), max(hub, other)) not in pairs:
                tied = session if rng.random() < session_share + 0.3 else None
                add(hub, other, tied)
    for _ in range(participants):
        a, b = rng.sample(people[hubs:], 2)
        if (min(a, b), max(a, b)) in pairs or max(count[a], count[b]) >= 5:
            continue
        tied = rng.choice(("morning", "afternoon")) if rng.random() < session_share / 2 else None
        add(a, b, tied)
    participants_out = [
        {"id": p, "name": f"Participant {p[1:]}", "unavailable": [], "locations": None}
        for p in people
        if count[p]
    ]
    for p in rng.sample(participants_out, len(participants_out) // 4):
        p["unavailable"] = [rng.choice(slots)["id"]]
    problem: dict[str, Any] = {
        "format": FORMAT,
        "name": f"Hard forum (seed {seed}, {participants} participants)",
        "slots": slots,
        "participants": participants_out,
        "meetings": meetings,
    }
    if max_break_difference is not None:
        problem["fairness"] = {"max_break_difference": max_break_difference}
    return problem

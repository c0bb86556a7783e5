"""Problem builders shared by the scheduler tests (plain data, no database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from events.scheduling import check, solve

REPO = Path(__file__).resolve().parents[2]
B2B = REPO / "bench" / "data" / "b2b"


def slot(
    sid: str,
    day: str = "2026-02-10",
    *,
    session: str = "morning",
    location: str = "venue",
    tables: int = 5,
) -> dict[str, Any]:
    return {
        "id": sid,
        "day": day,
        "start": None,
        "end": None,
        "session": session,
        "location": location,
        "tables": tables,
    }


def person(
    pid: str, *, unavailable: list[str] | None = None, locations: list[str] | None = None
) -> dict[str, Any]:
    return {"id": pid, "name": pid, "unavailable": unavailable or [], "locations": locations}


def meeting(
    mid: str,
    *who: str,
    required: bool = True,
    weight: int = 1,
    session: str | None = None,
    fixed: str | None = None,
    after: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "id": mid,
        "participants": list(who),
        "required": required,
        "weight": weight,
        "session": session,
        "fixed_slot": fixed,
        "after": after or [],
    }


def problem(
    slots: list[dict], people: list[dict], meetings: list[dict], fairness: int | None = None
) -> dict[str, Any]:
    pb: dict[str, Any] = {
        "format": "forum-schedule/1",
        "name": "test",
        "slots": slots,
        "participants": people,
        "meetings": meetings,
    }
    if fairness is not None:
        pb["fairness"] = {"max_break_difference": fairness}
    return pb


def solved(pb: dict[str, Any], **kw: Any) -> dict[str, Any]:
    """Solve on one worker (deterministic) and insist the checker accepts the result."""
    kw.setdefault("workers", 1)
    kw.setdefault("time_limit", 20)
    solution = solve(pb, **kw)
    assert check(pb, solution) == []
    return solution


def where(solution: dict[str, Any]) -> dict[str, str]:
    return {e["meeting"]: e["slot"] for e in solution["scheduled"]}


def reasons(solution: dict[str, Any]) -> dict[str, str]:
    return {e["meeting"]: e["reason"] for e in solution["unscheduled"]}


def people(*ids: str) -> list[dict[str, Any]]:
    return [person(i) for i in ids]


def b2b(name: str) -> dict[str, Any]:
    return json.loads((B2B / f"{name}.json").read_text())


def small_solved() -> tuple[dict[str, Any], dict[str, Any]]:
    pb = problem(
        [slot("s1", tables=2), slot("s2", tables=2), slot("s3", tables=2)],
        [person("a"), person("b"), person("c", unavailable=["s3"]), person("d")],
        [
            meeting("m1", "a", "b"),
            meeting("m2", "a", "c"),
            meeting("m3", "b", "d"),
            meeting("m4", "c", "d", required=False, weight=2),
        ],
    )
    return pb, solved(pb)


def with_site_visit(
    pb: dict[str, Any], visit: str, *, minutes: int, times: list[tuple[str, str]], limit: int = 2
) -> dict[str, Any]:
    """Give the slots clock times and hold meeting `visit` at a plant `minutes` from the
    venue (with a visitor limit of `limit`)."""
    for s, (start, end) in zip(pb["slots"], times, strict=True):
        s["start"], s["end"] = start, end
    next(m for m in pb["meetings"] if m["id"] == visit)["location"] = "plant"
    pb["locations"] = [{"id": "plant", "name": "Host plant", "visitor_limit": limit}]
    pb["travel"] = [{"from": "venue", "to": "plant", "minutes": minutes}]
    return pb

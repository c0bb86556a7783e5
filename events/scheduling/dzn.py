"""Convert a B2B instance in the MiniZinc data format of Bofill et al. to `forum-schedule/1`.

The published instances (JAIR 74 (2022) 263-301, MiniZinc data in the public repository
Business-Meeting-Scheduling-Problem, MIT licence) describe one day of `nTotalSlots` slots
with `nTables` tables; the first `nMorningSlots` are the morning. Each row of `requested`
is `participant, participant, session` with session 1 = morning, 2 = afternoon, 3 = any;
`forbidden[p]` lists the (1-based) slots participant p cannot meet in, 0 being a filler;
`fixed[m]`, when not 0, pins meeting m. Every meeting is required; the paper's fairness is
`max_break_difference = 2`. Slots are given 20-minute clock times from 09:00 so that the
result reads like a forum agenda; ids are `t<slot>`, `p<participant>`, `m<meeting>`.

    python -m events.scheduling.dzn INSTANCE.dzn NAME > INSTANCE.json
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from .problem import FORMAT

SESSIONS = {1: "morning", 2: "afternoon", 3: None}


def _scalar(text: str, name: str) -> int:
    match = re.search(rf"\b{name}\s*=\s*(\d+)\s*;", text)
    if match is None:
        raise ValueError(f"{name}: missing")
    return int(match.group(1))


def _block(text: str, name: str) -> str | None:
    match = re.search(rf"\b{name}\s*=\s*\[(.*?)\]\s*;", text, re.S)
    return None if match is None else match.group(1)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def dzn_to_problem(text: str, name: str, *, fairness: int | None = 2) -> dict[str, Any]:
    """The `forum-schedule/1` problem of a B2B .dzn text (precedences are not read)."""
    text = re.sub(r"%[^\n]*", "", text)  # MiniZinc comments
    n_business = _scalar(text, "nBusiness")
    n_tables = _scalar(text, "nTables")
    n_slots = _scalar(text, "nTotalSlots")
    n_morning = _scalar(text, "nMorningSlots")
    requested = _block(text, "requested")
    if requested is None:
        raise ValueError("requested: missing")
    numbers = [int(v) for v in re.findall(r"-?\d+", requested)]
    if len(numbers) % 3:
        raise ValueError("requested: expected rows of three numbers")
    rows = [numbers[i : i + 3] for i in range(0, len(numbers), 3)]
    forbidden_text = _block(text, "forbidden") or ""
    forbidden = [
        sorted({int(v) for v in re.findall(r"\d+", group)} - {0})
        for group in re.findall(r"\{([^}]*)\}", forbidden_text)
    ]
    fixed_text = _block(text, "fixed")
    fixed = [int(v) for v in re.findall(r"\d+", fixed_text)] if fixed_text else []
    slots = [
        {
            "id": f"t{i + 1}",
            "day": "2026-02-10",
            "start": _clock(9 * 60 + 20 * i),
            "end": _clock(9 * 60 + 20 * (i + 1)),
            "session": "morning" if i < n_morning else "afternoon",
            "location": "venue",
            "tables": n_tables,
        }
        for i in range(n_slots)
    ]
    participants = [
        {
            "id": f"p{p + 1}",
            "name": f"Participant {p + 1}",
            "unavailable": [f"t{s}" for s in (forbidden[p] if p < len(forbidden) else [])],
            "locations": None,
        }
        for p in range(n_business)
    ]
    meetings = [
        {
            "id": f"m{i + 1}",
            "participants": [f"p{a}", f"p{b}"],
            "required": True,
            "weight": 1,
            "session": SESSIONS[session],
            "fixed_slot": f"t{fixed[i]}" if i < len(fixed) and fixed[i] else None,
            "after": [],
        }
        for i, (a, b, session) in enumerate(rows)
    ]
    problem: dict[str, Any] = {
        "format": FORMAT,
        "name": name,
        "slots": slots,
        "participants": participants,
        "meetings": meetings,
    }
    if fairness is not None:
        problem["fairness"] = {"max_break_difference": fairness}
    return problem


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m events.scheduling.dzn INSTANCE.dzn NAME", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as handle:
        problem = dzn_to_problem(handle.read(), argv[1])
    json.dump(problem, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Independent validation of a `forum-schedule-solution/1` against its problem.

Deliberately shares nothing with the solver but the parsed `Problem`: every constraint,
the breaks and the objective are recomputed here from the slot list and the solution's
assignments, so a bookkeeping bug in the solver cannot hide behind the same bug here.

Interpretations fixed by this module (and mirrored by the solver):
- `after`: when a meeting and one it must come after are both scheduled, the predecessor's
  slot is earlier in the slot list. An unscheduled predecessor does not stop the successor.
- fairness: compared over the participants with at least one scheduled meeting (a
  participant left without meetings has no breaks to be fair about).
- `scheduled_weight`: the total weight of the scheduled *optional* meetings.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .problem import SOLUTION_FORMAT, Problem, load_problem, slot_minutes

STATUSES = ("optimal", "feasible", "infeasible", "unknown")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def count_breaks(problem: Problem, slot_ids: list[str]) -> int:
    """Breaks of one participant given the ids of the slots of their meetings."""
    indexes = sorted(problem.slot_by_id[s].index for s in slot_ids)
    breaks = 0
    for a, b in zip(indexes, indexes[1:]):
        same_day = problem.slots[a].day == problem.slots[b].day
        if same_day and b != a + 1:
            breaks += 1
    return breaks


def walk(pb: Problem, stops: list[tuple[int, str]]) -> tuple[int, list[dict[str, Any]], list[str]]:
    """Breaks, travel legs and travel-rule violations of one participant's agenda, given
    (slot index, place) of each meeting: the contract's rule, recomputed from the clock."""
    breaks = 0
    legs: list[dict[str, Any]] = []
    errors: list[str] = []
    stops = sorted(set(stops))
    for (a, pa), (b, pbl) in zip(stops, stops[1:]):
        sa, sb = pb.slots[a], pb.slots[b]
        if sa.day != sb.day:
            continue
        need = pb.travel_minutes(pa, pbl)
        if need:
            end_a = slot_minutes(sa)[1]
            legs.append(
                {"from": pa, "to": pbl, "after_slot": sa.id, "before_slot": sb.id, "minutes": need}
            )
            if slot_minutes(sb)[0] - end_a < need:
                errors.append(
                    f"needs {need} minutes from {pa} (slot {sa.id}) to {pbl} (slot {sb.id})"
                )
        if b == a + 1:
            continue
        # An idle run the trip needs is not a break: only if the second meeting could have
        # been one slot earlier, trip included, was the participant idle for nothing.
        if need and slot_minutes(pb.slots[b - 1])[0] < slot_minutes(sa)[1] + need:
            continue
        breaks += 1
    return breaks, legs, errors


def check(problem: Any, solution: Any) -> list[str]:
    """Return every violation found in `solution`; an empty list means valid.

    `problem` may be a decoded JSON dict or a Problem; a malformed problem raises
    ProblemError (the problem, not the solution, is at fault then).
    """
    pb = load_problem(problem)
    errors: list[str] = []
    if not isinstance(solution, dict):
        return [f"solution: expected a JSON object, got {type(solution).__name__}"]
    if solution.get("format") != SOLUTION_FORMAT:
        errors.append(f"format: expected {SOLUTION_FORMAT!r}, got {solution.get('format')!r}")
    status = solution.get("status")
    if status not in STATUSES:
        errors.append(f"status: expected one of {', '.join(STATUSES)}, got {status!r}")

    scheduled = solution.get("scheduled")
    unscheduled = solution.get("unscheduled")
    if not isinstance(scheduled, list):
        errors.append("scheduled: expected a list")
        scheduled = []
    if not isinstance(unscheduled, list):
        errors.append("unscheduled: expected a list")
        unscheduled = []
    placement, tables_used = _accounting(pb, errors, scheduled, unscheduled)
    _capacity(pb, errors, placement, tables_used)
    _meeting_rules(pb, errors, placement)
    total_breaks, legs = _participants(pb, errors, placement)
    _status(pb, errors, status, placement)
    _objective(pb, errors, solution, placement, total_breaks, legs)
    return errors


def _accounting(
    pb: Problem, errors: list[str], scheduled: list[Any], unscheduled: list[Any]
) -> tuple[dict[str, str], dict[str, list[int]]]:
    """Accounting: each meeting exactly once, in one of the two lists."""
    seen: dict[str, str] = {}
    placement: dict[str, str] = {}  # meeting id -> slot id
    tables_used: dict[str, list[int]] = defaultdict(list)
    for i, entry in enumerate(scheduled):
        where = f"scheduled[{i}]"
        if not isinstance(entry, dict):
            errors.append(f"{where}: expected an object")
            continue
        mid, sid, table = entry.get("meeting"), entry.get("slot"), entry.get("table")
        if mid not in pb.meeting_by_id:
            errors.append(f"{where}.meeting: unknown meeting {mid!r}")
            continue
        if mid in seen:
            errors.append(f"{where}.meeting: {mid} appears more than once")
            continue
        seen[mid] = where
        if sid not in pb.slot_by_id:
            errors.append(f"{where}.slot: unknown slot {sid!r} for {mid}")
            continue
        placement[mid] = sid
        slot = pb.slot_by_id[sid]
        m = pb.meeting_by_id[mid]
        if entry.get("location") is not None and entry["location"] != pb.place(m, slot):
            errors.append(
                f"{where}.location: {mid} takes place at {pb.place(m, slot)}, "
                f"not {entry['location']!r}"
            )
        if m.location is not None:
            if table is not None:
                errors.append(f"{where}.table: {mid} is at {m.location} and has no table")
        elif not _is_int(table) or not 1 <= table <= slot.tables:
            errors.append(
                f"{where}.table: {mid} has table {table!r}, slot {sid} has tables 1..{slot.tables}"
            )
        else:
            tables_used[sid].append(table)
    for i, entry in enumerate(unscheduled):
        where = f"unscheduled[{i}]"
        if not isinstance(entry, dict):
            errors.append(f"{where}: expected an object")
            continue
        mid = entry.get("meeting")
        if mid not in pb.meeting_by_id:
            errors.append(f"{where}.meeting: unknown meeting {mid!r}")
            continue
        if mid in seen:
            errors.append(f"{where}.meeting: {mid} appears more than once")
            continue
        seen[mid] = where
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            errors.append(f"{where}.reason: {mid} has no reason")
    for m in pb.meetings:
        if m.id not in seen:
            errors.append(f"meeting {m.id} is neither scheduled nor unscheduled")
    return placement, tables_used


def _capacity(
    pb: Problem, errors: list[str], placement: dict[str, str], tables_used: dict[str, list[int]]
) -> None:
    """Tables per slot."""
    for sid, tables in tables_used.items():
        if len(tables) != len(set(tables)):
            dup = sorted({t for t in tables if tables.count(t) > 1})
            errors.append(f"slot {sid}: table(s) {dup} used by more than one meeting")
    per_slot: dict[str, list[str]] = defaultdict(list)
    visitors: dict[tuple[str, str], int] = defaultdict(int)
    for mid, sid in placement.items():
        site = pb.meeting_by_id[mid].location
        if site is None:
            per_slot[sid].append(mid)
        else:
            visitors[site, sid] += len(pb.meeting_by_id[mid].participants)
    for (site, sid), count in sorted(visitors.items()):
        limit = pb.locations[site].visitor_limit
        if limit is not None and count > limit:
            errors.append(f"{site}: {count} participants in slot {sid}, visitor limit {limit}")
    for sid, mids in per_slot.items():
        if len(mids) > pb.slot_by_id[sid].tables:
            errors.append(
                f"slot {sid}: {len(mids)} meetings but only {pb.slot_by_id[sid].tables} tables"
            )


def _meeting_rules(pb: Problem, errors: list[str], placement: dict[str, str]) -> None:
    """Per-meeting constraints."""
    for mid, sid in placement.items():
        m = pb.meeting_by_id[mid]
        slot = pb.slot_by_id[sid]
        if m.fixed_slot is not None and sid != m.fixed_slot:
            errors.append(f"{mid}: fixed to slot {m.fixed_slot} but scheduled in {sid}")
        if m.locked and pb.previous is not None and sid != pb.previous[mid]:
            errors.append(f"{mid}: locked to slot {pb.previous[mid]} but scheduled in {sid}")
        if m.session is not None and slot.session != m.session:
            errors.append(
                f"{mid}: restricted to session {m.session!r} but slot {sid} is in "
                f"session {slot.session!r}"
            )
        for pid in m.participants:
            p = pb.participant_by_id[pid]
            if sid in p.unavailable:
                errors.append(f"{mid}: {pid} is unavailable in slot {sid}")
            if p.locations is not None and slot.location not in p.locations:
                errors.append(f"{mid}: {pid} cannot meet in {slot.location} (slot {sid})")
        for pred in m.after:
            if pred in placement:
                pslot = pb.slot_by_id[placement[pred]]
                if not pslot.index < slot.index:
                    errors.append(
                        f"{mid}: must come after {pred}, but {pred} is in slot "
                        f"{pslot.id} and {mid} in slot {sid}"
                    )


def _participants(
    pb: Problem, errors: list[str], placement: dict[str, str]
) -> tuple[int, list[dict[str, Any]]]:
    """Participants: double booking, breaks, fairness."""
    agenda: dict[str, list[str]] = defaultdict(list)
    stops: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for mid, sid in placement.items():
        slot = pb.slot_by_id[sid]
        for pid in pb.meeting_by_id[mid].participants:
            agenda[pid].append(sid)
            stops[pid].append((slot.index, pb.place(pb.meeting_by_id[mid], slot)))
    breaks: dict[str, int] = {}
    legs: list[dict[str, Any]] = []
    order = {p.id: i for i, p in enumerate(pb.participants)}
    for pid in sorted(agenda, key=order.__getitem__):
        sids = agenda[pid]
        for sid in sorted(set(sids), key=lambda s: pb.slot_by_id[s].index):
            if sids.count(sid) > 1:
                errors.append(f"{pid} is double-booked in slot {sid}")
        if pb.travel:
            breaks[pid], mine, trouble = walk(pb, stops[pid])
            legs.extend({"participant": pid, **leg} for leg in mine)
            errors.extend(f"{pid} {problem}" for problem in trouble)
        else:
            breaks[pid] = count_breaks(pb, sorted(set(sids)))
    total_breaks = sum(breaks.values())
    if pb.max_break_difference is not None and breaks:
        # The first participant (by id) at each extreme, so the message is reproducible.
        hi = min(breaks, key=lambda p: (-breaks[p], p))
        lo = min(breaks, key=lambda p: (breaks[p], p))
        if breaks[hi] - breaks[lo] > pb.max_break_difference:
            errors.append(
                f"fairness: {hi} has {breaks[hi]} breaks and {lo} has {breaks[lo]}, "
                f"more than max_break_difference={pb.max_break_difference}"
            )
    return total_breaks, legs


def _status(pb: Problem, errors: list[str], status: Any, placement: dict[str, str]) -> None:
    """Status and required meetings."""
    if status in ("optimal", "feasible"):
        for m in pb.meetings:
            if m.required and m.id not in placement:
                errors.append(f"{m.id}: required but not scheduled")
            elif m.locked and m.id not in placement:
                errors.append(f"{m.id}: locked but not scheduled")
    elif status in ("infeasible", "unknown") and placement:
        errors.append(f"status {status} but {len(placement)} meeting(s) scheduled")


def _objective(
    pb: Problem,
    errors: list[str],
    solution: dict[str, Any],
    placement: dict[str, str],
    total_breaks: int,
    legs: list[dict[str, Any]],
) -> None:
    """Objective and bound."""
    status = solution.get("status")
    weight = sum(
        pb.meeting_by_id[mid].weight for mid in placement if not pb.meeting_by_id[mid].required
    )
    objective = solution.get("objective")
    if not isinstance(objective, dict):
        errors.append("objective: expected an object")
    else:
        if objective.get("scheduled_weight") != weight:
            errors.append(
                f"objective.scheduled_weight: reported "
                f"{objective.get('scheduled_weight')!r}, recomputed {weight}"
            )
        if objective.get("breaks") != total_breaks:
            errors.append(
                f"objective.breaks: reported {objective.get('breaks')!r}, recomputed {total_breaks}"
            )
        if pb.previous is not None:
            moved = sum(1 for mid, sid in pb.previous.items() if placement.get(mid) != sid)
            if objective.get("moved") != moved:
                errors.append(
                    f"objective.moved: reported {objective.get('moved')!r}, recomputed {moved}"
                )
    if pb.travel and solution.get("travel") != legs:
        errors.append(
            f"travel: expected {len(legs)} leg(s) in itinerary order, "
            f"got {solution.get('travel')!r}"[:200]
        )
    bound = solution.get("bound", {})
    if bound is not None and not isinstance(bound, dict):
        errors.append("bound: expected an object")
    elif bound and bound.get("breaks") is not None:
        lb = bound["breaks"]
        if not _is_int(lb) or lb < 0:
            errors.append(f"bound.breaks: expected an integer >= 0, got {lb!r}")
        elif status in ("optimal", "feasible") and lb > total_breaks:
            errors.append(f"bound.breaks: {lb} exceeds the schedule's {total_breaks} breaks")
        elif status == "optimal" and lb != total_breaks:
            errors.append(f"status optimal but bound.breaks={lb} < breaks={total_breaks}")
    seconds = solution.get("seconds")
    if seconds is not None and (
        isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0
    ):
        errors.append(f"seconds: expected a number >= 0, got {seconds!r}")

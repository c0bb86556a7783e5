"""What is known before search: allowed slots, reasons, per-participant bounds on breaks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..problem import Meeting, Problem, Slot


@dataclass
class Analysis:
    """What can be known before search: allowed slots, obvious reasons and bounds."""

    problem: Problem
    allowed: dict[str, list[int]]  # meeting id -> slot indexes, in time order
    no_slot_reason: dict[str, str]  # meeting id -> why it has no allowed slot
    meetings_of: dict[str, list[Meeting]]  # participant id -> meetings that can happen
    usable: dict[str, list[int]]  # participant id -> slots where they can be busy at all
    required_count: dict[str, int]
    infeasible: dict[str, str]  # required meeting id -> reason it cannot be placed
    breaks_lb: dict[str, int]  # participant id -> proven lower bound on breaks


def _slot_ok(m: Meeting, s: Slot, pb: Problem) -> bool:
    if s.tables <= 0:
        return False
    if m.fixed_slot is not None and s.id != m.fixed_slot:
        return False
    if m.session is not None and s.session != m.session:
        return False
    for pid in m.participants:
        p = pb.participant_by_id[pid]
        if s.id in p.unavailable or (p.locations is not None and s.location not in p.locations):
            return False
    return True


def _no_slot_reason(m: Meeting, pb: Problem) -> str:
    """Name the first obstacle that alone leaves `m` without a slot."""
    if m.fixed_slot is not None:
        s = pb.slot_by_id[m.fixed_slot]
        if s.tables <= 0:
            return f"fixed slot {s.id} has no tables"
        if m.session is not None and s.session != m.session:
            return f"fixed slot {s.id} is not in session {m.session!r}"
        for pid in m.participants:
            p = pb.participant_by_id[pid]
            if s.id in p.unavailable:
                return f"{pid} is unavailable in fixed slot {s.id}"
            if p.locations is not None and s.location not in p.locations:
                return f"{pid} cannot meet in {s.location} (fixed slot {s.id})"
        return f"fixed slot {s.id} is not allowed for all participants"
    candidates = [
        s for s in pb.slots if s.tables > 0 and (m.session is None or s.session == m.session)
    ]
    if not candidates:
        return (
            f"no slot with tables in session {m.session!r}"
            if m.session is not None
            else "no slot has tables"
        )
    for pid in m.participants:
        p = pb.participant_by_id[pid]
        if p.locations is not None and not any(s.location in p.locations for s in candidates):
            where = ", ".join(sorted(p.locations)) or "nowhere"
            return f"{pid} meets only in {where} and no possible slot is there"
        if not any(
            s.id not in p.unavailable and (p.locations is None or s.location in p.locations)
            for s in candidates
        ):
            return f"{pid} is unavailable in every possible slot"
    return "no slot allowed for all participants"


def _max_matching(items: list[list[int]], capacity: dict[int, int]) -> int:
    """Size of a maximum assignment of items to slots with slot capacities (Kuhn)."""
    owner: dict[int, list[int]] = defaultdict(list)

    def augment(i: int, visited: set[int]) -> bool:
        for s in items[i]:
            if s in visited:
                continue
            visited.add(s)
            if len(owner[s]) < capacity[s]:
                owner[s].append(i)
                return True
            for j in list(owner[s]):
                if augment(j, visited):
                    owner[s].remove(j)
                    owner[s].append(i)
                    return True
        return False

    return sum(1 for i in range(len(items)) if augment(i, set()))


def _after_cycle(pb: Problem) -> list[str] | None:
    """A cycle of `after` among required meetings, which no schedule can satisfy."""
    graph = {
        m.id: [a for a in m.after if pb.meeting_by_id[a].required]
        for m in pb.meetings
        if m.required
    }
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    for root in graph:
        if root in state:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = []
        while stack:
            node, i = stack.pop()
            if i == 0:
                state[node] = 1
                path.append(node)
            succ = graph[node]
            if i < len(succ):
                stack.append((node, i + 1))
                nxt = succ[i]
                if state.get(nxt) == 1:
                    return path[path.index(nxt) :] + [nxt]
                if nxt not in state:
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                path.pop()
    return None


def _derive(pb: Problem, allowed: dict[str, list[int]], an: Analysis) -> Analysis:
    """An Analysis for a restriction of the allowed slots (used by the decomposition)."""
    meetings_of: dict[str, list[Meeting]] = defaultdict(list)
    required_count: dict[str, int] = defaultdict(int)
    for m in pb.meetings:
        for pid in m.participants if allowed[m.id] else ():
            meetings_of[pid].append(m)
            required_count[pid] += m.required
    usable = {
        pid: sorted({s for m in ms for s in allowed[m.id]}) for pid, ms in meetings_of.items()
    }
    lbs = {pid: breaks_lower_bound(pb, slots, required_count[pid]) for pid, slots in usable.items()}
    return Analysis(
        pb, allowed, an.no_slot_reason, dict(meetings_of), usable, dict(required_count), {}, lbs
    )


def analyse(pb: Problem) -> Analysis:
    allowed: dict[str, list[int]] = {}
    reasons: dict[str, str] = {}
    meetings_of: dict[str, list[Meeting]] = defaultdict(list)
    required_count: dict[str, int] = defaultdict(int)
    for m in pb.meetings:
        allowed[m.id] = [s.index for s in pb.slots if _slot_ok(m, s, pb)]
        if not allowed[m.id]:
            reasons[m.id] = _no_slot_reason(m, pb)
            continue
        for pid in m.participants:
            meetings_of[pid].append(m)
            if m.required:
                required_count[pid] += 1
    usable = {
        pid: sorted({s for m in ms for s in allowed[m.id]}) for pid, ms in meetings_of.items()
    }

    infeasible: dict[str, str] = {}
    for m in pb.meetings:
        if m.required and m.id in reasons:
            infeasible[m.id] = f"required, but {reasons[m.id]}"
    # Each participant's required meetings need distinct slots: a bipartite matching per
    # participant catches "more required meetings than possible slots" and subtler cases.
    for p in pb.participants:
        req = [m for m in meetings_of.get(p.id, []) if m.required]
        if not req:
            continue
        n = _max_matching([allowed[m.id] for m in req], defaultdict(lambda: 1))
        if n < len(req):
            slots = len({s for m in req for s in allowed[m.id]})
            msg = (
                f"{p.id} has {len(req)} required meetings but they fit in at most {n} "
                f"distinct slots ({slots} possible)"
            )
            for m in req:
                infeasible.setdefault(m.id, msg)
    req_all = [m for m in pb.meetings if m.required and allowed[m.id]]
    if req_all and not infeasible:
        capacity = {s.index: s.tables for s in pb.slots}
        n = _max_matching([allowed[m.id] for m in req_all], capacity)
        if n < len(req_all):
            msg = f"the required meetings need more tables than the slots offer ({n} fit)"
            for m in req_all:
                infeasible.setdefault(m.id, msg)
    cycle = _after_cycle(pb)
    if cycle:
        msg = "required meetings form an 'after' cycle: " + " -> ".join(cycle)
        for mid in cycle:
            infeasible.setdefault(mid, msg)
    breaks_lb = {
        pid: breaks_lower_bound(pb, slots, required_count.get(pid, 0))
        for pid, slots in usable.items()
    }
    return Analysis(
        pb, allowed, reasons, dict(meetings_of), usable, dict(required_count), infeasible, breaks_lb
    )


def day_runs(pb: Problem, indexes: list[int]) -> list[tuple[str, int]]:
    """Maximal runs of consecutive slots among `indexes` (sorted), as (day, length)."""
    runs: list[tuple[str, int]] = []
    prev: int | None = None
    for s in indexes:
        if prev is not None and pb.consecutive(pb.slots[prev], pb.slots[s]):
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((pb.slots[s].day, 1))
        prev = s
    return runs


def breaks_lower_bound(pb: Problem, usable: list[int], meetings: int) -> int:
    """Fewest breaks for `meetings` busy slots chosen among `usable`.

    Every run of usable slots that holds a meeting is at least one block; the first block
    of a day is free and every further block costs a break. So take the longest run of each
    day for free, then the longest remaining runs at one break each.
    """
    if meetings <= 0:
        return 0
    by_day: dict[str, list[int]] = defaultdict(list)
    for day, length in day_runs(pb, usable):
        by_day[day].append(length)
    free = 0
    extra: list[int] = []
    for lengths in by_day.values():
        lengths.sort(reverse=True)
        free += lengths[0]
        extra.extend(lengths[1:])
    need = meetings - free
    breaks = 0
    for length in sorted(extra, reverse=True):
        if need <= 0:
            break
        need -= length
        breaks += 1
    return breaks  # if need > 0 still, the matching check has already reported it


def _fair(pb: Problem, placed: dict[str, int]) -> bool:
    if pb.max_break_difference is None or not placed:
        return True
    values = _participant_breaks(pb, placed).values()
    return max(values) - min(values) <= pb.max_break_difference


def _lower_bounds(an: Analysis, keep: set[str] | None) -> dict[str, int]:
    """Per-participant lower bounds on breaks, for all meetings or only the kept ones."""
    if keep is None:
        return an.breaks_lb
    bounds = {}
    for pid, meetings in an.meetings_of.items():
        mine = [m for m in meetings if m.id in keep]
        slots = sorted({s for m in mine for s in an.allowed[m.id]})
        bounds[pid] = breaks_lower_bound(an.problem, slots, len(mine))
    return bounds


def _ranges(an: Analysis, keep: set[str] | None) -> dict[str, tuple[int, int]]:
    """Proven (lower, upper) bounds on each participant's breaks, fairness included.

    Lower: `breaks_lower_bound`. Upper: the most blocks each day's runs of usable slots
    can hold, and one fewer than the meetings. Fairness then narrows both: a participant
    sure to have a meeting has at least (largest lower bound) - d breaks, and nobody more
    than (smallest upper bound among the sure ones) + d. With d = 0 or 1 this often fixes
    everyone's breaks, or proves infeasibility, before any search.
    """
    pb = an.problem
    lower = _lower_bounds(an, keep)
    out: dict[str, tuple[int, int]] = {}
    sure: set[str] = set()
    for pid, meetings in an.meetings_of.items():
        mine = [m for m in meetings if keep is None or m.id in keep]
        if not mine:
            continue
        if keep is not None or an.required_count.get(pid, 0):
            sure.add(pid)
        slots = sorted({s for m in mine for s in an.allowed[m.id]})
        days: dict[str, list[int]] = defaultdict(list)
        for s in slots:
            days[pb.slots[s].day].append(s)
        ub = sum(max(0, sum((r + 1) // 2 for _, r in day_runs(pb, ds)) - 1) for ds in days.values())
        lb = lower.get(pid, 0)
        out[pid] = (lb, max(lb, min(ub, max(0, len(mine) - 1))))
    d = pb.max_break_difference
    if d is not None and sure:
        top = max(out[p][0] for p in sure) - d
        cap = min(out[p][1] for p in sure) + d
        out = {p: (max(lb, top) if p in sure else lb, min(ub, cap)) for p, (lb, ub) in out.items()}
    return out


# Most busy patterns enumerated for one participant, and for one model: CP-SAT expands a
# table into one literal per pattern, so on long days (the generated delegation's 21
# slots) tables would swamp the presolve; B2B forums (8-10 slots) stay far below.


def _participant_breaks(pb: Problem, placed: dict[str, int]) -> dict[str, int]:
    agenda: dict[str, list[int]] = defaultdict(list)
    for mid, s in placed.items():
        for p in pb.meeting_by_id[mid].participants:
            agenda[p].append(s)
    return {
        p: len(day_runs(pb, sorted(slots))) - len({pb.slots[s].day for s in slots})
        for p, slots in agenda.items()
    }


def _breaks_of(pb: Problem, placed: dict[str, int]) -> int:
    agenda: dict[str, list[int]] = defaultdict(list)
    for mid, s in placed.items():
        for p in pb.meeting_by_id[mid].participants:
            agenda[p].append(s)
    total = 0
    for slots in agenda.values():
        total += len(day_runs(pb, sorted(slots))) - len({pb.slots[s].day for s in slots})
    return total

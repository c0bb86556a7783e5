"""CP-SAT model of the delegation meeting scheduling problem (`forum-schedule/1`).

Model (see README.md, "Modelling insights", for the reasons):
- x[m, s]: meeting m takes place in slot s, created only for the slots allowed for m
  (fixed slot, session, every participant available and allowed at the slot's location);
- busy[p, s] == sum of x[m, s] over p's meetings: a 0/1 variable, so it also forbids double
  booking; sum of busy over all slots equals p's number of meetings (an identity CP-SAT's
  linear relaxation sees directly);
- breaks of p on a day == number of blocks of busy slots - 1 if the day is used, with
  start[p, s] = busy[p, s] and not busy[p, s - 1]: linear size, no pairwise gap variables;
- a per-participant lower bound on breaks computed from the runs of slots the participant
  can use at all (it proves forumt-14's optimum the moment a 5-break schedule is found);
- lexicographic objective solved in phases: max optional weight (on classes of
  interchangeable slots, by MIP, when that is exact), then min breaks with the weight held
  at the phase-1 value, by lower-bound-driven feasibility probes (busy-pattern tables,
  clause learning without LP) and the optimisation model as a fallback.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from .problem import SOLUTION_FORMAT, Meeting, Problem, Slot, load_problem


@dataclass
class PhaseStats:
    name: str
    status: str
    seconds: float
    objective: float | None
    bound: float | None


@dataclass
class SolveResult:
    """The contract's solution plus figures only the benchmark and the logs need."""

    solution: dict[str, Any]
    first_solution_seconds: float | None = None
    weight_bound: int | None = None  # proven upper bound on the optional weight
    phases: list[PhaseStats] = field(default_factory=list)


# --------------------------------------------------------------------------- analysis


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


# --------------------------------------------------------------------------- greedy


def greedy(an: Analysis) -> dict[str, int]:
    """A quick schedule used as a hint: required first, heavy first, packed into blocks."""
    pb = an.problem
    busy: dict[str, set[int]] = defaultdict(set)
    used: dict[int, int] = defaultdict(int)
    placed: dict[str, int] = {}
    successors: dict[str, list[str]] = defaultdict(list)
    for m in pb.meetings:
        for a in m.after:
            successors[a].append(m.id)
    order = sorted(
        (m for m in pb.meetings if an.allowed[m.id]),
        key=lambda m: (not m.required, -m.weight, len(an.allowed[m.id]), m.index),
    )
    for m in order:
        lo = max((placed[a] for a in m.after if a in placed), default=-1)
        hi = min((placed[b] for b in successors[m.id] if b in placed), default=len(pb.slots))
        best: tuple[int, int] | None = None
        for s in an.allowed[m.id]:
            if not lo < s < hi or used[s] >= pb.slots[s].tables:
                continue
            if any(s in busy[p] for p in m.participants):
                continue
            slot = pb.slots[s]
            # Prefer slots that extend a participant's existing block (no new break).
            touching = 0
            for p in m.participants:
                for t in (s - 1, s + 1):
                    if t in busy[p] and pb.slots[t].day == slot.day:
                        touching += 1
            key = (-touching, s)
            if best is None or key < best:
                best = key
        if best is not None:
            s = best[1]
            placed[m.id] = s
            used[s] += 1
            for p in m.participants:
                busy[p].add(s)
    return placed


# --------------------------------------------------------------------------- grouped weight


def slot_groups(an: Analysis) -> list[list[int]] | None:
    """Classes of interchangeable slots for the weight phase, or None when not exact.

    Two slots are interchangeable when they have the same tables and allow exactly the same
    meetings. When every meeting has two participants, the participants form a bipartite
    graph (delegates meet hosts) and there is no `after`, a set of meetings fits a class of
    k slots of T tables if and only if nobody has more than k of them and there are at most
    k * T: a bipartite multigraph of degree <= k has an equitable k-edge-colouring (König).
    So the weight phase can choose a class per meeting instead of a slot: on the generated
    delegation 8 classes (each half day) instead of 84 slots.
    """
    pb = an.problem
    live = [m for m in pb.meetings if an.allowed[m.id]]
    if any(m.after for m in pb.meetings) or any(len(m.participants) != 2 for m in live):
        return None
    side: dict[str, int] = {}
    adjacent: dict[str, list[str]] = defaultdict(list)
    for m in live:
        a, b = m.participants
        adjacent[a].append(b)
        adjacent[b].append(a)
    for root in adjacent:
        if root in side:
            continue
        side[root] = 0
        stack = [root]
        while stack:
            p = stack.pop()
            for q in adjacent[p]:
                if q not in side:
                    side[q] = 1 - side[p]
                    stack.append(q)
                elif side[q] == side[p]:
                    return None
    allowed_at: dict[int, list[int]] = defaultdict(list)
    for m in live:
        for s in an.allowed[m.id]:
            allowed_at[s].append(m.index)
    classes: dict[tuple[int, tuple[int, ...]], list[int]] = defaultdict(list)
    for s in sorted(allowed_at):
        classes[pb.slots[s].tables, tuple(allowed_at[s])].append(s)
    return list(classes.values())


def _weight_grouped(
    an: Analysis,
    groups: list[list[int]],
    hint: dict[str, int],
    limit: float,
    workers: int,
    seed: int,
    callback: cp_model.CpSolverSolutionCallback,
) -> tuple[int, dict[str, int] | None, float]:
    """Maximise the optional weight choosing a slot class per meeting, then give every
    meeting a slot of its class (a small feasibility problem per class, always feasible).

    The class model is a MIP whose LP relaxation is nearly integral (per class it is a
    bipartite b-matching), so a MIP solver with an LP at its core proves it in about a
    second where CP-SAT's search stalls at the greedy's value with a far weaker bound.
    CP-SAT is the fallback when no MIP solver ships with OR-Tools.
    """
    pb = an.problem
    group_of = {s: g for g, slots in enumerate(groups) for s in slots}
    options = {
        m.id: sorted({group_of[s] for s in an.allowed[m.id]})
        for m in pb.meetings
        if an.allowed[m.id]
    }
    code, chosen, bound = _weight_mip(pb, groups, options, limit)
    if chosen is None:
        code, chosen, bound = _weight_cpsat(
            pb, groups, options, group_of, hint, limit, workers, seed, callback
        )
    else:
        callback.found_at()
    if chosen is None:
        return code, None, bound
    placed: dict[str, int] = {}
    for g, mids in chosen.items():
        sub = cp_model.CpModel()
        x = {(mid, s): sub.new_bool_var("") for mid in mids for s in groups[g]}
        for mid in mids:
            sub.add_exactly_one(x[mid, s] for s in groups[g])
        for s in groups[g]:
            sub.add(sum(x[mid, s] for mid in mids) <= pb.slots[s].tables)
            busy: dict[str, list[Any]] = defaultdict(list)
            for mid in mids:
                for p in pb.meeting_by_id[mid].participants:
                    busy[p].append(x[mid, s])
            for lits in busy.values():
                if len(lits) > 1:
                    sub.add_at_most_one(lits)
        sat = _params(max(1.0, limit), workers, seed, sat=True)
        if sat.solve(sub) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return cp_model.UNKNOWN, None, bound
        placed.update((mid, s) for (mid, s), v in x.items() if sat.boolean_value(v))
    return code, placed, bound


def _weight_mip(
    pb: Problem, groups: list[list[int]], options: dict[str, list[int]], limit: float
) -> tuple[int, dict[int, list[str]] | None, float]:
    from ortools.linear_solver import pywraplp

    mip = pywraplp.Solver.CreateSolver("SCIP") or pywraplp.Solver.CreateSolver("CBC")
    if mip is None:
        return cp_model.UNKNOWN, None, math.inf
    mip.SetTimeLimit(int(max(0.1, limit) * 1000))
    y = {}
    per_group: dict[int, list[Any]] = defaultdict(list)
    per_pg: dict[tuple[str, int], list[Any]] = defaultdict(list)
    objective = []
    for mid, gs in options.items():
        m = pb.meeting_by_id[mid]
        for g in gs:
            v = mip.BoolVar(f"y{m.index}_{g}")
            y[mid, g] = v
            per_group[g].append(v)
            for p in m.participants:
                per_pg[p, g].append(v)
            if not m.required:
                objective.append(m.weight * v)
        row = sum(y[mid, g] for g in gs)
        mip.Add(row == 1 if m.required else row <= 1)
    for g, lits in per_group.items():
        mip.Add(sum(lits) <= len(groups[g]) * pb.slots[groups[g][0]].tables)
    for (_p, g), lits in per_pg.items():
        if len(lits) > len(groups[g]):
            mip.Add(sum(lits) <= len(groups[g]))
    mip.Maximize(sum(objective))
    status = mip.Solve()
    if status == pywraplp.Solver.INFEASIBLE:
        return cp_model.INFEASIBLE, None, -math.inf
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return cp_model.UNKNOWN, None, math.inf
    chosen: dict[int, list[str]] = defaultdict(list)
    for (mid, g), v in y.items():
        if v.solution_value() > 0.5:
            chosen[g].append(mid)
    optimal = status == pywraplp.Solver.OPTIMAL
    bound = mip.Objective().Value() if optimal else mip.Objective().BestBound()
    return (cp_model.OPTIMAL if optimal else cp_model.FEASIBLE), chosen, bound


def _weight_cpsat(
    pb: Problem,
    groups: list[list[int]],
    options: dict[str, list[int]],
    group_of: dict[int, int],
    hint: dict[str, int],
    limit: float,
    workers: int,
    seed: int,
    callback: cp_model.CpSolverSolutionCallback,
) -> tuple[int, dict[int, list[str]] | None, float]:
    model = cp_model.CpModel()
    y: dict[tuple[str, int], cp_model.IntVar] = {}
    per_group: dict[int, list[Any]] = defaultdict(list)
    per_pg: dict[tuple[str, int], list[Any]] = defaultdict(list)
    weight = []
    for mid, gs in options.items():
        m = pb.meeting_by_id[mid]
        lits = []
        for g in gs:
            v = model.new_bool_var(f"y[{mid},{g}]")
            model.add_hint(v, mid in hint and group_of[hint[mid]] == g)
            y[mid, g] = v
            lits.append(v)
            per_group[g].append(v)
            for p in m.participants:
                per_pg[p, g].append(v)
        if m.required:
            model.add_exactly_one(lits)
        else:
            model.add_at_most_one(lits)
            weight.append(m.weight * sum(lits))
    for g, lits in per_group.items():
        cap = len(groups[g]) * pb.slots[groups[g][0]].tables
        if len(lits) > cap:
            model.add(sum(lits) <= cap)
    for (_p, g), lits in per_pg.items():
        if len(lits) > len(groups[g]):
            model.add(sum(lits) <= len(groups[g]))
    model.maximize(sum(weight))
    solver = _params(limit, workers, seed)
    code = solver.solve(model, callback)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return code, None, solver.best_objective_bound
    chosen: dict[int, list[str]] = defaultdict(list)
    for (mid, g), v in y.items():
        if solver.boolean_value(v):
            chosen[g].append(mid)
    return code, chosen, solver.best_objective_bound


# --------------------------------------------------------------------------- model


class _FirstSolution(cp_model.CpSolverSolutionCallback):
    def __init__(self, t0: float, sink: list[float]) -> None:
        super().__init__()
        self._t0 = t0
        self._sink = sink

    def on_solution_callback(self) -> None:
        if not self._sink:
            self._sink.append(time.perf_counter() - self._t0)

    def found_at(self) -> None:
        """Record a solution found outside CP-SAT (the MIP of the weight phase)."""
        self.on_solution_callback()


@dataclass
class _Model:
    model: cp_model.CpModel
    x: dict[tuple[str, int], cp_model.IntVar]
    weight: Any  # linear expression: optional weight scheduled
    breaks: Any  # linear expression: total breaks (0 if not built)
    has_breaks: bool


def _build(
    an: Analysis,
    *,
    with_breaks: bool,
    fairness: bool,
    slack: int | None = None,
    hint: dict[str, int] | None = None,
    keep: set[str] | None = None,
) -> _Model:
    """The CP-SAT model; `keep` (a set of meeting ids) makes exactly those meetings required
    and drops the others; `hint` (meeting id -> slot index) is hinted on every variable,
    because CP-SAT discards a partial hint far more often than a complete one."""
    pb = an.problem
    model = cp_model.CpModel()
    x: dict[tuple[str, int], cp_model.IntVar] = {}
    terms_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    terms_ps: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
    weight_terms = []
    hinted: set[tuple[str, int]] = set()  # (participant, slot) busy in the hint
    if hint is not None:
        hinted = {(p, s) for mid, s in hint.items() for p in pb.meeting_by_id[mid].participants}

    def new_bool(name: str, value: bool | None = None) -> cp_model.IntVar:
        v = model.new_bool_var(name)
        if hint is not None and value is not None:
            model.add_hint(v, value)
        return v

    for m in pb.meetings:
        slots = an.allowed[m.id]
        if not slots or (keep is not None and m.id not in keep):
            continue
        lits = []
        for s in slots:
            v = new_bool(f"x[{m.id},{pb.slots[s].id}]", hint is not None and hint.get(m.id) == s)
            x[m.id, s] = v
            lits.append(v)
            terms_slot[s].append(v)
            for p in m.participants:
                terms_ps[p, s].append(v)
        if m.required or keep is not None:
            model.add_exactly_one(lits)
        else:
            model.add_at_most_one(lits)
            weight_terms.append(m.weight * sum(lits))

    for s, lits in terms_slot.items():
        if len(lits) > pb.slots[s].tables:
            model.add(sum(lits) <= pb.slots[s].tables)

    # Precedence: x[m, s] excludes the predecessor from every slot at or after s. The
    # predecessor may stay unscheduled (see checker.py for that reading of `after`).
    for m in pb.meetings:
        for a in m.after:
            for s in an.allowed[m.id]:
                late = [x[a, t] for t in an.allowed[a] if t >= s and (a, t) in x]
                if late and (m.id, s) in x:
                    model.add_at_most_one([x[m.id, s], *late])
    # When both are sure to take place, the same order on their slot numbers as well: a
    # linear form that bounds propagation and the LP see along a whole chain at once.
    pos: dict[str, Any] = {}

    def position(mid: str) -> Any:
        if mid not in pos:
            slots = an.allowed[mid]
            v = model.new_int_var(slots[0], slots[-1], f"pos[{mid}]")
            model.add(v == sum(s * x[mid, s] for s in slots))
            pos[mid] = v
        return pos[mid]

    def sure(mid: str) -> bool:
        m = pb.meeting_by_id[mid]
        return bool(an.allowed[mid]) and (m.required if keep is None else mid in keep)

    for m in pb.meetings:
        for a in m.after:
            if sure(m.id) and sure(a):
                model.add(position(a) < position(m.id))

    if not (with_breaks or fairness):
        # Weight only: no need for busy variables, an at-most-one per participant and slot
        # forbids double booking with far fewer variables and constraints.
        for lits in terms_ps.values():
            if len(lits) > 1:
                model.add_at_most_one(lits)
        return _Model(model, x, sum(weight_terms), 0, False)

    # busy[p, s]: a literal when one meeting can put p in s, else a 0/1 sum of them.
    busy: dict[tuple[str, int], Any] = {}
    for (p, s), lits in terms_ps.items():
        if len(lits) == 1:
            busy[p, s] = lits[0]
        else:
            b = new_bool(f"busy[{p},{pb.slots[s].id}]", (p, s) in hinted)
            model.add(sum(lits) == b)
            busy[p, s] = b

    # Implied: at most (tables x largest meeting) participants are busy in a slot; for
    # two-person meetings that is the paper's 2 x tables.
    by_slot: dict[int, list[Any]] = defaultdict(list)
    for (_p, s), b in busy.items():
        by_slot[s].append(b)
    largest: dict[int, int] = defaultdict(int)
    for mid, s in x:
        largest[s] = max(largest[s], len(pb.meeting_by_id[mid].participants))
    for s, bs in by_slot.items():
        size = largest[s]
        if len(bs) > size * pb.slots[s].tables:
            model.add(sum(bs) <= size * pb.slots[s].tables)

    ranges = _ranges(an, keep)
    budget = PATTERN_BUDGET
    per_p: dict[str, Any] = {}
    has_meeting: dict[str, Any] = {}
    lbs: dict[str, int] = {}
    ubs: dict[str, int] = {}
    for pid in an.usable:
        slots = [s for s in an.usable[pid] if (pid, s) in busy]
        if not slots:
            continue
        mine = [m for m in an.meetings_of[pid] if keep is None or m.id in keep]
        nreq = len(mine) if keep is not None else an.required_count.get(pid, 0)
        opt = [m for m in mine if not (m.required or keep is not None)]
        if nreq:
            # Implied by the definitions but spelled out: p is busy in exactly as many
            # slots as p has meetings (the paper's key implied constraint).
            model.add(
                sum(busy[pid, s] for s in slots)
                == nreq + sum(x[m.id, s] for m in opt for s in an.allowed[m.id])
            )
        lb, ub = ranges[pid]
        if slack is not None:
            ub = min(ub, lb + slack)
        days: dict[str, list[int]] = defaultdict(list)
        for s in slots:
            days[pb.slots[s].day].append(s)
        bp_var = model.new_int_var(lb, max(lb, ub), f"breaks[{pid}]")
        table = None if opt or not nreq else _patterns(pb, slots, nreq, lb, ub)
        if table is not None and len(table) <= budget:
            budget -= len(table)
            # Every busy pattern p can have, with its breaks: a table constraint whose
            # encoding (one literal per pattern) propagates and relaxes far better than
            # the block-start definition. Small whenever days have few slots (B2B forums).
            model.add_allowed_assignments([*(busy[pid, s] for s in slots), bp_var], table)
        else:
            expr = []
            for day, ds in days.items():
                starts = []
                for s in ds:
                    prev = s - 1
                    if prev in ds and pb.consecutive(pb.slots[prev], pb.slots[s]):
                        value = (pid, s) in hinted and (pid, prev) not in hinted
                        st = new_bool(f"start[{pid},{pb.slots[s].id}]", value)
                        b, bp = busy[pid, s], busy[pid, prev]
                        model.add_bool_or([b.Not(), bp, st])
                        model.add_implication(st, b)
                        model.add_implication(st, bp.Not())
                        starts.append(st)
                    else:
                        starts.append(busy[pid, s])
                if len(starts) == 1:
                    continue  # one usable slot that day: never a break
                used_day = any((pid, s) in hinted for s in ds)
                if nreq and len(days) == 1:
                    active: Any = 1  # every meeting of p is on this day
                else:
                    active = new_bool(f"active[{pid},{day}]", used_day)
                    for s in ds:
                        model.add_implication(busy[pid, s], active)
                    model.add(active <= sum(starts))
                expr.append(sum(starts) - active)
            if slack == 0 and lb == 0:
                _contiguous(model, pb, pid, days, busy, len(mine))
            model.add(bp_var == sum(expr))
        per_p[pid] = bp_var
        lbs[pid] = lb
        ubs[pid] = ub
        if nreq:
            has_meeting[pid] = 1
        else:
            h = new_bool(f"has[{pid}]", any((pid, s) in hinted for s in slots))
            for s in slots:
                model.add_implication(busy[pid, s], h)
            model.add(h <= sum(busy[pid, s] for s in slots))
            has_meeting[pid] = h
    if slack is not None and per_p:
        model.add(sum(per_p.values()) <= sum(lbs.values()) + slack)
    if hint is not None:
        actual = _participant_breaks(pb, hint)
        for pid, v in per_p.items():
            model.add_hint(v, actual.get(pid, 0))
    if fairness and per_p:
        k = pb.max_break_difference
        assert k is not None
        top = max(ubs.values())
        hi = model.new_int_var(min(max(lbs.values()), top), top, "max_breaks")
        lo = model.new_int_var(0, top, "min_breaks")
        for pid, v in per_p.items():
            model.add(hi >= v)
            if isinstance(has_meeting[pid], int):
                model.add(lo <= v)
            else:
                model.add(lo <= v).only_enforce_if(has_meeting[pid])
        model.add(hi - lo <= k)
        if hint is not None:
            actual = _participant_breaks(pb, hint)
            values = [
                actual.get(p, 0) for p in per_p if any((p, s) in hinted for s in an.usable[p])
            ]
            model.add_hint(hi, max(values, default=0))
            model.add_hint(lo, min(values, default=0))
    return _Model(model, x, sum(weight_terms), sum(per_p.values()), with_breaks)


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
PATTERN_LIMIT = 300
PATTERN_BUDGET = 20_000


def _patterns(
    pb: Problem, slots: list[int], n: int, lb: int, ub: int
) -> list[tuple[int, ...]] | None:
    """Every way to be busy in exactly `n` of `slots` with between lb and ub breaks, as
    0/1 tuples followed by the breaks; None when there are too many to enumerate."""
    if n > len(slots) or math.comb(len(slots), n) > PATTERN_LIMIT:
        return None
    nxt = [
        i + 1 < len(slots) and pb.consecutive(pb.slots[slots[i]], pb.slots[slots[i + 1]])
        for i in range(len(slots))
    ]
    day = [pb.slots[s].day for s in slots]
    table = []
    for chosen in itertools.combinations(range(len(slots)), n):
        breaks = 0
        for a, b in itertools.pairwise(chosen):
            if day[a] == day[b] and not (b == a + 1 and nxt[a]):
                breaks += 1
        if lb <= breaks <= ub:
            bits = [0] * len(slots)
            for i in chosen:
                bits[i] = 1
            table.append((*bits, breaks))
    return table


def _participant_breaks(pb: Problem, placed: dict[str, int]) -> dict[str, int]:
    agenda: dict[str, list[int]] = defaultdict(list)
    for mid, s in placed.items():
        for p in pb.meeting_by_id[mid].participants:
            agenda[p].append(s)
    return {
        p: len(day_runs(pb, sorted(slots))) - len({pb.slots[s].day for s in slots})
        for p, slots in agenda.items()
    }


def _contiguous(
    model: cp_model.CpModel,
    pb: Problem,
    pid: str,
    days: dict[str, list[int]],
    busy: dict[tuple[str, int], Any],
    most: int,
) -> None:
    """Clauses for "no break": busy slots of a day form one run of at most `most` slots.

    Redundant with blocks - 1 == 0 but they propagate at once: two busy slots force every
    slot between them busy, and slots too far apart for one block cannot both be busy.
    """
    for ds in days.values():
        for i, a in enumerate(ds):
            for c in ds[i + 1 :]:
                if (
                    c - a + 1 > most
                    or any(b not in ds for b in range(a + 1, c))
                    or any(
                        not pb.consecutive(pb.slots[b - 1], pb.slots[b])
                        for b in range(a + 1, c + 1)
                    )
                ):
                    model.add_bool_or([busy[pid, a].Not(), busy[pid, c].Not()])
                else:
                    for b in range(a + 1, c):
                        model.add_bool_or([busy[pid, a].Not(), busy[pid, c].Not(), busy[pid, b]])


# Full-problem workers for feasibility probes, in order: clause learning without LP first.
# With 2 workers CP-SAT's default runs one full search and one feasibility-jump worker, and
# the LP only slows these tight assignment problems down: on forumt-14's probes the median
# time drops from 1.7 s (default, some runs over 10 s) to 0.6 s (all runs under 1 s).
SAT_SUBSOLVERS = ["no_lp", "quick_restart_no_lp", "quick_restart", "default_lp", "core", "max_lp"]


def _params(time_limit: float, workers: int, seed: int, sat: bool = False) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    if sat:
        if workers <= 1:
            solver.parameters.linearization_level = 0
        elif workers <= len(SAT_SUBSOLVERS):
            solver.parameters.subsolvers.extend(SAT_SUBSOLVERS[:workers])
    return solver


def _assignment(mdl: _Model, solver: cp_model.CpSolver) -> dict[str, int]:
    return {m: s for (m, s), v in mdl.x.items() if solver.boolean_value(v)}


# --------------------------------------------------------------------------- reasons


def _unscheduled_reason(an: Analysis, m: Meeting, placed: dict[str, int], optimal: bool) -> str:
    """Explain, from the final schedule, why an optional meeting is not in it."""
    pb = an.problem
    if m.id in an.no_slot_reason:
        return an.no_slot_reason[m.id]
    busy: dict[str, set[int]] = defaultdict(set)
    used: dict[int, int] = defaultdict(int)
    for mid, s in placed.items():
        used[s] += 1
        for p in pb.meeting_by_id[mid].participants:
            busy[p].add(s)
    slots = an.allowed[m.id]
    free = [s for s in slots if not any(s in busy[p] for p in m.participants)]
    if not free:
        locations = sorted({pb.slots[s].location for s in slots})
        where = f" in {locations[0]}" if len(locations) == 1 else ""
        for p in m.participants:
            if all(s in busy[p] for s in slots):
                return f"{p} has no free slot{where}"
        return f"{', '.join(m.participants)} have no common free slot{where}"
    open_ = [s for s in free if used[s] < pb.slots[s].tables]
    if not open_:
        return "every slot where all participants are free has all its tables taken"
    ok = []
    for s in open_:
        if any(a in placed and placed[a] >= s for a in m.after):
            continue
        if any(m.id in pb.meeting_by_id[b].after and placed[b] <= s for b in placed):
            continue
        ok.append(s)
    if not ok:
        return "no free slot respects its 'after' order with the scheduled meetings"
    if pb.max_break_difference is not None and optimal:
        return "placing it would exceed the fairness limit on breaks"
    if optimal:
        return "not placed: lower priority than the meetings scheduled"
    return "not placed: no better schedule was found within the time limit"


# --------------------------------------------------------------------------- solve


def _solution(
    status: str,
    placed: dict[str, int],
    reasons: dict[str, str],
    weight: int,
    breaks: int,
    bound: int | None,
    seconds: float,
    pb: Problem,
) -> dict[str, Any]:
    scheduled = []
    by_slot: dict[int, list[Meeting]] = defaultdict(list)
    for mid, s in placed.items():
        by_slot[s].append(pb.meeting_by_id[mid])
    # Tables are interchangeable, so they are numbered after solving, in problem order,
    # which keeps the output deterministic.
    for s in sorted(by_slot):
        for table, m in enumerate(sorted(by_slot[s], key=lambda m: m.index), start=1):
            scheduled.append({"meeting": m.id, "slot": pb.slots[s].id, "table": table})
    return {
        "format": SOLUTION_FORMAT,
        "status": status,
        "scheduled": scheduled,
        "unscheduled": [
            {"meeting": m.id, "reason": reasons[m.id]} for m in pb.meetings if m.id not in placed
        ],
        "objective": {"scheduled_weight": weight, "breaks": breaks},
        "bound": {} if bound is None else {"breaks": bound},
        "seconds": round(seconds, 3),
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


def _status_name(code: int) -> str:
    return {
        cp_model.OPTIMAL: "optimal",
        cp_model.FEASIBLE: "feasible",
        cp_model.INFEASIBLE: "infeasible",
        cp_model.MODEL_INVALID: "invalid",
    }.get(code, "unknown")


def solve_detailed(
    problem: Any, *, time_limit: float = 30.0, workers: int = 2, seed: int = 0, log: bool = False
) -> SolveResult:
    """Solve and return the contract's solution with extra figures (bounds, timings)."""
    t0 = time.perf_counter()
    pb = load_problem(problem)
    an = analyse(pb)
    result = SolveResult(solution={})

    # A little is kept back for building the answer (reasons, tables) after the last solve.
    deadline = t0 + time_limit * 0.98 - 0.1

    def remaining() -> float:
        return deadline - time.perf_counter()

    def give_up(status: str, reasons: dict[str, str]) -> SolveResult:
        result.solution = _solution(status, {}, reasons, 0, 0, None, time.perf_counter() - t0, pb)
        return result

    if an.infeasible:
        first = next(iter(an.infeasible.values()))
        reasons = {
            m.id: an.infeasible.get(m.id, f"not scheduled: the problem is infeasible ({first})")
            for m in pb.meetings
        }
        return give_up("infeasible", reasons)

    optional = [m for m in pb.meetings if not m.required and an.allowed[m.id]]
    fairness = pb.max_break_difference is not None
    hint = greedy(an)
    first_seen: list[float] = []
    # The greedy schedule counts as the first valid schedule when it is one: a fallback if
    # CP-SAT finds nothing in time (its presolve alone takes seconds on large problems).
    greedy_valid = all(m.id in hint for m in pb.meetings if m.required) and _fair(pb, hint)
    if greedy_valid:
        first_seen.append(time.perf_counter() - t0)

    # Phase 1: maximise the optional weight (skipped when there is nothing to choose).
    phase1_optimal = True
    placed = hint
    weight_value = 0
    groups = slot_groups(an) if optional and not fairness else None
    if groups is not None and len(groups) * 4 > len({s for ss in an.allowed.values() for s in ss}):
        groups = None  # too little symmetry to be worth it: the slot model proves small cases
    if optional:
        # Leave the break phase at least 40% of the budget when phase 1 cannot prove.
        limit = remaining() - 0.4 * (time_limit - (time.perf_counter() - t0))
        t1 = time.perf_counter()
        grouped: dict[str, int] | None = None
        if groups is not None:
            code, grouped, weight_bound = _weight_grouped(
                an, groups, hint, limit, workers, seed, _FirstSolution(t0, first_seen)
            )
            objective = None
            if grouped is not None:
                objective = sum(
                    pb.meeting_by_id[m].weight for m in grouped if not pb.meeting_by_id[m].required
                )
        if grouped is None:
            mdl = _build(an, with_breaks=False, fairness=fairness, hint=hint)
            mdl.model.maximize(mdl.weight)
            solver = _params(
                remaining() - 0.4 * (time_limit - (time.perf_counter() - t0)), workers, seed
            )
            solver.parameters.log_search_progress = log
            code = solver.solve(mdl.model, _FirstSolution(t0, first_seen))
            weight_bound = solver.best_objective_bound
            objective = solver.objective_value if code in (2, 4) else None
        result.phases.append(
            PhaseStats(
                "weight-grouped" if grouped is not None else "weight",
                _status_name(code),
                time.perf_counter() - t1,
                objective,
                weight_bound,
            )
        )
        if code == cp_model.INFEASIBLE:
            return give_up("infeasible", _infeasible_reasons(an, workers, seed, remaining()))
        found = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        if not found and not greedy_valid:
            return give_up(
                "unknown", {m.id: "no schedule found within the time limit" for m in pb.meetings}
            )
        phase1_optimal = code == cp_model.OPTIMAL
        if grouped is not None:
            placed = grouped
        else:
            placed = _assignment(mdl, solver) if found else hint
        weight_value = sum(
            pb.meeting_by_id[mid].weight for mid in placed if not pb.meeting_by_id[mid].required
        )
        if weight_bound >= weight_value:
            result.weight_bound = int(weight_bound)

    # Phase 2: minimise breaks with the weight held, in up to three runs:
    #  a) the full model briefly, for an early valid schedule and a hint (skipped when
    #     phase 1 already gave a schedule);
    #  b) the "tight" model, where every participant has exactly its lower bound of breaks:
    #     a feasibility problem that propagates far better. Its solution is optimal, since
    #     the sum of the lower bounds is proven; its infeasibility raises that bound by one;
    #  c) the full model with the best schedule as a hint, for the rest of the time.
    # When phase 1 is not proven optimal the set of meetings it scheduled is kept fixed:
    # a much smaller model, and no optimality to lose (the weight is not proven either).
    keep = set(placed) if optional and not phase1_optimal else None
    if groups is not None and set(placed) != {m.id for m in pb.meetings if an.allowed[m.id]}:
        # Weight proven or not, a problem with that much symmetry is too large for the
        # slot-level break model over all meetings: keep the meeting set, decompose by day.
        keep = set(placed)
    # When every optional meeting fits, they all become required: exactly-one constraints
    # and known meeting counts give far stronger break bounds, and nothing is lost.
    everything = {m.id for m in pb.meetings if an.allowed[m.id]}
    keep_exact = optional and phase1_optimal and set(placed) == everything
    if keep_exact:
        keep = everything
    lb_total = sum(lb for lb, _ in _ranges(an, keep).values())
    best: dict[str, int] | None = placed if optional else None
    best_breaks = _breaks_of(pb, best) if best is not None else None
    bound = lb_total
    optimal = False
    proven_infeasible = False

    def run(
        name: str, slack: int | None, limit: float, sat: bool = False
    ) -> tuple[int, dict[str, int] | None]:
        nonlocal bound
        mdl = _build(
            an,
            with_breaks=True,
            fairness=fairness,
            slack=slack,
            hint=best,
            keep=keep,
        )
        if optional and keep is None:
            mdl.model.add(mdl.weight >= weight_value)
        if slack is None and not isinstance(mdl.breaks, int):
            if bound > lb_total:
                mdl.model.add(mdl.breaks >= bound)
            mdl.model.minimize(mdl.breaks)
        solver = _params(min(limit, remaining()), workers, seed, sat=sat)
        solver.parameters.log_search_progress = log
        t = time.perf_counter()
        code = solver.solve(mdl.model, _FirstSolution(t0, first_seen))
        found = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        result.phases.append(
            PhaseStats(
                name,
                _status_name(code),
                time.perf_counter() - t,
                solver.objective_value if found else None,
                solver.best_objective_bound if found else None,
            )
        )
        if found and slack is None and not isinstance(mdl.breaks, int):
            bound = max(bound, int(round(solver.best_objective_bound)))
        return code, (_assignment(mdl, solver) if found else None)

    def take(schedule: dict[str, int]) -> None:
        nonlocal best, best_breaks
        value = _breaks_of(pb, schedule)
        if best_breaks is None or value < best_breaks:
            best, best_breaks = schedule, value

    exact = keep is None or keep_exact
    if exact and any(lb > ub for lb, ub in _ranges(an, keep).values()):
        # Fairness alone rules every schedule out (see _ranges): no search needed.
        proven_infeasible = True
    elif exact:
        # Lower-bound-driven search, as MaxSAT does: probe "every participant within
        # `slack` of its lower bound and at most lb_total + slack breaks in all", slack =
        # 0, 1, 2...: feasibility problems that a clause-learning search without LP solves
        # far faster than the optimisation model. The first feasible probe is optimal (the
        # smaller ones are proven infeasible); a probe that runs out of time hands over to
        # the optimisation model, with the best schedule as a hint and the bound so far.
        slack = 0
        while not optimal and remaining() > 0.05:
            if best_breaks is not None and best_breaks <= lb_total + slack:
                optimal = True
                break
            share = 0.5 if best is None and slack == 0 else 0.35
            code, found = run(f"breaks-probe{slack}", slack, remaining() * share, sat=True)
            if found is not None:
                take(found)
                optimal = True
            elif code == cp_model.INFEASIBLE:
                bound = max(bound, lb_total + slack + 1)
                slack += 1
                if best is None and slack == 2:
                    # No schedule yet and the optimum is above the bound: get one quickly
                    # from the optimisation model, which also gives an upper bound.
                    code, found = run("breaks-first", None, min(remaining() * 0.2, 5.0), True)
                    proven_infeasible = code == cp_model.INFEASIBLE
                    optimal = code == cp_model.OPTIMAL
                    if found is not None:
                        take(found)
                    if proven_infeasible:
                        break
            else:
                break
    if keep is not None and not keep_exact and not fairness and best is not None:
        # Decomposition: with the meeting set and each meeting's day fixed, days no longer
        # interact (tables, double booking and breaks are all within a day; `after` across
        # days already holds), so each day is a small problem of its own.
        improved = _improve_by_day(an, best, remaining, workers, seed, result)
        take(improved)
    elif not exact and best is None:
        code, found = run("breaks-first", None, min(remaining(), 1 + 0.02 * time_limit))
        proven_infeasible = code == cp_model.INFEASIBLE
        optimal = code == cp_model.OPTIMAL
        if found is not None:
            take(found)
    if best_breaks is not None and best_breaks <= bound:
        optimal = True
    if exact and not optimal and not proven_infeasible and remaining() > 0.05:
        code, found = run("breaks", None, remaining())
        if found is not None:
            take(found)
        optimal = code == cp_model.OPTIMAL or (best_breaks is not None and best_breaks <= bound)
        proven_infeasible = code == cp_model.INFEASIBLE and best is None
    if proven_infeasible:
        return give_up("infeasible", _infeasible_reasons(an, workers, seed, remaining()))
    if best is None and greedy_valid:
        best = hint
    if best is None:
        return give_up(
            "unknown", {m.id: "no schedule found within the time limit" for m in pb.meetings}
        )
    placed = best
    optimal = optimal and phase1_optimal
    status = "optimal" if optimal else "feasible"
    bound = min(bound, best_breaks) if best_breaks is not None else bound
    if keep is not None and not keep_exact:
        # The bounds above hold for the kept meetings only; report the global one.
        bound = min(sum(an.breaks_lb.values()), bound)
    if not optional:
        result.weight_bound = 0
    first_solution = first_seen[0] if first_seen else None
    result.first_solution_seconds = first_solution
    reasons = {
        m.id: _unscheduled_reason(an, m, placed, optimal) for m in pb.meetings if m.id not in placed
    }
    weight = sum(
        pb.meeting_by_id[mid].weight for mid in placed if not pb.meeting_by_id[mid].required
    )
    result.solution = _solution(
        status, placed, reasons, weight, _breaks_of(pb, placed), bound, time.perf_counter() - t0, pb
    )
    return result


def _improve_by_day(
    an: Analysis,
    placed: dict[str, int],
    remaining: Any,
    workers: int,
    seed: int,
    result: SolveResult,
) -> dict[str, int]:
    """Minimise breaks day by day, each meeting staying on its day; never worse."""
    pb = an.problem
    days: dict[str, list[str]] = defaultdict(list)
    for mid, s in placed.items():
        days[pb.slots[s].day].append(mid)
    out = dict(placed)
    left = len(placed)
    for day, mids in days.items():
        share = remaining() * len(mids) / max(1, left) - 0.05
        left -= len(mids)
        if share <= 0.1:
            continue
        allowed = {m.id: [] for m in pb.meetings}
        for mid in mids:
            allowed[mid] = [s for s in an.allowed[mid] if pb.slots[s].day == day]
        sub = _derive(pb, allowed, an)
        day_hint = {mid: placed[mid] for mid in mids}
        mdl = _build(sub, with_breaks=True, fairness=False, hint=day_hint, keep=set(mids))
        mdl.model.minimize(mdl.breaks)
        solver = _params(min(share, remaining()), workers, seed)
        t = time.perf_counter()
        code = solver.solve(mdl.model)
        found = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        result.phases.append(
            PhaseStats(
                f"breaks-{day}",
                _status_name(code),
                time.perf_counter() - t,
                solver.objective_value if found else None,
                solver.best_objective_bound if found else None,
            )
        )
        if found:
            candidate = _assignment(mdl, solver)
            if _breaks_of(pb, candidate) <= _breaks_of(pb, day_hint):
                out.update(candidate)
    return out


def _infeasible_reasons(an: Analysis, workers: int, seed: int, budget: float) -> dict[str, str]:
    """Tell fairness apart from plain overload when CP-SAT proves infeasibility."""
    pb = an.problem
    msg = "required meetings cannot all be placed together"
    if pb.max_break_difference is not None and budget > 0.5:
        mdl = _build(an, with_breaks=False, fairness=False)
        solver = _params(min(budget, 10.0), workers, seed)
        code = solver.solve(mdl.model)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            msg = (
                "required meetings cannot all be placed within the fairness limit "
                f"(max_break_difference={pb.max_break_difference})"
            )
    return {
        m.id: (msg if m.required else f"not scheduled: the problem is infeasible ({msg})")
        for m in pb.meetings
    }


def solve(
    problem: Any, *, time_limit: float = 30.0, workers: int = 2, seed: int = 0
) -> dict[str, Any]:
    """Solve a `forum-schedule/1` problem; return a `forum-schedule-solution/1` dict."""
    return solve_detailed(problem, time_limit=time_limit, workers=workers, seed=seed).solution

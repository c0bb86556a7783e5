"""The CP-SAT model of `forum-schedule/1` (see the package README's modelling insights).

- x[m, s]: meeting m takes place in slot s, created only for the slots allowed for m;
- busy[p, s] == sum of x[m, s] over p's meetings (a 0/1 variable: no double booking), and
  the sum of busy over all slots equals p's number of meetings (the paper's implied
  constraint, which the linear relaxation sees directly);
- breaks of p on a day == blocks of busy slots - 1, with start[p, s] = busy[p, s] and not
  busy[p, s - 1], or a table of every busy pattern when a participant's patterns are few.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from ..problem import Problem
from .analysis import Analysis, _participant_breaks, _ranges

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


def _status_name(code: int) -> str:
    return {
        cp_model.OPTIMAL: "optimal",
        cp_model.FEASIBLE: "feasible",
        cp_model.INFEASIBLE: "infeasible",
        cp_model.MODEL_INVALID: "invalid",
    }.get(code, "unknown")

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
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from ..problem import Problem, slot_minutes
from .analysis import Analysis, _participant_breaks, _ranges


@dataclass
class _Model:
    model: cp_model.CpModel
    x: dict[tuple[str, int], cp_model.IntVar]
    weight: Any  # linear expression: optional weight scheduled
    breaks: Any  # linear expression: total breaks (0 if not built)
    has_breaks: bool
    moved: Any = 0  # linear expression: moved meetings (re-planning; 0 without previous)


def _build(
    an: Analysis,
    *,
    with_breaks: bool,
    fairness: bool,
    slack: int | None = None,
    hint: dict[str, int] | None = None,
    keep: set[str] | None = None,
    previous: dict[str, int] | None = None,
) -> _Model:
    """The CP-SAT model; `keep` (a set of meeting ids) makes exactly those meetings required
    and drops the others; `hint` (meeting id -> slot index) is hinted on every variable,
    because CP-SAT discards a partial hint far more often than a complete one; `previous`
    (meeting id -> slot index) adds the `moved` expression."""
    b = _Builder(an, hint, keep)
    b.meetings()
    b.capacity()
    b.precedence()
    b.travel()
    moved = b.moved(previous) if previous is not None else 0
    if not (with_breaks or fairness):
        # Weight only: no need for busy variables, an at-most-one per participant and slot
        # forbids double booking with far fewer variables and constraints.
        for lits in b.terms_ps.values():
            if len(lits) > 1:
                b.model.add_at_most_one(lits)
        return _Model(b.model, b.x, sum(b.weight_terms), 0, False, moved)
    b.busy_vars()
    per_p, lbs, ubs, has_meeting = b.breaks(slack)
    if slack is not None and per_p:
        b.model.add(sum(per_p.values()) <= sum(lbs.values()) + slack)
    if hint is not None:
        actual = _participant_breaks(an.problem, hint)
        for pid, v in per_p.items():
            b.model.add_hint(v, actual.get(pid, 0))
    if fairness and per_p:
        b.fairness(per_p, lbs, ubs, has_meeting)
    return _Model(b.model, b.x, sum(b.weight_terms), sum(per_p.values()), with_breaks, moved)


class _Builder:
    """The pieces of the model, added in order by `_build`."""

    def __init__(self, an: Analysis, hint: dict[str, int] | None, keep: set[str] | None) -> None:
        self.an = an
        self.pb = an.problem
        self.hint = hint
        self.keep = keep
        self.model = cp_model.CpModel()
        self.x: dict[tuple[str, int], cp_model.IntVar] = {}
        self.terms_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        self.terms_ps: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
        self.weight_terms: list[Any] = []
        self.busy: dict[tuple[str, int], Any] = {}
        self.hinted: set[tuple[str, int]] = set()  # (participant, slot) busy in the hint
        if hint is not None:
            self.hinted = {
                (p, s) for mid, s in hint.items() for p in self.pb.meeting_by_id[mid].participants
            }

    def new_bool(self, name: str, value: bool | None = None) -> cp_model.IntVar:
        v = self.model.new_bool_var(name)
        if self.hint is not None and value is not None:
            self.model.add_hint(v, value)
        return v

    def meetings(self) -> None:
        pb, hint = self.pb, self.hint
        for m in pb.meetings:
            slots = self.an.allowed[m.id]
            if not slots or (self.keep is not None and m.id not in self.keep):
                continue
            lits = []
            for s in slots:
                v = self.new_bool(
                    f"x[{m.id},{pb.slots[s].id}]", hint is not None and hint.get(m.id) == s
                )
                self.x[m.id, s] = v
                lits.append(v)
                if m.location is None:  # a visit uses the site, not the slot's tables
                    self.terms_slot[s].append(v)
                for p in m.participants:
                    self.terms_ps[p, s].append(v)
            if m.required or self.keep is not None:
                self.model.add_exactly_one(lits)
            else:
                self.model.add_at_most_one(lits)
                self.weight_terms.append(m.weight * sum(lits))

    def capacity(self) -> None:
        """Tables per slot; visitors per site and slot."""
        pb = self.pb
        for s, lits in self.terms_slot.items():
            if len(lits) > pb.slots[s].tables:
                self.model.add(sum(lits) <= pb.slots[s].tables)
        visitors: dict[tuple[str, int], list[Any]] = defaultdict(list)
        for (mid, s), v in self.x.items():
            m = pb.meeting_by_id[mid]
            if m.location is not None and pb.locations[m.location].visitor_limit is not None:
                visitors[m.location, s].append(len(m.participants) * v)
        for (site, _s), terms in visitors.items():
            self.model.add(sum(terms) <= pb.locations[site].visitor_limit)

    def precedence(self) -> None:
        """x[m, s] excludes the predecessor from every slot at or after s (it may stay
        unscheduled, see checker.py); when both are sure to take place, the same order on
        their slot numbers too, which propagates along a whole chain at once."""
        pb, an, x = self.pb, self.an, self.x
        for m in pb.meetings:
            for a in m.after:
                for s in an.allowed[m.id]:
                    late = [x[a, t] for t in an.allowed[a] if t >= s and (a, t) in x]
                    if late and (m.id, s) in x:
                        self.model.add_at_most_one([x[m.id, s], *late])
        pos: dict[str, Any] = {}

        def position(mid: str) -> Any:
            if mid not in pos:
                slots = an.allowed[mid]
                v = self.model.new_int_var(slots[0], slots[-1], f"pos[{mid}]")
                self.model.add(v == sum(s * x[mid, s] for s in slots))
                pos[mid] = v
            return pos[mid]

        def sure(mid: str) -> bool:
            m = pb.meeting_by_id[mid]
            return bool(an.allowed[mid]) and (m.required if self.keep is None else mid in self.keep)

        for m in pb.meetings:
            for a in m.after:
                if sure(m.id) and sure(a):
                    self.model.add(position(a) < position(m.id))

    def travel(self) -> None:
        """Two meetings of one participant at different places cannot be closer in time
        than the trip (travel times are shortest routes, so pairs suffice)."""
        pb = self.pb
        if not pb.travel:
            return
        options: dict[str, list[tuple[int, str, Any]]] = defaultdict(list)
        for (mid, s), v in self.x.items():
            m = pb.meeting_by_id[mid]
            for p in m.participants:
                options[p].append((s, pb.place(m, pb.slots[s]), v))
        for opts in options.values():
            opts.sort(key=lambda o: o[0])
            for i, (s1, a, v1) in enumerate(opts):
                end = slot_minutes(pb.slots[s1])[1]
                for s2, b, v2 in opts[i + 1 :]:
                    if s2 == s1:
                        continue
                    if pb.slots[s2].day != pb.slots[s1].day:
                        break
                    need = pb.travel_minutes(a, b)
                    if need and slot_minutes(pb.slots[s2])[0] - end < need:
                        self.model.add_bool_or([v1.Not(), v2.Not()])

    def moved(self, previous: dict[str, int]) -> Any:
        """Meetings of `previous` not in their previous slot (dropped ones included)."""
        terms: list[Any] = []
        for mid, s in previous.items():
            v = self.x.get((mid, s))
            terms.append(1 if v is None else 1 - v)
            if v is not None and self.hint is None:
                self.model.add_hint(v, True)
        return sum(terms)

    def busy_vars(self) -> None:
        """busy[p, s]: a literal when one meeting can put p in s, else a 0/1 sum of them;
        and the implied bound of at most (tables x largest meeting) participants busy in a
        slot (for two-person meetings the paper's 2 x tables)."""
        pb = self.pb
        for (p, s), lits in self.terms_ps.items():
            if len(lits) == 1:
                self.busy[p, s] = lits[0]
            else:
                b = self.new_bool(f"busy[{p},{pb.slots[s].id}]", (p, s) in self.hinted)
                self.model.add(sum(lits) == b)
                self.busy[p, s] = b
        if any(m.location for m in pb.meetings):
            return  # participants busy at sites are not at the tables: the bound is void
        by_slot: dict[int, list[Any]] = defaultdict(list)
        for (_p, s), b in self.busy.items():
            by_slot[s].append(b)
        largest: dict[int, int] = defaultdict(int)
        for mid, s in self.x:
            largest[s] = max(largest[s], len(pb.meeting_by_id[mid].participants))
        for s, bs in by_slot.items():
            if len(bs) > largest[s] * pb.slots[s].tables:
                self.model.add(sum(bs) <= largest[s] * pb.slots[s].tables)

    def breaks(
        self, slack: int | None
    ) -> tuple[dict[str, Any], dict[str, int], dict[str, int], dict[str, Any]]:
        """A break variable per participant, bounded by its proven range."""
        ranges = _ranges(self.an, self.keep)
        self.budget = PATTERN_BUDGET
        per_p: dict[str, Any] = {}
        has_meeting: dict[str, Any] = {}
        lbs: dict[str, int] = {}
        ubs: dict[str, int] = {}
        for pid in self.an.usable:
            slots = [s for s in self.an.usable[pid] if (pid, s) in self.busy]
            if not slots:
                continue
            lb, ub = ranges[pid]
            if slack is not None:
                ub = min(ub, lb + slack)
            per_p[pid], has_meeting[pid] = self.participant(pid, slots, lb, ub, slack)
            lbs[pid], ubs[pid] = lb, ub
        return per_p, lbs, ubs, has_meeting

    def participant(
        self, pid: str, slots: list[int], lb: int, ub: int, slack: int | None
    ) -> tuple[Any, Any]:
        model, busy, pb = self.model, self.busy, self.pb
        mine = [m for m in self.an.meetings_of[pid] if self.keep is None or m.id in self.keep]
        nreq = len(mine) if self.keep is not None else self.an.required_count.get(pid, 0)
        opt = [m for m in mine if not (m.required or self.keep is not None)]
        if nreq:
            # Implied by the definitions but spelled out: p is busy in exactly as many
            # slots as p has meetings (the paper's key implied constraint).
            model.add(
                sum(busy[pid, s] for s in slots)
                == nreq + sum(self.x[m.id, s] for m in opt for s in self.an.allowed[m.id])
            )
        days: dict[str, list[int]] = defaultdict(list)
        for s in slots:
            days[pb.slots[s].day].append(s)
        bp_var = model.new_int_var(lb, max(lb, ub), f"breaks[{pid}]")
        table = None if opt or not nreq else _patterns(pb, slots, nreq, lb, ub)
        if table is not None and len(table) <= self.budget:
            self.budget -= len(table)
            # Every busy pattern p can have, with its breaks: a table constraint whose
            # encoding (one literal per pattern) propagates and relaxes far better than
            # the block-start definition. Small whenever days have few slots (B2B forums).
            model.add_allowed_assignments([*(busy[pid, s] for s in slots), bp_var], table)
        else:
            model.add(
                bp_var
                == sum(self.day_breaks(pid, day, ds, nreq, len(days)) for day, ds in days.items())
            )
            if slack == 0 and lb == 0:
                _contiguous(model, pb, pid, days, busy, len(mine))
        if nreq:
            return bp_var, 1
        h = self.new_bool(f"has[{pid}]", any((pid, s) in self.hinted for s in slots))
        for s in slots:
            model.add_implication(busy[pid, s], h)
        model.add(h <= sum(busy[pid, s] for s in slots))
        return bp_var, h

    def day_breaks(self, pid: str, day: str, ds: list[int], nreq: int, ndays: int) -> Any:
        """Blocks of busy slots on one day, minus one if the day is used."""
        model, busy, pb, hinted = self.model, self.busy, self.pb, self.hinted
        starts = []
        for s in ds:
            prev = s - 1
            if prev in ds and pb.consecutive(pb.slots[prev], pb.slots[s]):
                value = (pid, s) in hinted and (pid, prev) not in hinted
                st = self.new_bool(f"start[{pid},{pb.slots[s].id}]", value)
                b, bp = busy[pid, s], busy[pid, prev]
                model.add_bool_or([b.Not(), bp, st])
                model.add_implication(st, b)
                model.add_implication(st, bp.Not())
                starts.append(st)
            else:
                starts.append(busy[pid, s])
        if len(starts) == 1:
            return 0  # one usable slot that day: never a break
        if nreq and ndays == 1:
            active: Any = 1  # every meeting of p is on this day
        else:
            active = self.new_bool(f"active[{pid},{day}]", any((pid, s) in hinted for s in ds))
            for s in ds:
                model.add_implication(busy[pid, s], active)
            model.add(active <= sum(starts))
        return sum(starts) - active

    def fairness(
        self,
        per_p: dict[str, Any],
        lbs: dict[str, int],
        ubs: dict[str, int],
        has_meeting: dict[str, Any],
    ) -> None:
        model, pb = self.model, self.pb
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
        if self.hint is not None:
            actual = _participant_breaks(pb, self.hint)
            values = [
                actual.get(p, 0)
                for p in per_p
                if any((p, s) in self.hinted for s in self.an.usable[p])
            ]
            model.add_hint(hi, max(values, default=0))
            model.add_hint(lo, min(values, default=0))


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

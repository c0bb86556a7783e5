"""Break minimisation by SAT, for problems whose meetings are all required (B2B forums).

Why SAT and not CP-SAT here: on the crafted B2B instances (21 slots, meetings tied to a
session, few tables) CP-SAT finds schedules at once but improves them slowly (5 breaks
after 60 s on forum-13crafc, optimum 1), while a clause-learning SAT solver proves "no
schedule without a break" in 0.4 s of CPU and finds the 1-break schedule in about 4 s,
given the encoding below (measurements in the package README). The method is the paper's
lower-bound-driven search: ask for at most k breaks, k = the proven lower bound, lb + 1, ...
The first satisfiable k is optimal; each unsatisfiable one raises the proven bound.

Encoding (variables are SAT literals):
- x[m, s] for allowed slots; exactly one per meeting; at most `tables` per slot;
- busy[p, s] <-> OR of p's x[., s], with at most one of them (no double booking);
- implied (Bofill et al.): sum_s busy[p, s] = p's meetings; sum_p busy[p, s] <= 2 tables
  only where meetings of different sizes meet (with two-person meetings only it is the
  table limit again, and its counter made the searches 5-10 times slower);
- held[p, s]: p has met earlier that day; hole[p, s] <- busy[p, s], not busy[p, s-1],
  held[p, s-1]: one break ends at s. A hole may be true without reason, never false with
  one, so "at most k holes" bounds the breaks from above exactly;
- z[p] <-> p has a break. When z[p] is false p's busy slots of a day are one run: every
  slot between two busy ones is busy, and (one-day participants) one of the possible
  starts of the run is chosen and fixes the whole row; a start is offered only if p's
  meetings can take distinct slots of that run (a bipartite matching). Those clauses
  are implied, but they are what makes the zero-break proof take a fraction of a second;
- totalizers count the holes and the z's: "at most k" is a literal on their outputs (an
  assumption, or a unit clause for Kissat), grown on demand; the encoding is built once
  and every question gets a fresh solver on it (`solve_sat`).
Fairness is encoded when some participant is sure to have no break (then it is "nobody
more than d breaks"); otherwise this engine declines and CP-SAT handles the problem.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any

from pysat.card import CardEnc, EncType, ITotalizer
from pysat.formula import IDPool
from pysat.solvers import Solver

from .analysis import Analysis, _breaks_of, _fair, _max_matching, _ranges

# CaDiCaL gives the first schedule (well under a second); Kissat answers every "at most k"
# question, each with a fresh solver (measurements in the package README).
FIRST = "cadical195"
PROBER = "kissat404"
OTHER = "cadical195"  # a second opinion on the last question, when nothing else is left
NO_ASSUMPTIONS = {"kissat404"}


@dataclass
class SatOutcome:
    schedule: dict[str, int] | None
    breaks: int | None
    bound: int
    optimal: bool
    infeasible: bool
    first_seconds: float | None


def applicable(an: Analysis, keep: set[str] | None = None) -> bool:
    """Every placeable meeting required (or kept), and fairness expressible (see above)."""
    pb = an.problem
    live = [m for m in pb.meetings if an.allowed[m.id]]
    if not live or an.infeasible:
        return False
    if keep is None and any(not m.required for m in live):
        return False
    if pb.max_break_difference is not None:
        ranges = _ranges(an, keep)
        return any(ub == 0 for lb, ub in ranges.values())
    return True


class Encoding:
    """The clauses above, built once; `clauses` feeds any pysat solver."""

    def __init__(
        self, an: Analysis, keep: set[str] | None = None, *, busy_counter: bool = False
    ) -> None:
        self.busy_counter = busy_counter
        self.an = an
        self.pb = an.problem
        self.pool = IDPool()
        self.clauses: list[list[int]] = []
        self.x: dict[tuple[str, int], int] = {}
        self.busy: dict[tuple[str, int], int] = {}
        self.holes: list[int] = []
        self.holes_of: dict[str, list[int]] = defaultdict(list)
        self.zs: list[int] = []
        mids = [m for m in self.pb.meetings if self.an.allowed[m.id]]
        self.meetings = [m for m in mids if keep is None or m.id in keep]
        self.count: dict[str, int] = defaultdict(int)
        for m in self.meetings:
            for p in m.participants:
                self.count[p] += 1
        self._meetings()
        self._precedence()
        self._implied()
        for p in sorted(self.count):
            self._breaks(p)
        self._bounds(keep)
        # Totalizers are quadratic in their bound: count only as far as the search may go
        # (grown on demand by `at_most`).
        self.lower = sum(lb for lb, _ub in _ranges(an, keep).values())
        self.top = self.pool.top
        self.total = self._totalizer(self.holes)
        self.with_break = self._totalizer(self.zs)

    def _totalizer(self, lits: list[int]) -> ITotalizer:
        tot = ITotalizer(lits=lits, ubound=min(len(lits), self.lower + 8), top_id=self.top)
        self.top = tot.top_id
        self.clauses.extend(tot.cnf.clauses)
        return tot

    def var(self, *key: Any) -> int:
        return self.pool.id(key)

    def _card(self, lits: list[int], bound: int, *, equals: bool = False) -> None:
        if not equals and len(lits) <= bound:
            return
        kind = EncType.pairwise if bound == 1 and len(lits) <= 6 else EncType.seqcounter
        enc = CardEnc.equals if equals else CardEnc.atmost
        self.clauses.extend(enc(lits, bound, vpool=self.pool, encoding=kind).clauses)

    def _meetings(self) -> None:
        per_slot: dict[int, list[int]] = defaultdict(list)
        per_ps: dict[tuple[str, int], list[int]] = defaultdict(list)
        for m in self.meetings:
            lits = []
            for s in self.an.allowed[m.id]:
                v = self.var("x", m.id, s)
                self.x[m.id, s] = v
                lits.append(v)
                per_slot[s].append(v)
                for p in m.participants:
                    per_ps[p, s].append(v)
            self.clauses.append(lits)
            self._card(lits, 1)
        for s, lits in per_slot.items():
            self._card(lits, self.pb.slots[s].tables)
        for (p, s), lits in per_ps.items():
            b = self.var("busy", p, s)
            self.busy[p, s] = b
            self.clauses.append([-b, *lits])
            self.clauses.extend([-v, b] for v in lits)
            self._card(lits, 1)

    def _precedence(self) -> None:
        for m in self.meetings:
            for a in m.after:
                for s in self.an.allowed[m.id]:
                    for t in self.an.allowed[a]:
                        if t >= s and (a, t) in self.x and (m.id, s) in self.x:
                            self.clauses.append([-self.x[m.id, s], -self.x[a, t]])

    def _implied(self) -> None:
        by_slot: dict[int, list[int]] = defaultdict(list)
        for (_p, s), b in self.busy.items():
            by_slot[s].append(b)
        sizes: dict[int, set[int]] = defaultdict(set)
        for mid, s in self.x:
            sizes[s].add(len(self.pb.meeting_by_id[mid].participants))
        for s, lits in by_slot.items():
            # When every meeting possible at s has the same size c, busy participants are
            # exactly c x meetings held: "at most c x tables busy" is then the table limit
            # again, and its counter (70 inputs, bound 24 on forum-13crafc) only burdened
            # the solver: measured, dropping it cut forum-13crafc's 1-break search from
            # 44 s to 6 s (Kissat) and its zero-break refutation to 0.3 s (package README).
            if len(sizes[s]) > 1 or self.busy_counter:
                self._card(lits, max(sizes[s]) * self.pb.slots[s].tables)
        for p, n in self.count.items():
            lits = [b for (q, _s), b in self.busy.items() if q == p]
            if len(lits) > n:
                self._card(lits, n, equals=True)

    def _days(self, p: str) -> list[list[int]]:
        """p's usable slots, grouped into runs of consecutive slots per day."""
        slots = sorted(s for (q, s) in self.busy if q == p)
        days: dict[str, list[int]] = defaultdict(list)
        for s in slots:
            days[self.pb.slots[s].day].append(s)
        return list(days.values())

    def _breaks(self, p: str) -> None:
        days = self._days(p)
        for ds in days:
            held: int | None = None
            first, last = ds[0], ds[-1]
            for s in range(first, last + 1):
                b = self.busy.get((p, s))
                prev = self.busy.get((p, s - 1)) if s > first else None
                if b is not None and held is not None:
                    hole = self.var("hole", p, s)
                    self.clauses.append([-b, -held, hole, *([prev] if prev else [])])
                    self.holes.append(hole)
                    self.holes_of[p].append(hole)
                if b is not None:
                    h = self.var("held", p, s)
                    self.clauses.append([-h, b, *([held] if held else [])])
                    self.clauses.append([-b, h])
                    if held:
                        self.clauses.append([-held, h])
                    held = h
        if not self.holes_of[p]:
            return
        z = self.var("z", p)
        self.zs.append(z)
        self.clauses.extend([-h, z] for h in self.holes_of[p])
        self.clauses.append([-z, *self.holes_of[p]])
        if len(days) == 1:
            # One day: choosing where the run starts fixes the row. The pairwise contiguity
            # clauses would be implied and, measured, slow the search for a schedule down.
            self._starts(p, z, days[0])
        else:
            for ds in days:
                self._contiguous(p, z, ds)

    def _contiguous(self, p: str, z: int, ds: list[int]) -> None:
        """Without a break, two busy slots of a day force every slot between them."""
        n = self.count[p]
        usable = set(ds)
        for i, a in enumerate(ds):
            for c in ds[i + 1 :]:
                between = range(a + 1, c)
                if c - a + 1 > n or any(t not in usable for t in between):
                    self.clauses.append([z, -self.busy[p, a], -self.busy[p, c]])
                else:
                    for t in between:
                        self.clauses.append(
                            [z, -self.busy[p, a], -self.busy[p, c], self.busy[p, t]]
                        )

    def _starts(self, p: str, z: int, ds: list[int]) -> None:
        """Without a break, p's row is one run of n slots: choose where it starts."""
        n = self.count[p]
        usable = set(ds)
        starts = [
            k
            for k in ds
            if all(t in usable for t in range(k, k + n))
            and all(
                self.pb.consecutive(self.pb.slots[t], self.pb.slots[t + 1])
                for t in range(k, k + n - 1)
            )
            and self._fits(p, range(k, k + n))
        ]
        lits = {k: self.var("start", p, k) for k in starts}
        self.clauses.append([z, *lits.values()])
        for k, v in lits.items():
            self.clauses.append([-v, -z])
            self.clauses.extend([-v, self.busy[p, t]] for t in range(k, k + n))
        for s in ds:
            cover = [lits[k] for k in starts if k <= s < k + n]
            self.clauses.append([z, -self.busy[p, s], *cover])
        self._card(list(lits.values()), 1)

    def _fits(self, p: str, window: range) -> bool:
        """p's meetings can take distinct slots of the window (a bipartite matching): a
        run start that fails it (a morning meeting in a run that starts after lunch) is
        not offered at all."""
        items = [
            [s for s in self.an.allowed[m.id] if s in window]
            for m in self.meetings
            if p in m.participants
        ]
        return _max_matching(items, defaultdict(lambda: 1)) == len(items)

    def _bounds(self, keep: set[str] | None) -> None:
        """Each participant's proven range (fairness included, see analysis._ranges)."""
        for p, (_lb, ub) in _ranges(self.an, keep).items():
            holes = self.holes_of.get(p, [])
            if ub == 0:
                self.clauses.extend([-h] for h in holes)
            elif len(holes) > ub:
                self._card(holes, ub)

    def at_most(self, k: int, solver: Solver) -> list[int]:
        """Assumptions for "at most k breaks" (and so at most k participants with one);
        the totalizers grow first when k is past what they count."""
        out = []
        for tot in (self.total, self.with_break):
            if k >= len(tot.lits):
                continue
            if k >= tot.ubound:
                size = len(tot.cnf.clauses)
                tot.increase(ubound=min(len(tot.lits), k + 8), top_id=self.top)
                self.top = max(self.top, tot.top_id)
                grown = tot.cnf.clauses[size:]
                # Kept here too, so that a solver made later from `clauses` has them.
                self.clauses.extend(grown)
                solver.append_formula(grown)
            out.append(-tot.rhs[k])
        return out

    def decode(self, model: list[int]) -> dict[str, int]:
        true = {v for v in model if v > 0}
        return {mid: s for (mid, s), v in self.x.items() if v in true}


def first_schedule(enc: Encoding) -> dict[str, int] | None:
    """Any schedule satisfying the encoding (a fraction of a second): the first answer."""
    # No phase preference here: "no hole" phases made forum-13crafb's first call take
    # 15 s instead of 2 s (the search below keeps them, where they help).
    with Solver(name=FIRST, bootstrap_with=enc.clauses) as solver:
        return enc.decode(solver.get_model()) if solver.solve() else None


def _probe(enc: Encoding, name: str, k: int, send: Callable[..., None]) -> None:
    """One question, "a schedule with at most k breaks?", with a fresh solver. Kissat has
    no assumptions: the bound goes in as unit clauses."""
    pb = enc.pb
    with Solver(name=name, bootstrap_with=enc.clauses) as solver:
        assumptions = enc.at_most(k, solver)
        if name in NO_ASSUMPTIONS:
            for lit in assumptions:
                solver.add_clause([lit])
            assumptions = []
        else:
            solver.set_phases([-h for h in enc.holes] + [-z for z in enc.zs])
        if solver.solve(assumptions=assumptions):
            schedule = enc.decode(solver.get_model())
            send("schedule", schedule, _breaks_of(pb, schedule))
        elif k >= len(enc.holes):
            send("infeasible")
        else:
            send("bound", k + 1)


_SHARED: dict[str, Encoding] = {}  # the parent's encoding, inherited by forked children


def _child(an: Analysis, keep: set[str] | None, job: tuple[str, str, int], out: Any) -> None:
    # A pipe, not a queue: a queue's feeder thread would wait for the GIL, which the SAT
    # solver holds during the next call, and the parent would hear of a bound only later.
    kind, name, k = job
    counter = kind == "probe+"
    enc = _SHARED.get(kind) or Encoding(an, keep, busy_counter=counter)
    _probe(enc, name, k, lambda *msg: out.send(msg))
    out.send(("done",))


class _Jobs:
    """The SAT processes: forked children, each answering through its own pipe."""

    def __init__(self, an: Analysis, keep: set[str] | None, enc: Encoding) -> None:
        self.an, self.keep, self.enc = an, keep, enc
        self.counted: Encoding | None = None  # with the busy counter, built when needed
        fork = "fork" in multiprocessing.get_all_start_methods()
        self.ctx = multiprocessing.get_context("fork" if fork else "spawn")
        self.fork = fork
        self.running: dict[Any, tuple[Any, Any, list[Any]]] = {}  # reader -> proc, writer, job

    def start(self, kind: str, name: str, k: int) -> None:
        reader, writer = self.ctx.Pipe(duplex=False)
        if self.fork:
            if kind == "probe+":
                self.counted = self.counted or Encoding(self.an, self.keep, busy_counter=True)
                _SHARED[kind] = self.counted
            else:
                _SHARED[kind] = self.enc
        job = [kind, name, k]
        proc = self.ctx.Process(
            target=_child, args=(self.an, self.keep, tuple(job), writer), daemon=True
        )
        proc.start()
        _SHARED.clear()
        self.running[reader] = (proc, writer, job)

    def kind(self, kind: str) -> list[list[Any]]:
        return [job for _p, _w, job in self.running.values() if job[0] == kind]

    def stop(self, reader: Any) -> None:
        proc, writer, _job = self.running.pop(reader)
        if proc.is_alive():
            proc.kill()
        proc.join(timeout=1)
        reader.close()
        writer.close()

    def stop_where(self, useless: Callable[[list[Any]], bool]) -> None:
        for reader in [r for r, (_p, _w, job) in self.running.items() if useless(job)]:
            self.stop(reader)

    def close(self) -> None:
        for reader in list(self.running):
            self.stop(reader)


def solve_sat(
    an: Analysis,
    *,
    keep: set[str] | None,
    deadline: float,
    workers: int,
    t0: float,
    report: Callable[[dict[str, int] | None, int | None, int], None],
    stopped: Callable[[], bool],
    enc: Encoding | None = None,
    descend_until: float | None = None,
    descend_from: float | None = None,
) -> SatOutcome:
    """Lower-bound-driven search on `workers` processes until the optimum is proven, the
    deadline passes or `stopped()`; `report(schedule, breaks, bound)` is called on every
    improvement and about every second.

    Every process answers one question, "a schedule with at most k breaks?", with a
    fresh Kissat (PROBER), at distinct k: one always at the proven bound (a refutation
    raises the bound, a schedule there is optimal), the others above it, from bound + 1:
    the optimum is often one above the bound, and refuting the bound and finding the
    schedule one above cost about the same (forum-13crafb: 16-29 s and 35-55 s of CPU).
    A running question is never restarted while it can still tell something (a k at or
    above the bound and below the best): when the bound reaches it, it simply becomes the
    question at the bound. Jobs that can no longer improve anything are killed. The
    questions above the bound run on the encoding with the per-slot busy counter
    (`busy_counter`): it slows the bound's refutations down but is what found
    forum-13crafb's 6-break schedule (12 s of CPU; none in 60 s without it).

    Until `descend_until` (a perf_counter time) the workers above the bound descend
    instead: "at most best - 1 - (best - bound) / 4?", each answer a better schedule, so
    that a run that will not be proven still ends with a good one (forum-13crafb: 85
    breaks at first, 28 after 9 s of CPU; CP-SAT's LNS after the SAT search had moved
    85 to 80). From `descend_from` on they descend again, the question at the bound
    going on. Not from 70% of the time: that killed forum-13crafb's question one above
    the bound after 37 s of work, while finding it takes 35-55 s of CPU.
    """
    lower = sum(lb for lb, _ub in _ranges(an, keep).values())
    # Encode once, here: forked children inherit it, and the first schedule comes from this
    # process while they start.
    enc = enc or Encoding(an, keep)
    schedule = first_schedule(enc)
    if schedule is None:
        return SatOutcome(None, None, lower, False, True, None)
    first = time.perf_counter() - t0
    fair = _fair(an.problem, schedule)
    best: dict[str, int] | None = schedule if fair else None
    best_breaks: int | None = _breaks_of(an.problem, schedule) if fair else None
    bound = lower
    if fair:
        report(best, best_breaks, bound)
    result = SatOutcome(None, None, lower, False, False, first if fair else None)
    jobs = _Jobs(an, keep, enc)

    def useful(k: int) -> bool:
        return k >= bound and (best_breaks is None or k < best_breaks)

    def plan() -> None:
        jobs.stop_where(lambda job: not useful(job[2]))
        now = time.perf_counter()
        late = descend_from is not None and now >= descend_from
        descending = late or (descend_until is not None and now < descend_until)
        if not descending:
            jobs.stop_where(lambda job: job[0] == "descend")
        elif late:
            jobs.stop_where(lambda job: job[0] in ("probe", "probe+") and job[2] > bound)
        taken = {job[2] for _p, _w, job in jobs.running.values()}
        for _ in range(max(1, workers) - len(jobs.running)):
            if bound not in taken:
                k, kind = bound, "probe"
            elif descending and best_breaks is not None:
                # Big steps while far from the bound (those questions are easy), then one.
                k, kind = best_breaks - 1 - (best_breaks - bound) // 4, "descend"
            else:
                k, kind = bound + 1, "probe+"
            while k in taken and useful(k + 1):
                k += 1
            if not useful(k) or k in taken:
                # Nothing else left to ask (the best is one above the bound): rather than
                # idle, this worker asks the bound's question with another solver.
                names = {job[1] for _p, _w, job in jobs.running.values() if job[2] == bound}
                if useful(bound) and OTHER not in names:
                    jobs.start("probe", OTHER, bound)
                break
            taken.add(k)
            jobs.start(kind, PROBER, k)

    try:
        plan()
        while time.perf_counter() < deadline and not stopped():
            if best_breaks is not None and best_breaks <= bound:
                break
            readers = list(jobs.running)
            ready = wait(readers, timeout=min(0.5, max(0.01, deadline - time.perf_counter())))
            if not ready:
                report(best, best_breaks, bound)
                plan()  # the switch to descending happens here when nothing is heard
                continue
            reader = ready[0]
            try:
                kind, *rest = reader.recv()
            except EOFError:  # a child died (killed by the system): count it as done
                kind, rest = "done", []
            if kind == "done":
                jobs.stop(reader)
            elif kind == "infeasible":
                result.infeasible = True
                break
            elif kind == "bound":
                bound = max(bound, rest[0])
            elif kind in ("schedule", "optimal"):
                found, breaks = rest
                if best_breaks is None or breaks < best_breaks:
                    best, best_breaks = found, breaks
                    if result.first_seconds is None:
                        result.first_seconds = time.perf_counter() - t0
                if kind == "optimal":
                    bound = max(bound, breaks)
            report(best, best_breaks, bound)
            if best_breaks is not None and best_breaks <= bound:
                break
            plan()
    finally:
        jobs.close()
    result.schedule, result.breaks, result.bound = best, best_breaks, bound
    result.optimal = best_breaks is not None and best_breaks <= bound
    return result

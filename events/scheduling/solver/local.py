"""Local search for the break phase of large problems (README insight 26).

With the meeting set settled, simulated annealing moves one meeting to another of its
allowed slots, or swaps the slots of two meetings (when the target slot has no free table,
or one of the participants is already busy there, the meeting found there is the partner).
Every step keeps the schedule valid: allowed slots, nobody double-booked, tables per slot,
visitors per site and slot, and the time each trip needs. The cost is the contract's
breaks, plus K per moved meeting when re-planning (K above any break count, so the order
stays lexicographic: moved first).

Busy slots are one integer bit mask per participant, so without travel the breaks a step
changes are counted with a shift and a popcount on the one or two days it touches; with
travel, the touched days of the touched participants are walked as the checker does.

It does not apply with `after` (order between meetings) or fairness (a bound over
everyone): the CP-SAT day models take those.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable

from ..problem import Problem, slot_minutes
from .analysis import Analysis

# Steps without a better schedule after which a run may end early (a second or two).
IDLE_STEPS = 200_000


def applicable(pb: Problem) -> bool:
    return pb.max_break_difference is None and not any(m.after for m in pb.meetings)


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


class Annealer:
    """The schedule as bit masks, the moves, and their cost."""

    def __init__(
        self,
        pb: Problem,
        an: Analysis,
        placed: dict[str, int],
        previous: dict[str, int] | None,
        seed: int,
    ) -> None:
        self.mids = sorted(placed, key=lambda mid: pb.meeting_by_id[mid].index)
        meetings = [pb.meeting_by_id[mid] for mid in self.mids]
        index = {p.id: i for i, p in enumerate(pb.participants)}
        n_slots = len(pb.slots)
        self.n_slots = n_slots
        days: dict[str, int] = {}
        self.day_of = [days.setdefault(s.day, len(days)) for s in pb.slots]
        self.n_days = len(days)
        self.day_mask = [0] * len(days)
        for s, d in enumerate(self.day_of):
            self.day_mask[d] |= 1 << s
        # Bit s set: slot s follows slot s - 1 on the same day (the contract's "consecutive").
        self.cons = 0
        for s in range(1, n_slots):
            if pb.consecutive(pb.slots[s - 1], pb.slots[s]):
                self.cons |= 1 << s
        self.parts = [tuple(index[p] for p in m.participants) for m in meetings]
        self.allowed = [list(an.allowed[mid]) for mid in self.mids]
        self.allowed_mask = [sum(1 << s for s in slots) for slots in self.allowed]
        self.tables = [s.tables for s in pb.slots]
        # Sites: a meeting there uses no table but counts its people against the limit.
        self.site = [m.location for m in meetings]
        self.limit = {
            site.id: site.visitor_limit
            for site in pb.locations.values()
            if site.visitor_limit is not None
        }
        self.travel = bool(pb.travel)
        if self.travel:
            self.slot_place = [s.location for s in pb.slots]
            clock = [slot_minutes(s) for s in pb.slots]
            self.begin = [c[0] for c in clock]
            self.end = [c[1] for c in clock]
            self.minutes = pb.travel_minutes
        self.n_people = len(pb.participants)
        self.load([placed[mid] for mid in self.mids])
        self.prev = [-1] * len(self.mids)
        self.k = 0
        if previous:
            self.prev = [previous.get(mid, -1) for mid in self.mids]
            self.k = sum(len(p) for p in self.parts) + 1
        self.movable = [m for m in range(len(self.mids)) if len(self.allowed[m]) > 1]
        self.rng = random.Random(seed)

    def load(self, slots: list[int]) -> None:
        """Put every meeting in the given slot (one per meeting, in `mids` order)."""
        n_slots = self.n_slots
        self.slot_of = list(slots)
        self.busy = [0] * self.n_people
        self.occ: dict[int, int] = {}  # participant * n_slots + slot -> meeting
        self.at: list[list[int]] = [[] for _ in range(n_slots)]  # meetings at tables
        self.pos = [0] * len(self.mids)
        self.visitors: dict[tuple[str, int], int] = {}
        for m, s in enumerate(self.slot_of):
            for p in self.parts[m]:
                self.busy[p] |= 1 << s
                self.occ[p * n_slots + s] = m
            self._enter(m, s)

    def _enter(self, m: int, s: int) -> None:
        site = self.site[m]
        if site is None:
            self.pos[m] = len(self.at[s])
            self.at[s].append(m)
        else:
            self.visitors[site, s] = self.visitors.get((site, s), 0) + len(self.parts[m])

    def _leave(self, m: int, s: int) -> None:
        site = self.site[m]
        if site is None:
            row = self.at[s]
            last = row.pop()
            if last != m:
                row[self.pos[m]] = last
                self.pos[last] = self.pos[m]
        else:
            self.visitors[site, s] -= len(self.parts[m])

    # --- cost ---------------------------------------------------------------------------

    def place(self, m: int, s: int) -> str:
        return self.site[m] or self.slot_place[s]

    def day_breaks(self, p: int, d: int, mask: int, moved: dict[int, int]) -> int | None:
        """Breaks of p on day d with busy slots `mask`, where `moved` maps the slots whose
        meeting changes to the meeting now there; None if a trip does not fit."""
        x = mask & self.day_mask[d]
        if not x:
            return 0
        if not self.travel:
            return (x & ~((x << 1) & self.cons)).bit_count() - 1
        n = self.n_slots
        breaks = 0
        a = -1
        here = ""
        for b in _bits(x):
            m = moved.get(b)
            there = self.place(self.occ[p * n + b] if m is None else m, b)
            if a >= 0:
                need = self.minutes(here, there)
                if need and self.begin[b] - self.end[a] < need:
                    return None
                # The checker's reading: idle slots a trip needs are no break.
                if b != a + 1 and not (need and self.begin[b - 1] < self.end[a] + need):
                    breaks += 1
            a, here = b, there
        return breaks

    def cost(self) -> int:
        total = 0
        for p, b in enumerate(self.busy):
            for d in range(self.n_days):
                total += self.day_breaks(p, d, b, {}) or 0
        moved = sum(
            1 for m, s in enumerate(self.slot_of) if self.prev[m] >= 0 and self.prev[m] != s
        )
        return total + self.k * moved

    def schedule(self, slots: list[int] | None = None) -> dict[str, int]:
        return dict(zip(self.mids, slots or self.slot_of, strict=True))

    # --- moves --------------------------------------------------------------------------

    def _target(self, m: int) -> int:
        """A slot for m: most often next to a busy slot of one of its participants."""
        rng = self.rng
        if rng.random() < 0.7:
            b = self.busy[rng.choice(self.parts[m])]
            near = (((b << 1) & self.cons) | ((b & self.cons) >> 1)) & ~b & self.allowed_mask[m]
            if near:
                return rng.choice(_bits(near))
        return rng.choice(self.allowed[m])

    def _room(self, m: int, t: int, other: int) -> bool:
        """Whether m fits in slot t once `other` (or nobody, -1) has left it."""
        site = self.site[m]
        if site is None:
            leaving = other >= 0 and self.site[other] is None
            return len(self.at[t]) - leaving < self.tables[t]
        limit = self.limit.get(site)
        if limit is None:
            return True
        load = self.visitors.get((site, t), 0)
        if other >= 0 and self.site[other] == site:
            load -= len(self.parts[other])
        return load + len(self.parts[m]) <= limit

    def _moved(self, m: int, a: int, t: int) -> int:
        prev = self.prev[m]
        return 0 if prev < 0 else (t != prev) - (a != prev)

    def step(self, temperature: float) -> int:
        """Try one move; return its cost change if taken, else 0."""
        rng = self.rng
        m = rng.choice(self.movable)
        a = self.slot_of[m]
        t = self._target(m)
        if t == a:
            return 0
        n = self.n_slots
        other = -1
        for p in self.parts[m]:
            if self.busy[p] >> t & 1:
                other = self.occ[p * n + t]
                break
        if other < 0 and not self._room(m, t, -1):
            if self.site[m] is not None or not self.at[t]:
                return 0
            other = rng.choice(self.at[t])
        flip = (1 << a) | (1 << t)
        if other < 0:
            people = set(self.parts[m])
            both: set[int] = set()
        else:
            if not self.allowed_mask[other] >> a & 1:
                return 0
            mine, theirs = set(self.parts[m]), set(self.parts[other])
            both = mine & theirs
            for p in mine ^ theirs:
                if self.busy[p] >> (t if p in mine else a) & 1:
                    return 0
            if not (self._room(m, t, other) and self._room(other, a, m)):
                return 0
            people = mine | theirs
        moved = {t: m} if other < 0 else {t: m, a: other}
        days = (
            (self.day_of[a],)
            if self.day_of[a] == self.day_of[t]
            else (self.day_of[a], self.day_of[t])
        )
        delta = 0
        for p in people:
            if p in both and not self.travel:
                continue  # busy in both slots before and after
            b = self.busy[p]
            after = b if p in both else b ^ flip
            for d in days:
                new = self.day_breaks(p, d, after, moved)
                if new is None:
                    return 0
                delta += new - (self.day_breaks(p, d, b, {}) or 0)
        if self.k:
            delta += self.k * self._moved(m, a, t)
            if other >= 0:
                delta += self.k * self._moved(other, t, a)
        if delta > 0 and rng.random() >= math.exp(-delta / temperature):
            return 0
        self._take(m, t)
        if other >= 0:
            self._take(other, a)
        return delta

    def _take(self, m: int, t: int) -> None:
        a = self.slot_of[m]
        n = self.n_slots
        for p in self.parts[m]:
            if self.occ.get(p * n + a) == m:
                del self.occ[p * n + a]
                self.busy[p] &= ~(1 << a)
        for p in self.parts[m]:
            self.busy[p] |= 1 << t
            self.occ[p * n + t] = m
        self._leave(m, a)
        self._enter(m, t)
        self.slot_of[m] = t


def anneal(
    pb: Problem,
    an: Analysis,
    placed: dict[str, int],
    *,
    deadline: float,
    seed: int,
    stopped: Callable[[], bool],
    previous: dict[str, int] | None = None,
    improved: Callable[[dict[str, int]], None] | None = None,
    lower_bound: int = 0,
    start_temperature: float = 1.5,
    end_temperature: float = 0.05,
) -> dict[str, int]:
    """The best schedule found, never worse than `placed` (which must be valid).

    One anneal, cooling geometrically in time from `start_temperature` at the start to
    `end_temperature` at `deadline`. It ends early on `stopped()`, when the cost reaches
    `lower_bound` (breaks; with `previous`, nothing moved either), or when nothing better
    has been found for three times as many steps as it took to find the best so far (and
    at least IDLE_STEPS): a small problem is done in a second, while a large one, still
    improving, uses the time it is given."""
    state = Annealer(pb, an, placed, previous, seed)
    if not state.movable:
        return dict(placed)
    cost = best_cost = state.cost()
    best = state.slot_of[:]
    t0 = time.perf_counter()
    span = max(deadline - t0, 1e-3)
    temperature = start_temperature
    reported, reported_cost = t0, cost
    steps = last_better = 0
    while best_cost > lower_bound:
        steps += 1
        if steps % 2000 == 0:
            now = time.perf_counter()
            if now >= deadline or stopped():
                break
            if steps - last_better > max(IDLE_STEPS, 3 * last_better):
                break
            frac = (now - t0) / span
            temperature = start_temperature * (end_temperature / start_temperature) ** frac
            if improved is not None and now - reported > 1.0 and best_cost < reported_cost:
                improved(state.schedule(best))
                reported, reported_cost = now, best_cost
        cost += state.step(temperature)
        if cost < best_cost:
            best_cost, last_better = cost, steps
            best = state.slot_of[:]
    return state.schedule(best)

"""A quick schedule: the first valid answer and the hint of the weight phase."""

from __future__ import annotations

from collections import defaultdict

from ..problem import Meeting, Problem, slot_minutes
from .analysis import Analysis


class _Agenda:
    """What the greedy has placed so far, and whether one more meeting fits."""

    def __init__(self, pb: Problem) -> None:
        self.pb = pb
        self.busy: dict[str, dict[int, str]] = defaultdict(dict)  # participant -> slot -> place
        self.tables: dict[int, int] = defaultdict(int)
        self.visitors: dict[tuple[str, int], int] = defaultdict(int)

    def fits(self, m: Meeting, s: int) -> bool:
        pb = self.pb
        if m.location is None:
            if self.tables[s] >= pb.slots[s].tables:
                return False
        else:
            limit = pb.locations[m.location].visitor_limit
            if limit is not None and self.visitors[m.location, s] + len(m.participants) > limit:
                return False
        if any(s in self.busy[p] for p in m.participants):
            return False
        return not pb.travel or all(self._reachable(p, m, s) for p in m.participants)

    def _reachable(self, p: str, m: Meeting, s: int) -> bool:
        """The trips to and from p's other meetings that day leave enough time."""
        pb = self.pb
        here = pb.place(m, pb.slots[s])
        start, end = slot_minutes(pb.slots[s])
        for t, there in self.busy[p].items():
            if pb.slots[t].day != pb.slots[s].day:
                continue
            if t < s and start - slot_minutes(pb.slots[t])[1] < pb.travel_minutes(there, here):
                return False
            if t > s and slot_minutes(pb.slots[t])[0] - end < pb.travel_minutes(here, there):
                return False
        return True

    def touching(self, m: Meeting, s: int) -> int:
        """Neighbouring busy slots the meeting would join (fewer new breaks)."""
        pb = self.pb
        count = 0
        for p in m.participants:
            for t in (s - 1, s + 1):
                if t in self.busy[p] and pb.slots[t].day == pb.slots[s].day:
                    count += 1
        return count

    def place(self, m: Meeting, s: int) -> None:
        if m.location is None:
            self.tables[s] += 1
        else:
            self.visitors[m.location, s] += len(m.participants)
        for p in m.participants:
            self.busy[p][s] = self.pb.place(m, self.pb.slots[s])


def greedy(an: Analysis) -> dict[str, int]:
    """A quick schedule used as a hint: required first, heavy first, packed into blocks;
    it respects tables, visitor limits, `after` and travel, so it is valid unless a
    required meeting is left out or fairness is broken (the callers check both)."""
    pb = an.problem
    agenda = _Agenda(pb)
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
        options = [s for s in an.allowed[m.id] if lo < s < hi and agenda.fits(m, s)]
        if options:
            s = min(options, key=lambda s: (-agenda.touching(m, s), s))
            placed[m.id] = s
            agenda.place(m, s)
    return placed

"""A quick schedule: the first valid answer and the hint of the weight phase."""

from __future__ import annotations

from collections import defaultdict

from .analysis import Analysis

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

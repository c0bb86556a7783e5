"""Parsing and validation of a `forum-schedule/1` problem into immutable dataclasses.

The contract is docs/scheduling-format.md (a summary is in this package's README.md).
Everything the solver and the checker read goes through `load_problem`, so a malformed
problem is rejected once, here, with a `ProblemError` whose message starts with the path
of the offending key (``meetings[3].participants[1]: unknown participant 'x'``). Unknown
keys are ignored so that the Django side can add fields without breaking the scheduler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FORMAT = "forum-schedule/1"
SOLUTION_FORMAT = "forum-schedule-solution/1"


class ProblemError(ValueError):
    """A malformed problem; the message names the offending key."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key


@dataclass(frozen=True)
class Slot:
    id: str
    index: int  # position in the problem's slot list, i.e. time order
    day: str
    start: str | None
    end: str | None
    session: str | None
    location: str
    tables: int


@dataclass(frozen=True)
class Participant:
    id: str
    name: str
    unavailable: frozenset[str]
    locations: frozenset[str] | None  # None: may meet anywhere


@dataclass(frozen=True)
class Meeting:
    id: str
    index: int
    participants: tuple[str, ...]
    required: bool
    weight: int
    session: str | None
    fixed_slot: str | None
    after: tuple[str, ...]
    location: str | None = None  # a site id: the meeting takes place there, using no table
    locked: bool = False  # pinned to its slot in `previous` (re-planning)


@dataclass(frozen=True)
class Location:
    """A named site (a host firm's premises); see "Visits" in docs/scheduling-format.md."""

    id: str
    name: str
    visitor_limit: int | None  # most participants there in one slot; None: no limit


@dataclass(frozen=True)
class Problem:
    name: str
    slots: tuple[Slot, ...]
    participants: tuple[Participant, ...]
    meetings: tuple[Meeting, ...]
    max_break_difference: int | None  # None: no fairness constraint
    slot_by_id: dict[str, Slot] = field(repr=False, compare=False)
    participant_by_id: dict[str, Participant] = field(repr=False, compare=False)
    meeting_by_id: dict[str, Meeting] = field(repr=False, compare=False)
    # Optional parts (visits, re-planning): empty when the problem does not use them.
    locations: dict[str, Location] = field(default_factory=dict, repr=False, compare=False)
    travel: dict[tuple[str, str], int] = field(default_factory=dict, repr=False, compare=False)
    previous: dict[str, str] | None = field(default=None, repr=False, compare=False)

    def place(self, m: Meeting, s: Slot) -> str:
        """Where meeting m takes place when scheduled in slot s."""
        return m.location or s.location

    def travel_minutes(self, a: str, b: str) -> int:
        return 0 if a == b else self.travel.get((a, b), 0)

    def consecutive(self, a: Slot, b: Slot) -> bool:
        """The contract's definition: adjacent in the slot list and on the same day."""
        return b.index == a.index + 1 and a.day == b.day


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _string(obj: dict[str, Any], key: str, path: str, *, optional: bool = False) -> str | None:
    value = obj.get(key)
    if value is None:
        if optional:
            return None
        raise ProblemError(f"{path}.{key}", "missing (expected a non-empty string)")
    if not isinstance(value, str) or not value:
        raise ProblemError(f"{path}.{key}", f"expected a non-empty string, got {_describe(value)}")
    return value


def _integer(value: Any, path: str, minimum: int) -> int:
    # bool is a subclass of int in Python; `true` tables or weights are data-entry errors.
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ProblemError(path, f"expected {kind}, got {_describe(value)}")
    return value


def _list(obj: dict[str, Any], key: str, path: str, *, default: list[Any] | None = None) -> list:
    value = obj.get(key)
    if value is None:
        if default is not None:
            return default
        raise ProblemError(f"{path}{key}", "missing (expected a list)")
    if not isinstance(value, list):
        raise ProblemError(f"{path}{key}", f"expected a list, got {_describe(value)}")
    return value


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ProblemError(path, f"expected an object, got {_describe(value)}")
    return value


def load_problem(data: Any) -> Problem:
    """Validate a decoded `forum-schedule/1` JSON document; raise ProblemError if malformed."""
    if isinstance(data, Problem):
        return data
    if not isinstance(data, dict):
        raise ProblemError("(root)", f"expected a JSON object, got {_describe(data)}")
    fmt = data.get("format")
    # A missing format is read as version 1; a different one is refused, not guessed at.
    if fmt is not None and fmt != FORMAT:
        raise ProblemError("format", f"expected {FORMAT!r}, got {_describe(fmt)}")
    name = data.get("name")
    if name is not None and not isinstance(name, str):
        raise ProblemError("name", f"expected a string, got {_describe(name)}")

    slots = _load_slots(_list(data, "slots", ""))
    slot_by_id = {s.id: s for s in slots}
    participants = _load_participants(_list(data, "participants", ""), slot_by_id)
    participant_by_id = {p.id: p for p in participants}
    locations = _load_locations(data.get("locations"))
    meetings = _load_meetings(_list(data, "meetings", ""), slot_by_id, participant_by_id, locations)
    travel = _load_travel(data.get("travel"), slots, locations)
    previous = _load_previous(data, slot_by_id, meetings)

    max_diff: int | None = None
    fairness = data.get("fairness")
    if fairness is not None:
        fairness = _object(fairness, "fairness")
        if fairness.get("max_break_difference") is None:
            raise ProblemError("fairness.max_break_difference", "missing")
        max_diff = _integer(fairness["max_break_difference"], "fairness.max_break_difference", 0)

    return Problem(
        name=name or "",
        slots=tuple(slots),
        participants=tuple(participants),
        meetings=tuple(meetings),
        max_break_difference=max_diff,
        slot_by_id=slot_by_id,
        participant_by_id=participant_by_id,
        meeting_by_id={m.id: m for m in meetings},
        locations=locations,
        travel=travel,
        previous=previous,
    )


def _load_slots(raw: list[Any]) -> list[Slot]:
    slots: list[Slot] = []
    seen: set[str] = set()
    finished_days: set[str] = set()
    for i, item in enumerate(raw):
        path = f"slots[{i}]"
        obj = _object(item, path)
        sid = _string(obj, "id", path)
        if sid in seen:
            raise ProblemError(f"{path}.id", f"duplicate slot id {sid!r}")
        seen.add(sid)
        day = _string(obj, "day", path)
        # "Consecutive" is defined by list order within a day, so a day that comes back after
        # another day would silently make unrelated slots consecutive.
        if slots and slots[-1].day != day:
            finished_days.add(slots[-1].day)
        if day in finished_days:
            raise ProblemError(
                f"{path}.day",
                f"day {day!r} resumes after another day (slots must be listed in time order)",
            )
        if obj.get("tables") is None:
            raise ProblemError(f"{path}.tables", "missing (expected an integer >= 0)")
        slots.append(
            Slot(
                id=sid,
                index=i,
                day=day,
                start=_string(obj, "start", path, optional=True),
                end=_string(obj, "end", path, optional=True),
                session=_string(obj, "session", path, optional=True),
                location=_string(obj, "location", path),
                tables=_integer(obj["tables"], f"{path}.tables", 0),
            )
        )
    return slots


def _load_participants(raw: list[Any], slot_by_id: dict[str, Slot]) -> list[Participant]:
    participants: list[Participant] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        path = f"participants[{i}]"
        obj = _object(item, path)
        pid = _string(obj, "id", path)
        if pid in seen:
            raise ProblemError(f"{path}.id", f"duplicate participant id {pid!r}")
        seen.add(pid)
        name = obj.get("name")
        if name is not None and not isinstance(name, str):
            raise ProblemError(f"{path}.name", f"expected a string, got {_describe(name)}")
        unavailable = _list(obj, "unavailable", f"{path}.", default=[])
        for j, sid in enumerate(unavailable):
            if not isinstance(sid, str) or sid not in slot_by_id:
                raise ProblemError(f"{path}.unavailable[{j}]", f"unknown slot {_describe(sid)}")
        locations = obj.get("locations")
        if locations is not None:
            if not isinstance(locations, list):
                raise ProblemError(
                    f"{path}.locations", f"expected null or a list, got {_describe(locations)}"
                )
            for j, loc in enumerate(locations):
                if not isinstance(loc, str) or not loc:
                    raise ProblemError(
                        f"{path}.locations[{j}]",
                        f"expected a non-empty string, got {_describe(loc)}",
                    )
        participants.append(
            Participant(
                id=pid,
                name=name or pid,
                unavailable=frozenset(unavailable),
                locations=None if locations is None else frozenset(locations),
            )
        )
    return participants


def _load_meetings(
    raw: list[Any],
    slot_by_id: dict[str, Slot],
    participant_by_id: dict[str, Participant],
    locations: dict[str, Location],
) -> list[Meeting]:
    objs = [_object(item, f"meetings[{i}]") for i, item in enumerate(raw)]
    # Ids first: `after` may refer to a meeting listed later.
    ids: set[str] = set()
    for i, obj in enumerate(objs):
        mid = _string(obj, "id", f"meetings[{i}]")
        if mid in ids:
            raise ProblemError(f"meetings[{i}].id", f"duplicate meeting id {mid!r}")
        ids.add(mid)

    meetings: list[Meeting] = []
    for i, obj in enumerate(objs):
        path = f"meetings[{i}]"
        mid = obj["id"]
        members = _list(obj, "participants", f"{path}.")
        if len(members) < 2:
            raise ProblemError(
                f"{path}.participants",
                f"a meeting needs at least two participants, got {len(members)}",
            )
        for j, pid in enumerate(members):
            if not isinstance(pid, str) or pid not in participant_by_id:
                raise ProblemError(
                    f"{path}.participants[{j}]", f"unknown participant {_describe(pid)}"
                )
            if pid in members[:j]:
                raise ProblemError(f"{path}.participants[{j}]", f"{pid!r} is listed twice")
        required = obj.get("required", False)
        if required is None:
            required = False
        if not isinstance(required, bool):
            raise ProblemError(
                f"{path}.required", f"expected true or false, got {_describe(required)}"
            )
        weight = obj.get("weight")
        if weight is None:
            weight = 1
        # A required meeting's weight plays no part in the objective, so 0 is tolerated there.
        weight = _integer(weight, f"{path}.weight", 0 if required else 1)
        fixed = obj.get("fixed_slot")
        if fixed is not None and (not isinstance(fixed, str) or fixed not in slot_by_id):
            raise ProblemError(f"{path}.fixed_slot", f"unknown slot {_describe(fixed)}")
        after = _list(obj, "after", f"{path}.", default=[])
        for j, other in enumerate(after):
            if not isinstance(other, str) or other not in ids:
                raise ProblemError(f"{path}.after[{j}]", f"unknown meeting {_describe(other)}")
            if other == mid:
                raise ProblemError(f"{path}.after[{j}]", "a meeting cannot come after itself")
        location = _string(obj, "location", path, optional=True)
        if location is not None and location not in locations:
            raise ProblemError(f"{path}.location", f"unknown location {_describe(location)}")
        locked = obj.get("locked", False)
        if locked is None:
            locked = False
        if not isinstance(locked, bool):
            raise ProblemError(f"{path}.locked", f"expected true or false, got {_describe(locked)}")
        meetings.append(
            Meeting(
                id=mid,
                index=i,
                participants=tuple(members),
                required=required,
                weight=weight,
                session=_string(obj, "session", path, optional=True),
                fixed_slot=fixed,
                after=tuple(dict.fromkeys(after)),
                location=location,
                locked=locked,
            )
        )
    return meetings


def _minutes(clock: str | None, path: str) -> int:
    if clock is None:
        raise ProblemError(path, "missing (travel times need every slot's start and end)")
    hours, _, minutes = clock.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ProblemError(path, f"expected HH:MM, got {_describe(clock)}")
    return int(hours) * 60 + int(minutes)


def slot_minutes(slot: Slot) -> tuple[int, int]:
    """A slot's start and end in minutes after midnight (validated when travel is given)."""
    return _minutes(slot.start, "start"), _minutes(slot.end, "end")


def _load_locations(raw: Any) -> dict[str, Location]:
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise ProblemError("locations", f"expected a list, got {_describe(raw)}")
    out: dict[str, Location] = {}
    for i, item in enumerate(raw):
        path = f"locations[{i}]"
        obj = _object(item, path)
        lid = _string(obj, "id", path)
        if lid in out:
            raise ProblemError(f"{path}.id", f"duplicate location id {lid!r}")
        name = obj.get("name")
        if name is not None and not isinstance(name, str):
            raise ProblemError(f"{path}.name", f"expected a string, got {_describe(name)}")
        limit = obj.get("visitor_limit")
        if limit is not None:
            limit = _integer(limit, f"{path}.visitor_limit", 1)
        out[lid] = Location(id=lid, name=name or lid, visitor_limit=limit)
    return out


def _load_travel(
    raw: Any, slots: list[Slot], locations: dict[str, Location]
) -> dict[tuple[str, str], int]:
    """Minutes between places, both directions unless the reverse is listed, closed under
    shortest paths (a quicker route through a third place is the travel time)."""
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise ProblemError("travel", f"expected a list, got {_describe(raw)}")
    places = {s.location for s in slots} | set(locations)
    given: dict[tuple[str, str], int] = {}
    for i, item in enumerate(raw):
        path = f"travel[{i}]"
        obj = _object(item, path)
        ends = []
        for key in ("from", "to"):
            place = _string(obj, key, path)
            if place not in places:
                raise ProblemError(f"{path}.{key}", f"unknown place {_describe(place)}")
            ends.append(place)
        if obj.get("minutes") is None:
            raise ProblemError(f"{path}.minutes", "missing (expected an integer >= 0)")
        given[ends[0], ends[1]] = _integer(obj["minutes"], f"{path}.minutes", 0)
    if not given:
        return {}
    for i, s in enumerate(slots):
        _minutes(s.start, f"slots[{i}].start")
        _minutes(s.end, f"slots[{i}].end")
    dist = dict(given)
    for (a, b), minutes in given.items():
        dist.setdefault((b, a), minutes)
    names = sorted(places)
    for k in names:
        for a in names:
            if (a, k) not in dist:
                continue
            for b in names:
                if a != b and (k, b) in dist:
                    via = dist[a, k] + dist[k, b]
                    if via < dist.get((a, b), via + 1):
                        dist[a, b] = via
    return {pair: minutes for pair, minutes in dist.items() if pair[0] != pair[1] and minutes}


def _load_previous(
    data: dict[str, Any], slot_by_id: dict[str, Slot], meetings: list[Meeting]
) -> dict[str, str] | None:
    raw = data.get("previous")
    ids = {m.id for m in meetings}
    previous: dict[str, str] | None = None
    if raw is not None:
        if not isinstance(raw, list):
            raise ProblemError("previous", f"expected a list, got {_describe(raw)}")
        previous = {}
        for i, item in enumerate(raw):
            path = f"previous[{i}]"
            obj = _object(item, path)
            mid = obj.get("meeting")
            if not isinstance(mid, str) or mid not in ids:
                raise ProblemError(f"{path}.meeting", f"unknown meeting {_describe(mid)}")
            if mid in previous:
                raise ProblemError(f"{path}.meeting", f"{mid} is listed twice")
            sid = obj.get("slot")
            if not isinstance(sid, str) or sid not in slot_by_id:
                raise ProblemError(f"{path}.slot", f"unknown slot {_describe(sid)}")
            previous[mid] = sid
    for m in meetings:
        if not m.locked:
            continue
        path = f"meetings[{m.index}].locked"
        if previous is None or m.id not in previous:
            raise ProblemError(path, f"{m.id} is locked but not in previous")
        if m.fixed_slot is not None and m.fixed_slot != previous[m.id]:
            raise ProblemError(
                path, f"{m.id} is locked to {previous[m.id]} but fixed to {m.fixed_slot}"
            )
    return previous

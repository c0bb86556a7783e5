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
    meetings = _load_meetings(_list(data, "meetings", ""), slot_by_id, participant_by_id)

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
    raw: list[Any], slot_by_id: dict[str, Slot], participant_by_id: dict[str, Participant]
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
            )
        )
    return meetings

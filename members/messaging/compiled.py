"""ORM queries compiled to SQL once and then run many times with new arguments.

Building and compiling a Django query costs more than PostgreSQL needs to run a small,
indexed one: for the message page (which every open client polls) the ORM's work was
half of the request. `CompiledQuery` calls the function that builds the queryset with
sentinel arguments, once per database and *shape* (which arguments are given, and the
values of those that shape the SQL, like a LIMIT), keeps the SQL the ORM produced and
where each argument lands among its parameters, then runs that SQL with the real
arguments. The query itself is still written once, with the ORM: nothing here restates
it, and a change to it changes the SQL run.
"""

import datetime as dt
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from django.db import connections, models, router
from django.db.models.sql.compiler import SQLCompiler

# Values no real argument takes, so that each parameter of the SQL can be traced back to
# the argument it came from.
_INT_SENTINEL = -(10**15)
_DATETIME_SENTINEL = dt.datetime(1901, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
_DATETIME = models.DateTimeField()
MAX_SHAPES = 256


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # For each SQL parameter: the name of the argument it takes, or None for a constant
    # of the query (kept as compiled).
    slots: tuple[str | None, ...]
    constants: tuple[object, ...]
    names: tuple[str, ...]
    compiler: SQLCompiler  # for the converters of the selected columns (SQLite's dates)
    converters: dict


class CompiledQuery:
    """`build(**arguments)` returns a `.values()` queryset; calling the CompiledQuery with
    the same arguments returns its rows (dicts), without building the query again.

    `ints` and `datetimes` name the arguments passed as SQL parameters (None leaves one
    out: another shape); the others (`keys`) are part of the SQL, e.g. a LIMIT, and each
    value gets its own compiled query. `build` may branch on whether an argument is None
    and on the keys, never on other values (it sees sentinels): the SQL of one shape must
    be the same for every call."""

    def __init__(
        self,
        build: Callable[..., models.QuerySet],
        *,
        model: type[models.Model],
        ints: tuple[str, ...] = (),
        datetimes: tuple[str, ...] = (),
        keys: tuple[str, ...] = (),
    ):
        self.build = build
        self.model = model
        self.ints, self.datetimes, self.keys = ints, datetimes, keys
        self._compiled: dict[Hashable, _Compiled] = {}
        self._lock = threading.Lock()

    def __call__(self, **arguments) -> list[dict]:
        alias = router.db_for_read(self.model)
        shape = (
            alias,
            *(arguments[name] is None for name in (*self.ints, *self.datetimes)),
            *(arguments[name] for name in self.keys),
        )
        compiled = self._compiled.get(shape)
        if compiled is None:
            compiled = self._compile(alias, arguments)
            with self._lock:
                if len(self._compiled) >= MAX_SHAPES:  # e.g. every `limit` a client tries
                    self._compiled.clear()
                self._compiled[shape] = compiled
        connection = connections[alias]
        values = {name: int(arguments[name]) for name in self.ints if arguments[name] is not None}
        for name in self.datetimes:
            if arguments[name] is not None:
                values[name] = _DATETIME.get_db_prep_value(arguments[name], connection)
        params = [
            constant if slot is None else values[slot]
            for slot, constant in zip(compiled.slots, compiled.constants, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        names = compiled.names
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _compile(self, alias: str, arguments: dict) -> _Compiled:
        connection = connections[alias]
        sentinels: dict[str, object] = {}
        traced: dict[object, str] = {}
        for i, name in enumerate(self.ints):
            if arguments[name] is not None:
                sentinels[name] = _INT_SENTINEL - i
                traced[sentinels[name]] = name
        for i, name in enumerate(self.datetimes):
            if arguments[name] is not None:
                sentinels[name] = _DATETIME_SENTINEL + dt.timedelta(seconds=i)
                traced[_DATETIME.get_db_prep_value(sentinels[name], connection)] = name
        qs = self.build(**{**arguments, **sentinels})
        compiler = qs.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots = tuple(traced.get(p) if isinstance(p, Hashable) else None for p in params)
        missing = set(sentinels) - set(slots)
        if missing:
            raise RuntimeError(f"{self.build.__name__}: arguments not in the SQL: {missing}")
        query = qs.query
        names = query.selected or [
            *query.extra_select,
            *query.values_select,
            *query.annotation_select,
        ]
        return _Compiled(
            sql=sql,
            slots=slots,
            constants=tuple(None if s else p for s, p in zip(slots, params, strict=True)),
            names=tuple(names),
            compiler=compiler,
            converters=compiler.get_converters([s[0] for s in compiler.select]),
        )

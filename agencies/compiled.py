"""Statements every request runs, built and compiled once per process.

Django builds a queryset's SQL anew each time it runs: for the user of the request with its
unread count, or the user's memberships with their agencies, that costs 0.5–1 ms of CPU, about
ten times the round trip. `CompiledOnce(build, *placeholders)` compiles `build(*placeholders)`
the first time it is used on a database and keeps the SQL, its parameters and the compiler's
description of the columns; `instances(*values)` runs the SQL with the placeholders replaced
by `values` and makes the instances as Django's ModelIterable does (converters,
`select_related`, annotations); `rows(*values)` gives a `values_list()` queryset's tuples.

The placeholders are values no query would hold (a negative key, a date of 1900): every
parameter equal to one takes the new value (today's date twice, say), and compiling fails
loudly when one is missing from the parameters. Numbers, text and dates only: SQLite takes a
date as its text, and a datetime would need the database's own adaptation.

A placeholder `Keys(base)` stands for a list of keys (an `__in` lookup: the user's agencies):
the statement is compiled once for each length of list it is called with (the keys standing in
are base, base - 1, …), and a length that leaves nothing to match (an empty list alone) reads
nothing without asking the database.

Only for querysets whose SQL depends on nothing but the placeholders: no `timezone.now()`
or setting read while building, or its first value would be kept — a value derived from a
placeholder (the fiscal year of a date) is a placeholder of its own.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

# Placeholders for a row's key (keys are positive, so no row holds these): `KEY` for a
# statement's one key, `SECOND_KEY` beside it when a statement takes two.
KEY = -7_654_401
SECOND_KEY = -7_654_403
# A day no statement asks about, for a statement that takes today's date.
DAY = date(1900, 1, 2)


@dataclass(frozen=True)
class Keys:
    """A placeholder for a list of keys; `base`, `base - 1`, … stand in for them."""

    base: int

    def stand_ins(self, length: int) -> list[int]:
        return [self.base - i for i in range(length)]


# For a statement's list of keys, and a second list beside it (a thousand keys apart).
KEYS = Keys(-7_655_001)
SECOND_KEYS = Keys(-7_656_001)


class _Compiled:
    def __init__(self, queryset: QuerySet, placeholders: tuple, alias: str):
        compiler = queryset.query.get_compiler(using=alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # nothing can match (an empty list of keys): no statement
            self.sql = None
            return
        self.sql = sql
        self.alias = alias
        self.params = list(params)
        self.slots: list[tuple[int, int, bool]] = []  # (param position, value index, as text)
        for position, param in enumerate(self.params):
            for index, placeholder in enumerate(placeholders):
                as_text = isinstance(param, str) and not isinstance(placeholder, str)
                if param == (str(placeholder) if as_text else placeholder):
                    self.slots.append((position, index, as_text))
        missing = set(range(len(placeholders))) - {index for _p, index, _t in self.slots}
        if missing:
            raise ValueError(f"placeholders {sorted(missing)} are not parameters of {sql}")
        self.compiler = compiler
        columns = [s[0] for s in compiler.select[: compiler.col_count]]
        self.converters = compiler.get_converters(columns)
        self._plan = None

    def _instance_plan(self):
        # What ModelIterable derives from the compiler, derived once (model querysets only).
        if self._plan is None:
            compiler = self.compiler
            klass_info = compiler.klass_info
            fields = klass_info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            self._plan = (
                klass_info["model"],
                start,
                end,
                [s[0].target.attname for s in compiler.select[start:end]],
                get_related_populators(klass_info, compiler.select, self.alias),
                dict(compiler.annotation_col_map or {}),
            )
        return self._plan

    def rows(self, values: tuple) -> list:
        if self.sql is None:
            return []
        params = list(self.params)
        for position, index, as_text in self.slots:
            params[position] = str(values[index]) if as_text else values[index]
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        if self.compiler.has_extra_select:  # ordering columns the rows do not hold
            fetched = [row[: self.compiler.col_count] for row in fetched]
        if self.converters:  # as results_iter, with the converters looked up once
            return [tuple(r) for r in self.compiler.apply_converters(fetched, self.converters)]
        return fetched

    def instances(self, values: tuple) -> list:
        if self.sql is None:
            return []
        model, start, end, init_list, populators, annotations = self._instance_plan()
        out = []
        for row in self.rows(values):
            obj = model.from_db(self.alias, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations.items():
                setattr(obj, name, row[position])
            out.append(obj)
        return out


class CompiledOnce:
    def __init__(self, build: Callable[..., QuerySet], *placeholders: Any):
        self.build = build
        self.placeholders = placeholders
        self._compiled_by: dict[tuple, _Compiled] = {}

    def _values(self, values: tuple) -> tuple:
        # A list of keys in a stable order (a set of agency ids, say): IN does not care.
        return tuple(
            sorted(value) if isinstance(placeholder, Keys) else value
            for placeholder, value in zip(self.placeholders, values, strict=True)
        )

    def _flat(self, values: tuple) -> tuple:
        flat: list = []
        for placeholder, value in zip(self.placeholders, values, strict=True):
            if isinstance(placeholder, Keys):
                flat.extend(value)
            else:
                flat.append(value)
        return tuple(flat)

    def _compiled(self, using: str, values: tuple) -> _Compiled:
        lengths = tuple(
            len(value)
            for placeholder, value in zip(self.placeholders, values, strict=True)
            if isinstance(placeholder, Keys)
        )
        compiled = self._compiled_by.get((using, lengths))
        if compiled is None:
            sizes = iter(lengths)
            stand_ins = tuple(
                p.stand_ins(next(sizes)) if isinstance(p, Keys) else p for p in self.placeholders
            )
            flat = self._flat(stand_ins)
            if len(set(flat)) != len(flat):  # a list so long that it reaches the next one
                raise ValueError(f"placeholders stand for the same value: {sorted(flat)}")
            compiled = _Compiled(self.build(*stand_ins), flat, using)
            self._compiled_by[(using, lengths)] = compiled
        return compiled

    def instances(self, *values: Any, using: str = "default") -> list:
        """Model instances, as iterating the queryset gives them."""
        values = self._values(values)
        return self._compiled(using, values).instances(self._flat(values))

    def rows(self, *values: Any, using: str = "default") -> list:
        """Rows as tuples, converted as a `values_list()` queryset's."""
        values = self._values(values)
        return self._compiled(using, values).rows(self._flat(values))


def prime_related(instance: Any, name: str, rows: list) -> None:
    """Keep `rows` as `instance.<name>.all()`, as `prefetch_related` keeps a reverse foreign
    key's rows (each row's key to `instance` answered from the instance too): the rows a
    compiled statement read serve whatever asks the related manager later in the request."""
    manager = getattr(instance, name)
    for row in rows:
        manager.field.set_cached_value(row, instance)
    queryset = manager.get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset

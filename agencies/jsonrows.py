"""A short related list read in its parent's statement.

`JSONRows(queryset, fields)` is a subquery that returns the rows of `queryset` (filtered to the
outer row with `OuterRef`) as one JSON array of arrays, the values of `fields` in that order —
related columns too (`"staff__display_name"`). `instances(model, fields, rows)` turns the
array back into model instances for the templates: each value through its field's `to_python`,
a related column on a related instance cached on the row (no query when a template reads
`f.staff.display_name`). A page whose own reads are one row and its short lists makes one round
trip instead of one a list (the 参加支援 placement page: participation.selectors_matching).

The instances are made as `from_db` makes them: the fields not asked for are deferred (read on
access, by primary key — ask for the key when they may be), and a primary key not asked for is
None.
"""

import datetime as dt
import decimal
import functools
import json
from collections.abc import Sequence

from django.conf import settings
from django.db import models
from django.db.models import DEFERRED, F, JSONField, Subquery
from django.utils import timezone


class _DecimalJSON(json.JSONDecoder):
    # A number of a DecimalField (activity hours) stays exact: 2.3, not 2.2999….
    def __init__(self, *args, **kwargs):
        super().__init__(*args, parse_float=decimal.Decimal, **kwargs)


class JSONRows(Subquery):
    def __init__(
        self, queryset: models.QuerySet, fields: Sequence[str], *, limit: int | None = None
    ):
        columns = {f"c{i}": F(name) for i, name in enumerate(fields)}
        rows = queryset.annotate(**columns).values(*columns)
        self.columns = tuple(columns)
        # A JSON column nests as JSON, not as its text (SQLite keeps JSON as text).
        self.json_columns = {
            column
            for column, name in zip(self.columns, fields, strict=True)
            if isinstance(_field(queryset.model, name), models.JSONField)
        }
        super().__init__(
            rows[:limit] if limit else rows, output_field=JSONField(decoder=_DecimalJSON)
        )

    def _wrapped(self, compiler, connection, aggregate: str, build: str, empty: str, **extra):
        # Names of our own (c0, c1, …) and SQL functions: no value is written into the SQL.
        def value(column):
            sql = f"_rows.{connection.ops.quote_name(column)}"
            return f"json({sql})" if column in self.json_columns and build == "json_array" else sql

        values = ", ".join(value(c) for c in self.columns)
        template = (
            f"(SELECT COALESCE({aggregate}({build}({values})), {empty}) FROM (%(subquery)s) _rows)"  # noqa: S608
        )
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_sql(self, compiler, connection, **extra):  # SQLite: its JSON1 functions
        return self._wrapped(
            compiler, connection, "json_group_array", "json_array", "'[]'", **extra
        )

    def as_postgresql(self, compiler, connection, **extra):
        # jsonb: Django reads it as text for JSONField (json would arrive already parsed).
        return self._wrapped(
            compiler, connection, "jsonb_agg", "jsonb_build_array", "'[]'::jsonb", **extra
        )


def _field(model: type[models.Model], name: str) -> models.Field:
    """The field `name` ("agency_id", "basis__sections") leads to from `model`."""
    *relations, last = name.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.get_field(last)


def _converter(field: models.Field):
    if isinstance(field, models.DateTimeField):

        def to_datetime(value):
            value = field.to_python(value)
            if value is not None and settings.USE_TZ and timezone.is_naive(value):
                value = timezone.make_aware(value, dt.UTC)  # SQLite keeps UTC without an offset
            return value

        return to_datetime
    if isinstance(field, models.DecimalField):
        step = decimal.Decimal(1).scaleb(-field.decimal_places)

        def to_decimal(value):
            value = field.to_python(value)
            return None if value is None else value.quantize(step)

        return to_decimal
    if isinstance(field, models.BooleanField):
        return lambda value: None if value is None else bool(value)  # SQLite's 0 and 1
    return field.to_python


@functools.cache
def _plan(model: type[models.Model], fields: tuple[str, ...]) -> tuple:
    """Where each concrete field of `model`, and of each model a column goes through, takes its
    value: (column, converter), or None for a field not read — left deferred, so that reading
    it loads it rather than give a default (a primary key not read is None). A relation also
    names the column of its key, when read."""
    columns: dict = {}
    for index, name in enumerate(fields):
        if name.count("__") > 1:
            raise ValueError(f"{name}: one relation deep")
        target = _field(model, name)
        relation = model._meta.get_field(name.partition("__")[0]) if "__" in name else None
        columns.setdefault(relation, {})[target.attname] = (index, _converter(target))

    def sources(of: type[models.Model], read: dict) -> tuple:
        return tuple(
            read.get(f.attname, (None, None) if f.primary_key else None)
            for f in of._meta.concrete_fields
        )

    related = tuple(
        (
            relation,
            relation.related_model,
            sources(relation.related_model, read),
            read.get(relation.related_model._meta.pk.attname, (None,))[0],
        )
        for relation, read in columns.items()
        if relation is not None
    )
    return sources(model, columns.get(None, {})), related


def _build(model: type[models.Model], sources: tuple, row, using: str) -> models.Model:
    values = [
        DEFERRED if source is None else None if source[0] is None else source[1](row[source[0]])
        for source in sources
    ]
    return model.from_db(using, None, values)  # every concrete field, in order: read, not new


def instances(
    model: type[models.Model], fields: Sequence[str], rows, *, using: str = "default"
) -> list[models.Model]:
    """The rows of a `JSONRows(…, fields)` column as instances of `model`, as from_db makes
    them; a related column's values on an instance of the related model, cached on the row."""
    own, related = _plan(model, tuple(fields))
    out = []
    for row in rows or ():
        obj = _build(model, own, row, using)
        for relation, related_model, sources, key in related:
            # A relation whose key was read and is NULL is None, not an empty instance.
            empty = key is not None and row[key] is None
            relation.set_cached_value(
                obj, None if empty else _build(related_model, sources, row, using)
            )
        out.append(obj)
    return out

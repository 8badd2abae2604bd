"""Fast bulk writes for the scale data set.

On PostgreSQL rows go in with COPY … FROM STDIN (CSV), with primary keys assigned here so later
rows can point at them without reading anything back; sequences are reset at the end. Elsewhere
(SQLite) the same calls fall back to `bulk_create`. Values are prepared by each field
(`pre_save` fills auto_now and defaults, `get_db_prep_save` converts), so a new model field with
a default needs no change here.
"""

import csv
import io
import json
import uuid
from datetime import date, datetime

from django.db import connection, models


class Writer:
    """Collects instances per model and writes them in chunks."""

    def __init__(self, chunk: int = 20000):
        self.chunk = chunk
        self.pending: dict[type[models.Model], list[models.Model]] = {}
        self.next_ids: dict[type[models.Model], int] = {}
        self.counts: dict[str, int] = {}
        self.postgres = connection.vendor == "postgresql"

    def next_id(self, model) -> int:
        if model not in self.next_ids:
            agg = model.objects.aggregate(m=models.Max("pk"))["m"] or 0
            self.next_ids[model] = agg + 1
        value = self.next_ids[model]
        self.next_ids[model] = value + 1
        return value

    def add(self, obj: models.Model) -> models.Model:
        model = type(obj)
        if obj.pk is None and self.postgres:
            obj.pk = self.next_id(model)
        rows = self.pending.setdefault(model, [])
        rows.append(obj)
        if len(rows) >= self.chunk:
            self.flush(model)
        return obj

    def flush(self, model=None) -> None:
        for m in [model] if model else list(self.pending):
            rows = self.pending.pop(m, [])
            if not rows:
                continue
            if self.postgres:
                _copy(m, rows)
            else:
                m.objects.bulk_create(rows, batch_size=2000)
            key = m._meta.label
            self.counts[key] = self.counts.get(key, 0) + len(rows)

    def finish(self) -> None:
        self.flush()
        if self.postgres:
            from django.core.management.color import no_style

            touched = list(self.next_ids)
            for sql in connection.ops.sequence_reset_sql(no_style(), touched):
                with connection.cursor() as cur:
                    cur.execute(sql)


def _value(field, obj, connection_):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        # Generated history keeps its own dates; only unset ones get "now".
        value = getattr(obj, field.attname) or field.pre_save(obj, True)
    else:
        value = field.pre_save(obj, True)
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return json.dumps(value, ensure_ascii=False)
    value = field.get_db_prep_save(value, connection_)
    if value is None:
        return None
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


# Field types whose value, of the type named with them, PostgreSQL takes as Python writes it: for
# these `_value` (pre_save, get_db_prep_save: a dozen calls a field) gives back the attribute
# itself. Converting 1,500,000 audit rows field by field took 140 s of a 17-minute generation.
_INTEGER_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
)


def _converter(field):
    """`obj → value for COPY` for `field`: the attribute read directly where its exact field
    type and value type make `_value` give it back unchanged, else `_value` itself."""
    attname = field.attname

    def general(obj):
        return _value(field, obj, connection)

    kind = type(field)
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return general
    if kind in (models.ForeignKey, models.OneToOneField):
        kind = type(field.target_field)
    if kind is models.JSONField:

        def json_value(obj):  # most generated rows hold an empty {} or []
            value = getattr(obj, attname)
            if type(value) in (dict, list) and not value:
                return json.dumps(value)
            return general(obj)

        return json_value
    if kind is models.GenericIPAddressField:

        def ipv4(obj):  # an IPv6 address is normalised by the field: `_value`
            value = getattr(obj, attname)
            if type(value) is str and ":" not in value and value:
                return value
            return None if value is None else general(obj)

        return ipv4
    if kind in (models.CharField, models.TextField):
        plain = str
    elif kind in _INTEGER_FIELDS:
        plain = int
    elif kind is models.DateField:
        plain = date
    elif kind is models.DateTimeField:

        def aware_datetime(obj):  # a naive one is made aware by the field: `_value`
            value = getattr(obj, attname)
            if type(value) is datetime and value.tzinfo is not None:
                return value.isoformat()
            return None if value is None else general(obj)

        return aware_datetime
    else:
        return general

    def read(obj):
        value = getattr(obj, attname)
        if type(value) is plain:
            return value.isoformat() if plain is date else value
        return None if value is None else general(obj)

    return read


def _copy(model, rows) -> None:
    # A generated column (AccessGrant.gives_household) is the database's to fill: COPY refuses it.
    fields = [f for f in model._meta.concrete_fields if not f.generated]
    convert = [_converter(f) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    buf = io.StringIO()
    writer = csv.writer(buf)
    for obj in rows:
        writer.writerow(["\\N" if (v := c(obj)) is None else v for c in convert])
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cur:
        with cur.cursor.copy(
            f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        ) as copy:
            copy.write(buf.getvalue())

"""The one way to write an audit row. Call it inside the service's transaction."""

from collections.abc import Iterable

from django.db import connections, models, router

from . import context
from .models import AuditEvent

_KIND_BY_VERB = {
    "view": AuditEvent.Kind.VIEW,
    "create": AuditEvent.Kind.CREATE,
    "update": AuditEvent.Kind.UPDATE,
    "delete": AuditEvent.Kind.DELETE,
    "export": AuditEvent.Kind.EXPORT,
    "login": AuditEvent.Kind.AUTH,
    "logout": AuditEvent.Kind.AUTH,
    "login_failed": AuditEvent.Kind.AUTH,
}


def audit_label(obj) -> str:
    """A label safe for the audit log: objects may define `audit_label`, else their class and pk."""
    label = getattr(obj, "audit_label", None)
    if label is not None:
        return str(label() if callable(label) else label)[:200]
    return f"{obj._meta.verbose_name} #{obj.pk}"


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    basis: str = "",
    changes: Iterable[str] = (),
    kind: str | None = None,
    object_type: str = "",
    object_id: str = "",
    subjects: Iterable[str] = (),
) -> AuditEvent:
    """Append one audit row. `action` is '<entity>.<verb>' (e.g. 'person.view')."""
    info = context.current()
    if kind is None:
        kind = _KIND_BY_VERB.get(action.rsplit(".", 1)[-1], AuditEvent.Kind.ACTION)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return _append(
        AuditEvent(
            actor=actor if is_user else None,
            actor_label=(actor.get_username() if is_user else "")[:150],
            action=action,
            kind=kind,
            object_type=object_type,
            object_id=object_id,
            object_repr=audit_label(obj) if obj is not None else "",
            basis=basis,
            changes=sorted(changes),
            subjects=list(subjects),
            ip=info.ip,
            user_agent=info.user_agent,
        )
    )


_INSERTS: dict[str, tuple[str, list, bool]] = {}


def _append(event: AuditEvent) -> AuditEvent:
    """INSERT `event` with a statement built once per database. `Model.save()` builds and
    compiles it for every row: 0.33 ms of CPU where the statement takes 0.09, on every page that
    shows personal records. The values go through each field's own preparation, as in save()."""
    alias = router.db_for_write(AuditEvent)
    connection = connections[alias]
    if alias not in _INSERTS:
        meta = AuditEvent._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        quote = connection.ops.quote_name
        returning = connection.features.can_return_columns_from_insert
        sql = "INSERT INTO {} ({}) VALUES ({}){}".format(  # noqa: S608 - names of the model
            quote(meta.db_table),
            ", ".join(quote(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
            f" RETURNING {quote(meta.pk.column)}" if returning else "",
        )
        _INSERTS[alias] = (sql, fields, returning)
    sql, fields, returning = _INSERTS[alias]
    params = [f.get_db_prep_save(f.pre_save(event, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            event.pk = cursor.fetchone()[0]
        else:
            event.pk = connection.ops.last_insert_id(
                cursor, AuditEvent._meta.db_table, AuditEvent._meta.pk.column
            )
    event._state.adding = False
    event._state.db = alias
    return event


def record_list(*, actor, action: str, objects: Iterable[models.Model]) -> AuditEvent | None:
    """One row for a list or search page that shows personal records: which records (by their
    audit labels) the actor saw. Nothing is written for an empty page."""
    objects = list(objects)
    if not objects:
        return None
    return record(
        actor=actor,
        action=action,
        kind=AuditEvent.Kind.VIEW,
        object_type=objects[0]._meta.label_lower,
        subjects=[audit_label(obj) for obj in objects],
    )

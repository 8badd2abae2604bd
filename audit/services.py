"""The one way to write an audit row. Call it inside the service's transaction."""

from collections.abc import Iterable

from django.db import models

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
    return AuditEvent.objects.create(
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

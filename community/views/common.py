import uuid

from django.http import Http404
from django.shortcuts import get_object_or_404


def by_public_id(model_or_qs, public_id):
    """404 (never 500) for a malformed or unknown id."""
    try:
        uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404 from exc
    qs = model_or_qs.objects.all() if hasattr(model_or_qs, "objects") else model_or_qs
    return get_object_or_404(qs, public_id=public_id)

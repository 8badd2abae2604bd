def emergency(request):
    """The banner of an emergency access in force, on every page (templates/base.html)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .emergency import active_for

    return {"emergency_accesses": list(active_for(user))}

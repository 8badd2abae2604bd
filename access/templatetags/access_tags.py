from django import template

register = template.Library()


@register.filter
def section_label(code: str) -> str:
    """The Japanese label of an information kind (InfoKind value)."""
    from agencies.display import enum_labels
    from cases.choices import InfoKind

    return enum_labels(InfoKind).get(code, code)

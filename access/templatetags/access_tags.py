from django import template

register = template.Library()


@register.filter
def section_label(code: str) -> str:
    """The Japanese label of an information kind (InfoKind value)."""
    from cases.choices import InfoKind

    return str(dict(InfoKind.choices).get(code, code))

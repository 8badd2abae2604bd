"""`{% badge label tone %}`: a status badge, `<span class="badge badge--tone">label</span>`.

Installed as a template builtin (settings.TEMPLATES). Lists print one or two per row: as an
`{% include %}` of a partial each cost a context push and a template render (35 µs; a list
of fifty rows paid 3.5 ms for its badges), as a tag a tenth of that. The tone is one of the
stylesheet's (ok, info, warn, danger, neutral); empty is neutral.
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


class BadgeNode(template.Node):
    def __init__(self, label, tone):
        self.label = label
        self.tone = tone

    def render(self, context):
        label = conditional_escape(self.label.resolve(context))
        tone = conditional_escape(self.tone.resolve(context) if self.tone else "") or "neutral"
        return mark_safe(f'<span class="badge badge--{tone}">{label}</span>')  # noqa: S308 - escaped


@register.tag
def badge(parser, token):
    bits = token.split_contents()
    if len(bits) not in (2, 3):
        raise template.TemplateSyntaxError("usage: {% badge label [tone] %}")
    label = parser.compile_filter(bits[1])
    tone = parser.compile_filter(bits[2]) if len(bits) == 3 else None
    return BadgeNode(label, tone)

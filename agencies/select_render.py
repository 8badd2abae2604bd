"""`<select>` widgets rendered in Python, the same characters as Django's templates.

Django renders a select through three templates per option (select.html includes
select_option.html, which includes attrs.html): about 0.1 ms an option. The consultation list's
filter form has 57 options and spent 7.7 ms of every page on them; the lists and forms of the
app are full of such selects. This renderer writes the same markup (tested character for
character against Django's templates in agencies/tests/test_select_render.py) from the same
context (`get_context` and its optgroups are Django's), so widgets, forms and tests see no
difference. A widget given its own template_name or option_template_name keeps Django's path.
"""

from django import forms
from django.forms import models as form_models
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"

_django_render = forms.Select.render


def _attrs(attrs: dict) -> str:
    """attrs.html: a true value is a bare attribute, a false one is left out."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(format_html(" {}", name))
        else:
            out.append(format_html(' {}="{}"', name, value))
    return "".join(out)


def _text(value) -> str:
    """`{{ value }}` in a template: localized, then escaped unless already safe."""
    return conditional_escape(localize(value))


def render_select(widget: dict) -> str:
    parts = [format_html('<select name="{}"', widget["name"]), _attrs(widget["attrs"]), ">"]
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            parts.append(
                f'\n  <option value="{conditional_escape(option["value"])}"'
                f"{_attrs(option['attrs'])}>{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _render(self, name, value, attrs=None, renderer=None):
    if self.template_name != SELECT_TEMPLATE or self.option_template_name != OPTION_TEMPLATE:
        return _django_render(self, name, value, attrs, renderer)
    return mark_safe(render_select(self.get_context(name, value, attrs)["widget"]))  # noqa: S308


def install_fast_select() -> None:
    """Select, SelectMultiple and NullBooleanSelect render through `render_select`."""
    forms.Select.render = _render


def _choices_in_one_read(self):
    """ModelChoiceIterator.__iter__ as Django's, reading the rows with one query instead of
    `iterator()`: on PostgreSQL that is a server-side cursor (DECLARE, FETCH and CLOSE, and a
    statement never prepared), 1.25 ms where one read takes 0.5 for the ten areas of a filter
    form. A choice list is a select's options, read whole anyway; long lists are pickers."""
    if self.field.empty_label is not None:
        yield ("", self.field.empty_label)
    queryset = self.queryset
    if not queryset._prefetch_related_lookups:
        queryset = queryset.all()  # a fresh read each time, as iterator() was, not the cache
    for obj in queryset:
        yield self.choice(obj)


def install_choices_in_one_read() -> None:
    """Every ModelChoiceField's options (django-filter's iterators call this one) in one read."""
    form_models.ModelChoiceIterator.__iter__ = _choices_in_one_read

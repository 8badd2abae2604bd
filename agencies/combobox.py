"""Search-as-you-type pickers (ARIA 1.2 combobox) for fields whose choices are too many to list.

The widget renders a hidden input holding the chosen id and a text input the user types into.
With JavaScript (static/js/tsunagu.js) the text input asks the picker endpoint for options as
the user types and fills the hidden input when an option is chosen; without JavaScript it is a
plain text field, and the server resolves what was typed: exactly one match is taken, none or
several give a field error. Either way the server checks the id against a queryset that starts
from what the user may see, so a forged id is refused like an unknown one.

A field needs:
- `queryset` — the rows that may be chosen (already narrowed to the actor's scope),
- `search(text)` — the same matches the endpoint answers (a queryset or list), set by the form,
- `label(obj)` — the text shown for a chosen row (the endpoint uses the same function).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EMPTY_LABEL = _("選択してください")


@dataclass(frozen=True)
class Option:
    """One row of a picker's answer."""

    value: str
    label: str
    detail: str = ""


def install_empty_label() -> None:
    """Every select's empty choice reads 「選択してください」 instead of Django's 「---------」: the
    default of ModelChoiceField and the blank choice of model fields with choices. Set once at
    start-up (AgenciesConfig.ready) so no form in any app has to remember it."""
    from django.db.models import fields as model_fields
    from django.forms import models as form_models

    form_models.ModelChoiceField.__init__.__kwdefaults__["empty_label"] = EMPTY_LABEL
    model_fields.BLANK_CHOICE_DASH[:] = [("", EMPTY_LABEL)]


NOT_FOUND = _("該当する候補が見つかりません。入力を確かめるか、候補から選んでください。")

# How many options the endpoint answers at most; the rest is announced as "more".
PICKER_LIMIT = 20


class ComboboxWidget(forms.Widget):
    template_name = "agencies/combobox.html"

    def __init__(self, *, url: str = "", depends: str = "", depends_param: str = "", attrs=None):
        super().__init__(attrs)
        self.url = url  # the endpoint (a URL name resolved lazily by the field)
        self.depends = depends  # the name of a field whose value narrows the options
        self.depends_param = depends_param or depends  # how the endpoint calls that value
        self.describe: Callable[[str], str] = lambda value: ""

    def value_from_datadict(self, data, files, name):
        # str(): a test client or an internal caller may post an int id
        return str(data.get(name) or "").strip(), str(data.get(f"{name}_text") or "").strip()

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_text" not in data

    def format_value(self, value):
        if isinstance(value, tuple):
            return value
        if value in (None, ""):
            return ("", "")
        label = self.describe(str(value))
        # An id the user may not choose (a foreign one in a link) leaves the field empty.
        return (str(value), label) if label else ("", "")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen, text = self.format_value(value)
        prefix = name.rsplit("-", 1)[0] + "-" if "-" in name else ""
        context["widget"].update(
            {
                "chosen": chosen,
                "text": text,
                "url": str(self.url),
                "depends": f"{prefix}{self.depends}" if self.depends else "",
                "depends_param": self.depends_param,
            }
        )
        return context

    def id_for_label(self, id_):
        return id_


class PickerField(forms.ModelChoiceField):
    """A ModelChoiceField picked through a combobox. The choices are never enumerated: the
    field resolves one id, or a typed text through `search` (the no-JavaScript path)."""

    widget = ComboboxWidget

    def __init__(
        self,
        *,
        queryset=None,
        url: str = "",
        depends: str = "",
        depends_param: str = "",
        label_from=str,
        not_found=None,
        **kwargs,
    ):
        kwargs.setdefault("empty_label", EMPTY_LABEL)
        super().__init__(
            queryset=queryset,
            widget=ComboboxWidget(url=url, depends=depends, depends_param=depends_param),
            **kwargs,
        )
        self.label_from = label_from
        self.search: Callable[[str], Iterable] | None = None
        self.not_found = not_found or NOT_FOUND
        self.widget.describe = self._describe

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.widget.describe = result._describe
        return result

    def label_from_instance(self, obj):
        return self.label_from(obj)

    def _lookup(self, value: str):
        key = self.to_field_name or "pk"
        if self.queryset is None:
            return None
        try:
            return self.queryset.get(**{key: value})
        except (ValueError, TypeError, ValidationError, self.queryset.model.DoesNotExist):
            return None

    def _describe(self, value: str) -> str:
        obj = self._lookup(value)
        return self.label_from(obj) if obj is not None else ""

    def prepare_value(self, value):
        if isinstance(value, tuple):
            return value
        return super().prepare_value(value)

    def to_python(self, value):
        chosen, text = value if isinstance(value, tuple) else (value or "", "")
        if chosen:
            obj = self._lookup(chosen)
            if obj is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            # Without JavaScript the hidden id stays while the text is edited: what was typed wins.
            if not text or text == self.label_from(obj):
                return obj
        if not text:
            return None
        if self.search is None:
            raise ValidationError(self.not_found, code="invalid_choice")
        found = list(self.search(text)[:2])
        if not found:
            raise ValidationError(self.not_found, code="invalid_choice")
        if len(found) > 1:
            raise ValidationError(
                _(
                    "「%(text)s」に当てはまる候補が複数あります。候補から選ぶか、詳しく入力してください。"
                ),
                code="ambiguous",
                params={"text": text},
            )
        return found[0]

    def validate(self, value):
        forms.Field.validate(self, value)

    def has_changed(self, initial, data):
        try:
            obj = self.to_python(data)
        except ValidationError:
            return True
        key = self.to_field_name or "pk"
        now = str(getattr(obj, key)) if obj is not None else ""
        before = getattr(initial, key, initial)
        return now != str(before or "")


def picker_response(request, options, *, more: bool = False, hint: str = ""):
    """The endpoint's answer: <li role="option"> rows the combobox script moves into its listbox,
    with a status line for screen readers. Never cached (it holds personal data)."""
    from django.http import HttpResponse
    from django.template.loader import render_to_string
    from django.utils.cache import add_never_cache_headers

    # No request context: the answer needs none of the page's context processors (menu,
    # notification count), and each would cost a query on every keystroke.
    html = render_to_string(
        "partials/combobox_options.html", {"results": options, "more": more, "hint": hint}
    )
    response = HttpResponse(html)
    add_never_cache_headers(response)
    return response


def limited(rows, limit: int = PICKER_LIMIT) -> tuple[list, bool]:
    """The first `limit` rows and whether there are more (one query: limit + 1 rows)."""
    rows = list(rows[: limit + 1])
    return rows[:limit], len(rows) > limit

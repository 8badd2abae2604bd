"""The Python select renderer writes exactly what Django's select templates write."""

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from agencies import select_render
from agencies.models import Agency


def _django(widget, name, value, attrs=None):
    return select_render._django_render(widget, name, value, attrs)


CASES = [
    (forms.Select(choices=[("", "---"), ("a", "あ"), ("b", "い<b>")]), "a"),
    (forms.Select(choices=[(1, 1000), (2, _("状態")), (3, mark_safe("<i>安全</i>"))]), 2),
    (
        forms.Select(
            choices=[("グループ1", [("x", "X"), ("y", "Y")]), ("z", "Z & z")],
            attrs={"disabled": True, "data-x": '"quoted"', "hidden": False, "class": "c"},
        ),
        "y",
    ),
    (forms.SelectMultiple(choices=[("a", "A"), ("b", "B"), ("c", "C")]), ["a", "c"]),
    (forms.NullBooleanSelect(), None),
    (forms.NullBooleanSelect(), True),
    (forms.Select(choices=[]), None),
]


@pytest.mark.parametrize(("widget", "value"), CASES)
def test_same_characters_as_django_templates(widget, value):
    ours = widget.render("f", value, attrs={"id": "id_f", "aria-describedby": "id_f_helptext"})
    theirs = _django(widget, "f", value, attrs={"id": "id_f", "aria-describedby": "id_f_helptext"})
    assert str(ours) == str(theirs)
    assert "<option" in ours or not widget.choices


@pytest.mark.django_db
def test_model_choice_field_in_a_form_renders_the_same():
    Agency.objects.create(name="北部<包括>", kana="ほくぶ", code="X1")

    class F(forms.Form):
        agency = forms.ModelChoiceField(queryset=Agency.objects.all(), empty_label="すべて")
        kind = forms.ChoiceField(choices=[("a", "A")], required=False, disabled=True)

    form = F({"agency": "nope"})
    for bf in form:
        widget = bf.field.widget
        attrs = bf.build_widget_attrs({"id": bf.auto_id})
        value = bf.value()
        assert str(widget.render(bf.html_name, value, attrs)) == str(
            _django(widget, bf.html_name, value, attrs)
        )
    assert "北部&lt;包括&gt;" in str(form["agency"])


def test_a_widget_with_its_own_template_keeps_djangos_path():
    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/select_option.html"
        template_name = "django/forms/widgets/select.html"

    class OwnTemplate(forms.Select):
        template_name = "django/forms/widgets/text.html"

    html = OwnTemplate(choices=[("a", "A")]).render("f", "a")
    assert "<select" not in html and "<input" in html
    assert Custom(choices=[("a", "A")]).render("f", "a") == _django(
        Custom(choices=[("a", "A")]), "f", "a"
    )


@pytest.mark.django_db
def test_model_choices_are_read_in_one_query_without_a_server_side_cursor(monkeypatch):
    import django_filters
    from django.db import connection

    from agencies.models import Area

    Area.objects.create(name="北部", kana="ほくぶ", code="A1")
    Area.objects.create(name="南部", kana="なんぶ", code="A2")

    def no_cursor(*args, **kwargs):
        raise AssertionError("a server-side cursor for a select's options")

    monkeypatch.setattr(connection, "chunked_cursor", no_cursor)

    class Filters(django_filters.FilterSet):
        area = django_filters.ModelChoiceFilter(queryset=Area.objects.order_by("code"))

        class Meta:
            model = Agency
            fields = ["area"]

    class F(forms.Form):
        areas = forms.ModelMultipleChoiceField(queryset=Area.objects.order_by("code"))

    html = str(F()["areas"]) + str(Filters().form["area"])
    assert html.index("北部") < html.index("南部")
    assert html.count("<option") == 2 + 3  # the filter's empty choice
    field = F().fields["areas"]
    assert [label for _v, label in field.choices] == ["北部", "南部"]
    Area.objects.create(name="中部", kana="ちゅうぶ", code="A0")
    # read afresh each time, as Django's iterator() did: not the first read's cache
    assert [label for _v, label in field.choices] == ["中部", "北部", "南部"]

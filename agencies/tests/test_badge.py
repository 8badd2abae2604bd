"""`{% badge label tone %}` prints the status badge the lists and pages show."""

import pytest
from django.template import TemplateSyntaxError, engines
from django.utils import translation


def _render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_badge_prints_label_and_tone_escaped():
    html = _render("{% badge label tone %}", label="<b>受付</b>", tone='ok" onclick="x')
    assert html == (
        '<span class="badge badge--ok&quot; onclick=&quot;x">&lt;b&gt;受付&lt;/b&gt;</span>'
    )


def test_badge_without_tone_or_with_an_empty_one_is_neutral():
    assert _render('{% badge "終了" %}') == '<span class="badge badge--neutral">終了</span>'
    assert _render("{% badge s t %}", s="下書き", t="") == (
        '<span class="badge badge--neutral">下書き</span>'
    )


def test_badge_translates_a_literal_label():
    with translation.override("ja"):
        assert _render('{% badge _("期限超過") "danger" %}') == (
            '<span class="badge badge--danger">期限超過</span>'
        )


def test_badge_refuses_a_wrong_number_of_arguments():
    with pytest.raises(TemplateSyntaxError):
        _render("{% badge %}")
    with pytest.raises(TemplateSyntaxError):
        _render('{% badge "a" "b" "c" %}')

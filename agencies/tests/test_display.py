"""`get_FOO_display()` answers from a table kept on the field (agencies/display.py): the label of
the reader's language, the raw value when it is not a choice, and Django's own behaviour where a
model defines its own method or the choices are a callable."""

import gc
from functools import partialmethod
from types import SimpleNamespace

from django.db import models
from django.utils import translation

from agencies import display
from cases.models import SupportCase


def test_label_follows_the_readers_language():
    case = SupportCase(status=SupportCase.Status.ASSESSMENT)
    with translation.override("ja"):
        assert case.get_status_display() == "アセスメント"
    with translation.override("en"):
        assert case.get_status_display() == "Assessment"
    with translation.override("ja"):  # each language keeps its own translated table
        assert case.get_status_display() == "アセスメント"
        assert type(case.get_status_display()) is str


def test_choice_labels_are_translated_once_per_language(monkeypatch):
    case = SupportCase(status=SupportCase.Status.CLOSED)
    with translation.override("ja"):
        case.get_status_display()
        calls = []
        real = translation._trans.gettext  # what every gettext, lazy ones too, ends in
        monkeypatch.setattr(translation._trans, "gettext", lambda m: calls.append(m) or real(m))
        assert [case.get_status_display() for _ in range(50)] == ["終結"] * 50
    assert calls == []


def test_a_value_outside_the_choices_is_shown_as_stored():
    assert SupportCase(status="unknown-code").get_status_display() == "unknown-code"


def test_every_model_method_is_the_fast_one():
    method = SupportCase.__dict__["get_status_display"]
    assert isinstance(method, partialmethod)
    assert method.func is display._get_FIELD_display


def test_callable_choices_are_asked_each_time():
    options = [("a", "A")]
    field = models.CharField(max_length=5, choices=lambda: list(options))
    field.set_attributes_from_name("kind")
    thing = SimpleNamespace(kind="b")
    assert display._get_FIELD_display(thing, field) == "b"
    options.append(("b", "B"))
    assert display._get_FIELD_display(thing, field) == "B"


def test_web_workers_collect_young_objects_rarely():
    from config import gc_tuning, wsgi  # noqa: F401 - importing the WSGI module tunes the collector

    assert gc.get_threshold()[0] == gc_tuning.GEN0_THRESHOLD


def test_code_labels_follow_the_readers_language_and_keep_unknown_codes():
    from agencies.choices import Programme

    codes = [Programme.MULTIAGENCY, "retired-code", Programme.OUTREACH]
    with translation.override("ja"):
        ja = display.code_labels(Programme, codes)
    with translation.override("en"):
        en = display.code_labels(Programme, codes)
    assert ja[1] == en[1] == "retired-code"
    assert ja[0] == str(Programme.MULTIAGENCY.label) and ja[0] != en[0]
    assert display.code_labels(Programme, None) == []

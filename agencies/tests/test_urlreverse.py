"""`agencies.urlreverse.reverse` and the `{% url %}` tag built on it answer exactly as Django's
`reverse` does: every named URL of the project, with and without arguments, under a script
prefix, and the same NoReverseMatch where Django has none."""

import uuid

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, URLResolver, get_resolver, set_script_prefix
from django.urls import reverse as django_reverse

from agencies import urlreverse

SAMPLES = {"int": 7, "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"), "slug": "a-b"}


def _named(patterns, namespace="", converters=None):
    """(name, converters) of every named URL, namespaces included."""
    converters = converters or {}
    for p in patterns:
        found = {**converters, **p.pattern.converters}
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _named(p.url_patterns, ns, found)
        elif p.name:
            yield f"{namespace}{p.name}", found


def _answer(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except NoReverseMatch:
        return NoReverseMatch


NAMES = sorted(dict(_named(get_resolver().url_patterns)).items())


def test_the_project_has_urls_to_compare():
    assert len(NAMES) > 300
    assert any(name == "notifications:mark_read" for name, _ in NAMES)


@pytest.mark.parametrize("prefix", ["/", "/tsunagu/"])
def test_every_named_url_reverses_as_django_does(prefix):
    set_script_prefix(prefix)
    try:
        compared = 0
        for name, converters in NAMES:
            kinds = [c.__class__.__name__ for c in converters.values()]
            args = [SAMPLES.get(k.replace("Converter", "").lower(), "a bé") for k in kinds]
            kwargs = dict(zip(converters, args, strict=True))
            for call in (
                {},
                {"args": args},
                {"kwargs": kwargs},
                {"args": ["not a uuid"] * len(args)},
            ):
                ours = _answer(urlreverse.reverse, name, **call)
                assert ours == _answer(django_reverse, name, **call), (name, call)
                compared += ours is not NoReverseMatch
        assert compared > 300
    finally:
        set_script_prefix("/")


def test_unknown_names_and_namespaces_raise_djangos_error():
    for name in ("no_such_page", "cases:no_such_page", "nowhere:page"):
        with pytest.raises(NoReverseMatch):
            urlreverse.reverse(name)


def test_the_tag_prints_djangos_url_and_keeps_its_as_form():
    public_id = uuid.uuid4()
    rendered = Template(
        "{% url 'notifications:mark_read' n %}|{% url 'no_such_page' as missing %}[{{ missing }}]"
    ).render(Context({"n": public_id}))
    assert rendered == django_reverse("notifications:mark_read", args=[public_id]) + "|[]"
    with pytest.raises(NoReverseMatch):
        Template("{% url 'no_such_page' %}").render(Context())


def test_the_tag_is_ours():
    from agencies.templatetags.url_tag import URLNode

    assert isinstance(Template("{% url 'dashboard' %}").nodelist[0], URLNode)


@pytest.mark.parametrize("prefix", ["/", "/tsunagu/"])
def test_project_urls_are_answered_without_djangos_reverse(monkeypatch, prefix):
    """The fast path answers them itself (Django's reverse is only the fallback)."""
    cases = [("dashboard", []), ("notifications:mark_read", [SAMPLES["uuid"]])]
    set_script_prefix(prefix)
    try:
        expected = {name: django_reverse(name, args=args) for name, args in cases}
        monkeypatch.setattr(urlreverse, "django_reverse", None)  # calling it would fail
        assert urlreverse.reverse("dashboard") == expected["dashboard"]
        assert (
            urlreverse.reverse("notifications:mark_read", args=[SAMPLES["uuid"]])
            == expected["notifications:mark_read"]
        )
        assert expected["dashboard"] == prefix
    finally:
        set_script_prefix("/")

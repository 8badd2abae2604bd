"""The user's date style: 和暦 on screens, with the Western year when the user asks for it."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.urls import reverse

from agencies import jpdates

pytestmark = pytest.mark.django_db


def _render(source: str, **context) -> str:
    return Template("{% load jp %}" + source).render(Context(context))


def test_jdate_and_jdatetime_render_wareki_in_tokyo_in_a_time_element():
    html = _render("{{ d|jdate }}", d=dt.date(2026, 11, 26))
    assert html == '<time class="date" datetime="2026-11-26">令和8年11月26日</time>'
    utc = dt.datetime(2026, 11, 25, 15, 5, tzinfo=dt.UTC)
    html = _render("{{ t|jdatetime }}", t=utc)
    assert "令和8年11月26日 00:05" in html and 'datetime="2026-11-26T00:05+09:00"' in html
    assert _render('{{ d|jdate|default:"—" }}', d=None) == "—"


def test_user_turns_the_western_year_on_and_off(client, caseworker):
    client.force_login(caseworker)
    page = client.get(reverse("dashboard")).content.decode()
    assert "日付に西暦を併記" in page
    response = client.post(reverse("set_date_style"), {"seireki": "1", "next": "/"})
    assert response.status_code == 302
    caseworker.refresh_from_db()
    assert caseworker.show_seireki
    page = client.get(reverse("dashboard")).content.decode()
    assert "日付を和暦だけで表示" in page
    client.post(reverse("set_date_style"), {"seireki": "0", "next": "https://evil.example/"})
    caseworker.refresh_from_db()
    assert not caseworker.show_seireki
    # The setting lives for the request only: nothing leaks into the next one.
    assert jpdates.SHOW_SEIREKI.get() is False


def test_date_style_needs_a_login(client):
    response = client.post(reverse("set_date_style"), {"seireki": "1"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

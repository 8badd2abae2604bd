"""Error pages in Japanese with nothing about the record or the exception (DEBUG=False, as the
test runner sets it): 400, 403 (with the policy's fixed reason only), 404, 500 (without a
request context or the database) and the CSRF failure page."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from tests.error_urls import SECRET

pytestmark = pytest.mark.urls("tests.error_urls")


def _page(response) -> str:
    return response.content.decode()


def test_500_page_is_japanese_without_exception_text_or_database(db, django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/test-errors/boom/")
    assert response.status_code == 500
    page = _page(response)
    assert "システムエラーが発生しました" in page
    assert SECRET not in page and "RuntimeError" not in page and "Traceback" not in page


def test_500_template_renders_without_a_request():
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "システムエラー" in html


def test_404_page_does_not_echo_the_lookup(client, caseworker):
    client.force_login(caseworker)
    response = client.get(reverse("cases:person_detail", args=[uuid.uuid4()]))
    assert response.status_code == 404
    page = _page(response)
    assert "ページが見つかりません" in page
    assert "matches the given query" not in page and "Person" not in page


def test_404_for_anonymous_unknown_address(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "ページが見つかりません" in _page(response)


def test_403_shows_the_policy_reason(client, caseworker):
    client.force_login(caseworker)
    response = client.get("/test-errors/denied-policy/")
    assert response.status_code == 403
    assert "この会議体の構成員ではないため" in _page(response)


@pytest.mark.parametrize("url", ["/test-errors/denied-plain/", "/test-errors/denied-policy-empty/"])
def test_403_without_a_policy_reason_shows_the_generic_text_only(client, caseworker, url):
    client.force_login(caseworker)
    response = client.get(url)
    assert response.status_code == 403
    page = _page(response)
    assert "この操作を行う権限がありません。" in page
    assert SECRET not in page


def test_403_for_an_action_without_a_rule_shows_no_internal_reason(caseworker):
    from agencies.errors import public_reason
    from agencies.policy import PolicyDenied, check

    decision = check(caseworker, "no.such_action")
    assert not decision.allowed
    assert public_reason(PolicyDenied("no.such_action", decision)) == ""


def test_400_page_is_japanese(client, db):
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    page = _page(response)
    assert "リクエストを処理できません" in page and "evil.example" not in page


def test_csrf_failure_page_is_japanese(db, caseworker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(caseworker)
    response = client.post(reverse("notifications:mark_all_read"))
    assert response.status_code == 403
    page = _page(response)
    assert "送信を受け付けられませんでした" in page
    assert "CSRF token" not in page and "Referer" not in page

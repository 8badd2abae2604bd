"""Named API tokens: several per user, listed and revoked one by one (page and API), hashed at
rest; issuing one never revokes another; nobody lists or revokes someone else's."""

import hashlib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.tests.utils import issue_token, login_as
from agencies.tokens import ApiToken
from audit.models import AuditEvent


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def works(key: str) -> bool:
    return token_client(key).get("/api/v1/agencies/").status_code == 200


@pytest.mark.django_db
def test_a_second_token_does_not_revoke_the_first(caseworker):
    first = issue_token(caseworker, "統計")
    second = issue_token(caseworker, "連携")
    assert works(first) and works(second)
    assert ApiToken.objects.filter(user=caseworker).active().count() == 2


@pytest.mark.django_db
def test_token_by_password_keeps_the_others(caseworker):
    caseworker.set_password("Correct-Horse-42")
    caseworker.save()
    old = issue_token(caseworker, "old")
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": caseworker.username, "password": "Correct-Horse-42", "name": "バッチ"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "バッチ" and body["prefix"] == body["token"][:8]
    assert works(old) and works(body["token"])


@pytest.mark.django_db
def test_only_a_hash_of_the_key_is_stored(caseworker):
    key = issue_token(caseworker)
    token = ApiToken.objects.get(user=caseworker)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().first().values()]
    assert key not in stored


@pytest.mark.django_db
def test_list_shows_own_tokens_without_keys(caseworker, colleague):
    key = issue_token(caseworker, "統計")
    issue_token(colleague, "同僚の")
    response = token_client(key).get("/api/v1/auth/tokens/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["name"] for r in rows] == ["統計"]
    assert "token" not in rows[0] and key not in response.content.decode()


@pytest.mark.django_db
def test_revoke_one_token_over_the_api(caseworker, colleague):
    keep, drop = issue_token(caseworker, "keep"), issue_token(caseworker, "drop")
    drop_id = ApiToken.objects.get(user=caseworker, name="drop").public_id
    colleague_key = issue_token(colleague, "x")
    colleague_id = ApiToken.objects.get(user=colleague).public_id
    # Someone else's token: the same 404 as one that does not exist.
    assert token_client(keep).delete(f"/api/v1/auth/tokens/{colleague_id}/").status_code == 404
    assert works(colleague_key)
    assert token_client(keep).delete(f"/api/v1/auth/tokens/{drop_id}/").status_code == 204
    assert not works(drop) and works(keep)
    assert AuditEvent.objects.filter(action="api_token.delete", actor=caseworker).count() == 1


@pytest.mark.django_db
def test_same_active_name_is_a_field_error(caseworker, client):
    issue_token(caseworker, "連携")
    login_as(client, caseworker)
    response = client.post(reverse("api_token_issue"), {"name": "連携"})
    assert response.status_code == 200
    assert "同じ名前の有効なトークンがあります。" in response.content.decode()
    assert ApiToken.objects.filter(user=caseworker).count() == 1


@pytest.mark.django_db
def test_account_page_lists_issues_and_revokes(caseworker, colleague, client):
    login_as(client, caseworker)
    page = client.post(reverse("api_token_issue"), {"name": "統計", "expires_in_days": "30"})
    key = page.context["new_token"]
    assert works(key)
    client.post(reverse("api_token_issue"), {"name": "連携"})
    listing = client.get(reverse("account_security")).content.decode()
    assert "統計" in listing and "連携" in listing and key not in listing
    token = ApiToken.objects.get(user=caseworker, name="統計")
    assert token.expires_at is not None
    issue_token(colleague, "同僚の")
    theirs = ApiToken.objects.get(user=colleague)
    assert client.post(reverse("api_token_revoke", args=[theirs.public_id])).status_code == 404
    response = client.post(reverse("api_token_revoke", args=[token.public_id]))
    assert response.status_code == 302
    assert not works(key)
    assert ApiToken.objects.filter(user=caseworker).active().count() == 1


@pytest.mark.django_db
def test_expired_token_is_refused(caseworker):
    key = issue_token(caseworker)
    ApiToken.objects.filter(user=caseworker).update(expires_at=timezone.now() - timedelta(1))
    assert token_client(key).get("/api/v1/agencies/").status_code in (401, 403)


@pytest.mark.django_db
def test_tokens_are_marked_used(caseworker):
    key = issue_token(caseworker)
    assert works(key)
    assert ApiToken.objects.get(user=caseworker).last_used_at is not None

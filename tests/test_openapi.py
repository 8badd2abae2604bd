"""The whole project's OpenAPI schema: valid, built without a single drf-spectacular warning (an
untyped field or parameter, an enum collision, a view whose queryset fails without a user), with
typed UUID paths and the structured error body; and the docs pages served from vendored assets."""

import re

import pytest
from drf_spectacular.validation import validate_schema

ERROR_REF = "#/components/schemas/Error"


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def _response_ref(operation, status: str) -> str | None:
    content = operation["responses"].get(status, {}).get("content", {})
    for media in content.values():
        return media["schema"].get("$ref")
    return None


def test_schema_is_valid_and_built_without_warnings(openapi_schema):
    validate_schema(openapi_schema.schema)
    assert openapi_schema.warnings == []
    assert openapi_schema.errors == []


def test_every_api_module_is_in_the_schema(openapi_schema):
    paths = openapi_schema.schema["paths"]
    for path in [
        "/api/v1/agencies/",
        "/api/v1/persons/{public_id}/merge/",
        "/api/v1/households/{public_id}/members/",
        "/api/v1/consents/{public_id}/withdraw/",
        "/api/v1/referrals/{public_id}/accept/",
        "/api/v1/concern-slips/{public_id}/set-status/",
        "/api/v1/support-cases/{public_id}/transition/",
        "/api/v1/meetings/{public_id}/fix-agenda/",
        "/api/v1/agenda-items/{public_id}/decision/",
        "/api/v1/notifications/read-all/",
    ]:
        assert path in paths, path


def test_record_ids_in_paths_are_typed_uuids(openapi_schema):
    untyped = [
        (path, p["name"])
        for path, _method, operation in _operations(openapi_schema.schema)
        for p in operation.get("parameters", [])
        if p["in"] == "path" and p["name"] == "public_id" and p["schema"].get("format") != "uuid"
    ]
    assert untyped == []


def test_actions_document_what_they_accept_and_answer(openapi_schema):
    paths = openapi_schema.schema["paths"]

    def body(path):
        content = paths[path]["post"].get("requestBody", {}).get("content", {})
        return content.get("application/json", {}).get("schema", {}).get("$ref")

    def answer(path, status="200"):
        return _response_ref(paths[path]["post"], status)

    assert body("/api/v1/persons/{public_id}/merge/").endswith("/PersonMergeRequest")
    assert answer("/api/v1/persons/{public_id}/merge/").endswith("/PersonMergeResult")
    assert answer("/api/v1/persons/duplicates/").endswith("/Matches")
    assert answer("/api/v1/households/{public_id}/members/", "201").endswith("/Members")
    assert body("/api/v1/referrals/{public_id}/return/").endswith("/ReturnRequest")
    assert answer("/api/v1/referrals/{public_id}/accept/").endswith("/ReferralDetail")
    assert "requestBody" not in paths["/api/v1/referrals/{public_id}/send/"]["post"]
    assert body("/api/v1/meetings/{public_id}/fix-agenda/").endswith("/VersionRequest")
    assert answer("/api/v1/meetings/{public_id}/fix-agenda/").endswith("/Meeting")
    assert answer("/api/v1/agenda-items/{public_id}/decision/", "201").endswith("/Decision")


def test_errors_use_the_structured_error_component(openapi_schema):
    schema = openapi_schema.schema
    error = schema["components"]["schemas"]["ErrorBody"]
    assert {"code", "message"} <= set(error["required"])
    paths = schema["paths"]
    assert _response_ref(paths["/api/v1/persons/{public_id}/"]["get"], "404") == ERROR_REF
    assert _response_ref(paths["/api/v1/notifications/{public_id}/read/"]["post"], "404") == (
        ERROR_REF
    )
    # Conflicts carry what the client needs to resolve them.
    conflict = _response_ref(paths["/api/v1/referrals/{public_id}/accept/"]["post"], "409")
    body = schema["components"]["schemas"][conflict.rsplit("/", 1)[1]]["properties"]["error"]
    ref = body.get("$ref") or body["allOf"][0]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"code", "message", "current_status", "options"} <= set(body["properties"])
    person_conflict = _response_ref(paths["/api/v1/persons/{public_id}/"]["patch"], "409")
    assert person_conflict.endswith("/VersionConflict")


def test_a_too_long_request_line_is_documented_where_it_can_happen(openapi_schema):
    """gunicorn answers 414 (its own HTML page) for a request line over 4,094 bytes: every
    operation with a path or query parameter says so."""
    paths = openapi_schema.schema["paths"]
    listed = paths["/api/v1/persons/"]["get"]["responses"]["414"]
    assert list(listed["content"]) == ["text/html"]
    assert "414" in paths["/api/v1/persons/{public_id}/"]["get"]["responses"]


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_use_vendored_assets_only(client, caseworker, url):
    client.force_login(caseworker)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "drf_spectacular_sidecar/" in html or "/api/redoc/redoc.standalone.js" in html
    external = re.findall(r"""(?:src|href)=["'](?:https?:)?//[^"']+""", html)
    assert external == []
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
    assert "<script>" not in html  # the CSP allows scripts from 'self' only: no inline script


def test_redoc_bundle_fetches_no_logo_from_outside(client, caseworker):
    client.force_login(caseworker)
    response = client.get("/api/redoc/redoc.standalone.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert b"cdn.redoc.ly" not in response.content
    assert b"Redoc" in response.content


def test_schema_endpoint_serves_the_schema(client, caseworker):
    client.force_login(caseworker)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi: 3" in response.content


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_need_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_schema_needs_login(client, db):
    assert client.get("/api/schema/").status_code in (401, 403)

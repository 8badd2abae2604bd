"""The API answers as its schema says (agencies/api_contract.py): JSON errors in one shape under
/api/ (never an HTML page), query strings checked against the documented parameters, numbers
bounded like their columns, nested field errors flattened, every answer documented.

The whole API is exercised by schemathesis in CI (scripts/api_contract.sh); these tests pin each
rule so a failure names it."""

import pytest
from rest_framework.test import APIClient

from agencies.choices import Role
from agencies.tests.factories import staff
from agencies.tests.utils import login_as


@pytest.fixture
def api(caseworker):
    client = APIClient()
    login_as(client, caseworker)
    return client


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_unknown_api_address_is_a_json_404(api):
    error_of(api.get("/api/v1/no-such-thing/"), 404, "not_found")


def test_malformed_id_in_the_path_is_a_json_404(api):
    error_of(api.get("/api/v1/persons/not-a-uuid/"), 404, "not_found")
    error_of(api.delete("/api/v1/meeting-members/12%2034/"), 404, "not_found")


def test_anonymous_api_call_is_json_not_a_login_page():
    response = APIClient().get("/api/v1/persons/")
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json")


def test_unknown_query_parameter_is_a_400_naming_it(api):
    error = error_of(api.get("/api/v1/agencies/", {"colour": "blue"}), 400, "invalid")
    assert list(error["fields"]) == ["colour"]


def test_documented_query_parameters_still_work(api, agency):
    response = api.get("/api/v1/agencies/", {"kind": agency.kind, "page": 1})
    assert response.status_code == 200, response.content
    assert "count" in response.json()


def test_malformed_id_in_the_query_string_is_a_404(api):
    error_of(api.get("/api/v1/plans/", {"case": "R8-0001'--"}), 404, "not_found")


def test_number_beyond_its_range_in_the_query_string_is_a_400_naming_it(api):
    error = error_of(api.get("/api/v1/agencies/", {"page": 2**70}), 400, "invalid")
    assert list(error["fields"]) == ["page"]
    error = error_of(api.get("/api/v1/support-cases/", {"fiscal_year": "x"}), 400, "invalid")
    assert list(error["fields"]) == ["fiscal_year"]


def test_nul_character_in_the_query_string_is_a_400(api):
    error = error_of(api.get("/api/v1/persons/", {"q": "山\x00田"}), 400, "invalid")
    assert list(error["fields"]) == ["q"]


def test_number_beyond_its_column_in_a_body_is_a_400_naming_it(agency):
    admin = staff(agency, Role.ADMIN)
    client = APIClient()
    login_as(client, admin)
    response = client.post(
        "/api/v1/areas/",
        {"code": "x1", "name": "試験", "kana": "しけん", "level": "district", "sort_order": 2**70},
        format="json",
    )
    error = error_of(response, 400, "invalid")
    assert "sort_order" in error["fields"]


def test_field_errors_are_one_flat_mapping_of_lists(api):
    response = api.post(
        "/api/v1/support-cases/",
        {"household": "nope", "persons": ["x", "y"], "programmes": [1]},
        format="json",
    )
    error = error_of(response, 400, "invalid")
    assert error["fields"]
    for name, messages in error["fields"].items():
        assert isinstance(name, str)
        assert isinstance(messages, list)
        assert all(isinstance(m, str) for m in messages)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def test_every_operation_documents_its_error_answers(openapi_schema):
    missing = []
    for path, method, op in _operations(openapi_schema.schema):
        codes = set(op["responses"])
        needed = {"401", "403"}
        params = op.get("parameters", [])
        if params or "requestBody" in op:
            needed.add("404")
        if any(p["in"] == "query" for p in params) or "requestBody" in op:
            needed.add("400")
        if needed - codes:
            missing.append((method, path, sorted(needed - codes)))
        for code in needed:
            ref = op["responses"][code]["content"]["application/json"]["schema"].get("$ref")
            assert ref == "#/components/schemas/Error", (method, path, code)
    assert missing == []


def test_lists_document_their_count_and_times_their_format(openapi_schema):
    schema = openapi_schema.schema
    for path, method, op in _operations(schema):
        if method != "get" or not op["operationId"].endswith("_list"):
            continue  # only list actions answer the pagination envelope
        content = op["responses"]["200"]["content"]["application/json"]["schema"]
        ref = content.get("$ref", "")
        if ref:
            component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
            assert "count" in component.get("properties", {}), path

    def walk(node):
        if isinstance(node, dict):
            assert node.get("format") != "time"  # OpenAPI's "time" needs an offset we never send
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema["components"])


def test_schema_view_takes_its_own_parameters(api):
    assert api.get("/api/schema/", {"format": "json"}).status_code == 200


def test_malformed_id_reaching_a_lookup_is_a_404_not_a_500(rf):
    from django.core.exceptions import ValidationError
    from django.db import DataError

    from agencies.api_contract import QueryParamsMiddleware

    middleware = QueryParamsMiddleware(lambda request: None)
    page = rf.get("/cases/persons/new/", {"person": "x"})
    assert middleware.process_exception(page, ValidationError("bad uuid")).status_code == 404
    api = rf.get("/api/v1/persons/")
    response = middleware.process_exception(api, ValidationError("bad uuid"))
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert middleware.process_exception(api, DataError("out of range")).status_code == 400
    assert middleware.process_exception(page, RuntimeError("bug")) is None


def _api_serializers() -> set:
    from django.urls import get_resolver

    found = set()

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns)
                continue
            view = getattr(pattern.callback, "cls", None)
            serializer = getattr(view, "serializer_class", None)
            if serializer is not None:
                found.add(serializer)

    walk(get_resolver().url_patterns)
    return found


def test_related_fields_that_can_be_empty_are_documented_as_nullable():
    """A declared related field loses the null-ness ModelSerializer would have read from the
    column, and the schema then promises a string where the API answers null (schemathesis
    found Program.area and Gap.resource this way). Read-only fields are what the API answers,
    so each one over a nullable column must say allow_null."""
    from rest_framework.relations import ManyRelatedField, RelatedField

    wrong = []
    for serializer_class in _api_serializers():
        model = getattr(getattr(serializer_class, "Meta", None), "model", None)
        if model is None:
            continue
        for name, field in serializer_class().fields.items():
            if not isinstance(field, RelatedField) or isinstance(field, ManyRelatedField):
                continue
            source = field.source if field.source != "*" else name
            if "." in source or not field.read_only:
                continue
            try:
                column = model._meta.get_field(source)
            except Exception:
                continue
            if getattr(column, "null", False) and not field.allow_null:
                wrong.append(f"{serializer_class.__name__}.{name}")
    assert sorted(wrong) == []

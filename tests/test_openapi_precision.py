"""The OpenAPI document is exact enough for schemathesis (`make fuzz`): what the fuzzer found, pinned down.

Every status an operation answers is listed (no catch-all `default`), every error is application/problem+json,
and the constraints the server enforces are in the schemas (patterns for trimmed names and tags, the
currency codes, months, password lengths, id ranges).
"""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from ledger.auth.schemas import RegisterSchema
from ledger.database import MAX_ID
from ledger.entries.schemas import Tag
from ledger.money import CURRENCIES
from ledger.months import parse_month
from ledger.schemas import MONTH_PATTERN, NO_NUL_PATTERN, Name
from tests.conftest import assert_problem

API = "/api/v1"
PROBLEM = "application/problem+json"
METHODS = {"get", "post", "put", "patch", "delete"}
JSON_BODY_STATUSES = {"400", "413", "415", "422"}


@pytest.fixture
def spec(client) -> dict:
    return client.get("/openapi.json").get_json()


def _operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def _schema(spec: dict, ref_or_schema: dict) -> dict:
    if "$ref" in ref_or_schema:
        return spec["components"]["schemas"][ref_or_schema["$ref"].rsplit("/", 1)[1]]
    return ref_or_schema


# --- responses --------------------------------------------------------------------------------------------------


def test_no_operation_has_a_catch_all_default_response(spec):
    assert [label for label, operation in _operations(spec) if "default" in operation["responses"]] == []


def test_every_documented_error_is_problem_json(spec):
    wrong = []
    for label, operation in _operations(spec):
        for status, response in operation["responses"].items():
            if "$ref" in response:
                response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
            if int(status) >= 400 and set(response.get("content", {})) != {PROBLEM}:
                wrong.append(f"{label} {status}")

    assert wrong == []


def test_every_json_body_operation_documents_the_body_errors(spec):
    missing = [f"{label} {sorted(JSON_BODY_STATUSES - set(operation['responses']))}"
               for label, operation in _operations(spec)
               if "application/json" in operation.get("requestBody", {}).get("content", {})
               and not set(operation["responses"]) >= JSON_BODY_STATUSES]

    assert missing == []


@pytest.mark.parametrize(("status", "header"), [("401", "WWW-Authenticate"), ("429", "Retry-After")])
def test_error_headers_that_always_come_are_documented_as_required(spec, status, header):
    missing = [label for label, operation in _operations(spec) if status in operation["responses"]
               and not operation["responses"][status].get("headers", {}).get(header, {}).get("required")]

    assert missing == []


def test_every_401_carries_the_documented_www_authenticate_header(client):
    assert client.get(f"{API}/me").headers["WWW-Authenticate"] == 'Bearer realm="ledger"'
    assert client.get(f"{API}/me", headers={"Authorization": "Bearer x"}).headers["WWW-Authenticate"] == \
        'Bearer error="invalid_token"'


# --- id path segments -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/accounts/{account_id}", "/categories/{category_id}", "/entries/{entry_id}"])
def test_id_path_parameters_are_documented_as_1_to_the_column_maximum(spec, path):
    (parameter,) = spec["paths"][API + path]["parameters"]

    assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": MAX_ID}


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
@pytest.mark.parametrize("segment", ["0", str(MAX_ID + 1), "99999999999", "007", "١", "-1"])
@pytest.mark.parametrize("collection", ["accounts", "categories", "entries"])
def test_an_id_outside_the_column_range_is_404_for_every_method(client, logged_in, collection, segment, method):
    response = client.open(f"{API}/{collection}/{segment}", method=method.upper(), headers=logged_in.headers)

    assert_problem(response, 404, "not_found")


def test_the_largest_id_reaches_the_view(client, logged_in):
    response = client.get(f"{API}/accounts/{MAX_ID}", headers=logged_in.headers)

    assert_problem(response, 404, "not_found")
    assert response.get_json()["detail"] == "No such account."


# --- URLs fit through gunicorn -----------------------------------------------------------------------------------

UTF8_PERCENT_ENCODED = 12  # the most bytes one character takes in a URL: 4 UTF-8 bytes, each as %XX


def _longest(schema: dict) -> int:
    """The most bytes a value of a documented query or path parameter takes in the URL."""
    if "enum" in schema:
        return max(len(str(value)) for value in schema["enum"])
    if schema["type"] == "integer":
        return max(len(str(schema.get(bound, -(2**63)))) for bound in ("minimum", "maximum"))
    if schema["type"] == "boolean":
        return len("false")
    if schema.get("format") == "date":
        return len("2026-11-20")
    if schema.get("pattern") == MONTH_PATTERN:
        return len("2026-11")
    return schema["maxLength"] * UTF8_PERCENT_ENCODED  # KeyError: a string the URL cannot bound


def test_every_documented_url_fits_in_gunicorns_request_line(spec):
    import runpy
    from pathlib import Path

    limit = runpy.run_path(str(Path(__file__).parents[1] / "gunicorn.conf.py"))["limit_request_line"]
    longest = {}
    for label, operation in _operations(spec):
        method, path = label.split(" ", 1)
        item = spec["paths"][path]
        parameters = [p for p in item.get("parameters", []) + operation.get("parameters", [])
                      if p["in"] in ("path", "query")]
        query = sum(len(p["name"]) + 2 + _longest(p["schema"]) for p in parameters if p["in"] == "query")
        path_length = len(path) + sum(_longest(p["schema"]) for p in parameters if p["in"] == "path")
        longest[label] = len(f"{method}  HTTP/1.1") + path_length + query

    assert max(longest.values()) <= limit, sorted(longest.items(), key=lambda item: -item[1])[:3]


# --- request bodies -------------------------------------------------------------------------------------------


def test_a_body_sent_to_an_operation_without_one_is_ignored(client, logged_in, user, make_account, sql):
    account_id = make_account(user)

    deleted = client.delete(f"{API}/accounts/{account_id}", data="{not json", content_type="application/json",
                            headers=logged_in.headers)
    logout = client.post(f"{API}/auth/logout", data="bye", content_type="text/plain", headers=logged_in.headers)

    assert (deleted.status_code, logout.status_code) == (204, 204)
    assert sql.count("accounts", "id = :a", a=account_id) == 0


def test_a_body_does_not_turn_an_unknown_route_or_method_into_415(client):
    assert_problem(client.post(f"{API}/nothing-here", data="x", content_type="text/plain"), 404, "not_found")
    assert_problem(client.put(f"{API}/accounts", data="x", content_type="text/plain"), 405, "method_not_allowed")


@pytest.mark.parametrize("path", ["/me", "/accounts/{account_id}", "/categories/{category_id}",
                                  "/entries/{entry_id}"])
def test_patch_bodies_are_documented_as_optional(spec, path):
    assert spec["paths"][API + path]["patch"]["requestBody"]["required"] is False


def test_a_patch_without_a_body_changes_nothing(client, logged_in, user, sql):
    response = client.patch(f"{API}/me", headers=logged_in.headers)

    assert response.status_code == 200
    assert response.get_json()["display_name"] == sql.scalar("SELECT display_name FROM users WHERE id = :u",
                                                             u=user.id)


# --- string constraints in the document match the server's ---------------------------------------------------

SPACE = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
TEXT = st.text(alphabet=st.sampled_from(SPACE + "\x00\ufeffab가"), max_size=8) | st.text(max_size=120)


def _accepts(field, value: str) -> bool:
    try:
        field.deserialize(value)
    except ValidationError:
        return False
    return True


@settings(max_examples=500)
@given(TEXT)
def test_the_name_pattern_accepts_exactly_what_a_name_field_accepts(value):
    field = Name()

    assert bool(re.match(field.metadata["pattern"], value)) == _accepts(field, value)


@settings(max_examples=500)
@given(TEXT)
def test_the_tag_pattern_accepts_exactly_what_a_tag_field_accepts(value):
    field = Tag()

    assert bool(re.match(field.metadata["pattern"], value)) == _accepts(field, value)


def test_text_fields_document_that_nul_is_refused(spec):
    memo = spec["components"]["schemas"]["EntryCreate"]["properties"]["memo"]

    assert memo["pattern"] == NO_NUL_PATTERN
    assert re.match(NO_NUL_PATTERN, "line\nbreak") and not re.match(NO_NUL_PATTERN, "a\x00b")


def test_the_currency_pattern_is_every_known_code_in_any_case():
    pattern = RegisterSchema().fields["currency"].metadata["pattern"]
    accepted = [code for code in CURRENCIES for variant in (code, code.lower(), code.title())
                if re.match(pattern, variant)]

    assert len(accepted) == 3 * len(CURRENCIES)
    assert not any(re.match(pattern, value) for value in ("XYZ", "US", "USDD", "US1", " USD", ""))


def test_the_register_password_is_documented_with_the_length_rules(spec):
    password = spec["components"]["schemas"]["Register"]["properties"]["password"]

    assert (password["minLength"], password["maxLength"]) == (12, 256)


@settings(max_examples=300)
@given(st.from_regex(MONTH_PATTERN, fullmatch=True))
def test_every_month_the_pattern_allows_exists_for_every_month_start_day(month):
    from ledger.months import month_range

    for start_day in (1, 15, 28):
        month_range(*parse_month(month), start_day)  # raises ValueError for a month that does not exist


def test_the_month_pattern_leaves_out_the_months_that_exist_only_for_some_users():
    assert [m for m in ("0000-05", "9999-01", "0001-01", "0001-02", "9998-12", "2026-13", "2026-00")
            if re.match(MONTH_PATTERN, m)] == ["0001-02", "9998-12"]


@pytest.mark.parametrize(("value", "shown"), [("true", 2), ("FALSE", 1), ("1", 2), ("0", 1)])
def test_a_query_boolean_is_true_or_false(client, logged_in, user, make_category, sql, value, shown):
    archived = make_category(user)
    sql.execute("UPDATE categories SET archived = true WHERE id = :c", c=archived)
    make_category(user)

    response = client.get(f"{API}/categories", query_string={"include_archived": value, "kind": "expense"},
                          headers=logged_in.headers)

    assert response.status_code == 200
    mine = [item for item in response.get_json()["items"] if item["name"].startswith("Category")]
    assert len(mine) == shown


@pytest.mark.parametrize("value", ["yes", "on", "t", "Y", "off", "no", ""])
def test_a_query_boolean_other_than_true_or_false_is_422(client, logged_in, value):
    response = client.get(f"{API}/categories", query_string={"include_archived": value}, headers=logged_in.headers)

    assert assert_problem(response, 422, "validation_error")["errors"] == {"include_archived": ["Not a valid boolean."]}


def test_a_session_id_is_documented_as_digits_or_current(spec):
    (parameter,) = spec["paths"][API + "/auth/sessions/{session_id}"]["parameters"]

    assert [value for value in ("current", "17", "0", "x", "-1", "current1")
            if re.match(parameter["schema"]["pattern"], value)] == ["current", "17", "0"]


# --- the refresh operation as the configured transport has it (REFRESH_TOKEN_TRANSPORT) --------------------

def _refresh_spec(make_app, transport: str) -> tuple[dict, dict]:
    app = make_app(REFRESH_TOKEN_TRANSPORT=transport)
    spec = app.test_client().get("/openapi.json").get_json()
    return spec, spec["paths"][f"{API}/auth/refresh"]["post"]


def test_in_body_mode_the_refresh_body_and_its_token_are_required(app, make_app):
    spec, operation = _refresh_spec(make_app, "body")

    assert operation["requestBody"]["required"] is True
    assert spec["components"]["schemas"]["RefreshBody"]["required"] == ["refresh_token"]
    token = spec["components"]["schemas"]["Token"]
    assert "refresh_token" in token["properties"] and "csrf_token" not in token["properties"]
    # and the server agrees: {} is refused as the document says
    assert_problem(make_app(REFRESH_TOKEN_TRANSPORT="body").test_client().post(f"{API}/auth/refresh", json={}),
                   422, "validation_error")


def test_in_cookie_mode_refresh_takes_the_cookie_and_a_required_csrf_header_and_no_body(app, make_app):
    spec, operation = _refresh_spec(make_app, "cookie")

    assert "requestBody" not in operation
    assert operation["security"] == [{"refreshCookie": []}]
    cookie = spec["components"]["securitySchemes"]["refreshCookie"]
    assert (cookie["type"], cookie["in"], cookie["name"]) == ("apiKey", "cookie", "refresh_token")
    assert [(p["in"], p["name"], p["required"]) for p in operation["parameters"]] == [("header", "X-CSRF-TOKEN", True)]
    token = spec["components"]["schemas"]["Token"]
    assert "csrf_token" in token["required"] and "refresh_token" not in token["properties"]

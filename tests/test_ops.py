"""/healthz, /readyz, /openapi.json and /api/v1/currencies (§1, §4)."""
import re

import pytest

IGNORED_METHODS = {"HEAD", "OPTIONS"}
# flask-smorest's own routes (the document itself), not operations of the API.
DOC_ENDPOINT_PREFIX = "api-docs."


def test_healthz_answers_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_does_not_touch_the_database(client, count_statements):
    with count_statements() as statements:
        client.get("/healthz")

    assert statements == []


def test_readyz_answers_ok_when_the_database_answers(client, count_statements):
    with count_statements() as statements:
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert len(statements) == 1


def test_ops_endpoints_live_outside_the_api_prefix(client):
    assert client.get("/api/v1/healthz").status_code == 404
    assert client.get("/api/v1/readyz").status_code == 404


# --- the OpenAPI document -------------------------------------------------------------------------------------


@pytest.fixture
def spec(client) -> dict:
    response = client.get("/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def openapi_path(rule: str) -> str:
    """/api/v1/auth/sessions/<string:session_id> → /api/v1/auth/sessions/{session_id}"""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def operations(app) -> list[tuple[str, str, str]]:
    """(werkzeug rule, OpenAPI path, lower-case method) of every route the API answers.

    The web app's routes (ledger/spa.py: index.html, /assets, /docs) are not API operations (tests/web).
    """
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith((DOC_ENDPOINT_PREFIX, "spa.")):
            continue
        for method in sorted(rule.methods - IGNORED_METHODS):
            found.append((rule.rule, openapi_path(rule.rule), method.lower()))
    return found


def test_openapi_is_an_openapi_3_document(spec):
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]
    bearer = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (bearer["type"], bearer["scheme"], bearer["bearerFormat"]) == ("http", "bearer", "JWT")
    assert "kid" in bearer["description"] and "token_revoked" in bearer["description"]


def test_openapi_documents_every_route_and_method(app, spec):
    missing = [f"{method.upper()} {path}" for _, path, method in operations(app)
               if method not in spec["paths"].get(path, {})]

    assert missing == []


def test_openapi_documents_no_operation_the_app_does_not_answer(app, spec):
    answered = {(path, method) for _, path, method in operations(app)}
    documented = {(path, method) for path, item in spec["paths"].items() for method in item
                  if method in {"get", "post", "put", "patch", "delete"}}

    assert documented - answered == set()


def _requires_a_token(client, rule: str, method: str) -> bool:
    """Probe the route with a garbage bearer token: auth-required routes refuse it before anything else."""
    url = re.sub(r"<[^<>]+>", "1", rule)
    response = client.open(url, method=method.upper(), headers={"Authorization": "Bearer not-a-jwt"})
    return response.status_code == 401 and response.get_json().get("code") == "invalid_token"


def test_openapi_marks_exactly_the_token_protected_operations_with_bearer_security(app, client, spec):
    wrong, protected = [], set()
    for rule, path, method in operations(app):
        operation = spec["paths"].get(path, {}).get(method, {})
        documented = {"bearerAuth": []} in operation.get("security", [])
        requires = _requires_a_token(client, rule, method)
        if requires:
            protected.add((method, path))
        if documented != requires:
            wrong.append(f"{method.upper()} {path}: documented={documented}")

    assert wrong == []
    assert {("get", "/api/v1/me"), ("post", "/api/v1/auth/logout")} <= protected  # the probe works
    assert not protected & {("post", "/api/v1/auth/login"), ("get", "/api/v1/currencies")}


def test_openapi_documents_401_on_token_protected_operations(spec):
    undocumented = [f"{method.upper()} {path}" for path, item in spec["paths"].items()
                    for method, operation in item.items()
                    if isinstance(operation, dict) and operation.get("security")
                    and "401" not in operation["responses"]]

    assert undocumented == []


def test_openapi_documents_errors_as_problem_json(spec):
    problem = {"$ref": "#/components/schemas/Problem"}
    error = spec["paths"]["/api/v1/auth/login"]["post"]["responses"]["401"]

    assert error["content"]["application/problem+json"]["schema"] == problem
    assert {"type", "title", "status", "code"} <= set(spec["components"]["schemas"]["Problem"]["required"])


def test_openapi_documents_the_auth_request_bodies(spec):
    for path in ("/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/me/password"):
        assert "requestBody" in spec["paths"][path]["post"], path
    register = spec["components"]["schemas"]["Register"]
    assert set(register["required"]) == {"email", "password"}


# --- currencies -----------------------------------------------------------------------------------------------


def test_currencies_list_codes_names_and_exponents_without_a_token(client):
    response = client.get("/api/v1/currencies")

    assert response.status_code == 200
    items = response.get_json()["items"]
    assert all(set(item) == {"code", "name", "exponent"} for item in items)
    exponents = {item["code"]: item["exponent"] for item in items}
    assert (exponents["KRW"], exponents["JPY"], exponents["USD"], exponents["EUR"], exponents["BHD"]) == \
        (0, 0, 2, 2, 3)
    assert len(exponents) == len(items)  # each code once


def test_no_flask_session_is_opened_or_set_on_any_request(client, logged_in, monkeypatch):
    """The tokens are the session: Flask's signed-cookie session is never built (it cost ~0.05 ms of every
    request) and no `session` cookie is ever set, whatever a client sends."""
    from flask.sessions import SecureCookieSessionInterface

    built = []
    monkeypatch.setattr(SecureCookieSessionInterface, "get_signing_serializer",
                        lambda self, app: built.append(app) or None)
    client.set_cookie("session", "eyJzb21lIjoiY29va2llIn0.forged")

    responses = [client.get("/healthz"), client.get("/api/v1/me", headers=logged_in.headers),
                 client.post("/api/v1/auth/logout", headers=logged_in.headers), client.get("/entries")]

    for response in responses:
        response.close()
    assert [r.status_code for r in responses][:3] == [200, 200, 204]  # (the page: 200, or 404 without a web build)
    assert built == []
    assert not any("session=" in cookie for r in responses for cookie in r.headers.getlist("Set-Cookie"))

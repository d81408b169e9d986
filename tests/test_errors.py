"""Every error, from every layer, is problem+json with a stable `code` (§1); the response headers."""
import json
import re
import time

import jwt as pyjwt
import pytest

from ledger import create_app
from ledger.extensions import db
from tests.conftest import PASSWORD, assert_problem

LOGIN = "/api/v1/auth/login"
REGISTER = "/api/v1/auth/register"


def test_unknown_route_is_404_not_found(client):
    response = client.get("/api/v1/nothing-here")

    body = assert_problem(response, 404, "not_found")
    assert body["title"] == "Not Found"


def test_unknown_route_outside_the_api_is_404_problem_too(client):
    assert_problem(client.get("/favicon.ico"), 404, "not_found")


def test_wrong_method_is_405_and_keeps_allow(client):
    response = client.get(LOGIN)

    assert_problem(response, 405, "method_not_allowed")
    assert "POST" in {method.strip() for method in response.headers["Allow"].split(",")}


def test_non_json_body_is_415_unsupported_media_type(client, user, sql):
    response = client.post(LOGIN, data=f"email={user.email}&password={user.password}",
                           content_type="application/x-www-form-urlencoded")

    assert_problem(response, 415, "unsupported_media_type")
    assert sql.count("sessions") == 0


def test_json_body_labelled_text_plain_is_415(client, user, sql):
    response = client.post(LOGIN, data=f'{{"email": "{user.email}", "password": "{user.password}"}}',
                           content_type="text/plain")

    assert_problem(response, 415, "unsupported_media_type")
    assert sql.count("sessions") == 0


@pytest.mark.parametrize("raw", [
    b'{"email": "a@example.com", "password": ',
    b"{'email': 'a@example.com'}",
    b'{"email": "\xff\xfe"}',
    b"[" * 100000,
    b"NaN-ish garbage",
], ids=["truncated", "single-quotes", "invalid-utf8", "deeply-nested", "garbage"])
def test_unparseable_json_is_400_invalid_json(client, sql, raw):
    response = client.post(REGISTER, data=raw, content_type="application/json")

    body = assert_problem(response, 400, "invalid_json")
    assert "Traceback" not in body["detail"]
    assert sql.count("users") == 0


def test_body_over_max_content_length_is_413(make_app, app, sql):
    small = make_app(MAX_CONTENT_LENGTH=1000)

    response = small.test_client().post(REGISTER, json={"email": "big@example.com", "password": "x" * 2000})

    assert_problem(response, 413, "payload_too_large")
    assert sql.count("users") == 0


def test_body_just_under_max_content_length_is_accepted(make_app, app, sql):
    small = make_app(MAX_CONTENT_LENGTH=1000)

    response = small.test_client().post(REGISTER, json={"email": "big@example.com", "password": PASSWORD})

    assert response.status_code == 201
    assert sql.count("users") == 1


@pytest.mark.parametrize("payload", [[{"email": "a@example.com"}], "a string", 42, None])
def test_wrong_top_level_json_type_is_422_validation_error(client, sql, payload):
    response = client.post(REGISTER, data=json.dumps(payload), content_type="application/json")

    body = assert_problem(response, 422, "validation_error")
    assert body["errors"]
    assert sql.count("users") == 0


def test_validation_error_lists_each_field(client):
    response = client.post(REGISTER, json={"email": 5, "password": ["x"], "extra": 1})

    body = assert_problem(response, 422, "validation_error")
    assert set(body["errors"]) == {"email", "password", "extra"}
    assert all(isinstance(messages, list) for messages in body["errors"].values())


def test_unexpected_exception_is_500_internal_error_without_details(make_app, app):
    # A fresh app (routes cannot be added to one that has served requests), with production's TESTING=False.
    fresh = make_app(TESTING=False)

    @fresh.route("/boom")
    def boom():
        raise RuntimeError("secret detail: postgresql://user:hunter2@db/ledger")

    response = fresh.test_client().get("/boom", headers={"X-Request-ID": "req-500"})

    body = assert_problem(response, 500, "internal_error")
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "hunter2" not in text and "RuntimeError" not in text
    assert body["request_id"] == "req-500"


def test_unexpected_exception_is_raised_under_testing(make_app, app):
    """Under TESTING a bug fails the test with its traceback, instead of hiding behind a 500."""
    fresh = make_app(TESTING=True)  # a fresh app: routes cannot be added to one that has served requests

    @fresh.route("/boom")
    def boom():
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError, match="a bug"):
        fresh.test_client().get("/boom")


# --- the database is unreachable ------------------------------------------------------------------------------

UNREACHABLE = {
    "sqlite": "sqlite:////nonexistent-directory/for/sure/ledger.db",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/ledger?connect_timeout=2",
}


@pytest.fixture(params=sorted(UNREACHABLE))
def broken_app(request):
    """An app whose database does not answer (built directly: make_app's teardown needs a working one)."""
    broken = create_app("testing", SQLALCHEMY_DATABASE_URI=UNREACHABLE[request.param])
    yield broken
    with broken.app_context():
        db.engine.dispose()


def test_readyz_is_503_when_the_database_is_unreachable(broken_app):
    response = broken_app.test_client().get("/readyz")

    assert_problem(response, 503, "service_unavailable")


def test_authenticated_request_is_503_when_the_database_is_unreachable(broken_app):
    issued = int(time.time())
    token = pyjwt.encode({"sub": "1", "type": "access", "ver": 0, "sid": 1, "sn": "0" * 32, "jti": "x" * 32,
                          "iat": issued, "nbf": issued, "exp": issued + 600, "iss": "ledger", "aud": "ledger-api"},
                         broken_app.config["JWT_SECRET_KEY"], algorithm="HS256")

    response = broken_app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    body = assert_problem(response, 503, "service_unavailable")
    assert "Retry-After" in response.headers
    assert "127.0.0.1" not in body["detail"] and "nonexistent" not in body["detail"]


def test_login_is_503_when_the_database_is_unreachable(broken_app):
    response = broken_app.test_client().post(LOGIN, json={"email": "a@example.com", "password": PASSWORD})

    assert_problem(response, 503, "service_unavailable")


def test_healthz_is_200_when_the_database_is_unreachable(broken_app):
    response = broken_app.test_client().get("/healthz")

    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


# --- request ids and headers ----------------------------------------------------------------------------------


def test_x_request_id_is_echoed_when_sent(client):
    response = client.get("/api/v1/nothing-here", headers={"X-Request-ID": "abc-123.DEF:4"})

    assert response.headers["X-Request-ID"] == "abc-123.DEF:4"
    assert response.get_json()["request_id"] == "abc-123.DEF:4"


def test_x_request_id_is_generated_when_not_sent(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]

    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


@pytest.mark.parametrize("sent", ["has spaces", "x" * 129, "<script>", "a\tb"])
def test_a_malformed_x_request_id_is_replaced(client, sent):
    response = client.get("/api/v1/nothing-here", headers={"X-Request-ID": sent})

    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    assert response.get_json()["request_id"] == response.headers["X-Request-ID"]


@pytest.mark.parametrize("path", ["/api/v1/currencies", "/api/v1/nothing-here", "/healthz"])
def test_security_headers_are_present(client, path):
    headers = client.get(path).headers

    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/api/v1/currencies", "/api/v1/nothing-here"])
def test_api_responses_are_not_cached(client, path):
    assert client.get(path).headers["Cache-Control"] == "no-store"


def test_token_responses_are_not_cached(client, user):
    response = client.post(LOGIN, json={"email": user.email, "password": user.password})

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_hsts_is_sent_when_configured(make_app, app):
    hsts = make_app(HSTS_SECONDS=31536000)

    assert hsts.test_client().get("/healthz").headers["Strict-Transport-Security"] == \
        "max-age=31536000; includeSubDomains"


def test_no_hsts_by_default(client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers


def _subclasses(cls: type) -> list[type]:
    return [cls, *(found for sub in cls.__subclasses__() for found in _subclasses(sub))]


def test_every_code_the_server_answers_is_listed_in_problem_codes(app):
    """PROBLEM_CODES is the one list (the OpenAPI enum, the SPA's texts): a new code must be added there."""
    from pathlib import Path

    from ledger.errors import DEFAULT_CODES, PROBLEM_CODES, ApiError

    source = "\n".join(path.read_text(encoding="utf-8")
                       for path in (Path(__file__).resolve().parents[1] / "ledger").rglob("*.py"))
    literal = set(re.findall(r"""\bcode=["']([a-z_]+)["']""", source)) \
        | set(re.findall(r"""\bproblem\(\d{3}, ["']([a-z_]+)["']""", source))
    raised = {cls.code for cls in _subclasses(ApiError)} | set(DEFAULT_CODES.values()) | literal | {"error"}

    assert "idempotency_key_reused" in raised and "invalid_json" in raised and "conflict" in literal
    assert sorted(raised - set(PROBLEM_CODES)) == []
    assert len(PROBLEM_CODES) == len(set(PROBLEM_CODES))

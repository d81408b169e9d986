"""Request plumbing shared by every feature: client address, body checks, response headers."""
from __future__ import annotations

from flask import Flask, current_app, request
from flask.sessions import SessionInterface
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter

from ledger.database import ID_PATTERN, MAX_ID
from ledger.errors import ApiError

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class IdConverter(BaseConverter):
    """`<id:name>`: an integer id 1..MAX_ID.

    werkzeug's `int(min=, max=)` answers an out-of-range value with 405 (listing the methods of the
    other rules on that path) instead of 404; this regex never matches such a value, so the router
    answers 404 not_found. It also refuses non-ASCII digits ("١") and leading zeros.
    """

    regex = ID_PATTERN
    part_isolating = True

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(int(value))


def register_converters(app: Flask, api) -> None:
    """Before any blueprint: the router and the OpenAPI document both need to know `<id:...>`."""
    app.url_map.converters["id"] = IdConverter
    api.register_converter(IdConverter, lambda converter: {"type": "integer", "minimum": 1, "maximum": MAX_ID})


def client_address() -> str:
    """The client's address (ProxyFix has already applied TRUSTED_PROXY_COUNT)."""
    return request.remote_addr or "unknown"


def user_agent() -> str:
    return (request.headers.get("User-Agent") or "")[:512]


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def _json_body_endpoints(app: Flask) -> frozenset[str]:
    """The endpoints that read a JSON body: those with `@blp.arguments(Schema)` (location "json").

    flask-smorest keeps what the decorators declared in the view's `_apidoc` (the OpenAPI document is built
    from it), so this is the same list as the documented request bodies.
    """
    found = set()
    for endpoint, view in app.view_functions.items():
        parameters = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
        if any(parameter.get("in") == "json" for parameter in parameters):
            found.add(endpoint)
    return frozenset(found)


def check_json_body() -> None:
    """415 for a non-JSON body, 400 invalid_json for one that does not parse, before any view runs.

    Only where a JSON body is read: an operation without a request body (logout, DELETE /accounts/1) ignores
    whatever is sent, and an unknown route or method is 404/405 whatever the body.
    """
    if request.method not in BODY_METHODS or not _has_body() \
            or request.endpoint not in current_app.extensions["ledger-json-endpoints"]:
        return
    if not request.is_json:
        raise ApiError("The body must be application/json.", status=415, code="unsupported_media_type")
    try:
        request.get_json()  # parsed once here; Flask caches it for the view
    except BadRequest:
        raise ApiError("The body is not valid JSON.", status=400, code="invalid_json") from None
    except RecursionError:
        raise ApiError("The body is nested too deeply.", status=400, code="invalid_json") from None


def security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.path.startswith("/api/"):
        response.headers["Cache-Control"] = "no-store"
    hsts = _hsts_seconds()
    if hsts:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={hsts}; includeSubDomains")
    return response


def _hsts_seconds() -> int:
    return current_app.config["HSTS_SECONDS"]


class NoCookieSession(SessionInterface):
    """No Flask `session`: the API and the SPA keep no server-side or cookie session (the tokens are the
    session). Flask's default opens a signed-cookie session on every request, building an itsdangerous
    serializer each time (~0.05 ms of every request, benchmarks/README.md). `flask.session` is then Flask's
    NullSession, which refuses writes, so a use of it would fail loudly instead of setting a cookie."""

    def open_session(self, app: Flask, request) -> None:
        return None  # Flask then uses make_null_session()

    def save_session(self, app: Flask, session, response) -> None:
        return None


def register_request_hooks(app: Flask) -> None:
    """After the blueprints: check_json_body needs to know which endpoints take a JSON body."""
    app.session_interface = NoCookieSession()
    app.extensions["ledger-json-endpoints"] = _json_body_endpoints(app)
    app.before_request(check_json_body)
    app.after_request(security_headers)

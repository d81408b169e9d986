"""One problem+json shape (RFC 9457) for every error, from every layer: the domain errors, problem(), and the
handlers that turn every exception into one. Their OpenAPI description is in ledger.openapi."""
from __future__ import annotations

import logging
import time
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, g, json, request
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from ledger.extensions import db, limiter

log = logging.getLogger("ledger.errors")

PROBLEM_MIMETYPE = "application/problem+json"

# The code of an HTTP status when nothing more precise is known.
DEFAULT_CODES = {
    400: "bad_request",
    401: "authorization_required",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    428: "precondition_required",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}

# Every `code` a problem document can carry: the OpenAPI document lists them as the Problem schema's enum, so a
# client can give each one its own words (tests/test_errors.py checks that every code raised in ledger/ is here).
# "error" is the code of a status without one of its own.
PROBLEM_CODES = (
    *DEFAULT_CODES.values(),
    "already_member",
    "archive_too_large",
    "empty_statement",
    "import_committed",
    "import_conflict",
    "import_expired",
    "not_a_statement",
    "password_required",
    "too_many_rows",
    "unreadable_encoding",
    "wrong_password",
    "amount_out_of_range",
    "csrf_failed",
    "cursor_expired",
    "error",
    "forbidden_role",
    "idempotency_key_reused",
    "invalid_credentials",
    "invalid_json",
    "invalid_token",
    "invite_expired",
    "invite_not_found",
    "invite_revoked",
    "invite_used",
    "last_owner",
    "not_a_card",
    "occurrence_posted",
    "occurrence_skipped",
    "refresh_token_reused",
    "registration_closed",
    "split_sum_mismatch",  # splits: the lines do not add up to the entry's amount
    "token_expired",
    "token_revoked",
    # the second factor (ledger/auth/mfa)
    "challenge_expired",
    "challenge_used",
    "invalid_challenge",
    "invalid_code",
    "mfa_already_enabled",
    "mfa_not_enabled",
    "passkey_failed",
    "step_up_required",
)


class ApiError(Exception):
    """A domain error that the API answers with a problem document."""

    status = 400
    code = "bad_request"
    detail = "The request could not be processed."

    def __init__(self, detail: str | None = None, *, errors: dict | None = None,
                 headers: dict | None = None, status: int | None = None, code: str | None = None):
        super().__init__(detail or self.detail)
        self.detail = detail or self.detail
        self.errors = errors
        self.headers = headers or {}
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code


class NotFound(ApiError):
    status, code, detail = 404, "not_found", "The resource does not exist."


class Conflict(ApiError):
    status, code, detail = 409, "conflict", "The request conflicts with the current state."


class ForbiddenRole(ApiError):
    status, code, detail = 403, "forbidden_role", "Your role in this ledger does not allow this."


class Gone(ApiError):
    status, code, detail = 410, "gone", "The resource is no longer available."


class ValidationFailed(ApiError):
    status, code, detail = 422, "validation_error", "The request is not valid."


class AmountOutOfRange(ApiError):
    status, code, detail = 422, "amount_out_of_range", "This would take a total of the ledger out of range."


class RegistrationClosed(ApiError):
    status, code, detail = 403, "registration_closed", "Self-registration is disabled."


class PreconditionFailed(ApiError):
    status, code, detail = 412, "precondition_failed", "The resource has changed (If-Match)."


class InvalidCredentials(ApiError):
    status, code, detail = 401, "invalid_credentials", "Email or password is wrong."


class AuthorizationRequired(ApiError):
    status, code, detail = 401, "authorization_required", "No access token was sent."


class InvalidToken(ApiError):
    status, code, detail = 401, "invalid_token", "The token is not valid."


class TokenExpired(ApiError):
    status, code, detail = 401, "token_expired", "The token has expired."


class TokenRevoked(ApiError):
    status, code, detail = 401, "token_revoked", "The token has been revoked."


class RefreshTokenReused(ApiError):
    status, code, detail = 401, "refresh_token_reused", \
        "The refresh token was already used; the session has been ended."


class CsrfFailed(ApiError):
    status, code, detail = 401, "csrf_failed", "The CSRF check failed."


class InvalidCode(ApiError):
    status, code, detail = 401, "invalid_code", "The code is wrong or was already used."


class InvalidChallenge(ApiError):
    status, code, detail = 401, "invalid_challenge", "No such challenge: sign in again."


class ChallengeExpired(ApiError):
    status, code, detail = 401, "challenge_expired", "The challenge has expired: sign in again."


class ChallengeUsed(ApiError):
    status, code, detail = 401, "challenge_used", "The challenge was already used or is void: sign in again."


class PasskeyFailed(ApiError):
    status, code, detail = 401, "passkey_failed", "The passkey could not be verified."


class StepUpRequired(ApiError):
    status, code, detail = 403, "step_up_required", \
        "Confirm it is you with your second factor first (POST /api/v1/auth/step-up)."


def problem(status: int, code: str | None = None, detail: str | None = None, *,
            errors: dict | None = None, headers: dict | None = None) -> Response:
    """Build a problem+json response."""
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status,
                            "detail": detail or title, "code": code or DEFAULT_CODES.get(status, "error")}
    if errors is not None:
        body["errors"] = errors
    request_id = getattr(g, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401 and "WWW-Authenticate" not in response.headers:
        no_credentials = body["code"] in {"authorization_required", "invalid_credentials"}
        response.headers["WWW-Authenticate"] = 'Bearer realm="ledger"' if no_credentials \
            else 'Bearer error="invalid_token"'
    return response


def _flatten_messages(messages: Any) -> dict:
    """webargs nests messages by location ({"json": {...}}); clients want field -> list."""
    if not isinstance(messages, dict):
        return {"_schema": messages if isinstance(messages, list) else [str(messages)]}
    flat: dict = {}
    for location, value in messages.items():
        if location in {"json", "query", "form", "headers", "files", "path", "view_args"} \
                and isinstance(value, dict):
            flat.update(value)
        else:
            flat[location] = value
    return flat


def handle_http_exception(error: HTTPException) -> Response:
    """Every werkzeug/Flask/webargs/limiter HTTP error → problem+json."""
    status = error.code or 500
    headers: dict[str, str] = {}
    code = DEFAULT_CODES.get(status)
    detail = error.description
    errors = None
    data = getattr(error, "data", None) or {}
    if status == 422:
        errors = _flatten_messages(data.get("messages", {}))
        detail = "The request is not valid."
    elif status == 400 and "json" in (data.get("messages") or {}):
        code, detail = "invalid_json", "The body is not valid JSON."
    elif status == 405:
        allow = [h for h in error.get_headers() if h[0] == "Allow"]
        if allow:
            headers["Allow"] = allow[0][1]
        detail = f"{request.method} is not allowed here."
    elif status == 413:
        detail = "The request body is too large."
    elif status == 429:
        headers["Retry-After"] = str(_retry_after())
        detail = f"Too many requests: {getattr(error, 'description', '')}".strip()
    elif status == 404:
        detail = "The resource does not exist."
    elif status >= 500:
        detail = "Unexpected error."
    return problem(status, code, detail, errors=errors, headers=headers)


def _retry_after() -> int:
    """Seconds until the window of the limit that was hit resets."""
    limit = limiter.current_limit
    if limit is None:
        return 60
    return max(1, int(limit.reset_at - time.time()))


def handle_api_error(error: ApiError) -> Response:
    return problem(error.status, error.code, error.detail, errors=error.errors, headers=error.headers)


def handle_integrity_error(error: IntegrityError) -> Response:
    db.session.rollback()
    log.info("integrity error answered as conflict: %s", error.orig.__class__.__name__)
    return problem(409, "conflict", "The request conflicts with existing data.")


def handle_database_error(error: DBAPIError) -> Response:
    """The database is unreachable (or went away mid-request): 503, never a 500."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is already broken
        pass
    if isinstance(error, OperationalError) or error.connection_invalidated:
        log.warning("database unavailable: %s", error.orig.__class__.__name__)
        return problem(503, "service_unavailable", "The database is unavailable; try again shortly.",
                       headers={"Retry-After": "5"})
    return handle_unexpected(error)


def handle_unexpected(error: Exception) -> Response:
    """A bug: 500 internal_error without details, logged with its traceback.

    Under TESTING it is raised instead (Flask then propagates it to the test client), so that a failing test
    shows the traceback rather than only a status code. Tests of the 500 itself build an app with TESTING=False.
    """
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    if current_app.testing:
        raise error
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem(500, "internal_error", "Unexpected error; it has been logged.")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected)

"""The OpenAPI side of errors: the Problem schema, the documented error responses, and flask-smorest's Api
answering its own errors as problem+json (ledger.errors)."""
from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask_smorest import Api as _SmorestApi
from marshmallow import fields

from ledger.errors import PROBLEM_CODES, PROBLEM_MIMETYPE, handle_http_exception
from ledger.schemas import ResponseSchema


class ProblemSchema(ResponseSchema):
    """RFC 9457 problem details, with the stable `code`."""

    sometimes = frozenset({"errors", "request_id"})

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    code = fields.String(metadata={"description": "stable machine-readable reason", "enum": list(PROBLEM_CODES)})
    errors = fields.Dict(keys=fields.String(), values=fields.Raw(),
                         metadata={"description": "field -> list of messages (validation_error)"})
    request_id = fields.String()


class Api(_SmorestApi):
    """flask-smorest's Api, documenting and answering errors as problem+json."""

    ERROR_SCHEMA = ProblemSchema
    # No catch-all `default` response: every status an operation can answer is listed (documented_errors), so
    # a client (and `make fuzz`'s status_code_conformance check) can rely on the list.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def init_app(self, app, *, spec_kwargs=None):
        super().init_app(app, spec_kwargs=spec_kwargs)
        # documented_errors refers to this component by name instead of embedding a schema instance in every
        # operation, which flask-smorest deep-copies for each app (that made create_app about 2x slower).
        # flask-smorest has usually registered it already, as the ERROR_SCHEMA of its default responses.
        if "Problem" not in self.spec.components.schemas:
            self.spec.components.schema("Problem", schema=ProblemSchema)

    def _register_responses(self):
        """flask-smorest's per-status response components (@arguments refers to UNPROCESSABLE_ENTITY), with
        errors as application/problem+json: that is what every error response of the app is."""
        for status in HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["content"] = {PROBLEM_MIMETYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
            self.spec.components.response(status.name, response, lazy=True)

    def handle_http_exception(self, error):  # noqa: D401 - flask-smorest hook
        return handle_http_exception(error)


# Headers that always come with an error status (see problem() and handle_http_exception()).
ERROR_HEADERS = {
    401: {"WWW-Authenticate": {"required": True, "schema": {"type": "string"}, "description":
                               'Bearer realm="ledger" when no credentials were sent, else '
                               'Bearer error="invalid_token" (RFC 6750)'}},
    429: {"Retry-After": {"required": True, "schema": {"type": "integer", "minimum": 1},
                          "description": "seconds until the limit resets"}},
}


def documented_errors(blp, *statuses: int, auth: bool = False, ledger: bool = False):
    """Document problem+json error responses (and bearer security) on an operation. `ledger`: a route of a ledger's
    data (ledger.ledgers.scope.ledger_required), which also answers 404 when the caller is not a member of the
    request's ledger and 403 forbidden_role when a viewer writes."""
    statuses = tuple(sorted(set(statuses) | ({401} if auth else set()) | ({403, 404} if ledger else set())
                            | {500, 503}))

    def decorator(fn):
        for status in statuses:
            fn = blp.alt_response(status, schema={"$ref": "#/components/schemas/Problem"},
                                  content_type=PROBLEM_MIMETYPE, description=HTTPStatus(status).phrase,
                                  headers=ERROR_HEADERS.get(status))(fn)
        if auth:
            fn = blp.doc(security=[{"bearerAuth": []}])(fn)
        return fn

    return decorator

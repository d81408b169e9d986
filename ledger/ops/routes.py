"""/healthz, /readyz and /api/v1/currencies."""
from marshmallow import fields
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ledger import money
from ledger.blueprint import Blueprint
from ledger.errors import ApiError
from ledger.extensions import db
from ledger.openapi import documented_errors
from ledger.schemas import ResponseSchema

ops_blp = Blueprint("ops", __name__, description="Liveness and readiness")
currencies_blp = Blueprint("currencies", __name__, url_prefix="/api/v1/currencies",
                           description="ISO 4217 currencies")


class StatusSchema(ResponseSchema):
    status = fields.String(required=True, metadata={"example": "ok"})


class CurrencySchema(ResponseSchema):
    code = fields.String()
    name = fields.String()
    exponent = fields.Integer(metadata={"description": "digits of the minor unit"})


class CurrencyListSchema(ResponseSchema):
    items = fields.List(fields.Nested(CurrencySchema))


@ops_blp.route("/healthz", methods=["GET"])
@ops_blp.response(200, StatusSchema)
def healthz():
    """The process is alive (no database access)."""
    return {"status": "ok"}


@ops_blp.route("/readyz", methods=["GET"])
@ops_blp.response(200, StatusSchema)
@documented_errors(ops_blp)
def readyz():
    """The database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except DBAPIError:
        db.session.rollback()
        raise ApiError("The database does not answer.", status=503, code="service_unavailable") from None
    return {"status": "ok"}


@currencies_blp.route("", methods=["GET"])
@currencies_blp.response(200, CurrencyListSchema)
def list_currencies():
    """Every currency with its minor-unit exponent (no token needed)."""
    return {"items": money.currency_list()}

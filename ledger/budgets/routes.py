"""/api/v1/budgets: monthly limits per expense category (thin routes over ledger.budgets.services)."""
from ledger.auth.check import auth_required, current_auth
from ledger.blueprint import Blueprint
from ledger.budgets import services
from ledger.budgets.schemas import MONTH_PATH_PARAMETER, BudgetPutSchema, BudgetSchema
from ledger.errors import ValidationFailed
from ledger.months import parse_month
from ledger.openapi import documented_errors

blp = Blueprint("budgets", __name__, url_prefix="/api/v1/budgets", description="Budgets")


def _month(value: str) -> str:
    """The {month} path segment, or 422 validation_error on `month`."""
    try:
        parse_month(value)
    except ValueError as error:
        raise ValidationFailed(errors={"month": [str(error)]}) from None
    return value


@blp.route("/<string:month>", methods=["GET"], parameters=[MONTH_PATH_PARAMETER])
@auth_required
@blp.response(200, BudgetSchema)
@documented_errors(blp, 422, auth=True)
def get_budget(month: str):
    """The month's limits with what was spent (category + children) and what remains; empty when none set."""
    return services.get_budget(current_auth().user, _month(month))


@blp.route("/<string:month>", methods=["PUT"], parameters=[MONTH_PATH_PARAMETER])
@auth_required
@blp.arguments(BudgetPutSchema)
@blp.response(200, BudgetSchema)
@documented_errors(blp, 400, 409, 413, 415, 422, auth=True)
def put_budget(args, month: str):
    """Replace the month's whole set of limits (expense categories only; each at most once).

    The replacement is one transaction: on any invalid item nothing changes. `amount` must be at least 1;
    to remove a category's limit, leave it out. Two PUTs of the same month racing each other may answer
    409 conflict to one of them; retrying it is safe.
    """
    return services.set_budget(current_auth().user, _month(month), args["items"])

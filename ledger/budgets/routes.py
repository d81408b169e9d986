"""/api/v1/budgets: monthly limits per expense category (thin routes over ledger.budgets.services)."""
from ledger.blueprint import Blueprint
from ledger.budgets import services
from ledger.budgets.schemas import MONTH_PATH_PARAMETER, BudgetPutSchema, BudgetSchema
from ledger.ledgers.scope import current_ledger, ledger_required
from ledger.months import checked_month
from ledger.openapi import documented_errors

blp = Blueprint("budgets", __name__, url_prefix="/api/v1/budgets", description="Budgets")


@blp.route("/<string:month>", methods=["GET"], parameters=[MONTH_PATH_PARAMETER])
@ledger_required
@blp.response(200, BudgetSchema)
@documented_errors(blp, 422, auth=True, ledger=True)
def get_budget(month: str):
    """The month's limits with what was spent (category + children) and what remains; empty when none set."""
    return services.get_budget(current_ledger(), checked_month(month))


@blp.route("/<string:month>", methods=["PUT"], parameters=[MONTH_PATH_PARAMETER])
@ledger_required
@blp.arguments(BudgetPutSchema)
@blp.response(200, BudgetSchema)
@documented_errors(blp, 400, 409, 413, 415, 422, auth=True, ledger=True)
def put_budget(args, month: str):
    """Replace the month's whole set of limits (expense categories only; each at most once).

    The replacement is one transaction: on any invalid item nothing changes. `amount` must be at least 1;
    to remove a category's limit, leave it out. Two PUTs of the same month racing each other may answer
    409 conflict to one of them; retrying it is safe.
    """
    return services.set_budget(current_ledger(), checked_month(month), args["items"])

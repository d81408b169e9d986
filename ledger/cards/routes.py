"""/api/v1/cards: what every card pays this month, and the issuers' presets of billing cycles."""
from ledger.blueprint import Blueprint
from ledger.cards import services
from ledger.cards.billing import PRESETS
from ledger.cards.schemas import DueListSchema, DueQuerySchema, NoQuerySchema, PresetListSchema
from ledger.clock import household_today
from ledger.ledgers.scope import current_ledger, ledger_required
from ledger.months import format_month
from ledger.openapi import documented_errors

blp = Blueprint("cards", __name__, url_prefix="/api/v1/cards", description="Credit cards: what is due, presets")


@blp.route("/due", methods=["GET"])
@ledger_required
@blp.arguments(DueQuerySchema, location="query")
@blp.response(200, DueListSchema)
@documented_errors(blp, 422, auth=True, ledger=True)
def list_due(args):
    """The statement summary of every credit card paid in `month` (the household's current month by default)."""
    today = household_today()
    return {"items": services.due(current_ledger(), args.get("month") or format_month(today.year, today.month))}


@blp.route("/presets", methods=["GET"])
@ledger_required
@blp.arguments(NoQuerySchema, location="query")
@blp.response(200, PresetListSchema)
@documented_errors(blp, 422, auth=True, ledger=True)
def list_presets(args):
    """Billing cycles of common issuers, to fill an account's fields (each stays editable)."""
    return {"items": [{"key": key, "name": name, "payment_day": billing.payment_day,
                       "usage_start_day": billing.usage_start_day, "usage_month_offset": billing.usage_month_offset}
                      for key, (name, billing) in PRESETS.items()]}

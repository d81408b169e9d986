"""/api/v1/reports: the month dashboard and the multi-month trend (thin routes over ledger.reports.services)."""

from ledger.auth.check import auth_required, current_auth
from ledger.blueprint import Blueprint
from ledger.openapi import documented_errors
from ledger.reports import services
from ledger.reports.schemas import MonthlyQuerySchema, MonthlyReportSchema, TrendQuerySchema, TrendSchema

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports", description="Reports")


@blp.route("/monthly", methods=["GET"])
@auth_required
@blp.arguments(MonthlyQuerySchema, location="query")
@blp.response(200, MonthlyReportSchema)
@documented_errors(blp, 422, auth=True)
def monthly(args):
    """One accounting month for a dashboard: totals, by category (rolled up), every day, budgets, newest entries."""
    return services.monthly_report(current_auth().user, args["month"])


@blp.route("/trend", methods=["GET"])
@auth_required
@blp.arguments(TrendQuerySchema, location="query")
@blp.response(200, TrendSchema)
@documented_errors(blp, 422, auth=True)
def trend(args):
    """Income, expense and net per accounting month, `from` to `to` inclusive (at most 120 months)."""
    return services.trend(current_auth().user, args["from_"], args["to"])

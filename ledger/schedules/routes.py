"""/api/v1/schedules: recurring entries (thin routes over ledger.schedules.services)."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import request, url_for

from ledger.blueprint import Blueprint
from ledger.entries.schemas import EntrySchema
from ledger.errors import ValidationFailed
from ledger.ledgers.scope import current_ledger, ledger_required
from ledger.months import parse_date
from ledger.openapi import documented_errors
from ledger.schedules import services
from ledger.schedules.schemas import (
    OccurrenceListSchema,
    OccurrenceQuerySchema,
    PostOccurrenceSchema,
    ScheduleCreateSchema,
    ScheduleListSchema,
    SchedulePatchSchema,
    SchedulePreviewResultSchema,
    SchedulePreviewSchema,
    ScheduleSchema,
    ScheduleUpcomingQuerySchema,
    ScheduleUpcomingSchema,
    rule_from,
)

blp = Blueprint("schedules", __name__, url_prefix="/api/v1/schedules", description="Schedules (recurring entries)")

SCHEDULE = "/<id:schedule_id>"
OCCURRENCE = SCHEDULE + "/occurrences/<string:nominal_date>"
NOMINAL_PARAMETER = {"in": "path", "name": "nominal_date", "required": True,
                     "description": "the occurrence's nominal date (before a weekend move), YYYY-MM-DD",
                     "schema": {"type": "string", "format": "date"}}


def _nominal(value: str) -> date:
    try:
        return parse_date(value)
    except ValueError as error:
        raise ValidationFailed(errors={"nominal_date": [str(error)]}) from None


@blp.route("", methods=["GET"])
@ledger_required
@blp.response(200, ScheduleListSchema)
@documented_errors(blp, auth=True, ledger=True)
def list_schedules():
    """The ledger's schedules by name, each with its next occurrence not yet posted nor skipped.

    Reading them first posts the ledger's due auto occurrences (catch-up), like `flask schedules run`.
    """
    return {"items": services.list_schedules(current_ledger())}


@blp.route("", methods=["POST"])
@ledger_required
@blp.arguments(ScheduleCreateSchema)
@blp.response(201, ScheduleSchema, headers={"Location": {"description": "the new schedule", "required": True,
                                                         "schema": {"type": "string"}}})
@documented_errors(blp, 400, 413, 415, 422, auth=True, ledger=True)
def create_schedule(args: dict[str, Any]):
    """Save a schedule: `template` is validated like POST /entries (without occurred_on), `rule` says when.

    An auto schedule whose start is in the past posts its occurrences up to today at once (catch-up).
    """
    view = services.create_schedule(current_ledger(), args)
    return view, 201, {"Location": url_for(f"{request.blueprint}.get_schedule", schedule_id=view.id)}


@blp.route("/preview", methods=["POST"])
@ledger_required
@blp.arguments(SchedulePreviewSchema)
@blp.response(200, SchedulePreviewResultSchema)
@documented_errors(blp, 400, 413, 415, 422, auth=True, ledger=True)
def preview(args: dict[str, Any]):
    """The next 6 occurrences of a rule from the ledger's today (the form's live preview); saves nothing."""
    ledger = current_ledger()
    found = services.preview(rule_from(args["rule"]), services.ledger_today(ledger.id))
    return {"items": [{"nominal_date": o.nominal, "date": o.date} for o in found]}


@blp.route("/upcoming", methods=["GET"])
@ledger_required
@blp.arguments(ScheduleUpcomingQuerySchema, location="query")
@blp.response(200, ScheduleUpcomingSchema)
@documented_errors(blp, 422, auth=True, ledger=True)
def upcoming(args: dict[str, Any]):
    """The month's occurrences not yet posted nor skipped (the dashboard), and the total of their expenses."""
    return services.upcoming(current_ledger(), args.get("month"))


@blp.route(SCHEDULE, methods=["GET"])
@ledger_required
@blp.response(200, ScheduleSchema)
@documented_errors(blp, 404, auth=True, ledger=True)
def get_schedule(schedule_id: int):
    """One schedule."""
    ledger = current_ledger()
    return services.view(ledger, services.get_schedule(ledger, schedule_id))


@blp.route(SCHEDULE, methods=["PATCH"])
@ledger_required
@blp.arguments(SchedulePatchSchema, required=False)
@blp.response(200, ScheduleSchema)
@documented_errors(blp, 400, 404, 413, 415, 422, auth=True, ledger=True)
def update_schedule(args: dict[str, Any], schedule_id: int):
    """Change the name, mode, template or rule (each replaced as a whole). A change of mode, template or rule
    applies from today on: entries already posted stay as they are."""
    return services.update_schedule(current_ledger(), schedule_id, args or {})


@blp.route(SCHEDULE, methods=["DELETE"])
@ledger_required
@blp.response(204)
@documented_errors(blp, 404, auth=True, ledger=True)
def delete_schedule(schedule_id: int):
    """Delete a schedule; the entries it posted stay (no longer linked to it)."""
    services.delete_schedule(current_ledger(), schedule_id)


@blp.route(SCHEDULE + "/occurrences", methods=["GET"])
@ledger_required
@blp.arguments(OccurrenceQuerySchema, location="query")
@blp.response(200, OccurrenceListSchema)
@documented_errors(blp, 404, 422, auth=True, ledger=True)
def list_occurrences(args: dict[str, Any], schedule_id: int):
    """The occurrences dated from `from` to `to`: posted (with entry_id), skipped, overdue, due or upcoming."""
    return {"items": services.list_occurrences(current_ledger(), schedule_id, args.get("date_from"),
                                               args.get("date_to"))}


@blp.route(OCCURRENCE + "/post", methods=["POST"], parameters=[NOMINAL_PARAMETER])
@ledger_required
@blp.arguments(PostOccurrenceSchema, required=False)
@blp.response(201, EntrySchema)
@blp.alt_response(200, schema=EntrySchema, description="already posted: the entry it has")
@documented_errors(blp, 400, 404, 409, 413, 415, 422, auth=True, ledger=True)
def post_occurrence(args: dict[str, Any], schedule_id: int, nominal_date: str):
    """Post an occurrence as an entry, optionally with another amount or date; 200 with the existing entry
    when it is already posted (never twice), 409 occurrence_skipped when skipped."""
    entry, created = services.post_occurrence(current_ledger(), schedule_id, _nominal(nominal_date), args or {})
    return entry, 201 if created else 200


@blp.route(OCCURRENCE + "/skip", methods=["POST"], parameters=[NOMINAL_PARAMETER])
@ledger_required
@blp.response(204)
@documented_errors(blp, 404, 409, 422, auth=True, ledger=True)
def skip_occurrence(schedule_id: int, nominal_date: str):
    """Skip an occurrence (it will not be posted); 409 occurrence_posted when it already is."""
    services.skip_occurrence(current_ledger(), schedule_id, _nominal(nominal_date))


@blp.route(OCCURRENCE + "/skip", methods=["DELETE"], parameters=[NOMINAL_PARAMETER])
@ledger_required
@blp.response(204)
@documented_errors(blp, 404, 422, auth=True, ledger=True)
def unskip_occurrence(schedule_id: int, nominal_date: str):
    """Un-skip an occurrence; one in the past is then overdue (post it by hand)."""
    services.unskip_occurrence(current_ledger(), schedule_id, _nominal(nominal_date))

"""Load and dump schemas of /api/v1/schedules. The template is the body of POST /entries without occurred_on:
loaded by the entries feature's own schema, so every field that schema gains works for schedules too."""
from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from ledger.entries.schemas import EntryCreateSchema, IsoDate
from ledger.money import MAX_AMOUNT
from ledger.schedules.models import MODES
from ledger.schedules.recurrence import FREQUENCIES, WEEK_OF_MONTH, WEEKEND_POLICIES, Rule, always_weekend
from ledger.schemas import Amount, BaseSchema, Month, Name, ResponseSchema, StrictBool, StrictInt, Timestamp

INTERVAL_MAX = 999
COUNT_MAX = 10_000
PREVIEW_SIZE = 6
STATUSES = ("posted", "skipped", "due", "overdue", "upcoming")


class ScheduleTemplateSchema(EntryCreateSchema):
    """POST /entries' schema without occurred_on (an occurrence's date): a schedule's template."""

    class Meta(EntryCreateSchema.Meta):
        exclude = ("occurred_on",)


class ScheduleRuleSchema(BaseSchema):
    """A recurrence rule; every occurrence is computed from `start_on`, the anchor."""

    freq = fields.String(required=True, validate=validate.OneOf(FREQUENCIES))
    interval = StrictInt(load_default=1, validate=validate.Range(min=1, max=INTERVAL_MAX),
                         metadata={"description": "every `interval` days/weeks/months/years"})
    start_on = IsoDate(required=True, metadata={"description": "the anchor: the first possible date",
                                                "example": "2026-12-25"})
    weekdays = fields.List(StrictInt(validate=validate.Range(min=0, max=6)), load_default=list,
                           validate=validate.Length(max=7),
                           metadata={"description": "weekly only: 0 = Monday .. 6 = Sunday (default: the start's)"})
    month_day = StrictInt(allow_none=True, load_default=None, validate=validate.Range(min=1, max=31),
                          metadata={"description": "monthly/yearly: 1..31, clamped to the month's end "
                                                   "(default: the start's day)"})
    last_day = StrictBool(load_default=False, metadata={"description": "monthly/yearly: the month's last day"})
    week_of_month = StrictInt(allow_none=True, load_default=None, validate=validate.OneOf(WEEK_OF_MONTH),
                              metadata={"description": "monthly/yearly with `weekday`: the nth (1..4) or last "
                                                       "(-1) such weekday of the month"})
    weekday = StrictInt(allow_none=True, load_default=None, validate=validate.Range(min=0, max=6),
                        metadata={"description": "with week_of_month: 0 = Monday .. 6 = Sunday"})
    until = IsoDate(allow_none=True, load_default=None, metadata={"description": "last possible date (inclusive)"})
    count = StrictInt(allow_none=True, load_default=None, validate=validate.Range(min=1, max=COUNT_MAX),
                      metadata={"description": "how many occurrences (not with `until`)"})
    weekend = fields.String(load_default="as_is", validate=validate.OneOf(WEEKEND_POLICIES),
                            metadata={"description": "a Saturday/Sunday occurrence: as_is, skip, before (Friday), "
                                                     "after (Monday)"})

    @validates_schema
    def _check(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, list[str]] = {}
        if data.get("count") is not None and data.get("until") is not None:
            errors["until"] = ["Give either count or until, not both."]
        elif data.get("until") is not None and "start_on" in data and data["until"] < data["start_on"]:
            errors["until"] = ["Must not be before start_on."]
        freq = data.get("freq")
        if data.get("weekdays") and freq != "weekly":
            errors["weekdays"] = ["Only a weekly rule has weekdays."]
        by_month = [f for f in ("month_day", "last_day", "week_of_month") if data.get(f)]
        if by_month and freq not in ("monthly", "yearly"):
            errors[by_month[0]] = ["Only a monthly or yearly rule has this."]
        elif len(by_month) > 1:
            errors[by_month[1]] = ["Give one of month_day, last_day or week_of_month."]
        if (data.get("week_of_month") is None) != (data.get("weekday") is None):
            field = "weekday" if data.get("weekday") is None else "week_of_month"
            errors[field] = ["week_of_month and weekday go together."]
        if not errors and data.get("weekend") == "skip" and "start_on" in data and freq in FREQUENCIES \
                and always_weekend(rule_from(data)):
            errors["weekend"] = ["Every date of this rule is on a weekend: skipping them leaves none."]
        if errors:
            raise ValidationError(errors)


def rule_from(data: dict[str, Any]) -> Rule:
    """A Rule from ScheduleRuleSchema's loaded data."""
    return Rule(freq=data["freq"], start=data["start_on"], interval=data.get("interval", 1),
                weekdays=tuple(sorted(set(data.get("weekdays") or []))), month_day=data.get("month_day"),
                last_day=data.get("last_day", False), week_of_month=data.get("week_of_month"),
                weekday=data.get("weekday"), until=data.get("until"), count=data.get("count"),
                weekend=data.get("weekend", "as_is"))


class ScheduleCreateSchema(BaseSchema):
    name = Name(required=True)
    mode = fields.String(load_default="auto", validate=validate.OneOf(MODES),
                         metadata={"description": "auto: posted on its date; remind: shown as due, posted by you"})
    template = fields.Nested(ScheduleTemplateSchema, required=True,
                             metadata={"description": "the body of POST /entries without occurred_on"})
    rule = fields.Nested(ScheduleRuleSchema, required=True)


class SchedulePatchSchema(BaseSchema):
    """Any of the fields; template and rule are replaced as a whole. Future occurrences only."""

    name = Name()
    mode = fields.String(validate=validate.OneOf(MODES))
    template = fields.Nested(ScheduleTemplateSchema)
    rule = fields.Nested(ScheduleRuleSchema)


class SchedulePreviewSchema(BaseSchema):
    rule = fields.Nested(ScheduleRuleSchema, required=True)


class OccurrenceDateSchema(ResponseSchema):
    nominal_date = IsoDate(metadata={"description": "the date the rule names (the occurrence's key)"})
    date = IsoDate(metadata={"description": "the date after the weekend policy: the entry's date"})


class SchedulePreviewResultSchema(ResponseSchema):
    items = fields.List(fields.Nested(OccurrenceDateSchema),
                        metadata={"description": f"the next {PREVIEW_SIZE} occurrences from today or the start"})


class OccurrenceSchema(OccurrenceDateSchema):
    status = fields.String(metadata={"enum": list(STATUSES)})
    entry_id = fields.Integer(allow_none=True, metadata={"description": "the posted entry"})


class ScheduleRuleOutSchema(ResponseSchema):
    freq = fields.String(metadata={"enum": list(FREQUENCIES)})
    interval = fields.Integer()
    start_on = IsoDate()
    weekdays = fields.List(fields.Integer())
    month_day = fields.Integer(allow_none=True)
    last_day = fields.Boolean()
    week_of_month = fields.Integer(allow_none=True)
    weekday = fields.Integer(allow_none=True)
    until = IsoDate(allow_none=True)
    count = fields.Integer(allow_none=True)
    weekend = fields.String(metadata={"enum": list(WEEKEND_POLICIES)})


class ScheduleTemplateOutSchema(ResponseSchema):
    type = fields.String(metadata={"enum": ["income", "expense", "transfer"]})
    amount = fields.Integer()
    account_id = fields.Integer()
    to_account_id = fields.Integer(allow_none=True)
    category_id = fields.Integer(allow_none=True)
    memo = fields.String()
    tags = fields.List(fields.String())


class ScheduleSchema(ResponseSchema):
    id = fields.Integer()
    name = fields.String()
    mode = fields.String(metadata={"enum": list(MODES)})
    template = fields.Nested(ScheduleTemplateOutSchema)
    rule = fields.Nested(ScheduleRuleOutSchema)
    next_occurrence = fields.Nested(OccurrenceSchema, allow_none=True, metadata={
        "description": "the first occurrence neither posted nor skipped (overdue, due or upcoming); null when none"})
    created_at = Timestamp()
    updated_at = Timestamp()


class ScheduleListSchema(ResponseSchema):
    items = fields.List(fields.Nested(ScheduleSchema))


class OccurrenceQuerySchema(BaseSchema):
    date_from = IsoDate(data_key="from", metadata={"description": "first date, inclusive (default: 31 days ago)"})
    date_to = IsoDate(data_key="to", metadata={"description": "last date, inclusive (default: 62 days ahead); "
                                                              "at most 366 days after `from`"})


class OccurrenceListSchema(ResponseSchema):
    items = fields.List(fields.Nested(OccurrenceSchema))


class PostOccurrenceSchema(BaseSchema):
    amount = Amount(metadata={"description": "another amount for this occurrence (bills vary)",
                              "maximum": MAX_AMOUNT})
    occurred_on = IsoDate(metadata={"description": "another date for the entry (default: the occurrence's)"})


class ScheduleUpcomingQuerySchema(BaseSchema):
    month = Month(metadata={"description": "the ledger's accounting month (default: this month)"})


class ScheduleUpcomingItemSchema(OccurrenceSchema):
    schedule_id = fields.Integer()
    name = fields.String()
    mode = fields.String(metadata={"enum": list(MODES)})
    type = fields.String(metadata={"enum": ["income", "expense", "transfer"]})
    amount = fields.Integer()


class ScheduleUpcomingSchema(ResponseSchema):
    month = fields.String()
    items = fields.List(fields.Nested(ScheduleUpcomingItemSchema),
                        metadata={"description": "the month's occurrences not yet posted nor skipped, by date"})
    remaining_expense = fields.Integer(metadata={"description": "Σ amount of those that are expenses: the month's "
                                                                "remaining fixed expenses"})

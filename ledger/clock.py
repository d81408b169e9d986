"""The household's clock: what "today" is where the household lives, never on the server's clock.

Each ledger has a time zone (Ledger.timezone, the schedules' "today"); without one, the installation's
LEDGER_TIMEZONE (Asia/Seoul unless configured). A server on UTC is still on yesterday until 09:00 in Seoul,
so the server's own date would name a file after the wrong day for a third of the household's day.
"""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app

from ledger.database import utcnow


def household_zone(tz: str | None = None) -> ZoneInfo:
    """The zone `tz` (a ledger's), else the configured one (ZoneInfo caches one object per name)."""
    return ZoneInfo(tz or current_app.config["LEDGER_TIMEZONE"])


def household_today(tz: str | None = None) -> date:
    """Today's date in the time zone `tz` (a ledger's), else in the installation's."""
    return utcnow().astimezone(household_zone(tz)).date()

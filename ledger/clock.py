"""The household's clock: what "today" is where the household lives, never on the server's clock.

There is no time zone per household yet: one for the installation, LEDGER_TIMEZONE (Asia/Seoul unless
configured). A server on UTC is still on yesterday until 09:00 in Seoul, so the server's own date would name
a file after the wrong day for a third of the household's day.
"""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app

from ledger.database import utcnow


def household_zone() -> ZoneInfo:
    """The configured zone (ZoneInfo caches one object per name)."""
    return ZoneInfo(current_app.config["LEDGER_TIMEZONE"])


def household_today() -> date:
    """Today's date in the household's time zone."""
    return utcnow().astimezone(household_zone()).date()

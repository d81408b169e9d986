"""The household's date (ledger.clock), never the server's: UTC and Seoul disagree from 15:00 to 24:00 UTC."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from config import ConfigError, get_config

EXPORT = "/api/v1/entries/export.csv"


@pytest.fixture
def frozen_utc(monkeypatch):
    """freeze(datetime in UTC): the clock ledger.clock reads."""

    def freeze(moment: datetime) -> None:
        monkeypatch.setattr("ledger.clock.utcnow", lambda: moment)

    return freeze


@pytest.mark.parametrize(("utc", "seoul_date"), [
    (datetime(2026, 12, 3, 14, 59, 59, tzinfo=UTC), date(2026, 12, 3)),  # 23:59:59 in Seoul
    (datetime(2026, 12, 3, 15, 0, 0, tzinfo=UTC), date(2026, 12, 4)),  # midnight in Seoul, still the 3rd in UTC
    (datetime(2026, 12, 31, 20, 0, 0, tzinfo=UTC), date(2027, 1, 1)),  # a new year in Seoul only
])
def test_household_today_is_the_date_in_seoul_by_default(app, frozen_utc, utc, seoul_date):
    from ledger.clock import household_today

    frozen_utc(utc)
    with app.app_context():
        assert household_today() == seoul_date


def test_household_today_follows_ledger_timezone(make_app, frozen_utc):
    from ledger.clock import household_today

    frozen_utc(datetime(2026, 12, 3, 15, 30, tzinfo=UTC))
    with make_app(LEDGER_TIMEZONE="UTC").app_context():
        assert household_today() == date(2026, 12, 3)
    with make_app(LEDGER_TIMEZONE="America/Los_Angeles").app_context():
        assert household_today() == date(2026, 12, 3)


def test_the_export_is_named_after_the_households_date_not_the_servers(client, logged_in, frozen_utc):
    frozen_utc(datetime(2031, 6, 30, 15, 30, tzinfo=UTC))  # 00:30 on July 1st in Seoul

    response = client.get(EXPORT, headers=logged_in.headers)

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="ledger-entries-2031-07-01.csv"'


@pytest.mark.parametrize("zone", ["Asia/Nowhere", "../../etc/passwd", "KST+9"])
def test_an_unknown_time_zone_is_a_config_error(monkeypatch, zone):
    monkeypatch.setenv("LEDGER_TIMEZONE", zone)

    with pytest.raises(ConfigError, match="LEDGER_TIMEZONE"):
        get_config("development").validate()


def test_the_time_zone_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("LEDGER_TIMEZONE", "Europe/Berlin")

    assert get_config("development").LEDGER_TIMEZONE == "Europe/Berlin"
    monkeypatch.delenv("LEDGER_TIMEZONE")
    assert get_config("development").LEDGER_TIMEZONE == "Asia/Seoul"

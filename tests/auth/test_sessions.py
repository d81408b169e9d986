"""GET /api/v1/auth/sessions and DELETE /api/v1/auth/sessions/{id}: one device at a time."""
import re
from datetime import timedelta

import pytest

from ledger.auth.models import Session
from tests.auth.helpers import ME, REFRESH, SESSIONS, bearer, claims_of, now
from tests.conftest import assert_problem, login_body

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def devices(body_client, user):
    """Two logins of one user: a phone and a laptop."""
    phone = login_body(body_client, user, headers={"User-Agent": "Phone/1"},
                       environ_base={"REMOTE_ADDR": "198.51.100.10"})
    laptop = login_body(body_client, user, headers={"User-Agent": "Laptop/1"},
                        environ_base={"REMOTE_ADDR": "198.51.100.20"})
    for device in (phone, laptop):
        device["sid"] = claims_of(device["access_token"])["sid"]
    return phone, laptop


def refresh(client, device):
    return client.post(REFRESH, json={"refresh_token": device["refresh_token"]})


def test_sessions_lists_live_sessions_with_exactly_one_current(body_client, devices):
    phone, laptop = devices

    response = body_client.get(SESSIONS, headers=bearer(laptop["access_token"]))

    assert response.status_code == 200
    items = response.get_json()["items"]
    assert {item["id"] for item in items} == {phone["sid"], laptop["sid"]}
    assert [item["id"] for item in items if item["current"]] == [laptop["sid"]]
    for item in items:
        assert set(item) == {"id", "created_at", "last_used_at", "user_agent", "ip", "current", "factor"}
        assert item["factor"] == "password"
        assert ISO_UTC.match(item["created_at"]) and ISO_UTC.match(item["last_used_at"])
    by_id = {item["id"]: item for item in items}
    assert (by_id[phone["sid"]]["user_agent"], by_id[phone["sid"]]["ip"]) == ("Phone/1", "198.51.100.10")


def test_sessions_list_leaves_out_revoked_expired_and_idle_sessions(body_client, make_user, orm, app):
    user = make_user()
    tokens = [login_body(body_client, user) for _ in range(4)]
    current, revoked, expired, idle = (claims_of(t["access_token"])["sid"] for t in tokens)
    orm.update(Session, Session.id == revoked, revoked_at=now())
    orm.update(Session, Session.id == expired, expires_at=now() - timedelta(seconds=1))
    idle_for = timedelta(seconds=app.config["REFRESH_TOKEN_IDLE"] + 1)
    orm.update(Session, Session.id == idle, last_used_at=now() - idle_for)

    items = body_client.get(SESSIONS, headers=bearer(tokens[0]["access_token"])).get_json()["items"]

    assert [item["id"] for item in items] == [current]


def test_sessions_list_shows_only_the_callers_sessions(body_client, devices, make_user):
    other = make_user()
    other_token = login_body(body_client, other)["access_token"]

    items = body_client.get(SESSIONS, headers=bearer(other_token)).get_json()["items"]

    assert [item["id"] for item in items] == [claims_of(other_token)["sid"]]


def test_delete_session_ends_only_that_session(body_client, devices, orm, sql):
    phone, laptop = devices

    response = body_client.delete(f"{SESSIONS}/{phone['sid']}", headers=bearer(laptop["access_token"]))

    assert response.status_code == 204
    assert orm.get(Session, phone["sid"]).revoked_at is not None
    assert orm.get(Session, laptop["sid"]).revoked_at is None
    assert sql.scalar("SELECT token_version FROM users") == 0


def test_deleted_session_tokens_are_revoked_and_the_other_session_keeps_working(body_client, devices):
    phone, laptop = devices
    body_client.delete(f"{SESSIONS}/{phone['sid']}", headers=bearer(laptop["access_token"]))

    assert_problem(body_client.get(ME, headers=bearer(phone["access_token"])), 401, "token_revoked")
    assert_problem(refresh(body_client, phone), 401, "token_revoked")
    assert body_client.get(ME, headers=bearer(laptop["access_token"])).status_code == 200
    assert refresh(body_client, laptop).status_code == 200


def test_delete_current_session_ends_the_callers_session(body_client, devices, orm):
    phone, laptop = devices

    response = body_client.delete(f"{SESSIONS}/current", headers=bearer(phone["access_token"]))

    assert response.status_code == 204
    assert orm.get(Session, phone["sid"]).revoked_at is not None
    assert orm.get(Session, laptop["sid"]).revoked_at is None
    assert_problem(body_client.get(ME, headers=bearer(phone["access_token"])), 401, "token_revoked")
    assert body_client.get(ME, headers=bearer(laptop["access_token"])).status_code == 200


def test_delete_current_session_clears_the_cookies(client, logged_in):
    response = client.delete(f"{SESSIONS}/current", headers=logged_in.headers)

    assert response.status_code == 204
    assert client.get_cookie("refresh_token", path="/api/v1/auth") is None
    assert client.get_cookie("csrf_refresh_token") is None


def test_delete_another_users_session_is_not_found_and_changes_nothing(body_client, devices, make_user, orm):
    phone, _ = devices
    intruder = login_body(body_client, make_user())

    response = body_client.delete(f"{SESSIONS}/{phone['sid']}", headers=bearer(intruder["access_token"]))

    assert_problem(response, 404, "not_found")
    assert orm.get(Session, phone["sid"]).revoked_at is None
    assert body_client.get(ME, headers=bearer(phone["access_token"])).status_code == 200


def test_delete_an_already_ended_session_is_not_found(body_client, devices):
    phone, laptop = devices
    body_client.delete(f"{SESSIONS}/{phone['sid']}", headers=bearer(laptop["access_token"]))

    response = body_client.delete(f"{SESSIONS}/{phone['sid']}", headers=bearer(laptop["access_token"]))

    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize("session_id", ["abc", "1.5", "-1", "99999999999999999999", "0x1", "999999",
                                        "\u00b2", "\u0661", "\uff11"])
def test_delete_a_malformed_or_missing_session_id_is_not_found(body_client, devices, session_id, sql):
    _, laptop = devices

    response = body_client.delete(f"{SESSIONS}/{session_id}", headers=bearer(laptop["access_token"]))

    assert_problem(response, 404, "not_found")
    assert sql.count("sessions", "revoked_at IS NOT NULL") == 0


def test_a_session_id_with_a_leading_zero_names_no_session_as_any_path_id(body_client, devices, sql):
    """Session ids are read by the one id parser (ledger.database.parse_id), as /accounts/01 is."""
    phone, laptop = devices

    response = body_client.delete(f"{SESSIONS}/0{phone['sid']}", headers=bearer(laptop["access_token"]))

    assert_problem(response, 404, "not_found")
    assert sql.count("sessions", "revoked_at IS NOT NULL") == 0


def test_sessions_need_an_access_token(client):
    assert_problem(client.get(SESSIONS), 401, "authorization_required")
    assert_problem(client.delete(f"{SESSIONS}/current"), 401, "authorization_required")

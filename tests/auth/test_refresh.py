"""POST /api/v1/auth/refresh: rotation, the grace window, reuse detection, lifetimes, CSRF."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from ledger.auth.models import RefreshToken, Session
from tests.auth.helpers import COOKIE_PATH, LOGIN, LOGOUT, ME, REFRESH, bearer, claims_of, now, set_cookies
from tests.conftest import assert_problem, login_body


def refresh_cookie(client) -> str:
    return client.get_cookie("refresh_token", path=COOKIE_PATH).value


def present_cookie(client, token: str) -> None:
    """Put a (possibly old) refresh token and its CSRF value back into the client's cookie jar."""
    client.set_cookie("refresh_token", token, path=COOKIE_PATH)
    client.set_cookie("csrf_refresh_token", claims_of(token)["csrf"], path="/")


def body_refresh(client, token):
    return client.post(REFRESH, json={"refresh_token": token})


# --- rotation -------------------------------------------------------------------------------------------------


def test_refresh_rotates_the_refresh_token(client, logged_in, orm):
    old = refresh_cookie(client)
    old_jti = claims_of(old)["jti"]

    response = logged_in.refresh()

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"access_token", "token_type", "expires_in", "csrf_token"}
    new = refresh_cookie(client)
    assert body["csrf_token"] == claims_of(new)["csrf"] == client.get_cookie("csrf_refresh_token").value
    new_jti = claims_of(new)["jti"]
    assert new_jti != old_jti
    old_row = orm.get(RefreshToken, old_jti)
    assert old_row.used_at is not None and old_row.replaced_by == new_jti
    new_row = orm.get(RefreshToken, new_jti)
    assert new_row.used_at is None and new_row.session_id == old_row.session_id
    assert claims_of(body["access_token"])["sid"] == old_row.session_id


def test_refresh_sets_new_cookies_with_a_new_csrf_value(client, logged_in):
    old_csrf = logged_in.csrf()

    response = logged_in.refresh()

    cookies = set_cookies(response)
    assert cookies["refresh_token"]["httponly"] is True and cookies["refresh_token"]["path"] == COOKIE_PATH
    assert cookies["csrf_refresh_token"]["value"] != old_csrf
    assert claims_of(cookies["refresh_token"]["value"])["csrf"] == cookies["csrf_refresh_token"]["value"]


def test_refreshed_access_token_works(client, logged_in):
    access = logged_in.refresh().get_json()["access_token"]

    assert client.get(ME, headers=bearer(access)).status_code == 200


def test_refresh_chain_keeps_one_session(client, logged_in, sql):
    for _ in range(3):
        assert logged_in.refresh().status_code == 200

    assert sql.count("sessions") == 1
    assert sql.count("refresh_tokens") == 4
    assert sql.count("refresh_tokens", "used_at IS NULL") == 1


def test_refresh_updates_the_session_last_use(client, logged_in, orm):
    session = orm.all(select(Session))[0]
    orm.update(Session, Session.id == session.id, last_used_at=now() - timedelta(hours=1))

    logged_in.refresh(**{"User-Agent": "Second/2.0"})

    session = orm.get(Session, session.id)
    assert now() - session.last_used_at < timedelta(minutes=1)
    assert session.user_agent == "Second/2.0"


# --- the grace window -----------------------------------------------------------------------------------------


def test_reuse_within_the_grace_window_gives_an_access_token_and_no_new_refresh_token(client, logged_in, sql):
    old = refresh_cookie(client)
    logged_in.refresh()
    successor = refresh_cookie(client)
    present_cookie(client, old)

    response = logged_in.refresh()

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"access_token", "token_type", "expires_in", "csrf_token"}
    assert response.headers.getlist("Set-Cookie") == []  # the cookie is left alone
    # The browser's cookies hold the successor (the other tab's response set them): its CSRF value is next.
    assert body["csrf_token"] == claims_of(successor)["csrf"]
    assert claims_of(body["access_token"])["sid"] == claims_of(old)["sid"]
    assert client.get(ME, headers=bearer(body["access_token"])).status_code == 200
    assert sql.count("refresh_tokens") == 2
    assert sql.scalar("SELECT revoked_at FROM sessions") is None
    present_cookie(client, successor)
    assert logged_in.refresh().status_code == 200  # the successor still rotates


def test_reuse_within_the_grace_window_in_body_mode_returns_no_refresh_token(body_client, user, sql):
    old = login_body(body_client, user)["refresh_token"]
    assert body_refresh(body_client, old).status_code == 200

    response = body_refresh(body_client, old)

    assert response.status_code == 200
    assert "refresh_token" not in response.get_json()
    assert sql.count("refresh_tokens") == 2


def test_grace_is_counted_from_the_first_rotation_and_never_extended(client, logged_in, orm, app):
    old = refresh_cookie(client)
    old_jti = claims_of(old)["jti"]
    logged_in.refresh()
    grace = app.config["REFRESH_REUSE_GRACE_SECONDS"]
    first_use = now() - timedelta(seconds=grace - 2)
    orm.update(RefreshToken, RefreshToken.jti == old_jti, used_at=first_use)
    present_cookie(client, old)
    assert logged_in.refresh().status_code == 200  # still inside the window
    assert orm.get(RefreshToken, old_jti).used_at == first_use  # a grace answer does not move it
    orm.update(RefreshToken, RefreshToken.jti == old_jti, used_at=now() - timedelta(seconds=grace + 1))
    present_cookie(client, old)

    assert_problem(logged_in.refresh(), 401, "refresh_token_reused")


# --- reuse after the grace window -----------------------------------------------------------------------------


@pytest.fixture
def reuse_detected(client, logged_in, orm):
    """Rotate once, let the grace window pass, present the old token again → the session is revoked."""
    old = refresh_cookie(client)
    first_access = logged_in.access_token
    rotated = logged_in.refresh()
    successor = refresh_cookie(client)
    orm.update(RefreshToken, RefreshToken.jti == claims_of(old)["jti"], used_at=now() - timedelta(minutes=1))
    present_cookie(client, old)
    response = logged_in.refresh()
    return {"response": response, "successor": successor, "accesses": [first_access,
                                                                       rotated.get_json()["access_token"]],
            "sid": claims_of(old)["sid"]}


def test_reuse_after_the_grace_window_is_refresh_token_reused(reuse_detected, orm):
    response = reuse_detected["response"]

    assert_problem(response, 401, "refresh_token_reused")
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert orm.get(Session, reuse_detected["sid"]).revoked_at is not None


def test_reuse_after_the_grace_window_revokes_the_sessions_access_tokens(reuse_detected, client):
    for access in reuse_detected["accesses"]:
        assert_problem(client.get(ME, headers=bearer(access)), 401, "token_revoked")


def test_reuse_after_the_grace_window_revokes_the_successor_refresh_token(reuse_detected, client, logged_in, sql):
    present_cookie(client, reuse_detected["successor"])

    assert_problem(logged_in.refresh(), 401, "token_revoked")
    assert sql.count("refresh_tokens", "used_at IS NULL") == 1  # the successor was not rotated


def test_reuse_in_one_session_leaves_other_sessions_alone(app, client, logged_in, user, orm):
    other = app.test_client()
    other_access = login_body(other, user)["access_token"]
    old = refresh_cookie(client)
    logged_in.refresh()
    orm.update(RefreshToken, RefreshToken.jti == claims_of(old)["jti"], used_at=now() - timedelta(minutes=1))
    present_cookie(client, old)

    assert_problem(logged_in.refresh(), 401, "refresh_token_reused")
    assert other.get(ME, headers=bearer(other_access)).status_code == 200
    assert other.post(REFRESH, headers={"X-CSRF-TOKEN": other.get_cookie("csrf_refresh_token").value}
                      ).status_code == 200


def test_reuse_with_zero_grace_is_detected_at_once(make_app, app, user, sql):
    strict = make_app(REFRESH_REUSE_GRACE_SECONDS=0, REFRESH_TOKEN_TRANSPORT="body")
    client = strict.test_client()
    old = login_body(client, user)["refresh_token"]
    assert body_refresh(client, old).status_code == 200

    assert_problem(body_refresh(client, old), 401, "refresh_token_reused")
    assert sql.scalar("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NOT NULL") == 1


# --- lifetimes ------------------------------------------------------------------------------------------------


def test_expired_refresh_token_is_token_expired(body_client, user, forge, sql):
    token = login_body(body_client, user)["refresh_token"]
    claims = claims_of(token)
    expired = forge(dict(claims, iat=claims["iat"] - 7200, nbf=claims["nbf"] - 7200, exp=claims["iat"] - 3600))

    assert_problem(body_refresh(body_client, expired), 401, "token_expired")
    assert sql.count("refresh_tokens", "used_at IS NULL") == 1


def test_refresh_token_lives_refresh_token_idle_past_its_issue(make_app, app, user, orm):
    idle_app = make_app(REFRESH_TOKEN_TRANSPORT="body", REFRESH_TOKEN_IDLE=120)

    token = login_body(idle_app.test_client(), user)["refresh_token"]

    claims = claims_of(token)
    assert claims["exp"] - claims["iat"] == 120
    row = orm.get(RefreshToken, claims["jti"])
    assert row.expires_at - row.issued_at == timedelta(seconds=120)


def test_refresh_token_past_its_stored_expiry_is_rejected(body_client, user, orm, sql):
    token = login_body(body_client, user)["refresh_token"]
    orm.update(RefreshToken, RefreshToken.jti == claims_of(token)["jti"], expires_at=now() - timedelta(seconds=1))

    assert_problem(body_refresh(body_client, token), 401, "token_revoked")
    assert sql.count("refresh_tokens") == 1


def test_session_past_its_absolute_lifetime_is_rejected(body_client, user, orm, sql):
    body = login_body(body_client, user)
    orm.update(Session, Session.id == claims_of(body["refresh_token"])["sid"],
               expires_at=now() - timedelta(seconds=1))

    assert_problem(body_refresh(body_client, body["refresh_token"]), 401, "token_revoked")
    assert_problem(body_client.get(ME, headers=bearer(body["access_token"])), 401, "token_revoked")
    assert sql.count("refresh_tokens") == 1


def test_rotation_never_extends_the_absolute_session_lifetime(make_app, app, user, orm):
    short = make_app(REFRESH_TOKEN_TRANSPORT="body", SESSION_MAX_AGE=300)
    client = short.test_client()
    body = login_body(client, user)
    session = orm.get(Session, claims_of(body["refresh_token"])["sid"])
    assert session.expires_at - session.created_at == timedelta(seconds=300)

    rotated = body_refresh(client, body["refresh_token"]).get_json()

    new_claims = claims_of(rotated["refresh_token"])
    assert orm.get(RefreshToken, new_claims["jti"]).expires_at == session.expires_at
    assert new_claims["exp"] <= session.expires_at.timestamp()
    assert claims_of(rotated["access_token"])["exp"] <= session.expires_at.timestamp()
    assert orm.get(Session, session.id).expires_at == session.expires_at


def test_access_token_never_outlives_its_session(make_app, app, user):
    short = make_app(REFRESH_TOKEN_TRANSPORT="body", SESSION_MAX_AGE=60)

    body = login_body(short.test_client(), user)

    assert body["expires_in"] <= 60
    assert claims_of(body["access_token"])["exp"] - claims_of(body["access_token"])["iat"] <= 60


def test_refresh_after_logout_is_token_revoked(client, logged_in, sql):
    kept = refresh_cookie(client)
    assert client.post(LOGOUT, headers=logged_in.headers).status_code == 204
    present_cookie(client, kept)  # logout cleared the cookie; a client that kept it presents it again

    assert_problem(logged_in.refresh(), 401, "token_revoked")
    assert sql.count("refresh_tokens", "used_at IS NULL") == 1


def test_refresh_of_an_ended_session_is_token_revoked(body_client, user, sql):
    body = login_body(body_client, user)
    session_id = claims_of(body["access_token"])["sid"]
    assert body_client.delete(f"/api/v1/auth/sessions/{session_id}", headers=bearer(body["access_token"])
                              ).status_code == 204

    assert_problem(body_refresh(body_client, body["refresh_token"]), 401, "token_revoked")
    assert sql.count("refresh_tokens") == 1


# --- the cookie transport: CSRF -------------------------------------------------------------------------------


def test_cookie_refresh_without_the_csrf_header_is_csrf_failed(client, logged_in, sql):
    response = client.post(REFRESH)

    assert_problem(response, 401, "csrf_failed")
    assert sql.count("refresh_tokens") == 1


def test_cookie_refresh_with_a_wrong_csrf_header_is_csrf_failed(client, logged_in, sql):
    response = client.post(REFRESH, headers={"X-CSRF-TOKEN": "not-the-value"})

    assert_problem(response, 401, "csrf_failed")
    assert sql.count("refresh_tokens") == 1


def test_cookie_refresh_from_a_disallowed_origin_is_csrf_failed(client, logged_in, sql):
    response = logged_in.refresh(Origin="https://evil.example.net")

    assert_problem(response, 401, "csrf_failed")
    assert sql.count("refresh_tokens") == 1


@pytest.mark.parametrize("origin", ["https://app.example.com", "http://localhost"])
def test_cookie_refresh_from_an_allowed_origin_works(client, logged_in, sql, origin):
    response = logged_in.refresh(Origin=origin)

    assert response.status_code == 200
    assert sql.count("refresh_tokens") == 2


def test_refresh_without_a_cookie_is_authorization_required(client, sql):
    response = client.post(REFRESH, headers={"X-CSRF-TOKEN": "anything"})

    assert_problem(response, 401, "authorization_required")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="ledger"'


def test_cookie_mode_ignores_a_refresh_token_in_the_body(client, user, body_client):
    token = login_body(body_client, user)["refresh_token"]

    assert_problem(body_refresh(client, token), 401, "authorization_required")


# --- the body transport ---------------------------------------------------------------------------------------


def test_body_refresh_rotates(body_client, user, sql):
    old = login_body(body_client, user)["refresh_token"]

    response = body_refresh(body_client, old)

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert claims_of(body["refresh_token"])["jti"] != claims_of(old)["jti"]
    assert sql.count("refresh_tokens") == 2
    assert response.headers.getlist("Set-Cookie") == []


@pytest.mark.parametrize("body", [{}, None])
def test_body_refresh_without_a_token_is_validation_error(body_client, user, body):
    response = body_client.post(REFRESH, json=body) if body is not None else body_client.post(REFRESH)

    assert "refresh_token" in assert_problem(response, 422, "validation_error")["errors"]


def test_body_refresh_with_an_access_token_is_invalid_token(body_client, user, sql):
    access = login_body(body_client, user)["access_token"]

    response = body_refresh(body_client, access)

    assert_problem(response, 401, "invalid_token")
    assert sql.count("refresh_tokens") == 1


def test_body_refresh_with_garbage_is_invalid_token(body_client):
    assert_problem(body_refresh(body_client, "not.a.jwt"), 401, "invalid_token")


def test_refresh_after_the_user_was_deleted_is_token_revoked(body_client, user, app):
    from ledger.auth import users

    token = login_body(body_client, user)["refresh_token"]
    with app.app_context():
        users.delete_user(users.find_user(user.email))

    assert_problem(body_refresh(body_client, token), 401, "token_revoked")


# --- atomic rotation ------------------------------------------------------------------------------------------


def test_concurrent_refreshes_with_one_token_produce_exactly_one_successor(body_app, body_client, user, sql):
    token = login_body(body_client, user)["refresh_token"]
    clients = [body_app.test_client() for _ in range(6)]
    start = threading.Barrier(len(clients))

    def refresh_once(client):
        start.wait()
        return body_refresh(client, token)

    with ThreadPoolExecutor(len(clients)) as pool:
        responses = list(pool.map(refresh_once, clients))

    assert [r.status_code for r in responses] == [200] * len(clients)
    successors = [r.get_json()["refresh_token"] for r in responses if "refresh_token" in r.get_json()]
    assert len(successors) == 1
    assert sql.count("refresh_tokens") == 2
    assert sql.scalar("SELECT replaced_by FROM refresh_tokens WHERE jti = :j", j=claims_of(token)["jti"]) == \
        claims_of(successors[0])["jti"]


# --- an SPA on another origin (CORS_ORIGINS): it cannot read the API's cookies --------------------------------

SPA_ORIGIN = "https://app.example.com"  # in TestingConfig.CORS_ORIGINS


def test_a_cross_origin_spa_refreshes_again_and_again_with_the_csrf_value_of_the_body(client, user):
    """What fetch(..., {credentials: "include"}) from SPA_ORIGIN does: the browser sends and stores the API's
    cookies, but the script never sees them; it only has the bodies."""
    response = client.post(LOGIN, json={"email": user.email, "password": user.password},
                           headers={"Origin": SPA_ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == SPA_ORIGIN
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    csrf, access = response.get_json()["csrf_token"], response.get_json()["access_token"]
    seen = {csrf}

    for _ in range(4):
        response = client.post(REFRESH, headers={"Origin": SPA_ORIGIN, "X-CSRF-TOKEN": csrf})
        assert response.status_code == 200, response.get_json()
        assert response.headers["Access-Control-Allow-Origin"] == SPA_ORIGIN
        body = response.get_json()
        csrf, access = body["csrf_token"], body["access_token"]
        assert csrf not in seen  # rotated with the refresh token
        seen.add(csrf)

    assert client.get(ME, headers={**bearer(access), "Origin": SPA_ORIGIN}).status_code == 200


def test_a_cross_origin_refresh_with_a_stale_body_csrf_value_is_csrf_failed(client, user, sql):
    login = client.post(LOGIN, json={"email": user.email, "password": user.password},
                        headers={"Origin": SPA_ORIGIN}).get_json()
    assert client.post(REFRESH, headers={"Origin": SPA_ORIGIN, "X-CSRF-TOKEN": login["csrf_token"]}).status_code == 200

    response = client.post(REFRESH, headers={"Origin": SPA_ORIGIN, "X-CSRF-TOKEN": login["csrf_token"]})

    assert_problem(response, 401, "csrf_failed")
    assert sql.count("refresh_tokens", "used_at IS NULL") == 1

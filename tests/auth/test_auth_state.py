"""The optional Redis copy of the auth state (AUTH_STATE_URL, API.md §2), against a real Redis.

A copy may only ever make the check cheaper: every revocation is still refused on the very next request,
a stale or foreign copy is never believed, and Redis failing sends the check to the database.
"""
from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
import redis

from ledger.auth.state import auth_state
from tests.auth.helpers import LOGOUT, ME, SESSIONS, bearer
from tests.conftest import PASSWORD, assert_problem, login_body

DEAD_REDIS = "redis://127.0.0.1:9/0"  # nothing listens on the discard port


@pytest.fixture
def rdb(redis_url):
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    client.close()


@pytest.fixture
def cached_app(app, make_app, redis_url):
    """`app` first, so that its teardown empties the tables."""
    return make_app(AUTH_STATE_URL=redis_url, AUTH_STATE_TTL=2)


@pytest.fixture
def counted(cached_app, count_statements):
    """count_statements, of cached_app's engine."""
    return lambda: count_statements(of=cached_app)


@pytest.fixture
def caller(cached_app, make_user):
    client = cached_app.test_client()
    user = make_user()
    body = login_body(client, user)
    return client, user, body["access_token"]


def _me(client, token, counted):
    with counted() as statements:
        response = client.get(ME, headers=bearer(token))
    return response, statements


def test_the_first_request_reads_the_database_and_the_next_ones_only_redis(caller, counted):
    client, user, token = caller

    first, first_statements = _me(client, token, counted)
    second, second_statements = _me(client, token, counted)

    assert first.status_code == second.status_code == 200
    assert second.get_json() == first.get_json() and second.get_json()["email"] == user.email
    assert (len(first_statements), len(second_statements)) == (1, 0)


@pytest.mark.parametrize("revoke", ["logout", "end_session", "password", "deactivate", "delete",
                                    "admin_logout", "admin_password"])
def test_every_revocation_is_refused_on_the_very_next_request(cached_app, caller, counted, revoke):
    client, user, token = caller
    assert _me(client, token, counted)[0].status_code == 200  # the copy is warm
    other = login_body(cached_app.test_client(), user)["access_token"]

    if revoke == "logout":
        assert client.post(LOGOUT, headers=bearer(other)).status_code == 204
    elif revoke == "end_session":
        assert client.delete(f"{SESSIONS}/current", headers=bearer(token)).status_code == 204
    elif revoke == "password":
        assert client.post(f"{ME}/password", headers=bearer(other), json={
            "current_password": PASSWORD, "new_password": "another long passphrase 2026"}).status_code == 200
    elif revoke == "deactivate":
        # `flask users ...` runs with the same environment as the servers: it writes through too
        assert cached_app.test_cli_runner().invoke(args=["users", "deactivate", user.email]).exit_code == 0
    elif revoke == "admin_logout":
        assert cached_app.test_cli_runner().invoke(args=["users", "logout", user.email]).exit_code == 0
    elif revoke == "admin_password":
        assert cached_app.test_cli_runner().invoke(args=["users", "set-password", user.email, "--password-stdin"],
                                                   input="another long passphrase 2026\n").exit_code == 0
    else:
        assert client.delete(ME, headers=bearer(other), json={"password": PASSWORD}).status_code == 204

    assert_problem(client.get(ME, headers=bearer(token)), 401, "token_revoked")


def test_a_key_lives_ten_copy_lifetimes_after_a_fill_and_after_each_revoking_write(cached_app, caller, rdb, counted):
    """The key outlives its copy (believed AUTH_STATE_TTL = 2 s) ten times over, so that the newest `ver` and
    `revoked` still refuse a slow fill; every write sets that expiry again."""
    client, user, token = caller
    with cached_app.app_context():
        key_ttl_ms = auth_state().key_ttl_ms
    assert key_ttl_ms == 10 * 2 * 1000

    def assert_key_ttl(key: str) -> None:
        assert key_ttl_ms - 1000 < rdb.pttl(key) <= key_ttl_ms, (key, rdb.pttl(key))

    assert _me(client, token, counted)[0].status_code == 200  # a fill of both keys
    session_id = client.get(SESSIONS, headers=bearer(token)).get_json()["items"][0]["id"]
    user_key, session_key = f"ledger:auth:u:{user.id}", f"ledger:auth:s:{session_id}"
    assert_key_ttl(user_key)
    assert_key_ttl(session_key)

    other = login_body(cached_app.test_client(), user)["access_token"]
    for key in (user_key, session_key):
        rdb.pexpire(key, 5000)  # so that only a new write can bring the expiry back up
    assert client.delete(f"{SESSIONS}/current", headers=bearer(token)).status_code == 204
    assert_key_ttl(session_key)
    assert client.post(LOGOUT, headers=bearer(other)).status_code == 204
    assert_key_ttl(user_key)


def test_a_stale_fill_cannot_move_the_copy_back_to_an_old_version(cached_app, caller, rdb, counted):
    client, user, token = caller
    assert _me(client, token, counted)[0].status_code == 200
    from ledger.auth.models import User
    from ledger.extensions import db

    with cached_app.app_context():
        before_logout = db.session.get(User, user.id)  # version 0, as a slow reader saw it
        db.session.expunge(before_logout)
    assert client.post(LOGOUT, headers=bearer(token)).status_code == 204
    with cached_app.app_context():
        # What the auth statement read before the logout: the user's row (and no membership copy to write).
        row = SimpleNamespace(**{column: getattr(before_logout, column) for column in (
            "id", "email", "display_name", "created_at", "default_ledger_id", "is_active", "token_version",
            "membership_version")}, role=None)
        auth_state().fill(row, 999, "f" * 32, before_logout.created_at, revoked=False, ledger_id=None)

    assert rdb.hget(f"ledger:auth:u:{user.id}", "ver") == "1"
    assert_problem(client.get(ME, headers=bearer(token)), 401, "token_revoked")


def test_a_flushed_redis_falls_back_to_the_database_and_stays_correct(caller, rdb, counted):
    client, user, token = caller
    _me(client, token, counted)
    revoked = login_body(client, user)["access_token"]
    client.delete(f"{SESSIONS}/current", headers=bearer(revoked))
    rdb.flushdb()

    response, statements = _me(client, token, counted)
    assert response.status_code == 200 and len(statements) == 1
    assert_problem(client.get(ME, headers=bearer(revoked)), 401, "token_revoked")


def test_a_copy_written_by_another_redis_server_is_not_believed(caller, rdb, counted):
    """What a restart from an old snapshot looks like: copies stamped with a run_id that is not the server's."""
    client, user, token = caller
    _me(client, token, counted)
    for key in rdb.keys("ledger:auth:*"):
        rdb.hset(key, "run", "0" * 40)

    response, statements = _me(client, token, counted)

    assert response.status_code == 200 and len(statements) == 1


def test_an_expired_copy_is_not_believed(cached_app, caller, counted):
    client, user, token = caller
    _me(client, token, counted)
    time.sleep(cached_app.config["AUTH_STATE_TTL"] + 0.1)

    response, statements = _me(client, token, counted)

    assert response.status_code == 200 and len(statements) == 1


def test_with_redis_down_the_database_answers_and_a_logout_outwaits_any_copy(app, make_app, make_user):
    down = make_app(AUTH_STATE_URL=DEAD_REDIS, AUTH_STATE_TTL=1)
    client = down.test_client()
    token = login_body(client, make_user())["access_token"]

    assert client.get(ME, headers=bearer(token)).status_code == 200
    started = time.monotonic()
    assert client.post(LOGOUT, headers=bearer(token)).status_code == 204
    assert time.monotonic() - started >= 1  # the revocation could not be written through: it waited the TTL out
    assert_problem(client.get(ME, headers=bearer(token)), 401, "token_revoked")

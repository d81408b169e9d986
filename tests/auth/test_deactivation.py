"""Deactivation (the admin's `flask users deactivate`, through the service): tokens die, login is refused."""
import pytest

from ledger.auth import users
from tests.auth.helpers import LOGIN, ME, REFRESH, bearer, claims_of, fresh_claims
from tests.conftest import assert_problem, login_body


@pytest.fixture
def deactivated(app, body_client, user):
    """A user with a live session, then deactivated; returns the session's tokens."""
    tokens = login_body(body_client, user)
    with app.app_context():
        users.set_active(users.find_user(user.email), False)
    return tokens


def test_deactivation_revokes_the_access_token(body_client, deactivated):
    assert_problem(body_client.get(ME, headers=bearer(deactivated["access_token"])), 401, "token_revoked")


def test_deactivation_revokes_the_refresh_token(body_client, deactivated, sql):
    response = body_client.post(REFRESH, json={"refresh_token": deactivated["refresh_token"]})

    assert_problem(response, 401, "token_revoked")
    assert sql.count("refresh_tokens") == 1


def test_deactivation_bumps_the_version_and_ends_the_sessions(deactivated, user, sql):
    row = sql.rows("SELECT is_active, token_version FROM users WHERE id = :u", u=user.id)[0]
    assert (bool(row.is_active), row.token_version) == (False, 1)
    assert sql.count("sessions", "revoked_at IS NULL") == 0


def test_deactivated_user_cannot_log_in(body_client, deactivated, user, sql):
    response = body_client.post(LOGIN, json={"email": user.email, "password": user.password})

    assert_problem(response, 401, "invalid_credentials")
    assert sql.count("sessions") == 1


def test_inactive_user_is_refused_even_with_a_current_token(body_client, deactivated, forge, sql):
    # Current version and a live session: only the is_active check stands in the way.
    sql.execute("UPDATE sessions SET revoked_at = NULL")
    token = forge(fresh_claims(claims_of(deactivated["access_token"]), ver=1))

    assert_problem(body_client.get(ME, headers=bearer(token)), 401, "token_revoked")


def test_reactivated_user_can_log_in_again_but_old_tokens_stay_dead(app, body_client, deactivated, user):
    with app.app_context():
        users.set_active(users.find_user(user.email), True)

    fresh = login_body(body_client, user)

    assert body_client.get(ME, headers=bearer(fresh["access_token"])).status_code == 200
    assert_problem(body_client.get(ME, headers=bearer(deactivated["access_token"])), 401, "token_revoked")

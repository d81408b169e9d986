"""POST /api/v1/auth/logout: every token of the user, on every device, stops working."""
import pytest

from tests.auth.helpers import COOKIE_PATH, LOGOUT, ME, REFRESH, bearer, set_cookies
from tests.conftest import assert_problem, login_body


@pytest.fixture
def two_devices(body_client, user):
    """Two logins of the same user (body transport, so both refresh tokens are in hand)."""
    return [login_body(body_client, user), login_body(body_client, user)]


def test_logout_answers_204_and_increments_token_version_by_one(client, logged_in, user, sql):
    response = client.post(LOGOUT, headers=logged_in.headers)

    assert response.status_code == 204
    assert response.get_data() == b""
    assert sql.scalar("SELECT token_version FROM users WHERE id = :u", u=user.id) == 1


def test_logout_revokes_every_session(body_client, two_devices, user, sql):
    body_client.post(LOGOUT, headers=bearer(two_devices[0]["access_token"]))

    assert sql.count("sessions", "user_id = :u AND revoked_at IS NULL", u=user.id) == 0
    assert sql.count("sessions", "user_id = :u", u=user.id) == 2


def test_logout_rejects_the_access_tokens_of_every_device(body_client, two_devices):
    body_client.post(LOGOUT, headers=bearer(two_devices[0]["access_token"]))

    for device in two_devices:
        assert_problem(body_client.get(ME, headers=bearer(device["access_token"])), 401, "token_revoked")


def test_logout_rejects_the_refresh_tokens_of_every_device(body_client, two_devices, sql):
    body_client.post(LOGOUT, headers=bearer(two_devices[1]["access_token"]))

    for device in two_devices:
        response = body_client.post(REFRESH, json={"refresh_token": device["refresh_token"]})
        assert_problem(response, 401, "token_revoked")
    assert sql.count("refresh_tokens") == 2  # nothing was rotated


def test_logout_clears_the_refresh_cookies(client, logged_in):
    response = client.post(LOGOUT, headers=logged_in.headers)

    cookies = set_cookies(response)
    for name, path in (("refresh_token", COOKIE_PATH), ("csrf_refresh_token", "/")):
        assert cookies[name]["value"] == ""
        assert cookies[name]["path"] == path
        assert cookies[name]["max-age"] == "0"
        assert "1970" in cookies[name]["expires"]
    assert client.get_cookie("refresh_token", path=COOKIE_PATH) is None


def test_logout_in_body_mode_sets_no_cookie(body_client, two_devices):
    response = body_client.post(LOGOUT, headers=bearer(two_devices[0]["access_token"]))

    assert response.status_code == 204
    assert response.headers.getlist("Set-Cookie") == []


def test_logout_again_with_the_same_token_is_token_revoked(client, logged_in, user, sql):
    client.post(LOGOUT, headers=logged_in.headers)

    assert_problem(client.post(LOGOUT, headers=logged_in.headers), 401, "token_revoked")
    assert sql.scalar("SELECT token_version FROM users WHERE id = :u", u=user.id) == 1


def test_logout_without_a_token_is_authorization_required(client):
    response = client.post(LOGOUT)

    assert_problem(response, 401, "authorization_required")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="ledger"'


def test_logout_leaves_other_users_alone(body_client, two_devices, make_user, sql):
    other = make_user()
    other_access = login_body(body_client, other)["access_token"]

    body_client.post(LOGOUT, headers=bearer(two_devices[0]["access_token"]))

    assert body_client.get(ME, headers=bearer(other_access)).status_code == 200
    assert sql.scalar("SELECT token_version FROM users WHERE id = :u", u=other.id) == 0


def test_login_after_logout_works(body_client, two_devices, user):
    body_client.post(LOGOUT, headers=bearer(two_devices[0]["access_token"]))

    fresh = login_body(body_client, user)

    assert body_client.get(ME, headers=bearer(fresh["access_token"])).status_code == 200

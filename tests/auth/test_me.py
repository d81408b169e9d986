"""/api/v1/me: profile, password change and account deletion."""
import pytest

from tests.auth.helpers import ME, REFRESH, bearer, set_cookies
from tests.conftest import PASSWORD, assert_problem, login_body

PASSWORD_URL = "/api/v1/me/password"
NEW_PASSWORD = "a brand new passphrase 2026"

# The month_start_day of the user's default ledger (it moved from users to ledgers).
DEFAULT_LEDGER_MSD = "(SELECT l.month_start_day FROM ledgers l WHERE l.id = users.default_ledger_id)"


# --- GET / PATCH ----------------------------------------------------------------------------------------------


def test_get_me_answers_the_user_object(client, logged_in, user):
    response = client.get(ME, headers=logged_in.headers)

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"id", "email", "display_name", "currency", "month_start_day", "created_at",
                         "default_ledger_id"}
    assert (body["id"], body["email"], body["currency"], body["month_start_day"]) == (user.id, user.email, "KRW", 1)
    assert body["default_ledger_id"] == user.ledger_id


def test_get_me_without_a_token_is_authorization_required(client):
    response = client.get(ME)

    assert_problem(response, 401, "authorization_required")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="ledger"'


def test_patch_me_changes_display_name_and_month_start_day(client, logged_in, user, sql):
    response = client.patch(ME, json={"display_name": "Kim", "month_start_day": 25}, headers=logged_in.headers)

    assert response.status_code == 200
    assert response.get_json()["display_name"] == "Kim" and response.get_json()["month_start_day"] == 25
    row = sql.rows(f"SELECT display_name, {DEFAULT_LEDGER_MSD} FROM users WHERE id = :u", u=user.id)[0]
    assert tuple(row) == ("Kim", 25)
    assert client.get(ME, headers=logged_in.headers).get_json()["month_start_day"] == 25


@pytest.mark.parametrize("day", [1, 28])
def test_patch_me_accepts_month_start_day_bounds(client, logged_in, user, sql, day):
    assert client.patch(ME, json={"month_start_day": day}, headers=logged_in.headers).status_code == 200
    assert sql.scalar("SELECT month_start_day FROM ledgers WHERE id = :l", l=user.ledger_id) == day


@pytest.mark.parametrize("day", [0, 29, -1, "5", 5.0, 5.5, True, None, [5]])
def test_patch_me_refuses_a_bad_month_start_day(client, logged_in, user, sql, day):
    response = client.patch(ME, json={"month_start_day": day, "display_name": "Changed"}, headers=logged_in.headers)

    assert "month_start_day" in assert_problem(response, 422, "validation_error")["errors"]
    row = sql.rows(f"SELECT display_name, {DEFAULT_LEDGER_MSD} FROM users WHERE id = :u", u=user.id)[0]
    assert tuple(row) == (user.email.split("@")[0], 1)


@pytest.mark.parametrize("body", [{"display_name": ""}, {"display_name": "x" * 101}, {"display_name": "a\x00b"},
                                  {"email": "new@example.com"}, {"currency": "USD"}, {"token_version": 5}])
def test_patch_me_refuses_bad_or_unknown_fields(client, logged_in, user, sql, body):
    response = client.patch(ME, json=body, headers=logged_in.headers)

    assert set(assert_problem(response, 422, "validation_error")["errors"]) == set(body)
    row = sql.rows("SELECT u.email, l.currency, u.token_version FROM users u JOIN ledgers l "
                   "ON l.id = u.default_ledger_id WHERE u.id = :u", u=user.id)[0]
    assert tuple(row) == (user.email, "KRW", 0)


# --- POST /me/password ----------------------------------------------------------------------------------------


@pytest.fixture
def two_devices(body_client, user):
    return [login_body(body_client, user), login_body(body_client, user)]


def change_password(client, access, current=PASSWORD, new=NEW_PASSWORD):
    return client.post(PASSWORD_URL, json={"current_password": current, "new_password": new},
                       headers=bearer(access))


def test_password_change_answers_a_fresh_usable_token_pair(body_client, two_devices, user, sql):
    caller = two_devices[0]
    old_hash = sql.scalar("SELECT password_hash FROM users")

    response = change_password(body_client, caller["access_token"])

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "user"}
    assert body_client.get(ME, headers=bearer(body["access_token"])).status_code == 200
    assert body_client.post(REFRESH, json={"refresh_token": body["refresh_token"]}).status_code == 200
    new_hash = sql.scalar("SELECT password_hash FROM users")
    assert new_hash != old_hash and new_hash.startswith("$argon2id$")
    assert sql.scalar("SELECT token_version FROM users") == 1


def test_password_change_revokes_the_callers_old_tokens(body_client, two_devices):
    caller = two_devices[0]

    change_password(body_client, caller["access_token"])

    assert_problem(body_client.get(ME, headers=bearer(caller["access_token"])), 401, "token_revoked")
    response = body_client.post(REFRESH, json={"refresh_token": caller["refresh_token"]})
    assert_problem(response, 401, "token_revoked")


def test_password_change_revokes_the_other_sessions(body_client, two_devices, sql):
    caller, other = two_devices

    change_password(body_client, caller["access_token"])

    assert_problem(body_client.get(ME, headers=bearer(other["access_token"])), 401, "token_revoked")
    assert_problem(body_client.post(REFRESH, json={"refresh_token": other["refresh_token"]}), 401, "token_revoked")
    assert sql.count("sessions", "revoked_at IS NULL") == 1  # only the caller's session lives on


def test_password_change_keeps_the_callers_session(body_client, two_devices):
    caller = two_devices[0]

    body = change_password(body_client, caller["access_token"]).get_json()

    items = body_client.get("/api/v1/auth/sessions", headers=bearer(body["access_token"])).get_json()["items"]
    assert len(items) == 1 and items[0]["current"]


def test_password_change_then_login_uses_the_new_password(body_client, two_devices, user):
    change_password(body_client, two_devices[0]["access_token"])

    assert_problem(body_client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}),
                   401, "invalid_credentials")
    assert body_client.post("/api/v1/auth/login", json={"email": user.email, "password": NEW_PASSWORD}
                            ).status_code == 200


def test_password_change_in_cookie_mode_sets_new_cookies(client, logged_in):
    response = change_password(client, logged_in.access_token)

    assert response.status_code == 200
    assert "refresh_token" not in response.get_json()
    assert set(set_cookies(response)) == {"refresh_token", "csrf_refresh_token"}
    assert logged_in.refresh().status_code == 200


def test_password_change_with_a_wrong_current_password_is_invalid_credentials(body_client, two_devices, sql):
    old_hash = sql.scalar("SELECT password_hash FROM users")

    response = change_password(body_client, two_devices[0]["access_token"], current="not my password at all")

    assert_problem(response, 401, "invalid_credentials")
    assert sql.scalar("SELECT password_hash FROM users") == old_hash
    assert sql.scalar("SELECT token_version FROM users") == 0
    assert body_client.get(ME, headers=bearer(two_devices[1]["access_token"])).status_code == 200


@pytest.mark.parametrize("new", ["too short", "qwerty123456", "x" * 257])
def test_password_change_to_a_weak_password_is_validation_error(body_client, two_devices, sql, new):
    old_hash = sql.scalar("SELECT password_hash FROM users")

    response = change_password(body_client, two_devices[0]["access_token"], new=new)

    assert list(assert_problem(response, 422, "validation_error")["errors"]) == ["new_password"]
    assert sql.scalar("SELECT password_hash FROM users") == old_hash
    assert sql.scalar("SELECT token_version FROM users") == 0


def test_password_change_to_the_email_is_validation_error(body_client, two_devices, user, sql):
    response = change_password(body_client, two_devices[0]["access_token"], new=user.email.upper())

    assert "new_password" in assert_problem(response, 422, "validation_error")["errors"]
    assert sql.scalar("SELECT token_version FROM users") == 0


# --- DELETE /me -----------------------------------------------------------------------------------------------

def test_delete_me_with_a_wrong_password_is_invalid_credentials_and_deletes_nothing(client, logged_in, user, sql):
    response = client.delete(ME, json={"password": "not my password at all"}, headers=logged_in.headers)

    assert_problem(response, 401, "invalid_credentials")
    assert sql.count("users", "id = :u", u=user.id) == 1
    assert sql.count("sessions", "user_id = :u", u=user.id) == 1
    assert sql.count("accounts", "ledger_id = :u", u=user.ledger_id) == 1
    assert client.get(ME, headers=logged_in.headers).status_code == 200


def test_delete_me_without_the_password_is_validation_error(client, logged_in, user, sql):
    response = client.delete(ME, headers=logged_in.headers)

    assert "password" in assert_problem(response, 422, "validation_error")["errors"]
    assert sql.count("users", "id = :u", u=user.id) == 1


def test_delete_me_deletes_the_user_and_all_their_data(client, logged_in, user, make_user, make_account,
                                                       make_category, make_entry, sql):
    cash = sql.scalar("SELECT id FROM accounts WHERE ledger_id = :u", u=user.ledger_id)
    bank = make_account(user)
    parent = sql.scalar("SELECT id FROM categories WHERE ledger_id = :u AND kind = 'expense'", u=user.ledger_id)
    child = make_category(user, parent_id=parent)
    make_entry(user, account_id=cash, category_id=child, tags=("trip",))
    make_entry(user, type="transfer", account_id=bank, to_account_id=cash)
    other = make_user()

    response = client.delete(ME, json={"password": user.password}, headers=logged_in.headers)

    assert response.status_code == 204
    assert sql.count("users", "id = :u", u=user.id) == 0
    assert sql.count("sessions", "user_id = :u", u=user.id) == 0
    assert sql.count("refresh_tokens") == 0
    for table in ("accounts", "categories", "entries"):
        assert sql.count(table, "ledger_id = :l", l=user.ledger_id) == 0, table
    assert sql.count("ledgers", "id = :l", l=user.ledger_id) == 0  # a ledger of theirs alone goes with them
    assert sql.count("entry_tags") == 0
    assert sql.count("users", "id = :u", u=other.id) == 1
    assert sql.count("categories", "ledger_id = :u", u=other.ledger_id) > 0


def test_delete_me_revokes_the_token(client, logged_in, user):
    client.delete(ME, json={"password": user.password}, headers=logged_in.headers)

    assert_problem(client.get(ME, headers=logged_in.headers), 401, "token_revoked")


def test_delete_me_clears_the_refresh_cookies(client, logged_in, user):
    response = client.delete(ME, json={"password": user.password}, headers=logged_in.headers)

    assert set_cookies(response)["refresh_token"]["value"] == ""
    assert client.get_cookie("refresh_token", path="/api/v1/auth") is None


def test_delete_me_frees_the_email(client, logged_in, user):
    client.delete(ME, json={"password": user.password}, headers=logged_in.headers)

    response = client.post("/api/v1/auth/register", json={"email": user.email, "password": NEW_PASSWORD})

    assert response.status_code == 201

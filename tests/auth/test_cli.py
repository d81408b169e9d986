"""`flask users ...` and `flask tokens purge` (§5), through Flask's CliRunner.

In click 8.2+ (8.5 here) the runner captures stderr separately: `result.stdout` and `result.stderr` are
each stream alone, `result.output` is both interleaved as a terminal would show them.
"""
import json
from datetime import timedelta

import pytest

from ledger.auth.models import RefreshToken, Session
from tests.auth.helpers import LOGIN, ME, REFRESH, bearer, claims_of, now
from tests.conftest import PASSWORD, assert_problem, login_body

NEW_PASSWORD = "set by the admin, long enough"


def assert_one_line_error(result, *fragments: str) -> None:
    """Exit code 1, exactly one line on stderr, no traceback, nothing on stdout."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""


# --- users create ---------------------------------------------------------------------------------------------


def test_create_with_password_stdin_creates_the_user(runner, sql):
    result = runner.invoke(args=["users", "create", "Admin@Example.com", "--display-name", "Admin",
                                 "--currency", "usd", "--password-stdin"], input=PASSWORD + "\n")

    assert result.exit_code == 0, result.output
    user_id = sql.scalar("SELECT id FROM users WHERE email = 'admin@example.com'")
    assert result.stdout == f"created user {user_id} admin@example.com\n"
    row = sql.rows("SELECT u.display_name, l.currency, u.password_hash, l.id AS ledger_id FROM users u "
                   "JOIN ledgers l ON l.id = u.default_ledger_id WHERE u.id = :u", u=user_id)[0]
    assert (row.display_name, row.currency) == ("Admin", "USD")
    ledger_id = row.ledger_id
    assert row.password_hash.startswith("$argon2id$")
    assert sql.count("accounts", "ledger_id = :u", u=ledger_id) == 1  # the same provisioning as the API


def test_created_user_can_log_in_with_the_stdin_password(runner, client):
    runner.invoke(args=["users", "create", "admin@example.com", "--password-stdin"], input=PASSWORD + "\r\n")

    response = client.post(LOGIN, json={"email": "admin@example.com", "password": PASSWORD})

    assert response.status_code == 200


def test_create_prompts_twice_for_the_password_without_stdin(runner, sql):
    result = runner.invoke(args=["users", "create", "admin@example.com"], input=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # the prompt hides the input
    assert sql.count("users") == 1


def test_create_with_a_weak_password_fails_with_one_line(runner, sql):
    result = runner.invoke(args=["users", "create", "admin@example.com", "--password-stdin"], input="short\n")

    assert_one_line_error(result, "password", "12")
    assert sql.count("users") == 0


def test_create_with_a_duplicate_email_fails_with_one_line(runner, make_user, sql):
    make_user(email="taken@example.com")

    result = runner.invoke(args=["users", "create", "TAKEN@example.com", "--password-stdin"], input=PASSWORD + "\n")

    assert_one_line_error(result, "already registered")
    assert sql.count("users") == 1


def test_create_with_an_unknown_currency_fails_with_one_line(runner, sql):
    result = runner.invoke(args=["users", "create", "admin@example.com", "--currency", "XYZ", "--password-stdin"],
                           input=PASSWORD + "\n")

    assert_one_line_error(result, "currency")
    assert sql.count("users") == 0


# --- users list / show ----------------------------------------------------------------------------------------


def test_list_prints_one_line_per_user(runner, make_user, client):
    first, second = make_user(), make_user()
    login_body(client, first)

    result = runner.invoke(args=["users", "list"])

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].split("\t")[:3] == [str(first.id), first.email, "active"]
    assert lines[0].endswith("\t1 sessions")
    assert lines[1].split("\t")[:3] == [str(second.id), second.email, "active"]
    assert lines[1].endswith("\t0 sessions")


def test_list_json_is_machine_readable(runner, make_user, client):
    user = make_user()
    login_body(client, user)
    login_body(client, user)

    result = runner.invoke(args=["users", "list", "--json"])

    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert len(rows) == 1
    assert set(rows[0]) == {"id", "email", "active", "created_at", "sessions"}
    assert (rows[0]["id"], rows[0]["email"], rows[0]["active"], rows[0]["sessions"]) == (user.id, user.email,
                                                                                         True, 2)
    assert rows[0]["created_at"].endswith("Z")


def test_list_with_no_users_prints_nothing(runner):
    result = runner.invoke(args=["users", "list"])

    assert result.exit_code == 0 and result.stdout == ""


def test_show_prints_details_and_live_sessions(runner, user, client):
    login_body(client, user, headers={"User-Agent": "Phone/1"})

    result = runner.invoke(args=["users", "show", user.email.upper()])

    assert result.exit_code == 0
    assert f"id: {user.id}\n" in result.stdout
    assert f"email: {user.email}\n" in result.stdout
    assert "active: True\n" in result.stdout
    assert "sessions: 1\n" in result.stdout
    assert "Phone/1" in result.stdout
    assert f"default_ledger_id: {user.ledger_id}\n" in result.stdout
    assert f"ledgers: 1\n  {user.ledger_id}\towner\tKRW\t" in result.stdout
    assert "password" not in result.stdout and "$argon2" not in result.stdout


def test_show_unknown_email_fails_with_one_line(runner):
    assert_one_line_error(runner.invoke(args=["users", "show", "nobody@example.com"]), "nobody@example.com")


# --- set-password / logout / deactivate / activate -------------------------------------------------------------


def test_set_password_sets_it_and_revokes_every_token(runner, user, body_client, sql):
    tokens = login_body(body_client, user)

    result = runner.invoke(args=["users", "set-password", user.email, "--password-stdin"], input=NEW_PASSWORD + "\n")

    assert result.exit_code == 0, result.output
    assert sql.scalar("SELECT token_version FROM users") == 1
    assert_problem(body_client.get(ME, headers=bearer(tokens["access_token"])), 401, "token_revoked")
    assert_problem(body_client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]}), 401, "token_revoked")
    assert body_client.post(LOGIN, json={"email": user.email, "password": NEW_PASSWORD}).status_code == 200


def test_set_password_with_a_weak_password_fails_and_changes_nothing(runner, user, body_client, sql):
    tokens = login_body(body_client, user)
    old_hash = sql.scalar("SELECT password_hash FROM users")

    result = runner.invoke(args=["users", "set-password", user.email, "--password-stdin"], input="qwerty123456\n")

    assert_one_line_error(result, "common")
    assert sql.scalar("SELECT password_hash FROM users") == old_hash
    assert sql.scalar("SELECT token_version FROM users") == 0
    assert body_client.get(ME, headers=bearer(tokens["access_token"])).status_code == 200


def test_set_password_of_an_unknown_email_fails_with_one_line(runner):
    result = runner.invoke(args=["users", "set-password", "nobody@example.com", "--password-stdin"],
                           input=NEW_PASSWORD + "\n")

    assert_one_line_error(result, "nobody@example.com")


def test_logout_command_revokes_every_token(runner, user, body_client, sql):
    tokens = login_body(body_client, user)

    result = runner.invoke(args=["users", "logout", user.email])

    assert result.exit_code == 0
    assert sql.scalar("SELECT token_version FROM users") == 1
    assert sql.count("sessions", "revoked_at IS NULL") == 0
    assert_problem(body_client.get(ME, headers=bearer(tokens["access_token"])), 401, "token_revoked")
    assert_problem(body_client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]}), 401, "token_revoked")


def test_deactivate_command_revokes_tokens_and_blocks_login(runner, user, body_client, sql):
    tokens = login_body(body_client, user)

    result = runner.invoke(args=["users", "deactivate", user.email])

    assert result.exit_code == 0
    assert sql.rows("SELECT is_active, token_version FROM users")[0].token_version == 1
    assert_problem(body_client.get(ME, headers=bearer(tokens["access_token"])), 401, "token_revoked")
    assert_problem(body_client.post(LOGIN, json={"email": user.email, "password": user.password}), 401,
                   "invalid_credentials")


def test_activate_command_allows_login_again(runner, user, body_client):
    runner.invoke(args=["users", "deactivate", user.email])

    result = runner.invoke(args=["users", "activate", user.email])

    assert result.exit_code == 0
    assert body_client.post(LOGIN, json={"email": user.email, "password": user.password}).status_code == 200


@pytest.mark.parametrize("command", ["logout", "deactivate", "activate", "delete"])
def test_commands_on_an_unknown_email_fail_with_one_line(runner, command):
    result = runner.invoke(args=["users", command, "nobody@example.com", "--yes"] if command == "delete"
                           else ["users", command, "nobody@example.com"])

    assert_one_line_error(result, "nobody@example.com")


# --- delete ---------------------------------------------------------------------------------------------------


def test_delete_with_yes_deletes_the_user_and_their_data(runner, user, body_client, sql):
    tokens = login_body(body_client, user)

    result = runner.invoke(args=["users", "delete", user.email, "--yes"])

    assert result.exit_code == 0, result.output
    assert sql.count("users") == 0
    for table in ("sessions", "refresh_tokens", "accounts", "categories"):
        assert sql.count(table) == 0, table
    assert_problem(body_client.get(ME, headers=bearer(tokens["access_token"])), 401, "token_revoked")


def test_delete_asks_and_answering_no_deletes_nothing(runner, user, sql):
    result = runner.invoke(args=["users", "delete", user.email], input="n\n")

    assert result.exit_code == 1
    assert "Delete" in result.stdout  # the question
    assert result.stderr.splitlines() == ["error: not deleted"]
    assert sql.count("users") == 1
    assert sql.count("accounts") == 1


def test_delete_asks_and_answering_yes_deletes(runner, user, sql):
    result = runner.invoke(args=["users", "delete", user.email], input="y\n")

    assert result.exit_code == 0
    assert sql.count("users") == 0


# --- tokens purge ---------------------------------------------------------------------------------------------


def test_tokens_purge_deletes_expired_and_revoked_rows_and_counts_them(runner, make_user, body_client, orm, sql):
    user = make_user()
    live = login_body(body_client, user)
    revoked = login_body(body_client, user)
    expired = login_body(body_client, user)
    body_client.post(REFRESH, json={"refresh_token": live["refresh_token"]})  # a used row in a live session
    orm.update(Session, Session.id == claims_of(revoked["refresh_token"])["sid"], revoked_at=now())
    orm.update(RefreshToken, RefreshToken.jti == claims_of(expired["refresh_token"])["jti"],
               expires_at=now() - timedelta(seconds=1))
    assert sql.count("refresh_tokens") == 4

    result = runner.invoke(args=["tokens", "purge"])

    assert result.exit_code == 0
    assert result.stdout == "purged 2 refresh tokens\n"
    assert sql.count("refresh_tokens") == 2
    assert sql.count("refresh_tokens", "session_id = :s", s=claims_of(live["refresh_token"])["sid"]) == 2


def test_tokens_purge_with_nothing_to_purge_says_zero(runner):
    result = runner.invoke(args=["tokens", "purge"])

    assert result.exit_code == 0 and result.stdout == "purged 0 refresh tokens\n"


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com", "a b@example.com"])
def test_create_with_a_malformed_email_fails_with_one_line(runner, sql, email):
    result = runner.invoke(args=["users", "create", email, "--password-stdin"], input=PASSWORD + "\n")

    assert_one_line_error(result, "email")
    assert sql.count("users") == 0


def test_create_works_while_self_registration_is_closed(make_app, app, sql):
    closed = make_app(REGISTRATION_OPEN=False)

    result = closed.test_cli_runner().invoke(args=["users", "create", "admin@example.com", "--password-stdin"],
                                             input=PASSWORD + "\n")

    assert result.exit_code == 0, result.output
    assert sql.count("users") == 1

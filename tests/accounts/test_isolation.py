"""Another user's account is indistinguishable from a missing one, and stays untouched."""
import pytest

from tests.conftest import assert_problem

URL = "/api/v1/accounts"


@pytest.fixture
def their_account(make_user, make_account):
    return make_account(make_user(), name="Their bank", opening_balance=100)


def their_row(sql, account_id):
    return sql.rows("SELECT name, archived, opening_balance FROM accounts WHERE id = :i", i=account_id)


def test_get_another_users_account_is_404(client, logged_in, their_account):
    body = assert_problem(client.get(f"{URL}/{their_account}", headers=logged_in.headers), 404, "not_found")
    assert "Their bank" not in str(body)


def test_patch_another_users_account_is_404_and_changes_nothing(client, logged_in, their_account, sql):
    before = their_row(sql, their_account)
    response = client.patch(f"{URL}/{their_account}", json={"name": "Mine now", "archived": True},
                            headers=logged_in.headers)
    assert_problem(response, 404, "not_found")
    assert their_row(sql, their_account) == before


def test_delete_another_users_account_is_404_and_keeps_it(client, logged_in, their_account, sql):
    assert_problem(client.delete(f"{URL}/{their_account}", headers=logged_in.headers), 404, "not_found")
    assert sql.count("accounts", "id = :i", i=their_account) == 1


def test_a_missing_and_a_foreign_account_answer_the_same(client, logged_in, their_account):
    foreign = client.get(f"{URL}/{their_account}", headers=logged_in.headers).get_json()
    missing = client.get(f"{URL}/{their_account + 1000}", headers=logged_in.headers).get_json()
    assert {k: v for k, v in foreign.items() if k != "request_id"} == \
        {k: v for k, v in missing.items() if k != "request_id"}

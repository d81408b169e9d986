"""/api/v1/accounts: list, create, get, rename/archive, delete."""
import pytest

from tests.conftest import assert_problem, default_ids

URL = "/api/v1/accounts"
MAX = 2**53 - 1


def account_row(sql, account_id: int):
    rows = sql.rows("SELECT ledger_id, name, type, opening_balance, archived FROM accounts WHERE id = :i", i=account_id)
    return tuple(rows[0]) if rows else None


def test_new_user_lists_the_default_cash_account(client, logged_in, user, sql):
    response = client.get(URL, headers=logged_in.headers)
    assert response.status_code == 200
    [cash] = response.get_json()["items"]
    assert cash.pop("created_at").endswith("Z")
    assert cash == {"id": default_ids(sql, user)["cash"], "name": "Cash", "type": "cash", "opening_balance": 0,
                    "balance": 0, "archived": False, "billing": None}


def test_list_is_ordered_by_id_and_includes_archived_accounts(client, logged_in, user, make_account, sql):
    second = make_account(user, name="Zebra bank")
    third = make_account(user, name="Alpha card", type="credit_card")
    sql.execute("UPDATE accounts SET archived = :t WHERE id = :i", t=True, i=second)
    items = client.get(URL, headers=logged_in.headers).get_json()["items"]
    assert [a["id"] for a in items] == [default_ids(sql, user)["cash"], second, third]
    assert [a["archived"] for a in items] == [False, True, False]


def test_list_shows_only_the_callers_accounts(client, logged_in, user, make_user, make_account, sql):
    other = make_user()
    make_account(other, name="Their bank")
    items = client.get(URL, headers=logged_in.headers).get_json()["items"]
    assert [a["id"] for a in items] == [default_ids(sql, user)["cash"]]


def test_list_rejects_an_unknown_query_parameter(client, logged_in):
    body = assert_problem(client.get(URL + "?archived=true", headers=logged_in.headers), 422, "validation_error")
    assert "archived" in body["errors"]


def test_list_without_a_token_is_401(client):
    assert_problem(client.get(URL), 401, "authorization_required")


def test_create_returns_201_and_stores_the_account(client, logged_in, user, sql):
    response = client.post(URL, json={"name": "Shinhan card", "type": "credit_card", "opening_balance": 1200},
                           headers=logged_in.headers)
    assert response.status_code == 201
    body = response.get_json()
    assert body["created_at"].endswith("Z")
    assert {k: v for k, v in body.items() if k not in {"id", "created_at"}} == {
        "name": "Shinhan card", "type": "credit_card", "opening_balance": 1200, "balance": 1200, "archived": False,
        "billing": {"payment_day": 14, "usage_start_day": 1, "usage_month_offset": 1}}
    user_id, name, type_, opening, archived = account_row(sql, body["id"])
    assert (user_id, name, type_, opening, bool(archived)) == (user.id, "Shinhan card", "credit_card", 1200, False)


def test_create_without_opening_balance_starts_at_zero(client, logged_in, sql):
    body = client.post(URL, json={"name": "Wallet", "type": "cash"}, headers=logged_in.headers).get_json()
    assert (body["opening_balance"], body["balance"]) == (0, 0)
    assert account_row(sql, body["id"])[3] == 0


@pytest.mark.parametrize("opening", [-350000, MAX, -MAX])
def test_create_accepts_a_negative_or_extreme_opening_balance(client, logged_in, sql, opening):
    response = client.post(URL, json={"name": "Card", "type": "credit_card", "opening_balance": opening},
                           headers=logged_in.headers)
    assert response.status_code == 201
    assert (response.get_json()["opening_balance"], response.get_json()["balance"]) == (opening, opening)
    assert account_row(sql, response.get_json()["id"])[3] == opening


def test_create_trims_the_name(client, logged_in, sql):
    body = client.post(URL, json={"name": "  Savings \n", "type": "bank"}, headers=logged_in.headers).get_json()
    assert body["name"] == "Savings"
    assert account_row(sql, body["id"])[1] == "Savings"


@pytest.mark.parametrize("type_", ["cash", "bank", "credit_card", "debit_card", "other"])
def test_create_accepts_every_account_type(client, logged_in, sql, type_):
    response = client.post(URL, json={"name": f"My {type_}", "type": type_}, headers=logged_in.headers)
    assert response.status_code == 201 and response.get_json()["type"] == type_
    assert account_row(sql, response.get_json()["id"])[2] == type_


def test_create_with_a_name_the_user_already_has_is_409(client, logged_in, user, sql):
    response = client.post(URL, json={"name": "Cash", "type": "bank"}, headers=logged_in.headers)
    assert_problem(response, 409, "conflict")
    assert sql.count("accounts", "ledger_id = :u", u=user.ledger_id) == 1


def test_create_with_a_name_another_user_has_is_allowed(client, logged_in, user, make_user, make_account, sql):
    other = make_user()
    make_account(other, name="Kakao bank")
    response = client.post(URL, json={"name": "Kakao bank", "type": "bank"}, headers=logged_in.headers)
    assert response.status_code == 201
    assert sql.count("accounts", "name = 'Kakao bank'") == 2


@pytest.mark.parametrize("body, field", [
    ({"type": "bank"}, "name"),
    ({"name": "", "type": "bank"}, "name"),
    ({"name": "   ", "type": "bank"}, "name"),
    ({"name": "x" * 101, "type": "bank"}, "name"),
    ({"name": "A\x00B", "type": "bank"}, "name"),
    ({"name": 12, "type": "bank"}, "name"),
    ({"name": None, "type": "bank"}, "name"),
    ({"name": "Bank"}, "type"),
    ({"name": "Bank", "type": "savings"}, "type"),
    ({"name": "Bank", "type": "bank", "opening_balance": 12.5}, "opening_balance"),
    ({"name": "Bank", "type": "bank", "opening_balance": 100.0}, "opening_balance"),
    ({"name": "Bank", "type": "bank", "opening_balance": "100"}, "opening_balance"),
    ({"name": "Bank", "type": "bank", "opening_balance": True}, "opening_balance"),
    ({"name": "Bank", "type": "bank", "opening_balance": None}, "opening_balance"),
    ({"name": "Bank", "type": "bank", "opening_balance": MAX + 1}, "opening_balance"),
    ({"name": "Bank", "type": "bank", "opening_balance": -MAX - 1}, "opening_balance"),
    ({"name": "Bank", "type": "bank", "balance": 5}, "balance"),
    ({"name": "Bank", "type": "bank", "archived": True}, "archived"),
])
def test_create_with_an_invalid_body_is_422_and_creates_nothing(client, logged_in, user, sql, body, field):
    response = client.post(URL, json=body, headers=logged_in.headers)
    assert field in assert_problem(response, 422, "validation_error")["errors"]
    assert sql.count("accounts", "ledger_id = :u", u=user.ledger_id) == 1


def test_create_with_a_json_array_body_is_422(client, logged_in, user, sql):
    assert_problem(client.post(URL, json=[{"name": "Bank", "type": "bank"}], headers=logged_in.headers),
                   422, "validation_error")
    assert sql.count("accounts", "ledger_id = :u", u=user.ledger_id) == 1


def test_get_returns_one_account(client, logged_in, user, make_account):
    account_id = make_account(user, name="Toss", type="debit_card", opening_balance=-700)
    response = client.get(f"{URL}/{account_id}", headers=logged_in.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert {k: v for k, v in body.items() if k != "created_at"} == {
        "id": account_id, "name": "Toss", "type": "debit_card", "opening_balance": -700, "balance": -700,
        "archived": False, "billing": None}


@pytest.mark.parametrize("account_id", ["999999", "2147483648", "99999999999999999999999", "0", "-1", "abc"])
def test_get_an_unknown_or_impossible_id_is_404(client, logged_in, account_id):
    assert_problem(client.get(f"{URL}/{account_id}", headers=logged_in.headers), 404, "not_found")


def test_patch_renames_the_account(client, logged_in, user, make_account, sql):
    account_id = make_account(user, name="Old name")
    response = client.patch(f"{URL}/{account_id}", json={"name": " New name "}, headers=logged_in.headers)
    assert response.status_code == 200 and response.get_json()["name"] == "New name"
    assert account_row(sql, account_id)[1] == "New name"


def test_patch_archives_and_unarchives_the_account(client, logged_in, user, make_account, sql):
    account_id = make_account(user)
    response = client.patch(f"{URL}/{account_id}", json={"archived": True}, headers=logged_in.headers)
    assert response.status_code == 200 and response.get_json()["archived"] is True
    assert bool(account_row(sql, account_id)[4]) is True
    response = client.patch(f"{URL}/{account_id}", json={"archived": False}, headers=logged_in.headers)
    assert response.status_code == 200 and response.get_json()["archived"] is False
    assert bool(account_row(sql, account_id)[4]) is False


def test_patch_to_its_own_name_is_not_a_conflict(client, logged_in, user, make_account, sql):
    account_id = make_account(user, name="Same")
    response = client.patch(f"{URL}/{account_id}", json={"name": "Same", "archived": True},
                            headers=logged_in.headers)
    assert response.status_code == 200 and response.get_json()["archived"] is True
    assert account_row(sql, account_id)[1] == "Same"


def test_patch_with_an_empty_body_changes_nothing(client, logged_in, user, make_account, sql):
    account_id = make_account(user, name="Keep", opening_balance=5)
    before = account_row(sql, account_id)
    response = client.patch(f"{URL}/{account_id}", json={}, headers=logged_in.headers)
    assert response.status_code == 200 and response.get_json()["name"] == "Keep"
    assert account_row(sql, account_id) == before


def test_patch_to_a_name_the_user_already_has_is_409(client, logged_in, user, make_account, sql):
    account_id = make_account(user, name="Bank")
    assert_problem(client.patch(f"{URL}/{account_id}", json={"name": "Cash"}, headers=logged_in.headers),
                   409, "conflict")
    assert account_row(sql, account_id)[1] == "Bank"


@pytest.mark.parametrize("body, field", [
    ({"name": ""}, "name"),
    ({"name": None}, "name"),
    ({"archived": "true"}, "archived"),
    ({"archived": 1}, "archived"),
    ({"archived": None}, "archived"),
    ({"type": "cash"}, "type"),
    ({"opening_balance": 10}, "opening_balance"),
    ({"balance": 10}, "balance"),
])
def test_patch_with_an_invalid_body_is_422_and_changes_nothing(client, logged_in, user, make_account, sql,
                                                                 body, field):
    account_id = make_account(user, name="Bank")
    before = account_row(sql, account_id)
    response = client.patch(f"{URL}/{account_id}", json=body, headers=logged_in.headers)
    assert field in assert_problem(response, 422, "validation_error")["errors"]
    assert account_row(sql, account_id) == before


def test_patch_an_unknown_id_is_404(client, logged_in):
    assert_problem(client.patch(f"{URL}/999999", json={"name": "X"}, headers=logged_in.headers), 404, "not_found")


def test_delete_removes_an_unused_account(client, logged_in, user, make_account, sql):
    account_id = make_account(user)
    response = client.delete(f"{URL}/{account_id}", headers=logged_in.headers)
    assert response.status_code == 204 and response.get_data() == b""
    assert account_row(sql, account_id) is None


def test_delete_an_account_used_by_an_entry_is_409(client, logged_in, user, make_account, make_entry, sql):
    account_id = make_account(user)
    make_entry(user, account_id=account_id, category_id=default_ids(sql, user)["categories"]["Food"])
    assert_problem(client.delete(f"{URL}/{account_id}", headers=logged_in.headers), 409, "conflict")
    assert account_row(sql, account_id) is not None


def test_delete_an_account_receiving_a_transfer_is_409(client, logged_in, user, make_account, make_entry, sql):
    target = make_account(user)
    make_entry(user, type="transfer", account_id=default_ids(sql, user)["cash"], to_account_id=target)
    assert_problem(client.delete(f"{URL}/{target}", headers=logged_in.headers), 409, "conflict")
    assert account_row(sql, target) is not None


def test_delete_an_unknown_id_is_404(client, logged_in, user, sql):
    assert_problem(client.delete(f"{URL}/999999", headers=logged_in.headers), 404, "not_found")
    assert sql.count("accounts", "ledger_id = :u", u=user.ledger_id) == 1

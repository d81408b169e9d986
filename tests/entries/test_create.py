"""POST /entries: what a valid entry looks like, and every rule that refuses one (changing nothing)."""
from __future__ import annotations

import pytest

from tests.conftest import assert_problem
from tests.entries.conftest import URL

MAX_AMOUNT = 2**53 - 1


def assert_refused(response, sql, field: str, count_before: int = 0) -> dict:
    body = assert_problem(response, 422, "validation_error")
    assert field in body["errors"], body
    assert sql.count("entries") == count_before
    assert sql.count("entry_tags") == 0
    return body


def test_create_expense_answers_201_with_the_entry_and_location(post_entry, ids, sql, user):
    response = post_entry(memo="Lunch", tags=["work"])
    assert response.status_code == 201
    body = response.get_json()
    assert body == {
        "id": body["id"], "type": "expense", "amount": 1000, "currency": "KRW", "occurred_on": "2026-11-20",
        "account_id": ids["cash"], "to_account_id": None, "category_id": ids["categories"]["Food"],
        "memo": "Lunch", "tags": ["work"], "lines": [], "created_at": body["created_at"],
        "updated_at": body["updated_at"],
        "created_by": user.id, "updated_by": user.id, "installment_months": None,
        "payee_id": None, "imported_payee": None, "schedule_id": None, "scheduled_on": None,
    }
    assert body["created_at"].endswith("Z") and body["updated_at"].endswith("Z")
    assert response.headers["Location"] == f"{URL}/{body['id']}"
    assert sql.rows("SELECT type, amount, occurred_on, account_id, category_id, memo, version FROM entries "
                    "WHERE id = :id", id=body["id"]) == [
        ("expense", 1000, sql.rows("SELECT occurred_on FROM entries")[0][0], ids["cash"],
         ids["categories"]["Food"], "Lunch", 1)]
    assert str(sql.scalar("SELECT occurred_on FROM entries")) == "2026-11-20"
    assert sql.rows("SELECT tag FROM entry_tags WHERE entry_id = :id", id=body["id"]) == [("work",)]


def test_create_income_with_an_income_category(post_entry, ids, sql):
    response = post_entry(type="income", amount=3_000_000, category_id=ids["categories"]["Salary"])
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["type"] == "income"
    assert sql.rows("SELECT type, amount FROM entries") == [("income", 3_000_000)]


def test_create_transfer_between_own_accounts_has_no_category(post_entry, ids, bank, sql):
    response = post_entry(type="transfer", to_account_id=bank, category_id=...)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["account_id"], body["to_account_id"], body["category_id"]) == (ids["cash"], bank, None)
    assert sql.rows("SELECT type, account_id, to_account_id, category_id FROM entries") == [
        ("transfer", ids["cash"], bank, None)]


def test_amount_is_in_the_users_currency(client, auth, make_user, sql):
    user = make_user(currency="USD")
    auth.login(user)
    cash = sql.scalar("SELECT id FROM accounts WHERE ledger_id = :u", u=user.ledger_id)
    food = sql.scalar("SELECT id FROM categories WHERE ledger_id = :u AND name = 'Food'", u=user.ledger_id)
    response = client.post(URL, headers=auth.headers, json={"type": "expense", "amount": 1250, "account_id": cash,
                                                            "occurred_on": "2026-11-20", "category_id": food})
    assert response.status_code == 201
    assert (response.get_json()["amount"], response.get_json()["currency"]) == (1250, "USD")


def test_tags_are_trimmed_and_deduplicated(post_entry, sql):
    response = post_entry(tags=["  trip ", "trip", "Food", "food"])
    assert response.status_code == 201
    assert response.get_json()["tags"] == ["Food", "food", "trip"]
    assert sorted(sql.rows("SELECT tag FROM entry_tags")) == [("Food",), ("food",), ("trip",)]


@pytest.mark.parametrize("memo", [..., None])
def test_missing_or_null_memo_is_empty(post_entry, sql, memo):
    response = post_entry(memo=memo)
    assert response.status_code == 201
    assert response.get_json()["memo"] == ""
    assert sql.scalar("SELECT memo FROM entries") == ""


@pytest.mark.parametrize("field, value", [("memo", "x" * 500), ("amount", MAX_AMOUNT), ("amount", 1),
                                          ("occurred_on", "0001-01-01"), ("occurred_on", "9999-12-31"),
                                          ("occurred_on", "2028-02-29"), ("tags", [f"t{i}" for i in range(20)]),
                                          ("tags", [" " + "x" * 50 + " "]), ("tags", [])])
def test_limits_are_inclusive(post_entry, sql, field, value):
    response = post_entry(**{field: value})
    assert response.status_code == 201, response.get_json()
    assert sql.count("entries") == 1


@pytest.mark.parametrize("amount", [0, -1, MAX_AMOUNT + 1, 10.5, 1000.0, "1000", True, None, [1000]])
def test_amount_must_be_a_positive_safe_integer(post_entry, sql, amount):
    assert_refused(post_entry(amount=amount), sql, "amount")


@pytest.mark.parametrize("day", ["2026-02-30", "2027-02-29", "2026-13-01", "2026-00-10", "0000-01-01",
                                 "2026-1-5", "20261120", "2026-11-20T00:00:00", "10000-01-01", " 2026-11-20",
                                 "", 20261120, None])
def test_occurred_on_must_be_a_real_date(post_entry, sql, day):
    assert_refused(post_entry(occurred_on=day), sql, "occurred_on")


@pytest.mark.parametrize("field", ["type", "amount", "occurred_on", "account_id"])
def test_required_fields(post_entry, sql, field):
    body = assert_refused(post_entry(**{field: ...}), sql, field)
    assert body["errors"][field] == ["Missing data for required field."]


def test_unknown_field_is_refused(post_entry, sql):
    assert_refused(post_entry(currency="USD"), sql, "currency")


def test_type_must_be_known(post_entry, sql):
    assert_refused(post_entry(type="refund"), sql, "type")


@pytest.mark.parametrize("field", ["account_id", "to_account_id", "category_id"])
@pytest.mark.parametrize("value", [2**31, 0, "1", 1.0])
def test_reference_ids_must_be_integers_in_range(post_entry, sql, field, value):
    assert_refused(post_entry(**{field: value}), sql, field)


@pytest.mark.parametrize("type_", ["expense", "income"])
def test_income_and_expense_need_a_category(post_entry, sql, type_):
    body = assert_refused(post_entry(type=type_, category_id=None), sql, "category_id")
    assert body["errors"]["category_id"] == [f"An {type_} needs a category_id."]


def test_expense_with_an_income_category_is_refused(post_entry, ids, sql):
    body = assert_refused(post_entry(category_id=ids["categories"]["Salary"]), sql, "category_id")
    assert "income category" in body["errors"]["category_id"][0]


def test_income_with_an_expense_category_is_refused(post_entry, ids, sql):
    assert_refused(post_entry(type="income", category_id=ids["categories"]["Food"]), sql, "category_id")


def test_expense_with_a_to_account_is_refused(post_entry, bank, sql):
    body = assert_refused(post_entry(to_account_id=bank), sql, "to_account_id")
    assert body["errors"] == {"to_account_id": ["Only a transfer has a to_account_id."]}


def test_transfer_needs_a_to_account(post_entry, sql):
    body = assert_refused(post_entry(type="transfer", category_id=None), sql, "to_account_id")
    assert body["errors"] == {"to_account_id": ["A transfer needs a to_account_id."]}


def test_transfer_to_the_same_account_is_refused(post_entry, ids, sql):
    body = assert_refused(post_entry(type="transfer", category_id=None, to_account_id=ids["cash"]), sql,
                          "to_account_id")
    assert body["errors"] == {"to_account_id": ["Must differ from account_id."]}


def test_transfer_with_a_category_is_refused(post_entry, bank, sql):
    body = assert_refused(post_entry(type="transfer", to_account_id=bank), sql, "category_id")
    assert body["errors"] == {"category_id": ["A transfer has no category."]}


def test_unknown_account_is_refused(post_entry, sql):
    body = assert_refused(post_entry(account_id=999999), sql, "account_id")
    assert body["errors"] == {"account_id": ["No such account."]}


def test_another_users_account_looks_like_a_missing_one(post_entry, make_user, make_account, sql):
    other = make_account(make_user())
    body = assert_refused(post_entry(account_id=other), sql, "account_id")
    assert body["errors"] == {"account_id": ["No such account."]}


def test_another_users_to_account_looks_like_a_missing_one(post_entry, make_user, make_account, sql):
    other = make_account(make_user())
    body = assert_refused(post_entry(type="transfer", category_id=None, to_account_id=other), sql,
                          "to_account_id")
    assert body["errors"] == {"to_account_id": ["No such account."]}


def test_another_users_category_looks_like_a_missing_one(post_entry, make_user, make_category, sql):
    other = make_category(make_user(), kind="expense")
    body = assert_refused(post_entry(category_id=other), sql, "category_id")
    assert body["errors"] == {"category_id": ["No such category."]}
    missing = assert_refused(post_entry(category_id=other + 1000), sql, "category_id")
    assert missing["errors"] == body["errors"]


def test_new_entry_on_an_archived_account_is_refused(post_entry, ids, sql):
    sql.execute("UPDATE accounts SET archived = true WHERE id = :id", id=ids["cash"])
    body = assert_refused(post_entry(), sql, "account_id")
    assert body["errors"] == {"account_id": ["The account is archived."]}


def test_new_transfer_to_an_archived_account_is_refused(post_entry, bank, sql):
    sql.execute("UPDATE accounts SET archived = true WHERE id = :id", id=bank)
    body = assert_refused(post_entry(type="transfer", category_id=None, to_account_id=bank), sql, "to_account_id")
    assert body["errors"] == {"to_account_id": ["The account is archived."]}


def test_new_entry_in_an_archived_category_is_refused(post_entry, ids, sql):
    sql.execute("UPDATE categories SET archived = true WHERE id = :id", id=ids["categories"]["Food"])
    body = assert_refused(post_entry(), sql, "category_id")
    assert body["errors"] == {"category_id": ["The category is archived."]}


def test_several_reference_errors_are_reported_together(post_entry, sql):
    body = assert_refused(post_entry(account_id=999998, category_id=999999), sql, "account_id")
    assert body["errors"] == {"account_id": ["No such account."], "category_id": ["No such category."]}


@pytest.mark.parametrize("memo", ["x" * 501, "nul\x00byte", 42])
def test_memo_is_text_up_to_500_characters(post_entry, sql, memo):
    assert_refused(post_entry(memo=memo), sql, "memo")


@pytest.mark.parametrize("tags", [[f"t{i}" for i in range(21)], ["x" * 51], ["   "], [""], [7], "trip",
                                  [["nested"]], ["a\x00b"]])
def test_tags_are_at_most_20_strings_of_1_to_50_characters(post_entry, sql, tags):
    assert_refused(post_entry(tags=tags), sql, "tags")


def test_body_that_is_not_json_is_400(client, logged_in, sql):
    response = client.post(URL, data="{not json", headers={**logged_in.headers, "Content-Type": "application/json"})
    assert_problem(response, 400, "invalid_json")
    assert sql.count("entries") == 0


def test_create_needs_a_token(client, ids, sql):
    response = client.post(URL, json={"type": "expense", "amount": 1, "occurred_on": "2026-11-20",
                                      "account_id": ids["cash"], "category_id": ids["categories"]["Food"]})
    assert_problem(response, 401, "authorization_required")
    assert sql.count("entries") == 0

"""GET/PATCH/DELETE /entries/{id}: ETag and If-Match, validation of the merged entry, other users' entries."""
from __future__ import annotations

import pytest

from tests.conftest import assert_problem
from tests.entries.conftest import URL


@pytest.fixture
def entry(make_entry, user, ids) -> int:
    """An expense of 1000 (Food, Cash) on 2026-11-20 tagged a, b, memo "Lunch"."""
    return make_entry(user, account_id=ids["cash"], category_id=ids["categories"]["Food"], memo="Lunch",
                      tags=("a", "b"))


def row(sql, entry_id: int) -> tuple:
    """Everything PATCH can change, plus the version and updated_at."""
    return sql.rows("SELECT type, amount, occurred_on, account_id, to_account_id, category_id, memo, version, "
                    "updated_at FROM entries WHERE id = :id", id=entry_id)[0]


def tags(sql, entry_id: int) -> list[str]:
    return sorted(r[0] for r in sql.rows("SELECT tag FROM entry_tags WHERE entry_id = :id", id=entry_id))


@pytest.fixture
def other_entry(make_user, make_account, make_category, make_entry) -> int:
    other = make_user()
    return make_entry(other, account_id=make_account(other), category_id=make_category(other), amount=777,
                      tags=("theirs",))


# GET

def test_get_returns_the_entry_with_an_etag(client, logged_in, entry, ids, user):
    response = client.get(f"{URL}/{entry}", headers=logged_in.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body == {"id": entry, "type": "expense", "amount": 1000, "currency": "KRW", "occurred_on": "2026-11-20",
                    "account_id": ids["cash"], "to_account_id": None, "category_id": ids["categories"]["Food"],
                    "memo": "Lunch", "tags": ["a", "b"], "lines": [], "created_at": body["created_at"],
                    "updated_at": body["updated_at"], "created_by": user.id, "updated_by": user.id,
                    "installment_months": None, "payee_id": None, "imported_payee": None,
                    "schedule_id": None, "scheduled_on": None}
    assert response.headers["ETag"] == f'"{entry}-1"'


def test_get_costs_three_statements(client, logged_in, entry, count_statements):
    with count_statements() as statements:
        assert client.get(f"{URL}/{entry}", headers=logged_in.headers).status_code == 200
    assert len(statements) == 4, statements  # token check, entry, its tags, its split lines


@pytest.mark.parametrize("path", ["999999", "99999999999999999999", "0", "abc", "-1"])
def test_get_unknown_entry_is_404(client, logged_in, entry, path):
    assert_problem(client.get(f"{URL}/{path}", headers=logged_in.headers), 404, "not_found")


def test_get_another_users_entry_is_404(client, logged_in, other_entry):
    body = assert_problem(client.get(f"{URL}/{other_entry}", headers=logged_in.headers), 404, "not_found")
    assert "777" not in str(body) and "theirs" not in str(body)


def test_get_needs_a_token(client, entry):
    assert_problem(client.get(f"{URL}/{entry}"), 401, "authorization_required")


# PATCH

def test_patch_changes_the_fields_and_the_etag(client, logged_in, entry, sql):
    before = row(sql, entry)
    response = client.patch(f"{URL}/{entry}", json={"amount": 2500, "memo": "Big lunch", "occurred_on": "2026-11-21"},
                            headers=logged_in.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["amount"], body["memo"], body["occurred_on"], body["tags"]) == (2500, "Big lunch", "2026-11-21",
                                                                               ["a", "b"])
    assert response.headers["ETag"] == f'"{entry}-2"'
    after = row(sql, entry)
    assert (after[1], after[6], str(after[2]), after[7]) == (2500, "Big lunch", "2026-11-21", 2)
    assert after[8] >= before[8]
    assert client.get(f"{URL}/{entry}", headers=logged_in.headers).headers["ETag"] == f'"{entry}-2"'


def test_patch_with_the_current_etag_succeeds(client, logged_in, entry, sql):
    etag = client.get(f"{URL}/{entry}", headers=logged_in.headers).headers["ETag"]
    response = client.patch(f"{URL}/{entry}", json={"amount": 5}, headers={**logged_in.headers, "If-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag
    assert row(sql, entry)[1] == 5


def test_patch_with_a_stale_etag_is_412_and_changes_nothing(client, logged_in, entry, sql):
    stale = client.get(f"{URL}/{entry}", headers=logged_in.headers).headers["ETag"]
    assert client.patch(f"{URL}/{entry}", json={"amount": 5}, headers=logged_in.headers).status_code == 200
    before = row(sql, entry)
    response = client.patch(f"{URL}/{entry}", json={"amount": 6, "tags": ["z"]},
                            headers={**logged_in.headers, "If-Match": stale})
    assert_problem(response, 412, "precondition_failed")
    assert row(sql, entry) == before
    assert tags(sql, entry) == ["a", "b"]


@pytest.mark.parametrize("if_match, status", [("*", 200), ('"nope", "{id}-1"', 200), ('W/"{id}-1"', 412),
                                              ("{id}-1", 200), ('"{id}-2"', 412), ("", 412)])
def test_if_match_forms(client, logged_in, entry, sql, if_match, status):
    response = client.patch(f"{URL}/{entry}", json={"amount": 5},
                            headers={**logged_in.headers, "If-Match": if_match.format(id=entry)})
    assert response.status_code == status, response.get_json()
    assert row(sql, entry)[1] == (5 if status == 200 else 1000)


def test_concurrent_change_between_read_and_write_is_412(client, logged_in, entry, sql, monkeypatch):
    from ledger.entries import services

    real = services.validate_entry_refs

    def another_request_commits_first(*args, **kwargs):
        sql.execute("UPDATE entries SET amount = 4242, version = version + 1 WHERE id = :id", id=entry)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "validate_entry_refs", another_request_commits_first)
    response = client.patch(f"{URL}/{entry}", json={"amount": 5}, headers=logged_in.headers)
    assert_problem(response, 412, "precondition_failed")
    after = row(sql, entry)
    assert (after[1], after[7]) == (4242, 2)


def test_patch_replaces_tags_and_moves_the_etag(client, logged_in, entry, sql):
    response = client.patch(f"{URL}/{entry}", json={"tags": ["b", " c ", "c"]}, headers=logged_in.headers)
    assert response.status_code == 200
    assert response.get_json()["tags"] == ["b", "c"]
    assert response.headers["ETag"] == f'"{entry}-2"'
    assert tags(sql, entry) == ["b", "c"]
    assert row(sql, entry)[7] == 2


@pytest.mark.parametrize("value", [[], None])
def test_patch_clears_tags_with_an_empty_list_or_null(client, logged_in, entry, sql, value):
    response = client.patch(f"{URL}/{entry}", json={"tags": value}, headers=logged_in.headers)
    assert response.status_code == 200 and response.get_json()["tags"] == []
    assert tags(sql, entry) == []


def test_patch_clears_memo_with_null(client, logged_in, entry, sql):
    response = client.patch(f"{URL}/{entry}", json={"memo": None}, headers=logged_in.headers)
    assert response.status_code == 200 and response.get_json()["memo"] == ""
    assert row(sql, entry)[6] == ""


@pytest.mark.parametrize("body", [{}, {"amount": 1000, "memo": "Lunch", "tags": ["b", "a"]}])
def test_patch_without_changes_keeps_the_version(client, logged_in, entry, sql, body):
    before = row(sql, entry)
    response = client.patch(f"{URL}/{entry}", json=body, headers=logged_in.headers)
    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{entry}-1"'
    assert row(sql, entry) == before


def test_patch_expense_into_transfer_validates_the_merged_entry(client, logged_in, entry, sql):
    before = row(sql, entry)
    response = client.patch(f"{URL}/{entry}", json={"type": "transfer"}, headers=logged_in.headers)
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"] == {"to_account_id": ["A transfer needs a to_account_id."],
                              "category_id": ["A transfer has no category."]}
    assert row(sql, entry) == before


def test_patch_expense_into_transfer_with_its_fields(client, logged_in, entry, bank, ids, sql):
    response = client.patch(f"{URL}/{entry}", json={"type": "transfer", "to_account_id": bank, "category_id": None},
                            headers=logged_in.headers)
    assert response.status_code == 200, response.get_json()
    changed = row(sql, entry)
    assert (changed[0], changed[3], changed[4], changed[5], changed[7]) == ("transfer", ids["cash"], bank, None, 2)


def test_patch_type_to_income_needs_an_income_category(client, logged_in, entry, sql):
    before = row(sql, entry)
    body = assert_problem(client.patch(f"{URL}/{entry}", json={"type": "income"}, headers=logged_in.headers),
                          422, "validation_error")
    assert list(body["errors"]) == ["category_id"]
    assert row(sql, entry) == before


def test_patch_to_another_users_category_is_422_and_changes_nothing(client, logged_in, entry, make_user,
                                                                     make_category, sql):
    foreign = make_category(make_user())
    before = row(sql, entry)
    body = assert_problem(client.patch(f"{URL}/{entry}", json={"category_id": foreign}, headers=logged_in.headers),
                          422, "validation_error")
    assert body["errors"] == {"category_id": ["No such category."]}
    assert row(sql, entry) == before


def test_patch_to_another_users_account_is_422(client, logged_in, entry, make_user, make_account, sql):
    foreign = make_account(make_user())
    before = row(sql, entry)
    body = assert_problem(client.patch(f"{URL}/{entry}", json={"account_id": foreign}, headers=logged_in.headers),
                          422, "validation_error")
    assert body["errors"] == {"account_id": ["No such account."]}
    assert row(sql, entry) == before


def test_entry_on_an_archived_account_and_category_stays_editable(client, logged_in, entry, ids, sql):
    sql.execute("UPDATE accounts SET archived = true WHERE id = :id", id=ids["cash"])
    sql.execute("UPDATE categories SET archived = true WHERE id = :id", id=ids["categories"]["Food"])
    response = client.patch(f"{URL}/{entry}", json={"memo": "still fine", "amount": 3}, headers=logged_in.headers)
    assert response.status_code == 200, response.get_json()
    assert row(sql, entry)[1] == 3


def test_patch_onto_an_archived_account_is_422(client, logged_in, entry, bank, sql):
    sql.execute("UPDATE accounts SET archived = true WHERE id = :id", id=bank)
    before = row(sql, entry)
    body = assert_problem(client.patch(f"{URL}/{entry}", json={"account_id": bank}, headers=logged_in.headers),
                          422, "validation_error")
    assert body["errors"] == {"account_id": ["The account is archived."]}
    assert row(sql, entry) == before


def test_patch_onto_an_archived_category_is_422(client, logged_in, entry, ids, sql):
    transport = ids["categories"]["Transport"]
    sql.execute("UPDATE categories SET archived = true WHERE id = :id", id=transport)
    before = row(sql, entry)
    body = assert_problem(client.patch(f"{URL}/{entry}", json={"category_id": transport}, headers=logged_in.headers),
                          422, "validation_error")
    assert body["errors"] == {"category_id": ["The category is archived."]}
    assert row(sql, entry) == before


@pytest.mark.parametrize("body, field", [({"amount": 0}, "amount"), ({"amount": 1.5}, "amount"),
                                         ({"amount": None}, "amount"), ({"type": None}, "type"),
                                         ({"account_id": None}, "account_id"),
                                         ({"occurred_on": "2026-02-29"}, "occurred_on"),
                                         ({"occurred_on": None}, "occurred_on"), ({"memo": "x" * 501}, "memo"),
                                         ({"tags": ["x" * 51]}, "tags"), ({"id": 5}, "id"),
                                         ({"currency": "USD"}, "currency"), ({"version": 9}, "version")])
def test_patch_invalid_fields_are_422_and_change_nothing(client, logged_in, entry, sql, body, field):
    before = row(sql, entry)
    problem = assert_problem(client.patch(f"{URL}/{entry}", json=body, headers=logged_in.headers), 422,
                             "validation_error")
    assert list(problem["errors"]) == [field]
    assert row(sql, entry) == before
    assert tags(sql, entry) == ["a", "b"]


def test_patch_another_users_entry_is_404_and_changes_nothing(client, logged_in, other_entry, sql):
    before = row(sql, other_entry)
    assert_problem(client.patch(f"{URL}/{other_entry}", json={"amount": 1}, headers=logged_in.headers), 404,
                   "not_found")
    assert row(sql, other_entry) == before


def test_patch_another_users_entry_with_a_bad_body_is_still_422_first(client, logged_in, other_entry, sql):
    # Body validation runs before the lookup; it reveals nothing about the entry.
    assert_problem(client.patch(f"{URL}/{other_entry}", json={"amount": 0}, headers=logged_in.headers), 422,
                   "validation_error")
    assert row(sql, other_entry)[1] == 777


# DELETE

def test_delete_removes_the_entry_and_its_tags(client, logged_in, entry, sql):
    response = client.delete(f"{URL}/{entry}", headers=logged_in.headers)
    assert response.status_code == 204
    assert response.data == b""
    assert sql.count("entries") == 0
    assert sql.count("entry_tags") == 0


def test_delete_twice_is_404(client, logged_in, entry, sql):
    assert client.delete(f"{URL}/{entry}", headers=logged_in.headers).status_code == 204
    assert_problem(client.delete(f"{URL}/{entry}", headers=logged_in.headers), 404, "not_found")


def test_delete_with_the_current_etag_succeeds(client, logged_in, entry, sql):
    response = client.delete(f"{URL}/{entry}", headers={**logged_in.headers, "If-Match": f'"{entry}-1"'})
    assert response.status_code == 204
    assert sql.count("entries") == 0


def test_delete_with_a_stale_etag_is_412_and_keeps_the_entry(client, logged_in, entry, sql):
    client.patch(f"{URL}/{entry}", json={"amount": 5}, headers=logged_in.headers)
    response = client.delete(f"{URL}/{entry}", headers={**logged_in.headers, "If-Match": f'"{entry}-1"'})
    assert_problem(response, 412, "precondition_failed")
    assert sql.count("entries") == 1
    assert tags(sql, entry) == ["a", "b"]


def test_delete_another_users_entry_is_404_and_keeps_it(client, logged_in, entry, other_entry, sql):
    assert_problem(client.delete(f"{URL}/{other_entry}", headers=logged_in.headers), 404, "not_found")
    assert sql.count("entries") == 2
    assert tags(sql, other_entry) == ["theirs"]


def test_delete_needs_a_token(client, entry, sql):
    assert_problem(client.delete(f"{URL}/{entry}"), 401, "authorization_required")
    assert sql.count("entries") == 1


def test_an_entry_dumps_with_its_ledgers_currency_outside_any_request(app, user, ids, make_entry, sql):
    """The response schema reads the entry alone (the currency comes with its row), not the request's state:
    the CLI, a report or a job can dump one too."""
    from ledger.entries.models import Entry
    from ledger.entries.schemas import EntrySchema
    from ledger.extensions import db

    sql.execute("UPDATE ledgers SET currency = 'USD' WHERE id = :l", l=user.ledger_id)
    entry_id = make_entry(user, amount=1250, account_id=ids["cash"], category_id=ids["categories"]["Food"])
    with app.app_context():
        body = EntrySchema().dump(db.session.get(Entry, entry_id))
    assert (body["id"], body["amount"], body["currency"]) == (entry_id, 1250, "USD")

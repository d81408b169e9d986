"""Ids of another ledger in a body are 422 naming the field, never a row that crosses ledgers: even for a
member of both ledgers."""
from __future__ import annotations

import pytest

from tests.conftest import assert_problem, default_ids
from tests.ledgers.conftest import snapshot


@pytest.fixture
def two(household, sql, make_account, make_entry):
    """The shared ledger's ids and the editor's own personal ledger's ids (the editor is a member of both)."""
    shared, own = default_ids(sql, household.owner.user), default_ids(sql, household.editor.user)
    shared["bank"] = make_account(household.owner.user, name="Bank")
    own["bank"] = make_account(household.editor.user, name="Bank")
    shared["entry"] = make_entry(household.owner.user, account_id=shared["cash"],
                                 category_id=shared["categories"]["Food"])
    return shared, own


def _unchanged(sql, household, action):
    ledgers = (household.ledger_id, household.editor.user.ledger_id, household.outsider.user.ledger_id)
    before = [snapshot(sql, ledger) for ledger in ledgers]
    action()
    assert [snapshot(sql, ledger) for ledger in ledgers] == before


@pytest.mark.parametrize("field", ["account_id", "to_account_id", "category_id"])
def test_an_entry_naming_another_ledgers_account_or_category_is_422(client, household, sql, two, field):
    shared, own = two
    body = {"type": "expense", "amount": 100, "occurred_on": "2026-11-20", "account_id": shared["cash"],
            "category_id": shared["categories"]["Food"]}
    if field == "to_account_id":
        body = {**body, "type": "transfer", "category_id": None, "to_account_id": own["bank"]}
    elif field == "account_id":
        body["account_id"] = own["cash"]
    else:
        body["category_id"] = own["categories"]["Food"]

    def post():
        problem = assert_problem(client.post(household.path("/entries"), headers=household.editor.headers,
                                             json=body), 422, "validation_error")
        assert field in problem["errors"], problem

    _unchanged(sql, household, post)


@pytest.mark.parametrize("field", ["account_id", "to_account_id", "category_id"])
def test_moving_an_entry_to_another_ledgers_account_or_category_is_422(client, household, sql, two, field):
    shared, own = two
    change = {"account_id": {"account_id": own["cash"]},
              "to_account_id": {"type": "transfer", "category_id": None, "to_account_id": own["bank"]},
              "category_id": {"category_id": own["categories"]["Food"]}}[field]

    def patch():
        problem = assert_problem(client.patch(household.path(f"/entries/{shared['entry']}"),
                                              headers=household.editor.headers, json=change),
                                 422, "validation_error")
        assert field in problem["errors"], problem

    _unchanged(sql, household, patch)


def test_a_budget_for_another_ledgers_category_is_422(client, household, sql, two):
    shared, own = two
    items = [{"category_id": shared["categories"]["Food"], "amount": 1000},
             {"category_id": own["categories"]["Food"], "amount": 1000}]

    def put():
        problem = assert_problem(client.put(household.path("/budgets/2026-11"), headers=household.editor.headers,
                                            json={"items": items}), 422, "validation_error")
        assert problem["errors"] == {"items": {"1": {"category_id": ["No such category."]}}}

    _unchanged(sql, household, put)


def test_reassigning_to_another_ledgers_category_is_422(client, household, sql, two):
    shared, own = two

    def delete():
        problem = assert_problem(client.delete(household.path(f"/categories/{shared['categories']['Food']}"
                                                              f"?reassign_to={own['categories']['Transport']}"),
                                               headers=household.editor.headers), 422, "validation_error")
        assert list(problem["errors"]) == ["reassign_to"]

    _unchanged(sql, household, delete)


def test_a_parent_of_another_ledger_is_422(client, household, sql, two):
    shared, own = two

    def post():
        problem = assert_problem(client.post(household.path("/categories"), headers=household.editor.headers,
                                             json={"name": "Snacks", "kind": "expense",
                                                   "parent_id": own["categories"]["Food"]}),
                                 422, "validation_error")
        assert list(problem["errors"]) == ["parent_id"]

    _unchanged(sql, household, post)


def test_another_ledgers_rows_are_404_by_id(client, household, sql, two):
    shared, own = two
    editor = household.editor

    def reads():
        for path in (f"/accounts/{own['cash']}", f"/categories/{own['categories']['Food']}"):
            assert_problem(client.get(household.path(path), headers=editor.headers), 404, "not_found")
        # and the shared ledger's entry is not reachable through the editor's own ledger
        assert_problem(client.get(f"/api/v1/ledgers/{editor.user.ledger_id}/entries/{shared['entry']}",
                                  headers=editor.headers), 404, "not_found")
        assert_problem(client.delete(f"/api/v1/ledgers/{editor.user.ledger_id}/entries/{shared['entry']}",
                                     headers=editor.headers), 404, "not_found")

    _unchanged(sql, household, reads)


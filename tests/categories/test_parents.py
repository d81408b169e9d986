"""A subcategory's parent: one of the user's top-level, unarchived categories of the same kind (else 422)."""
from ledger.provisioning import DEFAULT_CATEGORIES
from tests.conftest import assert_problem, default_ids

URL = "/api/v1/categories"


def create_child(client, headers, parent_id, kind="expense"):
    return client.post(URL, json={"name": "Child", "kind": kind, "parent_id": parent_id}, headers=headers)


def test_a_subcategory_cannot_be_a_parent(client, logged_in, user, make_category, sql):
    food = default_ids(sql, user)["categories"]["Food"]
    groceries = make_category(user, name="Groceries", parent_id=food)
    body = assert_problem(create_child(client, logged_in.headers, groceries), 422, "validation_error")
    assert body["errors"] == {"parent_id": ["The parent must be a top-level category (two levels at most)."]}
    assert sql.count("categories", "parent_id = :p", p=groceries) == 0


def test_a_parent_of_the_other_kind_is_422(client, logged_in, user, sql):
    salary = default_ids(sql, user)["categories"]["Salary"]
    body = assert_problem(create_child(client, logged_in.headers, salary, kind="expense"), 422, "validation_error")
    assert body["errors"] == {"parent_id": ["The parent must be an expense category."]}
    assert sql.count("categories", "parent_id = :p", p=salary) == 0


def test_an_archived_parent_is_422(client, logged_in, user, sql):
    food = default_ids(sql, user)["categories"]["Food"]
    sql.execute("UPDATE categories SET archived = :t WHERE id = :i", t=True, i=food)
    body = assert_problem(create_child(client, logged_in.headers, food), 422, "validation_error")
    assert body["errors"] == {"parent_id": ["The parent category is archived."]}
    assert sql.count("categories", "parent_id = :p", p=food) == 0


def test_a_missing_parent_is_422(client, logged_in, user, sql):
    body = assert_problem(create_child(client, logged_in.headers, 999999), 422, "validation_error")
    assert body["errors"] == {"parent_id": ["No such category."]}
    assert sql.count("categories", "ledger_id = :u", u=user.ledger_id) == len(DEFAULT_CATEGORIES)


def test_another_users_parent_is_422_like_a_missing_one(client, logged_in, user, make_user, make_category, sql):
    theirs = make_category(make_user(), name="Their food")
    foreign = assert_problem(create_child(client, logged_in.headers, theirs), 422, "validation_error")
    missing = assert_problem(create_child(client, logged_in.headers, theirs + 1000), 422, "validation_error")
    assert foreign["errors"] == missing["errors"] == {"parent_id": ["No such category."]}
    assert foreign["detail"] == missing["detail"]
    assert sql.count("categories", "parent_id = :p", p=theirs) == 0
    assert sql.count("categories", "ledger_id = :u", u=user.ledger_id) == len(DEFAULT_CATEGORIES)


def test_an_income_subcategory_under_an_income_parent_is_created(client, logged_in, user, sql):
    salary = default_ids(sql, user)["categories"]["Salary"]
    response = create_child(client, logged_in.headers, salary, kind="income")
    assert response.status_code == 201 and response.get_json()["parent_id"] == salary
    assert sql.count("categories", "parent_id = :p AND kind = 'income'", p=salary) == 1

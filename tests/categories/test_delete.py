"""DELETE /categories/{id}: 409 while children or entries use it, unless reassign_to moves the entries."""
import pytest

from tests.conftest import assert_problem

URL = "/api/v1/categories"


def entry_categories(sql, user) -> dict[int, int]:
    return dict(sql.rows("SELECT id, category_id FROM entries WHERE ledger_id = :u", u=user.ledger_id))


def exists(sql, category_id) -> bool:
    return sql.count("categories", "id = :i", i=category_id) == 1


def test_delete_an_unused_category_is_204(client, logged_in, ids, sql):
    response = client.delete(f"{URL}/{ids['categories']['Food']}", headers=logged_in.headers)
    assert response.status_code == 204 and response.get_data() == b""
    assert not exists(sql, ids["categories"]["Food"])


def test_delete_a_category_with_subcategories_is_409(client, logged_in, user, ids, make_category, sql):
    food = ids["categories"]["Food"]
    child = make_category(user, name="Groceries", parent_id=food)
    assert_problem(client.delete(f"{URL}/{food}", headers=logged_in.headers), 409, "conflict")
    assert exists(sql, food) and exists(sql, child)


def test_delete_a_parent_after_its_subcategories_is_204(client, logged_in, user, ids, make_category, sql):
    food = ids["categories"]["Food"]
    child = make_category(user, name="Groceries", parent_id=food)
    assert client.delete(f"{URL}/{child}", headers=logged_in.headers).status_code == 204
    assert client.delete(f"{URL}/{food}", headers=logged_in.headers).status_code == 204
    assert not exists(sql, food) and not exists(sql, child)


def test_reassign_to_does_not_override_the_subcategory_conflict(client, logged_in, user, ids, make_category,
                                                                make_entry, sql):
    food, cafe = ids["categories"]["Food"], ids["categories"]["Cafe & snacks"]
    make_category(user, name="Groceries", parent_id=food)
    entry = make_entry(user, account_id=ids["cash"], category_id=food)
    assert_problem(client.delete(f"{URL}/{food}?reassign_to={cafe}", headers=logged_in.headers), 409, "conflict")
    assert exists(sql, food) and entry_categories(sql, user) == {entry: food}


def test_delete_a_category_with_entries_is_409(client, logged_in, user, ids, make_entry, sql):
    food = ids["categories"]["Food"]
    entry = make_entry(user, account_id=ids["cash"], category_id=food)
    body = assert_problem(client.delete(f"{URL}/{food}", headers=logged_in.headers), 409, "conflict")
    assert "reassign_to" in body["detail"]
    assert exists(sql, food) and entry_categories(sql, user) == {entry: food}


def test_reassign_to_moves_the_entries_then_deletes(client, logged_in, user, ids, make_entry, sql):
    food, cafe, health = (ids["categories"][n] for n in ("Food", "Cafe & snacks", "Health"))
    moved = [make_entry(user, account_id=ids["cash"], category_id=food, amount=a) for a in (100, 200)]
    kept = make_entry(user, account_id=ids["cash"], category_id=health)
    response = client.delete(f"{URL}/{food}?reassign_to={cafe}", headers=logged_in.headers)
    assert response.status_code == 204
    assert not exists(sql, food)
    assert entry_categories(sql, user) == {moved[0]: cafe, moved[1]: cafe, kept: health}


def test_reassign_bumps_the_moved_entries_version(client, logged_in, user, ids, make_entry, sql):
    food, cafe, health = (ids["categories"][n] for n in ("Food", "Cafe & snacks", "Health"))
    moved = make_entry(user, account_id=ids["cash"], category_id=food)
    kept = make_entry(user, account_id=ids["cash"], category_id=health)
    assert client.delete(f"{URL}/{food}?reassign_to={cafe}", headers=logged_in.headers).status_code == 204
    versions = dict(sql.rows("SELECT id, version FROM entries WHERE ledger_id = :u", u=user.ledger_id))
    assert versions == {moved: 2, kept: 1}


def test_reassign_to_a_subcategory_of_another_parent_is_allowed(client, logged_in, user, ids, make_category,
                                                                make_entry, sql):
    food = ids["categories"]["Food"]
    target = make_category(user, name="Snacks", parent_id=ids["categories"]["Cafe & snacks"])
    entry = make_entry(user, account_id=ids["cash"], category_id=food)
    assert client.delete(f"{URL}/{food}?reassign_to={target}", headers=logged_in.headers).status_code == 204
    assert entry_categories(sql, user) == {entry: target}


def test_reassign_to_on_a_category_without_entries_just_deletes(client, logged_in, ids, sql):
    food, cafe = ids["categories"]["Food"], ids["categories"]["Cafe & snacks"]
    assert client.delete(f"{URL}/{food}?reassign_to={cafe}", headers=logged_in.headers).status_code == 204
    assert not exists(sql, food) and exists(sql, cafe)


def test_delete_removes_the_categorys_budgets(client, logged_in, user, ids, sql):
    food, cafe = ids["categories"]["Food"], ids["categories"]["Cafe & snacks"]
    for category in (food, cafe):
        sql.execute("INSERT INTO budgets (ledger_id, month, category_id, amount) VALUES (:u, '2026-11', :c, 5000)",
                    u=user.id, c=category)
    assert client.delete(f"{URL}/{food}", headers=logged_in.headers).status_code == 204
    budgets = sql.rows("SELECT category_id FROM budgets WHERE ledger_id = :u", u=user.ledger_id)
    assert [row[0] for row in budgets] == [cafe]


def _reassign_problem(client, logged_in, category_id, target) -> dict:
    response = client.delete(f"{URL}/{category_id}?reassign_to={target}", headers=logged_in.headers)
    return assert_problem(response, 422, "validation_error")


def test_reassign_to_another_users_category_is_422_and_changes_nothing(client, logged_in, user, ids, make_user,
                                                                        make_category, make_entry, sql):
    food = ids["categories"]["Food"]
    theirs = make_category(make_user(), name="Their food")
    entry = make_entry(user, account_id=ids["cash"], category_id=food)
    foreign = _reassign_problem(client, logged_in, food, theirs)
    missing = _reassign_problem(client, logged_in, food, theirs + 1000)
    assert foreign["errors"] == missing["errors"] == {"reassign_to": ["No such category."]}
    assert exists(sql, food) and entry_categories(sql, user) == {entry: food}


@pytest.mark.parametrize("target, message", [
    ("FOOD", "Entries cannot be moved to the category being deleted."),
    ("SALARY", "The target must be an expense category."),
    ("ARCHIVED", "The target category is archived."),
])
def test_reassign_to_an_unsuitable_category_is_422_and_changes_nothing(client, logged_in, user, ids, make_entry,
                                                                        sql, target, message):
    food = ids["categories"]["Food"]
    target_id = {"FOOD": food, "SALARY": ids["categories"]["Salary"], "ARCHIVED": ids["categories"]["Health"]}[target]
    sql.execute("UPDATE categories SET archived = :t WHERE id = :i", t=True, i=ids["categories"]["Health"])
    entry = make_entry(user, account_id=ids["cash"], category_id=food)
    assert _reassign_problem(client, logged_in, food, target_id)["errors"] == {"reassign_to": [message]}
    assert exists(sql, food) and entry_categories(sql, user) == {entry: food}


@pytest.mark.parametrize("query, field", [
    ("reassign_to=abc", "reassign_to"),
    ("reassign_to=1.5", "reassign_to"),
    ("reassign_to=0", "reassign_to"),
    ("reassign_to=2147483648", "reassign_to"),
    ("move_to=3", "move_to"),
])
def test_delete_with_a_malformed_query_is_422_and_deletes_nothing(client, logged_in, ids, sql, query, field):
    food = ids["categories"]["Food"]
    body = assert_problem(client.delete(f"{URL}/{food}?{query}", headers=logged_in.headers), 422,
                          "validation_error")
    assert field in body["errors"]
    assert exists(sql, food)


def test_delete_an_unknown_id_is_404(client, logged_in, user, sql):
    before = sql.count("categories", "ledger_id = :u", u=user.ledger_id)
    assert_problem(client.delete(f"{URL}/999999", headers=logged_in.headers), 404, "not_found")
    assert sql.count("categories", "ledger_id = :u", u=user.ledger_id) == before

"""/api/v1/categories: list, create, get, rename/recolour/archive."""
import pytest

from ledger.provisioning import DEFAULT_CATEGORIES
from tests.conftest import assert_problem, default_ids

URL = "/api/v1/categories"


def category_row(sql, category_id: int):
    rows = sql.rows("SELECT ledger_id, name, kind, parent_id, parent_key, color, archived FROM categories "
                    "WHERE id = :i", i=category_id)
    if not rows:
        return None
    user_id, name, kind, parent_id, parent_key, color, archived = rows[0]
    return user_id, name, kind, parent_id, parent_key, color, bool(archived)


def count(sql, user) -> int:
    return sql.count("categories", "ledger_id = :u", u=user.ledger_id)


def test_new_user_lists_the_default_categories_by_id(client, logged_in, user, sql):
    response = client.get(URL, headers=logged_in.headers)
    assert response.status_code == 200
    items = response.get_json()["items"]
    english = [(en, kind, color) for en, _, kind, color in DEFAULT_CATEGORIES]
    assert [(c["name"], c["kind"], c["color"]) for c in items] == english
    assert [c["id"] for c in items] == sorted(default_ids(sql, user)["categories"].values())
    assert all(c["parent_id"] is None and c["archived"] is False and c["created_at"].endswith("Z") for c in items)
    assert set(items[0]) == {"id", "name", "kind", "parent_id", "color", "archived", "created_at"}


def test_list_filters_by_kind(client, logged_in):
    items = client.get(URL + "?kind=income", headers=logged_in.headers).get_json()["items"]
    assert [c["name"] for c in items] == ["Salary", "Side income", "Interest", "Other income"]


def test_list_includes_archived_categories_by_default(client, logged_in, user, sql):
    food = default_ids(sql, user)["categories"]["Food"]
    sql.execute("UPDATE categories SET archived = :t WHERE id = :i", t=True, i=food)
    items = client.get(URL, headers=logged_in.headers).get_json()["items"]
    assert [c["archived"] for c in items if c["id"] == food] == [True]


def test_list_with_include_archived_false_hides_archived_categories(client, logged_in, user, sql):
    food = default_ids(sql, user)["categories"]["Food"]
    sql.execute("UPDATE categories SET archived = :t WHERE id = :i", t=True, i=food)
    items = client.get(URL + "?include_archived=false&kind=expense", headers=logged_in.headers).get_json()["items"]
    assert len(items) == 11 and food not in [c["id"] for c in items]


def test_list_shows_only_the_callers_categories(client, logged_in, user, make_user, make_category):
    other = make_user()
    make_category(other, name="Their category")
    items = client.get(URL, headers=logged_in.headers).get_json()["items"]
    assert len(items) == len(DEFAULT_CATEGORIES) and "Their category" not in [c["name"] for c in items]


@pytest.mark.parametrize("query, field", [
    ("kind=transfer", "kind"),
    ("include_archived=maybe", "include_archived"),
    ("parent_id=3", "parent_id"),
])
def test_list_with_a_bad_or_unknown_query_parameter_is_422(client, logged_in, query, field):
    body = assert_problem(client.get(f"{URL}?{query}", headers=logged_in.headers), 422, "validation_error")
    assert field in body["errors"]


def test_create_a_top_level_category_returns_201_and_stores_it(client, logged_in, user, sql):
    response = client.post(URL, json={"name": "Pets", "kind": "expense", "color": "#A0B1C2"},
                           headers=logged_in.headers)
    assert response.status_code == 201
    body = response.get_json()
    assert body["created_at"].endswith("Z")
    assert {k: v for k, v in body.items() if k not in {"id", "created_at"}} == {
        "name": "Pets", "kind": "expense", "parent_id": None, "color": "#a0b1c2", "archived": False}
    assert category_row(sql, body["id"]) == (user.id, "Pets", "expense", None, 0, "#a0b1c2", False)


def test_create_a_subcategory_under_a_top_level_one(client, logged_in, user, sql):
    food = default_ids(sql, user)["categories"]["Food"]
    response = client.post(URL, json={"name": "Groceries", "kind": "expense", "parent_id": food},
                           headers=logged_in.headers)
    assert response.status_code == 201
    body = response.get_json()
    assert (body["parent_id"], body["color"]) == (food, None)
    assert category_row(sql, body["id"]) == (user.id, "Groceries", "expense", food, food, None, False)


def test_create_with_a_null_parent_is_top_level(client, logged_in, user, sql):
    body = client.post(URL, json={"name": "Bonus", "kind": "income", "parent_id": None, "color": None},
                       headers=logged_in.headers).get_json()
    assert body["parent_id"] is None
    assert category_row(sql, body["id"]) == (user.id, "Bonus", "income", None, 0, None, False)


def test_create_a_top_level_name_taken_in_the_same_kind_is_409(client, logged_in, user, sql):
    assert_problem(client.post(URL, json={"name": "Food", "kind": "expense"}, headers=logged_in.headers),
                   409, "conflict")
    assert count(sql, user) == len(DEFAULT_CATEGORIES)


def test_create_a_subcategory_name_taken_under_the_same_parent_is_409(client, logged_in, user, make_category,
                                                                        sql):
    food = default_ids(sql, user)["categories"]["Food"]
    make_category(user, name="Groceries", parent_id=food)
    response = client.post(URL, json={"name": "Groceries", "kind": "expense", "parent_id": food},
                           headers=logged_in.headers)
    assert_problem(response, 409, "conflict")
    assert sql.count("categories", "ledger_id = :u AND name = 'Groceries'", u=user.ledger_id) == 1


def test_create_a_name_taken_in_the_other_kind_is_allowed(client, logged_in, user, sql):
    response = client.post(URL, json={"name": "Food", "kind": "income"}, headers=logged_in.headers)
    assert response.status_code == 201 and response.get_json()["kind"] == "income"
    assert sql.count("categories", "ledger_id = :u AND name = 'Food'", u=user.ledger_id) == 2


def test_create_a_top_level_name_as_a_subcategory_is_allowed(client, logged_in, user, sql):
    housing = default_ids(sql, user)["categories"]["Housing"]
    response = client.post(URL, json={"name": "Food", "kind": "expense", "parent_id": housing},
                           headers=logged_in.headers)
    assert response.status_code == 201 and response.get_json()["parent_id"] == housing
    assert sql.count("categories", "ledger_id = :u AND name = 'Food'", u=user.ledger_id) == 2


def test_create_the_same_name_under_two_parents_is_allowed(client, logged_in, user, sql):
    ids = default_ids(sql, user)["categories"]
    for parent in (ids["Food"], ids["Leisure"]):
        response = client.post(URL, json={"name": "Eating out", "kind": "expense", "parent_id": parent},
                               headers=logged_in.headers)
        assert response.status_code == 201
    assert sql.count("categories", "ledger_id = :u AND name = 'Eating out'", u=user.ledger_id) == 2


def test_create_a_name_another_user_has_is_allowed(client, logged_in, user, make_user, make_category, sql):
    make_category(make_user(), name="Pets")
    assert client.post(URL, json={"name": "Pets", "kind": "expense"}, headers=logged_in.headers).status_code == 201
    assert sql.count("categories", "name = 'Pets'") == 2


@pytest.mark.parametrize("body, field", [
    ({"kind": "expense"}, "name"),
    ({"name": " ", "kind": "expense"}, "name"),
    ({"name": "x" * 101, "kind": "expense"}, "name"),
    ({"name": "Pets"}, "kind"),
    ({"name": "Pets", "kind": "transfer"}, "kind"),
    ({"name": "Pets", "kind": "expense", "color": "red"}, "color"),
    ({"name": "Pets", "kind": "expense", "color": "#12345"}, "color"),
    ({"name": "Pets", "kind": "expense", "color": "#1234567"}, "color"),
    ({"name": "Pets", "kind": "expense", "color": "#12345G"}, "color"),
    ({"name": "Pets", "kind": "expense", "color": "#123456\n"}, "color"),
    ({"name": "Pets", "kind": "expense", "parent_id": "1"}, "parent_id"),
    ({"name": "Pets", "kind": "expense", "parent_id": 1.0}, "parent_id"),
    ({"name": "Pets", "kind": "expense", "parent_id": True}, "parent_id"),
    ({"name": "Pets", "kind": "expense", "parent_id": 0}, "parent_id"),
    ({"name": "Pets", "kind": "expense", "parent_id": 2**31}, "parent_id"),
    ({"name": "Pets", "kind": "expense", "archived": False}, "archived"),
    ({"name": "Pets", "kind": "expense", "user_id": 1}, "user_id"),
])
def test_create_with_an_invalid_body_is_422_and_creates_nothing(client, logged_in, user, sql, body, field):
    response = client.post(URL, json=body, headers=logged_in.headers)
    assert field in assert_problem(response, 422, "validation_error")["errors"]
    assert count(sql, user) == len(DEFAULT_CATEGORIES)


def test_get_returns_one_category(client, logged_in, user, make_category):
    category = make_category(user, name="Books", kind="expense")
    response = client.get(f"{URL}/{category}", headers=logged_in.headers)
    assert response.status_code == 200
    assert {k: v for k, v in response.get_json().items() if k != "created_at"} == {
        "id": category, "name": "Books", "kind": "expense", "parent_id": None, "color": None, "archived": False}


@pytest.mark.parametrize("category_id", ["999999", "2147483648", "0", "x"])
def test_get_an_unknown_or_impossible_id_is_404(client, logged_in, category_id):
    assert_problem(client.get(f"{URL}/{category_id}", headers=logged_in.headers), 404, "not_found")


def test_patch_renames_recolours_and_archives(client, logged_in, user, sql):
    food = default_ids(sql, user)["categories"]["Food"]
    response = client.patch(f"{URL}/{food}", json={"name": "Meals", "color": "#ABCDEF", "archived": True},
                            headers=logged_in.headers)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["name"], body["color"], body["archived"], body["kind"]) == ("Meals", "#abcdef", True, "expense")
    assert category_row(sql, food) == (user.id, "Meals", "expense", None, 0, "#abcdef", True)


def test_patch_color_null_removes_the_colour(client, logged_in, user, sql):
    food = default_ids(sql, user)["categories"]["Food"]
    response = client.patch(f"{URL}/{food}", json={"color": None}, headers=logged_in.headers)
    assert response.status_code == 200 and response.get_json()["color"] is None
    assert category_row(sql, food)[5] is None


def test_patch_unarchives(client, logged_in, user, sql):
    food = default_ids(sql, user)["categories"]["Food"]
    sql.execute("UPDATE categories SET archived = :t WHERE id = :i", t=True, i=food)
    response = client.patch(f"{URL}/{food}", json={"archived": False}, headers=logged_in.headers)
    assert response.status_code == 200 and response.get_json()["archived"] is False
    assert category_row(sql, food)[6] is False


def test_patch_to_a_name_taken_under_the_same_parent_is_409(client, logged_in, user, sql):
    food = default_ids(sql, user)["categories"]["Food"]
    assert_problem(client.patch(f"{URL}/{food}", json={"name": "Transport"}, headers=logged_in.headers),
                   409, "conflict")
    assert category_row(sql, food)[1] == "Food"


def test_patch_a_subcategory_to_a_top_level_name_is_allowed(client, logged_in, user, make_category, sql):
    food = default_ids(sql, user)["categories"]["Food"]
    child = make_category(user, name="Groceries", parent_id=food)
    response = client.patch(f"{URL}/{child}", json={"name": "Transport"}, headers=logged_in.headers)
    assert response.status_code == 200 and response.get_json()["name"] == "Transport"
    assert category_row(sql, child)[1] == "Transport"


def test_patch_an_expense_category_to_an_income_name_is_allowed(client, logged_in, user, sql):
    food = default_ids(sql, user)["categories"]["Food"]
    assert client.patch(f"{URL}/{food}", json={"name": "Salary"}, headers=logged_in.headers).status_code == 200
    assert category_row(sql, food)[1] == "Salary"


@pytest.mark.parametrize("body, field", [
    ({"name": ""}, "name"),
    ({"color": "blue"}, "color"),
    ({"archived": "false"}, "archived"),
    ({"archived": 0}, "archived"),
    ({"kind": "income"}, "kind"),
    ({"parent_id": 1}, "parent_id"),
])
def test_patch_with_an_invalid_body_is_422_and_changes_nothing(client, logged_in, user, sql, body, field):
    food = default_ids(sql, user)["categories"]["Food"]
    before = category_row(sql, food)
    response = client.patch(f"{URL}/{food}", json=body, headers=logged_in.headers)
    assert field in assert_problem(response, 422, "validation_error")["errors"]
    assert category_row(sql, food) == before


def test_patch_an_unknown_id_is_404(client, logged_in):
    assert_problem(client.patch(f"{URL}/999999", json={"name": "X"}, headers=logged_in.headers), 404, "not_found")

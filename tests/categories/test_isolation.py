"""Another user's category is indistinguishable from a missing one, and stays untouched."""
import pytest

from tests.conftest import assert_problem, default_ids

URL = "/api/v1/categories"


@pytest.fixture
def other(make_user):
    return make_user()


@pytest.fixture
def their_category(other, make_category):
    return make_category(other, name="Their pets")


def their_row(sql, category_id):
    return sql.rows("SELECT name, color, archived FROM categories WHERE id = :i", i=category_id)


def test_get_another_users_category_is_404(client, logged_in, their_category):
    body = assert_problem(client.get(f"{URL}/{their_category}", headers=logged_in.headers), 404, "not_found")
    assert "Their pets" not in str(body)


def test_patch_another_users_category_is_404_and_changes_nothing(client, logged_in, their_category, sql):
    before = their_row(sql, their_category)
    response = client.patch(f"{URL}/{their_category}", json={"name": "Mine", "color": "#000000", "archived": True},
                            headers=logged_in.headers)
    assert_problem(response, 404, "not_found")
    assert their_row(sql, their_category) == before


def test_delete_another_users_category_is_404_and_keeps_it(client, logged_in, their_category, sql):
    assert_problem(client.delete(f"{URL}/{their_category}", headers=logged_in.headers), 404, "not_found")
    assert sql.count("categories", "id = :i", i=their_category) == 1


def test_delete_another_users_category_with_reassign_to_moves_nothing(client, logged_in, user, other,
                                                                      make_entry, sql):
    theirs = default_ids(sql, other)
    entry = make_entry(other, account_id=theirs["cash"], category_id=theirs["categories"]["Food"])
    mine = default_ids(sql, user)["categories"]["Food"]
    response = client.delete(f"{URL}/{theirs['categories']['Food']}?reassign_to={mine}", headers=logged_in.headers)
    assert_problem(response, 404, "not_found")
    assert sql.rows("SELECT category_id FROM entries WHERE id = :i", i=entry)[0][0] == theirs["categories"]["Food"]

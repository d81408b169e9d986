"""Integer query parameters take ASCII digits only: "1_000", " 5" and "١" are malformed filters (422)."""
import pytest

from tests.conftest import assert_problem


@pytest.mark.parametrize("raw", ["1_000", " 5", "5 ", "١", "+5", "0x10", "1e3", "5.0"])
@pytest.mark.parametrize("param", ["limit", "min_amount", "max_amount", "account_id", "category_id"])
def test_entries_query_integers_are_ascii_digits(client, logged_in, param, raw):
    body = assert_problem(client.get("/api/v1/entries", query_string={param: raw}, headers=logged_in.headers),
                          422, "validation_error")
    assert param in body["errors"]


@pytest.mark.parametrize("raw", ["1_000", " 5", "١"])
def test_category_reassign_to_is_ascii_digits(client, logged_in, sql, user, raw):
    category = sql.scalar("SELECT id FROM categories WHERE ledger_id = :u AND name = 'Food'", u=user.ledger_id)
    body = assert_problem(client.delete(f"/api/v1/categories/{category}", query_string={"reassign_to": raw},
                                        headers=logged_in.headers), 422, "validation_error")
    assert "reassign_to" in body["errors"]
    assert sql.count("categories", "id = :c", c=category) == 1

"""GET /entries: order, every filter, and malformed or unknown parameters (422, never 500)."""
from __future__ import annotations

import pytest

from tests.conftest import assert_problem
from tests.entries.conftest import URL, bulk_entries


@pytest.fixture
def listing(client, logged_in):
    """GET /entries with query parameters → the ids of the page (asserting a 200)."""

    def get(**params) -> list[int]:
        response = client.get(URL, query_string=params, headers=logged_in.headers)
        assert response.status_code == 200, response.get_json()
        return [item["id"] for item in response.get_json()["items"]]

    return get


@pytest.fixture
def expense(make_entry, user, ids):
    """An expense of the logged-in user (Food, from Cash, unless overridden) → its id."""

    def make(**fields) -> int:
        fields.setdefault("account_id", ids["cash"])
        fields.setdefault("category_id", ids["categories"]["Food"])
        return make_entry(user, **fields)

    return make


def test_empty_list(client, logged_in):
    response = client.get(URL, headers=logged_in.headers)
    assert response.status_code == 200
    assert response.get_json() == {"items": [], "next_cursor": None}


def test_items_have_the_entry_shape(client, logged_in, expense, ids, user):
    entry_id = expense(amount=4500, memo="Dinner", tags=("b", "a"), occurred_on="2026-11-03")
    response = client.get(URL, headers=logged_in.headers)
    item = response.get_json()["items"][0]
    assert item == {"id": entry_id, "type": "expense", "amount": 4500, "currency": "KRW",
                    "occurred_on": "2026-11-03", "account_id": ids["cash"], "to_account_id": None,
                    "category_id": ids["categories"]["Food"], "memo": "Dinner", "tags": ["a", "b"], "lines": [],
                    "created_at": item["created_at"], "updated_at": item["updated_at"], "created_by": user.id,
                    "updated_by": user.id, "installment_months": None, "payee_id": None, "imported_payee": None,
                    "schedule_id": None, "scheduled_on": None}


def test_newest_date_first_and_ties_by_id_descending(listing, expense):
    a = expense(occurred_on="2026-11-01")
    b = expense(occurred_on="2026-11-03")
    c = expense(occurred_on="2026-11-01")
    d = expense(occurred_on="2026-11-03")
    e = expense(occurred_on="2026-10-31")
    assert listing() == [d, b, c, a, e]


def test_other_users_entries_are_never_listed(listing, expense, make_user, make_account, make_category,
                                               make_entry):
    other = make_user()
    make_entry(other, account_id=make_account(other), category_id=make_category(other))
    mine = expense()
    assert listing() == [mine]


def test_limit_caps_the_page(listing, expense):
    made = [expense(occurred_on=f"2026-11-{day:02d}") for day in range(1, 6)]
    assert listing(limit=2) == [made[4], made[3]]


def test_default_limit_is_50(listing, app, user, ids):
    bulk_entries(app, user.ledger_id, ids["cash"], ids["categories"]["Food"], 60)
    assert len(listing()) == 50


def test_from_and_to_are_inclusive(listing, expense):
    expense(occurred_on="2026-10-31")
    first = expense(occurred_on="2026-11-01")
    last = expense(occurred_on="2026-11-30")
    expense(occurred_on="2026-12-01")
    assert listing(**{"from": "2026-11-01", "to": "2026-11-30"}) == [last, first]


def test_from_alone(listing, expense):
    expense(occurred_on="2026-10-31")
    kept = expense(occurred_on="2026-11-01")
    assert listing(**{"from": "2026-11-01"}) == [kept]


def test_to_alone(listing, expense):
    kept = expense(occurred_on="2026-10-31")
    expense(occurred_on="2026-11-01")
    assert listing(to="2026-10-31") == [kept]


def test_month_is_the_calendar_month_by_default(listing, expense):
    expense(occurred_on="2026-10-31")
    first = expense(occurred_on="2026-11-01")
    last = expense(occurred_on="2026-11-30")
    expense(occurred_on="2026-12-01")
    assert listing(month="2026-11") == [last, first]


def test_month_honours_month_start_day(client, logged_in, listing, expense):
    response = client.patch("/api/v1/me", json={"month_start_day": 25}, headers=logged_in.headers)
    assert response.status_code == 200 and response.get_json()["month_start_day"] == 25
    expense(occurred_on="2026-10-24")
    first = expense(occurred_on="2026-10-25")
    last = expense(occurred_on="2026-11-24")
    expense(occurred_on="2026-11-25")
    assert listing(month="2026-11") == [last, first]


def test_month_across_the_new_year_with_month_start_day(client, logged_in, listing, expense):
    client.patch("/api/v1/me", json={"month_start_day": 25}, headers=logged_in.headers)
    expense(occurred_on="2025-12-24")
    first = expense(occurred_on="2025-12-25")
    last = expense(occurred_on="2026-01-24")
    expense(occurred_on="2026-01-25")
    assert listing(month="2026-01") == [last, first]


def test_type_filter(listing, expense, ids):
    expense()
    income = expense(type="income", category_id=ids["categories"]["Salary"])
    assert listing(type="income") == [income]


def test_account_filter_matches_either_side_of_a_transfer(listing, expense, make_account, user, ids):
    bank = make_account(user, name="Bank")
    card = make_account(user, name="Card")
    expense()  # cash only
    spent = expense(account_id=bank)
    moved_in = expense(type="transfer", account_id=ids["cash"], to_account_id=bank, category_id=None)
    moved_out = expense(type="transfer", account_id=bank, to_account_id=card, category_id=None)
    assert listing(account_id=bank) == [moved_out, moved_in, spent]


def test_category_filter_includes_children(listing, expense, make_category, user, ids):
    food = ids["categories"]["Food"]
    groceries = make_category(user, name="Groceries", parent_id=food)
    restaurants = make_category(user, name="Restaurants", parent_id=food)
    on_food = expense(category_id=food)
    on_groceries = expense(category_id=groceries)
    expense(category_id=ids["categories"]["Transport"])
    assert listing(category_id=food) == [on_groceries, on_food]
    assert listing(category_id=restaurants) == []
    assert listing(category_id=groceries) == [on_groceries]


def test_category_filter_with_another_users_category_finds_nothing(listing, expense, make_user, make_category):
    other_category = make_category(make_user())
    expense()
    assert listing(category_id=other_category) == []


def test_tag_filter_is_exact(listing, expense):
    trip = expense(tags=("trip", "food"))
    expense(tags=("trips",))
    expense(tags=("Trip",))
    expense()
    assert listing(tag="trip") == [trip]


def test_tag_filter_is_trimmed(listing, expense):
    trip = expense(tags=("trip",))
    assert listing(tag=" trip ") == [trip]


def test_q_is_a_case_insensitive_memo_substring(listing, expense):
    lunch = expense(memo="Team LUNCH at noon")
    expense(memo="Dinner")
    brunch = expense(memo="a Lunchbox")
    assert listing(q="lunch") == [brunch, lunch]


@pytest.mark.parametrize("q, memo, decoy", [("50%", "50% off", "500 off"),
                                            ("a_b", "a_b", "axb"),
                                            ("%", "100%", "100"),
                                            ("_", "snake_case", "snake"),
                                            ("\\", "back\\slash", "back/slash"),
                                            ("/", "a/b", "ab")])
def test_q_treats_like_wildcards_literally(listing, expense, q, memo, decoy):
    hit = expense(memo=memo)
    expense(memo=decoy)
    assert listing(q=q) == [hit]


def test_q_matches_hangul(listing, expense):
    hit = expense(memo="점심 김밥")
    expense(memo="저녁")
    assert listing(q="김밥") == [hit]


def test_empty_q_filters_nothing(listing, expense):
    made = expense(memo="x")
    assert listing(q="") == [made]


def test_min_and_max_amount_are_inclusive(listing, expense):
    expense(amount=99)
    low = expense(amount=100)
    high = expense(amount=200)
    expense(amount=201)
    assert listing(min_amount=100, max_amount=200) == [high, low]


def test_filters_combine(listing, expense, ids):
    hit = expense(amount=500, memo="coffee", occurred_on="2026-11-02", tags=("work",))
    expense(amount=500, memo="coffee", occurred_on="2026-11-02")
    expense(amount=5000, memo="coffee", occurred_on="2026-11-02", tags=("work",))
    expense(amount=500, memo="tea", occurred_on="2026-11-02", tags=("work",))
    expense(amount=500, memo="coffee", occurred_on="2026-12-02", tags=("work",))
    assert listing(month="2026-11", type="expense", account_id=ids["cash"], category_id=ids["categories"]["Food"],
                   tag="work", q="COFFEE", max_amount=1000) == [hit]


@pytest.mark.parametrize("params, field", [
    ({"from": "2026-02-30"}, "from"),
    ({"from": "2026-11"}, "from"),
    ({"to": "yesterday"}, "to"),
    ({"from": "2026-11-02", "to": "2026-11-01"}, "to"),
    ({"month": "2026-13"}, "month"),
    ({"month": "2026-11-01"}, "month"),
    ({"type": "refund"}, "type"),
    ({"account_id": "abc"}, "account_id"),
    ({"account_id": "1.5"}, "account_id"),
    ({"account_id": "0"}, "account_id"),
    ({"account_id": str(2**31)}, "account_id"),
    ({"category_id": "-3"}, "category_id"),
    ({"category_id": "99999999999999999999999"}, "category_id"),
    ({"tag": "   "}, "tag"),
    ({"tag": "x" * 51}, "tag"),
    ({"q": "x" * 201}, "q"),
    ({"q": "a\x00b"}, "q"),
    ({"min_amount": "-1"}, "min_amount"),
    ({"max_amount": "1e3"}, "max_amount"),
    ({"max_amount": str(2**63)}, "max_amount"),
    ({"min_amount": "10", "max_amount": "9"}, "max_amount"),
    ({"limit": "0"}, "limit"),
    ({"limit": "201"}, "limit"),
    ({"limit": "ten"}, "limit"),
    ({"sort": "amount"}, "sort"),
    ({"user_id": "2"}, "user_id"),
])
def test_malformed_or_unknown_parameters_are_422(client, logged_in, expense, params, field):
    expense()
    body = assert_problem(client.get(URL, query_string=params, headers=logged_in.headers), 422,
                          "validation_error")
    assert list(body["errors"]) == [field], body


def test_limit_200_is_accepted(listing, expense):
    made = expense()
    assert listing(limit=200) == [made]


def test_list_needs_a_token(client):
    assert_problem(client.get(URL), 401, "authorization_required")


@pytest.mark.parametrize("day", ["\uff12\uff10\uff12\uff16-\uff11\uff11-\uff10\uff11", "2026-11-01\n",
                                 "2026-1\u0967-01", "20261101", "2026-11-1"])
def test_a_date_filter_is_read_as_exactly_yyyy_mm_dd_in_ascii_digits(client, logged_in, day):
    """One date parser (ledger.months.parse_date): other scripts' digits and a trailing newline are a wrong
    shape, not an impossible date."""
    body = assert_problem(client.get(URL, query_string={"from": day}, headers=logged_in.headers), 422,
                          "validation_error")
    assert body["errors"] == {"from": ["Must be a date as YYYY-MM-DD."]}


@pytest.mark.parametrize("path", [URL, "/api/v1/reports/monthly", "/api/v1/budgets/0001-01"])
def test_month_before_year_one_is_422_alike_everywhere(client, logged_in, expense, path):
    """One rule (ledger.months.month_bounds) for the filter, the report and the budget."""
    client.patch("/api/v1/me", json={"month_start_day": 25}, headers=logged_in.headers)
    expense()
    body = assert_problem(client.get(path, query_string={"month": "0001-01"} if "budgets" not in path else {},
                                     headers=logged_in.headers), 422, "validation_error")
    assert body["errors"] == {"month": ["Month out of range: year 0 is out of range"]}


def test_earliest_and_latest_dates_are_listed(listing, expense):
    last = expense(occurred_on="9999-12-31")
    first = expense(occurred_on="0001-01-01")
    assert listing() == [last, first]
    assert listing(month="0001-01") == [first]

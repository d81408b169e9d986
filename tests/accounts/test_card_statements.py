"""Credit cards: billing settings and presets, statements (usage period, installments, payments), what is due."""
from datetime import date

import pytest

from ledger.cards.billing import (
    DEFAULT_BILLING,
    PRESETS,
    Billing,
    installment_portions,
    payment_date,
    statement_month,
    usage_period,
)
from ledger.ledgers import services as ledgers
from tests.conftest import assert_problem, login_body

URL = "/api/v1/accounts"


def billing_row(sql, account_id):
    return tuple(sql.rows("SELECT payment_day, usage_start_day, usage_month_offset FROM accounts WHERE id = :i",
                          i=account_id)[0])


@pytest.fixture
def card(make_account, user):
    return make_account(user, name="Shinhan", type="credit_card")


@pytest.fixture
def bank(make_account, user):
    return make_account(user, name="Bank", type="bank", opening_balance=10_000_000)


@pytest.fixture
def spend(client, logged_in, ids, card):
    """spend(amount, day, months=None, account=card): an expense through POST /entries; its id."""
    def factory(amount: int, day: str, months: int | None = None, account: int | None = None, **extra) -> int:
        body = {"type": "expense", "amount": amount, "occurred_on": day, "account_id": account or card,
                "category_id": ids["categories"]["Food"], **extra}
        if months is not None:
            body["installment_months"] = months
        response = client.post("/api/v1/entries", json=body, headers=logged_in.headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    return factory


@pytest.fixture
def pay(client, logged_in, card, bank):
    def factory(amount: int, day: str) -> int:
        response = client.post("/api/v1/entries", json={"type": "transfer", "amount": amount, "occurred_on": day,
                                                        "account_id": bank, "to_account_id": card},
                               headers=logged_in.headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    return factory


def get_statement(client, logged_in, card, month):
    response = client.get(f"{URL}/{card}/statements?month={month}", headers=logged_in.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def patch(client, logged_in, account_id, **body):
    return client.patch(f"{URL}/{account_id}", json=body, headers=logged_in.headers)


# The cycle, as pure functions

def test_the_default_cycle_bills_the_previous_calendar_month_on_the_14th():
    assert usage_period(DEFAULT_BILLING, 2026, 3) == (date(2026, 2, 1), date(2026, 2, 28))
    assert payment_date(DEFAULT_BILLING, 2026, 3) == date(2026, 3, 14)


def test_a_payment_day_past_the_months_end_is_its_last_day():
    billing = Billing(31, 1, 1)
    assert payment_date(billing, 2026, 2) == date(2026, 2, 28)
    assert payment_date(billing, 2028, 2) == date(2028, 2, 29)
    assert payment_date(billing, 2026, 4) == date(2026, 4, 30)


def test_a_13th_to_12th_period_spans_two_calendar_months():
    billing = Billing(25, 13, 1)  # 삼성카드 paid on the 25th: 전월 13일 ~ 당월 12일
    assert usage_period(billing, 2026, 12) == (date(2026, 11, 13), date(2026, 12, 12))
    assert statement_month(billing, date(2026, 12, 12)) == (2026, 12)
    assert statement_month(billing, date(2026, 12, 13)) == (2027, 1)
    assert statement_month(billing, date(2026, 11, 12)) == (2026, 11)


def test_consecutive_periods_touch_also_with_a_start_day_past_short_months():
    billing = Billing(20, 31, 2)
    for index in range(30):
        year, month = 2027 + index // 12, index % 12 + 1
        this_end = usage_period(billing, year, month)[1]
        next_start = usage_period(billing, *((year, month + 1) if month < 12 else (year + 1, 1)))[0]
        assert (next_start - this_end).days == 1
        assert statement_month(billing, this_end) == (year, month)
        assert statement_month(billing, next_start) != (year, month)


@pytest.mark.parametrize("amount, months, expected", [
    (100_000, 3, [33_334, 33_333, 33_333]),
    (10, 3, [4, 3, 3]),
    (2, 3, [2, 0, 0]),
    (120_000, 12, [10_000] * 12),
])
def test_installment_portions_sum_exactly_and_the_first_takes_the_remainder(amount, months, expected):
    assert installment_portions(amount, months) == expected
    assert sum(expected) == amount


# Settings and presets

def test_presets_list_every_common_issuer(client, logged_in):
    response = client.get("/api/v1/cards/presets", headers=logged_in.headers)
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [item["name"] for item in items] == ["신한카드", "삼성카드", "현대카드", "KB국민카드", "롯데카드",
                                                 "우리카드", "하나카드", "BC카드"]
    assert items[2] == {"key": "hyundai", "name": "현대카드", "payment_day": 12, "usage_start_day": 1,
                        "usage_month_offset": 1}
    assert len(PRESETS) == len(items)


def test_a_new_card_shows_the_default_cycle_and_stores_none(client, logged_in, card, sql):
    body = client.get(f"{URL}/{card}", headers=logged_in.headers).get_json()
    assert body["billing"] == {"payment_day": 14, "usage_start_day": 1, "usage_month_offset": 1}
    assert billing_row(sql, card) == (None, None, None)


def test_patch_sets_a_preset_and_its_fields_stay_editable(client, logged_in, card, sql):
    response = patch(client, logged_in, card, payment_day=12, usage_start_day=1, usage_month_offset=1)
    assert response.status_code == 200
    assert response.get_json()["billing"] == {"payment_day": 12, "usage_start_day": 1, "usage_month_offset": 1}
    response = patch(client, logged_in, card, payment_day=25, usage_start_day=13)
    assert response.get_json()["billing"] == {"payment_day": 25, "usage_start_day": 13, "usage_month_offset": 1}
    assert billing_row(sql, card) == (25, 13, 1)


@pytest.mark.parametrize("field, value", [
    ("payment_day", 0), ("payment_day", 32), ("payment_day", "14"), ("payment_day", 14.5), ("payment_day", None),
    ("usage_start_day", 0), ("usage_start_day", 32), ("usage_start_day", True),
    ("usage_month_offset", 0), ("usage_month_offset", 3),
])
def test_bad_billing_values_are_422_naming_the_field_and_change_nothing(client, logged_in, card, sql, field, value):
    body = assert_problem(patch(client, logged_in, card, **{field: value}), 422, "validation_error")
    assert list(body["errors"]) == [field]
    assert billing_row(sql, card) == (None, None, None)


def test_a_usage_period_ending_after_the_payment_is_422_on_payment_day(client, logged_in, card, sql):
    # 13th to 12th, paid on the 5th: the period would end a week after its payment.
    response = patch(client, logged_in, card, payment_day=5, usage_start_day=13, name="Renamed")
    body = assert_problem(response, 422, "validation_error")
    assert list(body["errors"]) == ["payment_day"]
    assert billing_row(sql, card) == (None, None, None)
    assert sql.scalar("SELECT name FROM accounts WHERE id = :i", i=card) == "Shinhan"


def test_billing_settings_of_a_bank_account_are_422(client, logged_in, bank, sql):
    body = assert_problem(patch(client, logged_in, bank, payment_day=14), 422, "validation_error")
    assert body["errors"] == {"payment_day": ["Only a credit_card account has billing settings."]}
    assert billing_row(sql, bank) == (None, None, None)
    assert client.get(f"{URL}/{bank}", headers=logged_in.headers).get_json()["billing"] is None


# Statements

def test_a_statement_holds_the_usage_period_and_its_total(client, logged_in, card, spend):
    spend(1000, "2026-10-31")
    first = spend(5000, "2026-11-01", memo="Coffee")
    last = spend(7000, "2026-11-30")
    spend(9000, "2026-12-01")
    body = get_statement(client, logged_in, card, "2026-12")
    assert {k: body[k] for k in ("account_id", "account_name", "month", "usage_from", "usage_to", "payment_date",
                                 "total", "paid", "amount_due", "currency", "payments")} == {
        "account_id": card, "account_name": "Shinhan", "month": "2026-12", "usage_from": "2026-11-01",
        "usage_to": "2026-11-30", "payment_date": "2026-12-14", "total": 12000, "paid": 0, "amount_due": 12000,
        "currency": "KRW", "payments": []}
    assert [(line["entry_id"], line["amount"], line["installment_number"]) for line in body["lines"]] == [
        (first, 5000, None), (last, 7000, None)]
    assert body["lines"][0]["memo"] == "Coffee" and body["lines"][0]["entry_amount"] == 5000


def test_a_payment_day_of_31_in_february_is_the_28th(client, logged_in, card):
    patch(client, logged_in, card, payment_day=31)
    body = get_statement(client, logged_in, card, "2027-02")
    assert (body["usage_from"], body["usage_to"], body["payment_date"]) == ("2027-01-01", "2027-01-31",
                                                                           "2027-02-28")


def test_period_edges_with_a_13th_to_12th_cycle(client, logged_in, card, spend):
    patch(client, logged_in, card, payment_day=25, usage_start_day=13)
    spend(100, "2026-11-12")
    inside = [spend(200, "2026-11-13"), spend(300, "2026-12-12")]
    spend(400, "2026-12-13")
    body = get_statement(client, logged_in, card, "2026-12")
    assert (body["usage_from"], body["usage_to"], body["payment_date"]) == ("2026-11-13", "2026-12-12",
                                                                           "2026-12-25")
    assert [line["entry_id"] for line in body["lines"]] == inside
    assert body["total"] == 500


def test_installments_post_one_portion_per_statement_and_sum_exactly(client, logged_in, card, spend, sql):
    entry = spend(100_000, "2026-11-20", months=3)
    assert sql.scalar("SELECT installment_months FROM entries WHERE id = :i", i=entry) == 3
    portions = []
    for month in ("2026-12", "2027-01", "2027-02", "2027-03"):
        body = get_statement(client, logged_in, card, month)
        portions.append([(line["amount"], line["installment_number"], line["installment_months"])
                         for line in body["lines"]])
    assert portions == [[(33_334, 1, 3)], [(33_333, 2, 3)], [(33_333, 3, 3)], []]
    assert sum(p[0][0] for p in portions[:3]) == 100_000


def test_an_installment_of_one_month_is_paid_at_once(client, logged_in, card, spend, sql):
    entry = spend(5000, "2026-11-20", months=1)
    assert sql.scalar("SELECT installment_months FROM entries WHERE id = :i", i=entry) is None
    assert get_statement(client, logged_in, card, "2026-12")["total"] == 5000


def test_a_refund_on_the_card_lowers_the_statement(client, logged_in, card, spend, ids):
    spend(8000, "2026-11-02")
    response = client.post("/api/v1/entries", json={
        "type": "income", "amount": 3000, "occurred_on": "2026-11-05", "account_id": card,
        "category_id": ids["categories"]["Salary"]}, headers=logged_in.headers)
    assert response.status_code == 201
    body = get_statement(client, logged_in, card, "2026-12")
    assert [line["amount"] for line in body["lines"]] == [8000, -3000]
    assert body["total"] == 5000


def test_a_transfer_into_the_card_between_period_end_and_payment_date_settles_it(client, logged_in, card, spend,
                                                                                   pay):
    spend(50_000, "2026-11-10")
    pay(1000, "2026-11-30")  # before the period ends: not a payment of this statement
    partial = pay(20_000, "2026-12-01")
    rest = pay(30_000, "2026-12-14")
    pay(5000, "2026-12-15")  # after the payment date
    body = get_statement(client, logged_in, card, "2026-12")
    assert [p["entry_id"] for p in body["payments"]] == [partial, rest]
    assert (body["total"], body["paid"], body["amount_due"]) == (50_000, 50_000, 0)


def test_an_overpaid_statement_owes_nothing(client, logged_in, card, spend, pay):
    spend(1000, "2026-11-10")
    pay(4000, "2026-12-10")
    body = get_statement(client, logged_in, card, "2026-12")
    assert (body["total"], body["paid"], body["amount_due"]) == (1000, 4000, 0)


def test_installment_months_only_on_a_card_expense(client, logged_in, ids, spend, bank, sql):
    count = sql.count("entries")
    for body in ({"type": "expense", "account_id": bank, "category_id": ids["categories"]["Food"]},
                 {"type": "income", "account_id": ids["cash"], "category_id": ids["categories"]["Salary"]}):
        response = client.post("/api/v1/entries", json={**body, "amount": 1000, "occurred_on": "2026-11-01",
                                                        "installment_months": 3}, headers=logged_in.headers)
        assert assert_problem(response, 422, "validation_error")["errors"] == {
            "installment_months": ["Only an expense on a credit_card account has installments."]}
    for months in (0, 37, "3", 2.5):
        response = client.post("/api/v1/entries", json={
            "type": "expense", "account_id": bank, "category_id": ids["categories"]["Food"], "amount": 1000,
            "occurred_on": "2026-11-01", "installment_months": months}, headers=logged_in.headers)
        assert list(assert_problem(response, 422, "validation_error")["errors"]) == ["installment_months"]
    assert sql.count("entries") == count


def test_moving_an_installment_entry_to_a_bank_is_422(client, logged_in, spend, bank, sql):
    entry = spend(9000, "2026-11-01", months=3)
    response = client.patch(f"/api/v1/entries/{entry}", json={"account_id": bank}, headers=logged_in.headers)
    assert list(assert_problem(response, 422, "validation_error")["errors"]) == ["installment_months"]
    response = client.patch(f"/api/v1/entries/{entry}", json={"account_id": bank, "installment_months": None},
                            headers=logged_in.headers)
    assert response.status_code == 200 and response.get_json()["installment_months"] is None
    assert sql.scalar("SELECT installment_months FROM entries WHERE id = :i", i=entry) is None


def test_a_statement_of_a_bank_account_is_409_not_a_card(client, logged_in, bank):
    response = client.get(f"{URL}/{bank}/statements?month=2026-12", headers=logged_in.headers)
    assert "credit_card" in assert_problem(response, 409, "not_a_card")["detail"]


@pytest.mark.parametrize("query, field", [("", "month"), ("?month=2026-13", "month"), ("?month=0001-01", "month"),
                                          ("?month=2026-12&x=1", "x")])
def test_a_bad_month_is_422_naming_it(client, logged_in, card, query, field):
    response = client.get(f"{URL}/{card}/statements{query}", headers=logged_in.headers)
    assert field in assert_problem(response, 422, "validation_error")["errors"]


def test_another_ledgers_card_is_404_and_unchanged(client, logged_in, make_user, make_account, sql):
    theirs = make_account(make_user(), name="Their card", type="credit_card")
    response = client.get(f"{URL}/{theirs}/statements?month=2026-12", headers=logged_in.headers)
    assert "Their card" not in str(assert_problem(response, 404, "not_found"))
    assert_problem(patch(client, logged_in, theirs, payment_day=1), 404, "not_found")
    assert billing_row(sql, theirs) == (None, None, None)
    due = client.get("/api/v1/cards/due?month=2026-12", headers=logged_in.headers).get_json()
    assert due == {"items": []}


def test_a_viewer_reads_the_statement_but_cannot_change_the_settings(client, app, user, card, make_user, sql):
    viewer = make_user()
    with app.app_context():
        ledgers.add_member(user.ledger_id, viewer.id, "viewer")
    headers = {"Authorization": f"Bearer {login_body(client, viewer)['access_token']}"}
    base = f"/api/v1/ledgers/{user.ledger_id}/accounts/{card}"
    assert client.get(f"{base}/statements?month=2026-12", headers=headers).status_code == 200
    assert_problem(client.patch(base, json={"payment_day": 1}, headers=headers), 403, "forbidden_role")
    assert billing_row(sql, card) == (None, None, None)


# What is due this month

def test_due_lists_every_open_card_with_what_it_owes(client, logged_in, user, card, spend, pay, make_account, sql):
    archived = make_account(user, name="Old card", type="credit_card")
    sql.execute("UPDATE accounts SET archived = :t WHERE id = :i", t=True, i=archived)
    other = make_account(user, name="Hyundai", type="credit_card")
    patch(client, logged_in, other, payment_day=12)
    spend(30_000, "2026-11-03")
    spend(60_000, "2026-11-04", months=2, account=other)
    pay(10_000, "2026-12-02")
    response = client.get("/api/v1/cards/due?month=2026-12", headers=logged_in.headers)
    assert response.status_code == 200
    assert [(i["account_id"], i["account_name"], i["payment_date"], i["total"], i["paid"], i["amount_due"])
            for i in response.get_json()["items"]] == [
        (card, "Shinhan", "2026-12-14", 30_000, 10_000, 20_000),
        (other, "Hyundai", "2026-12-12", 30_000, 0, 30_000)]


def test_due_defaults_to_the_households_month(client, logged_in, card, monkeypatch):
    monkeypatch.setattr("ledger.cards.routes.household_today", lambda: date(2027, 3, 2))
    [item] = client.get("/api/v1/cards/due", headers=logged_in.headers).get_json()["items"]
    assert (item["month"], item["payment_date"]) == ("2027-03", "2027-03-14")


def test_due_rejects_a_bad_month(client, logged_in):
    response = client.get("/api/v1/cards/due?month=2026-1", headers=logged_in.headers)
    assert list(assert_problem(response, 422, "validation_error")["errors"]) == ["month"]


def test_a_statement_costs_the_same_statements_for_few_and_many_lines(client, logged_in, card, spend, pay,
                                                                      count_statements):
    spend(1000, "2026-11-02", tags=["a"])
    with count_statements() as few:
        get_statement(client, logged_in, card, "2026-12")
    for day in range(3, 20):
        spend(1000 + day, f"2026-11-{day:02d}", months=(day % 5) + 1, tags=["b"])
    pay(5000, "2026-12-03")
    with count_statements() as many:
        body = get_statement(client, logged_in, card, "2026-12")
    assert len(body["lines"]) == 18 and len(body["payments"]) == 1
    assert len(few) == len(many) == 4, many  # the token check, the card, its charges, its payments

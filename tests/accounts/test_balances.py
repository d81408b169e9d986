"""Balances: opening + income - expense - transfers out + transfers in, exact, in one statement for the list."""
from tests.conftest import default_ids

URL = "/api/v1/accounts"
MAX = 2**53 - 1


def balances(client, headers) -> dict[int, int]:
    response = client.get(URL, headers=headers)
    assert response.status_code == 200
    return {a["id"]: a["balance"] for a in response.get_json()["items"]}


def test_balance_adds_income_and_subtracts_expense(client, logged_in, user, make_account, make_entry, sql):
    ids = default_ids(sql, user)
    account = make_account(user, opening_balance=10000)
    make_entry(user, type="income", amount=5000, account_id=account, category_id=ids["categories"]["Salary"])
    make_entry(user, type="expense", amount=3000, account_id=account, category_id=ids["categories"]["Food"])
    make_entry(user, type="expense", amount=250, account_id=account, category_id=ids["categories"]["Transport"])
    assert balances(client, logged_in.headers)[account] == 10000 + 5000 - 3000 - 250


def test_a_transfer_moves_money_between_two_accounts(client, logged_in, user, make_account, make_entry):
    bank = make_account(user, opening_balance=100000)
    card = make_account(user, type="credit_card", opening_balance=-50000)
    make_entry(user, type="transfer", amount=30000, account_id=bank, to_account_id=card)
    make_entry(user, type="transfer", amount=700, account_id=card, to_account_id=bank)
    got = balances(client, logged_in.headers)
    assert (got[bank], got[card]) == (100000 - 30000 + 700, -50000 + 30000 - 700)


def test_balance_combines_every_kind_of_entry(client, logged_in, user, make_account, make_entry, sql):
    ids = default_ids(sql, user)
    bank = make_account(user, opening_balance=10000)
    card = make_account(user, type="credit_card", opening_balance=-50000)
    make_entry(user, type="income", amount=5000, account_id=bank, category_id=ids["categories"]["Salary"])
    make_entry(user, type="expense", amount=3000, account_id=bank, category_id=ids["categories"]["Food"])
    make_entry(user, type="expense", amount=12000, account_id=card, category_id=ids["categories"]["Shopping"])
    make_entry(user, type="transfer", amount=2000, account_id=bank, to_account_id=card)
    make_entry(user, type="transfer", amount=700, account_id=card, to_account_id=bank)
    got = balances(client, logged_in.headers)
    assert got == {ids["cash"]: 0, bank: 10000 + 5000 - 3000 - 2000 + 700, card: -50000 - 12000 + 2000 - 700}
    for account_id, balance in got.items():
        assert client.get(f"{URL}/{account_id}", headers=logged_in.headers).get_json()["balance"] == balance


def test_balances_near_two_to_the_53_are_exact(client, logged_in, user, make_account, make_entry, sql):
    ids = default_ids(sql, user)
    rich = make_account(user, opening_balance=MAX)
    poor = make_account(user, type="credit_card", opening_balance=-MAX)
    make_entry(user, type="income", amount=MAX, account_id=rich, category_id=ids["categories"]["Salary"])
    make_entry(user, type="income", amount=1, account_id=rich, category_id=ids["categories"]["Interest"])
    make_entry(user, type="expense", amount=MAX, account_id=poor, category_id=ids["categories"]["Food"])
    make_entry(user, type="expense", amount=MAX - 1, account_id=poor, category_id=ids["categories"]["Food"])
    make_entry(user, type="transfer", amount=MAX, account_id=rich, to_account_id=poor)
    got = balances(client, logged_in.headers)
    assert got[rich] == MAX + MAX + 1 - MAX == 2**53
    assert got[poor] == -MAX - MAX - (MAX - 1) + MAX == -(2**54) + 3
    assert type(got[rich]) is int and type(got[poor]) is int


def test_balances_past_64_bits_are_exact(app, client, logged_in, user, make_account, sql):
    # 1100 maximal amounts each way (written directly: the API refuses a ledger past 2^53-1): past 2^63,
    # where a plain SQL SUM overflows on SQLite.
    from datetime import date

    from sqlalchemy import insert

    from ledger.entries.models import Entry
    from ledger.extensions import db

    ids = default_ids(sql, user)
    rich = make_account(user)
    poor = make_account(user, opening_balance=-1)
    rows = [{"ledger_id": user.ledger_id, "type": type_, "amount": MAX, "occurred_on": date(2026, 11, 20),
             "account_id": account, "category_id": ids["categories"][category], "memo": "", "version": 1}
            for type_, account, category in (("income", rich, "Salary"), ("expense", poor, "Food"))
            for _ in range(1100)]
    with app.app_context():
        db.session.execute(insert(Entry), rows)
        db.session.commit()
    got = balances(client, logged_in.headers)
    assert (got[rich], got[poor]) == (1100 * MAX, -1 - 1100 * MAX)
    assert client.get(f"{URL}/{poor}", headers=logged_in.headers).get_json()["balance"] == -1 - 1100 * MAX


def test_an_account_without_entries_shows_its_opening_balance(client, logged_in, user, make_account, make_entry,
                                                              sql):
    ids = default_ids(sql, user)
    busy = make_account(user, opening_balance=1)
    idle = make_account(user, opening_balance=-42)
    make_entry(user, type="expense", amount=9, account_id=busy, category_id=ids["categories"]["Food"])
    assert balances(client, logged_in.headers)[idle] == -42


def test_other_users_entries_do_not_touch_the_callers_balances(client, logged_in, user, make_user, make_account,
                                                              make_entry, sql):
    other = make_user()
    theirs = make_account(other, opening_balance=5)
    make_entry(other, type="income", amount=999, account_id=theirs,
               category_id=default_ids(sql, other)["categories"]["Salary"])
    got = balances(client, logged_in.headers)
    assert got == {default_ids(sql, user)["cash"]: 0}


def test_get_patch_and_an_archived_account_show_the_balance(client, logged_in, user, make_account, make_entry,
                                                            sql):
    account = make_account(user, opening_balance=300)
    make_entry(user, type="expense", amount=120, account_id=account,
               category_id=default_ids(sql, user)["categories"]["Food"])
    response = client.patch(f"{URL}/{account}", json={"archived": True}, headers=logged_in.headers)
    assert response.status_code == 200 and response.get_json()["balance"] == 180
    assert client.get(f"{URL}/{account}", headers=logged_in.headers).get_json()["balance"] == 180
    assert balances(client, logged_in.headers)[account] == 180


def _accounts_with_entries(user, make_account, make_entry, ids, count):
    for n in range(count):
        account = make_account(user, opening_balance=n)
        make_entry(user, type="income", amount=100 + n, account_id=account, category_id=ids["categories"]["Salary"])
        make_entry(user, type="expense", amount=10, account_id=account, category_id=ids["categories"]["Food"])
        make_entry(user, type="transfer", amount=1, account_id=account, to_account_id=ids["cash"])


def test_listing_costs_the_same_statements_for_2_and_20_accounts(client, logged_in, user, make_account, make_entry,
                                                                 sql, count_statements):
    ids = default_ids(sql, user)
    _accounts_with_entries(user, make_account, make_entry, ids, 2)
    with count_statements() as few:
        assert len(client.get(URL, headers=logged_in.headers).get_json()["items"]) == 3
    _accounts_with_entries(user, make_account, make_entry, ids, 18)
    with count_statements() as many:
        items = client.get(URL, headers=logged_in.headers).get_json()["items"]
    assert len(items) == 21
    assert len(few) == len(many) == 2, many  # the token check, then accounts with balances
    assert items[0]["balance"] == 20  # cash received 1 from each of the 20 accounts
    assert [a["balance"] for a in items[1:]] == [n + 100 + n - 10 - 1 for n in range(2)] + \
        [n + 100 + n - 10 - 1 for n in range(18)]

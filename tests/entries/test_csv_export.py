"""GET /entries/export.csv: format, filters, order, escaping, isolation, and constant statements per batch."""
from __future__ import annotations

import csv
import io

import pytest

from ledger.entries.csv import export as csv_export
from tests.conftest import assert_problem

EXPORT = "/api/v1/entries/export.csv"
HEADER = "occurred_on,type,account,to_account,category,amount,memo,tags,split_group,split_total,split_memo"
BOM = "\ufeff"


def read_rows(response) -> list[dict]:
    """The exported records as dicts (the BOM and header checked and dropped)."""
    assert response.status_code == 200, response.get_data(as_text=True)
    text = response.get_data(as_text=True)
    assert text.startswith(BOM + HEADER + "\r\n")
    return list(csv.DictReader(io.StringIO(text[len(BOM):], newline="")))


def memos(response) -> list[str]:
    return [row["memo"] for row in read_rows(response)]


@pytest.fixture
def export(client, logged_in):
    def get(query: str = ""):
        return client.get(f"{EXPORT}?{query}" if query else EXPORT, headers=logged_in.headers)

    return get


def test_empty_export_is_a_utf8_csv_attachment_with_bom_and_header(export):
    response = export()
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="ledger-entries-') and disposition.endswith('.csv"')
    assert response.get_data() == (BOM + HEADER + "\r\n").encode("utf-8")


def test_export_writes_names_minor_units_child_categories_tags_and_quoted_memos(export, user, ids, bank,
                                                                                make_category, make_entry):
    snacks = make_category(user, "Snacks", parent_id=ids["categories"]["Food"])
    make_entry(user, type="expense", amount=1200, occurred_on="2026-11-01", account_id=ids["cash"],
               category_id=snacks, memo='hi, "there"\nline two', tags=("b", "a"))
    make_entry(user, type="transfer", amount=50000, occurred_on="2026-11-02", account_id=ids["cash"],
               to_account_id=bank)
    make_entry(user, type="income", amount=3_000_000, occurred_on="2026-11-03", account_id=bank,
               category_id=ids["categories"]["Salary"], memo="월급", tags=("회사",))
    body = export().get_data().decode("utf-8")
    assert body == (BOM + HEADER + "\r\n"
                    + "2026-11-03,income,Bank,,Salary,3000000,월급,회사,,,\r\n"
                    + "2026-11-02,transfer,Cash,Bank,,50000,,,,,\r\n"
                    + '2026-11-01,expense,Cash,,Food/Snacks,1200,"hi, ""there""\nline two",a;b,,,\r\n')


def test_hangul_memo_is_written_as_utf8(export, user, ids, make_entry):
    make_entry(user, account_id=ids["cash"], category_id=ids["categories"]["Food"], memo="점심 김밥")
    response = export()
    assert "점심 김밥".encode() in response.get_data()
    assert memos(response) == ["점심 김밥"]


def test_export_is_newest_first_with_ties_by_id_descending(export, user, ids, make_entry):
    food = ids["categories"]["Food"]
    for memo, day in [("old", "2026-01-01"), ("tie 1", "2026-05-05"), ("newest", "2026-12-31"),
                      ("tie 2", "2026-05-05")]:
        make_entry(user, occurred_on=day, account_id=ids["cash"], category_id=food, memo=memo)
    assert memos(export()) == ["newest", "tie 2", "tie 1", "old"]


def test_formula_cells_get_a_leading_quote_but_amounts_do_not(export, user, ids, make_account, make_category,
                                                              make_entry):
    account = make_account(user, name="=HYPERLINK(\"http://x\")")
    category = make_category(user, "@SUM(A1)")
    make_entry(user, amount=5, account_id=account, category_id=category, memo="+1+2", tags=("=t", "ok"))
    make_entry(user, amount=6, occurred_on="2026-11-19", account_id=ids["cash"], category_id=category,
               memo="-minus")
    make_entry(user, amount=7, occurred_on="2026-11-18", account_id=ids["cash"], category_id=category,
               memo="\tTab")
    make_entry(user, amount=8, occurred_on="2026-11-17", account_id=ids["cash"], category_id=category,
               memo="'=already quoted")
    rows = read_rows(export())
    assert [(r["account"], r["category"], r["amount"], r["memo"], r["tags"]) for r in rows] == [
        ("'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "5", "'+1+2", "'=t;ok"),
        ("Cash", "'@SUM(A1)", "6", "'-minus", ""),
        ("Cash", "'@SUM(A1)", "7", "'\tTab", ""),
        ("Cash", "'@SUM(A1)", "8", "''=already quoted", ""),
    ]


def test_separators_inside_names_and_tags_are_escaped(export, user, ids, make_category, make_entry):
    parent = make_category(user, "Home/Garden")
    child = make_category(user, "Tools\\Parts", parent_id=parent)
    make_entry(user, account_id=ids["cash"], category_id=child, tags=("a;b", "c\\d"))
    [row] = read_rows(export())
    assert row["category"] == "Home\\/Garden/Tools\\\\Parts"
    assert row["tags"] == "a\\;b;c\\\\d"


@pytest.fixture
def dataset(user, ids, bank, make_category, make_entry) -> dict:
    """Four entries across two months, both accounts, a child category, tags and a transfer."""
    food = ids["categories"]["Food"]
    snacks = make_category(user, "Snacks", parent_id=food)
    make_entry(user, amount=1000, occurred_on="2026-10-31", account_id=ids["cash"], category_id=food,
               memo="Lunch at cafe", tags=("work",))
    make_entry(user, amount=5000, occurred_on="2026-11-05", account_id=bank, category_id=snacks, memo="snack")
    make_entry(user, type="income", amount=300000, occurred_on="2026-11-25", account_id=bank,
               category_id=ids["categories"]["Salary"], memo="Salary Nov")
    make_entry(user, type="transfer", amount=20000, occurred_on="2026-11-10", account_id=ids["cash"],
               to_account_id=bank, memo="to bank", tags=("move",))
    return {"bank": bank, "food": food, "snacks": snacks}


@pytest.mark.parametrize("query, expected", [
    ("", ["Salary Nov", "to bank", "snack", "Lunch at cafe"]),
    ("month=2026-11", ["Salary Nov", "to bank", "snack"]),
    ("from=2026-11-06&to=2026-11-30", ["Salary Nov", "to bank"]),
    ("type=transfer", ["to bank"]),
    ("account_id={bank}", ["Salary Nov", "to bank", "snack"]),
    ("category_id={food}", ["snack", "Lunch at cafe"]),
    ("category_id={snacks}", ["snack"]),
    ("tag=work", ["Lunch at cafe"]),
    ("q=LUNCH", ["Lunch at cafe"]),
    ("min_amount=5000&max_amount=20000", ["to bank", "snack"]),
    ("month=2026-11&type=expense", ["snack"]),
])
def test_export_applies_the_list_filters(export, dataset, query, expected):
    assert memos(export(query.format(**dataset))) == expected


def test_month_filter_honours_the_users_month_start_day(export, dataset, sql, user):
    sql.execute("UPDATE ledgers SET month_start_day = 25 WHERE id = :u", u=user.ledger_id)
    # With payday 25, "2026-11" is 2026-10-25 .. 2026-11-24.
    assert memos(export("month=2026-11")) == ["to bank", "snack", "Lunch at cafe"]


@pytest.mark.parametrize("query, field", [
    ("limit=10", "limit"), ("cursor=abc", "cursor"), ("page=2", "page"),
    ("month=2026-13", "month"), ("from=2026-11-31", "from"), ("min_amount=abc", "min_amount"),
    ("type=refund", "type"), ("account_id=0", "account_id"),
])
def test_unknown_or_malformed_parameters_are_422(export, query, field):
    body = assert_problem(export(query), 422, "validation_error")
    assert field in body["errors"], body


def test_export_requires_an_access_token(client):
    assert_problem(client.get(EXPORT), 401, "authorization_required")


def test_another_users_entries_are_never_exported(export, user, ids, make_user, make_account, make_entry, sql):
    make_entry(user, account_id=ids["cash"], category_id=ids["categories"]["Food"], memo="mine")
    other = make_user()
    other_ids = {"cash": sql.scalar("SELECT id FROM accounts WHERE ledger_id = :u", u=other.ledger_id),
                 "food": sql.scalar("SELECT id FROM categories WHERE ledger_id = :u AND name = 'Food'",
                                    u=other.ledger_id)}
    make_entry(other, account_id=other_ids["cash"], category_id=other_ids["food"], memo="theirs")
    assert memos(export()) == ["mine"]
    assert memos(export(f"account_id={other_ids['cash']}")) == []
    assert memos(export(f"category_id={other_ids['food']}")) == []


def test_batches_continue_without_losing_or_repeating_entries(export, user, ids, make_entry, monkeypatch):
    monkeypatch.setattr(csv_export, "EXPORT_BATCH_SIZE", 2)
    food = ids["categories"]["Food"]
    for i, day in enumerate(["2026-11-01", "2026-11-02", "2026-11-02", "2026-11-02", "2026-11-03"]):
        make_entry(user, occurred_on=day, account_id=ids["cash"], category_id=food, memo=f"e{i}")
    assert memos(export()) == ["e4", "e3", "e2", "e1", "e0"]


def _export_statements(export, count_statements) -> list[str]:
    with count_statements() as statements:
        response = export()
        response.get_data()
    assert response.status_code == 200
    return statements


def test_statement_count_does_not_grow_with_the_number_of_entries(export, user, ids, make_entry,
                                                                  count_statements):
    food = ids["categories"]["Food"]
    make_entry(user, account_id=ids["cash"], category_id=food, tags=("a",))
    few = len(_export_statements(export, count_statements))
    for i in range(30):
        make_entry(user, account_id=ids["cash"], category_id=food, tags=("a", f"t{i}"))
    assert len(_export_statements(export, count_statements)) == few


def test_statements_are_two_lookups_then_two_per_batch(export, user, ids, make_entry, count_statements,
                                                       monkeypatch):
    monkeypatch.setattr(csv_export, "EXPORT_BATCH_SIZE", 10)
    for _ in range(25):
        make_entry(user, account_id=ids["cash"], category_id=ids["categories"]["Food"], tags=("x",))
    statements = _export_statements(export, count_statements)
    # 1 (token check) + accounts + categories + 3 batches x (entries + their tags).
    assert len(statements) == 1 + 2 + 3 * 2, statements

"""POST /entries/import: all rows or none, created names, dry runs, limits, and export → import round trips."""
from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.provisioning import DEFAULT_ACCOUNT, DEFAULT_CATEGORIES
from tests.conftest import AuthActions, assert_problem

IMPORT = "/api/v1/entries/import"
EXPORT = "/api/v1/entries/export.csv"
HEADER = "occurred_on,type,account,to_account,category,amount,memo,tags"
MAX_AMOUNT = 2**53 - 1


def csv_body(*rows: str, header: str = HEADER) -> bytes:
    return "\r\n".join((header, *rows)).encode() + b"\r\n"


def counts(sql) -> dict:
    return {table: sql.count(table) for table in ("entries", "entry_tags", "accounts", "categories")}


def entry_tuples(sql, ledger_id: int) -> list[tuple]:
    """A user's entries by value (names, not ids): (date, type, account, to_account, category path, amount,
    memo, tags), sorted; equal lists mean equal ledgers."""
    rows = sql.rows(
        "SELECT e.id, e.occurred_on, e.type, a.name, t.name, p.name, c.name, e.amount, e.memo "
        "FROM entries e JOIN accounts a ON a.id = e.account_id LEFT JOIN accounts t ON t.id = e.to_account_id "
        "LEFT JOIN categories c ON c.id = e.category_id LEFT JOIN categories p ON p.id = c.parent_id "
        "WHERE e.ledger_id = :u", u=ledger_id)
    tags: dict[int, list[str]] = {}
    for entry_id, tag in sql.rows("SELECT t.entry_id, t.tag FROM entry_tags t JOIN entries e ON e.id = t.entry_id "
                                  "WHERE e.ledger_id = :u", u=ledger_id):
        tags.setdefault(entry_id, []).append(tag)
    return sorted((str(r[1]), r[2], r[3], r[4], tuple(n for n in (r[5], r[6]) if n is not None), r[7], r[8],
                   tuple(sorted(tags.get(r[0], [])))) for r in rows)


@pytest.fixture
def post_csv(client, logged_in):
    def post(body: bytes, query: str = "", content_type: str = "text/csv"):
        headers = {**logged_in.headers, "Content-Type": content_type}
        return client.post(f"{IMPORT}?{query}" if query else IMPORT, data=body, headers=headers)

    return post


# --- what an import does ------------------------------------------------------------------------------

def test_import_creates_the_entries_with_tags_and_answers_the_counts(post_csv, sql, user):
    response = post_csv(csv_body(
        '2026-11-01,expense,Cash,,Food,1200,"Lunch, with ""friends""",work;team',
        "2026-11-02,income,Cash,,Salary,3000000,,",
    ))
    assert response.status_code == 200
    assert response.get_json() == {"imported": 2, "created_accounts": [], "created_categories": [],
                                   "dry_run": False}
    assert entry_tuples(sql, user.ledger_id) == [
        ("2026-11-01", "expense", "Cash", None, ("Food",), 1200, 'Lunch, with "friends"', ("team", "work")),
        ("2026-11-02", "income", "Cash", None, ("Salary",), 3000000, "", ()),
    ]
    assert sql.rows("SELECT DISTINCT version FROM entries") == [(1,)]


def test_unknown_accounts_are_created_with_type_other(post_csv, sql, user):
    response = post_csv(csv_body("2026-11-01,transfer,Cash,Savings,,50000,,",
                                 "2026-11-02,expense,Card,,Food,100,,"))
    assert response.status_code == 200
    assert response.get_json()["created_accounts"] == ["Savings", "Card"]
    assert sorted(sql.rows("SELECT name, type FROM accounts WHERE ledger_id = :u", u=user.ledger_id)) == [
        ("Card", "other"), ("Cash", "cash"), ("Savings", "other")]
    assert entry_tuples(sql, user.ledger_id)[0][2:4] == ("Cash", "Savings")


def test_unknown_categories_are_created_with_the_rows_kind_and_both_levels(post_csv, sql, user):
    response = post_csv(csv_body("2026-11-01,expense,Cash,,Pets/Vet,100,,",
                                 "2026-11-02,expense,Cash,,Food/Bakery,200,,",
                                 "2026-11-03,income,Cash,,Food,300,,",
                                 "2026-11-04,expense,Cash,,Pets,400,,"))
    assert response.status_code == 200
    assert response.get_json()["created_categories"] == ["Pets", "Pets/Vet", "Food/Bakery", "Food"]
    new = sql.rows("SELECT c.name, c.kind, p.name FROM categories c LEFT JOIN categories p ON p.id = c.parent_id "
                   "WHERE c.ledger_id = :u AND c.name IN ('Pets', 'Vet', 'Bakery', 'Food')", u=user.ledger_id)
    assert sorted(new, key=str) == sorted([("Pets", "expense", None), ("Vet", "expense", "Pets"),
                                           ("Bakery", "expense", "Food"), ("Food", "expense", None),
                                           ("Food", "income", None)], key=str)
    assert sql.scalar("SELECT parent_key FROM categories WHERE name = 'Vet'") == \
        sql.scalar("SELECT id FROM categories WHERE name = 'Pets'")


def test_another_users_accounts_and_categories_are_not_used(post_csv, sql, user, make_user, make_account,
                                                           make_category):
    other = make_user()
    make_account(other, name="Joint")
    make_category(other, "Pets")
    response = post_csv(csv_body("2026-11-01,expense,Joint,,Pets,100,,"))
    assert response.status_code == 200
    assert response.get_json()["created_accounts"] == ["Joint"]
    assert response.get_json()["created_categories"] == ["Pets"]
    mine = sql.rows("SELECT a.id, c.id FROM accounts a JOIN categories c ON c.ledger_id = a.ledger_id "
                    "WHERE a.ledger_id = :u AND a.name = 'Joint' AND c.name = 'Pets'", u=user.ledger_id)
    assert sql.rows("SELECT account_id, category_id FROM entries") == mine
    assert sql.count("accounts", "ledger_id = :u", u=other.ledger_id) == 2 and sql.count("entries") == 1


def test_names_and_tags_are_trimmed_like_the_api_trims_them(post_csv, sql, user):
    response = post_csv(csv_body("2026-11-01,expense, Cash ,, Food / Snacks ,100, memo kept ,  a ; b ;a"))
    assert response.status_code == 200
    assert response.get_json()["created_accounts"] == []
    assert entry_tuples(sql, user.ledger_id) == [
        ("2026-11-01", "expense", "Cash", None, ("Food", "Snacks"), 100, " memo kept ", ("a", "b"))]


def test_formula_quote_and_separator_escapes_are_undone(post_csv, sql, user):
    response = post_csv(csv_body("2026-11-01,expense,'=Card,,Home\\/Garden/Tools\\\\Parts,100,'+1,'@x;a\\;b",
                                 "2026-11-02,expense,Cash,,Food,100,'not a formula,"))
    assert response.status_code == 200, response.get_json()
    assert entry_tuples(sql, user.ledger_id) == [
        ("2026-11-01", "expense", "=Card", None, ("Home/Garden", "Tools\\Parts"), 100, "+1", ("@x", "a;b")),
        ("2026-11-02", "expense", "Cash", None, ("Food",), 100, "'not a formula", ()),
    ]


@pytest.mark.parametrize("bom, newline", [(b"\xef\xbb\xbf", b"\r\n"), (b"", b"\n"), (b"\xef\xbb\xbf", b"\n")])
def test_bom_and_line_ends_are_optional(post_csv, sql, bom, newline):
    body = bom + newline.join([HEADER.encode(), "2026-11-01,expense,Cash,,Food,100,한글,".encode()]) + newline
    response = post_csv(body)
    assert response.status_code == 200, response.get_json()
    assert sql.rows("SELECT memo FROM entries") == [("한글",)]


def test_header_only_imports_nothing(post_csv, sql):
    before = counts(sql)
    response = post_csv(csv_body())
    assert response.status_code == 200
    assert response.get_json() == {"imported": 0, "created_accounts": [], "created_categories": [],
                                   "dry_run": False}
    assert counts(sql) == before


def test_charset_utf8_parameter_is_accepted(post_csv, sql):
    response = post_csv(csv_body("2026-11-01,expense,Cash,,Food,100,,"), content_type="text/csv; charset=UTF-8")
    assert response.status_code == 200
    assert sql.count("entries") == 1


# --- all or nothing -----------------------------------------------------------------------------------

def test_one_bad_row_among_good_ones_imports_nothing(post_csv, sql):
    before = counts(sql)
    response = post_csv(csv_body("2026-11-01,expense,New account,,New/Category,100,,tag",
                                 "2026-11-02,expense,Cash,,Food,12.5,,",
                                 "2026-11-03,transfer,Cash,Other new,,100,,"))
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"] == {"rows": [{"line": 3, "errors": {"amount": [
        "Must be an integer of minor units from 1 to 9007199254740991 (digits only)."]},
        "codes": {"amount": ["amount_invalid"]}}]}
    assert "Nothing was imported" in body["detail"]
    assert counts(sql) == before


def test_every_bad_row_is_listed_with_its_starting_line(post_csv, sql):
    before = counts(sql)
    response = post_csv(csv_body('2026-11-01,expense,Cash,,Food,100,"two\nlines",',
                                 "2026-11-31,expense,Cash,,Food,0,,",
                                 "",
                                 "2026-11-02,refund,Cash,,Food,100,,",
                                 "2026-11-02,expense,Cash,,Food,100,,,"))
    body = assert_problem(response, 422, "validation_error")
    assert [(row["line"], sorted(row["errors"])) for row in body["errors"]["rows"]] == [
        (4, ["amount", "occurred_on"]), (6, ["type"]), (7, ["_row"])]
    assert body["detail"].startswith("3 row(s) are invalid")
    assert counts(sql) == before


def test_only_the_first_hundred_bad_rows_are_listed(post_csv, sql):
    response = post_csv(csv_body(*["2026-11-01,expense,Cash,,Food,0,,"] * 150))
    body = assert_problem(response, 422, "validation_error")
    assert [row["line"] for row in body["errors"]["rows"]] == list(range(2, 102))
    assert body["detail"].startswith("150 row(s) are invalid; the first 100 are listed")
    assert sql.count("entries") == 0


@pytest.mark.parametrize("amount", ["12.5", "1e3", "0", "-5", "+5", " 12", "12 ", "", "0012", "1,000",
                                    str(MAX_AMOUNT + 1), "１２", "99999999999999999999999"])
def test_amount_must_be_a_plain_positive_integer(post_csv, sql, amount):
    response = post_csv(csv_body(f'2026-11-01,expense,Cash,,Food,"{amount}",,'))
    body = assert_problem(response, 422, "validation_error")
    assert list(body["errors"]["rows"][0]["errors"]) == ["amount"]
    assert sql.count("entries") == 0


@pytest.mark.parametrize("amount", ["1", str(MAX_AMOUNT)])
def test_amount_limits_are_inclusive(post_csv, sql, amount):
    assert post_csv(csv_body(f"2026-11-01,expense,Cash,,Food,{amount},,")).status_code == 200
    assert sql.scalar("SELECT amount FROM entries") == int(amount)


@pytest.mark.parametrize("day", ["2026-02-30", "2026-13-01", "0000-01-01", "2026-1-5", "20261120",
                                 "2026-11-20T00:00:00", " 2026-11-20", "10000-01-01", "", "２０２６-11-20"])
def test_occurred_on_must_be_a_real_yyyy_mm_dd_date(post_csv, sql, day):
    body = assert_problem(post_csv(csv_body(f"{day},expense,Cash,,Food,100,,")), 422, "validation_error")
    assert list(body["errors"]["rows"][0]["errors"]) == ["occurred_on"]
    assert sql.count("entries") == 0


@pytest.mark.parametrize("row, column, code", [
    ("2026-11-01,Expense,Cash,,Food,100,,", "type", "type_invalid"),
    ("2026-11-01,,Cash,,Food,100,,", "type", "type_invalid"),
    ("2026-11-01,expense,,,Food,100,,", "account", "required"),
    ("2026-11-01,expense,Cash,,,100,,", "category", "category_required"),
    ("2026-11-01,income,Cash,,,100,,", "category", "category_required"),
    ("2026-11-01,expense,Cash,Bank,Food,100,,", "to_account", "transfer_only"),
    ("2026-11-01,transfer,Cash,,,100,,", "to_account", "required"),
    ("2026-11-01,transfer,Cash,Cash,,100,,", "to_account", "same_account"),
    ("2026-11-01,transfer,Cash, Cash ,,100,,", "to_account", "same_account"),
    ("2026-11-01,transfer,Cash,Bank,Food,100,,", "category", "transfer_category"),
    ("2026-11-01,expense,Cash,,A/B/C,100,,", "category", "category_levels"),
    ("2026-11-01,expense,Cash,,Food/,100,,", "category", "required"),
    ("2026-11-01,expense,Cash,,Fo\\od,100,,", "category", "escape_invalid"),
    ("2026-11-01,expense," + "x" * 101 + ",,Food,100,,", "account", "too_long"),
    ("2026-11-01,expense,Cash,,Food/" + "x" * 101 + ",100,,", "category", "too_long"),
    ("2026-11-01,expense,Cash,,Food,100," + "m" * 501 + ",", "memo", "too_long"),
    ("2026-11-01,expense,Cash,,Food,100,,a;;b", "tags", "tag_length"),
    ("2026-11-01,expense,Cash,,Food,100,," + "t" * 51, "tags", "tag_length"),
    ("2026-11-01,expense,Cash,,Food,100,," + ";".join(f"t{i}" for i in range(21)), "tags", "too_many_tags"),
    ("2026-11-01,expense,Cash,,Food,100,,a\\", "tags", "escape_invalid"),
    ("2026-11-01,expense,Cash,,Food,100,nul\x00byte,", "memo", "nul_character"),
    ("2026-11-01,expense,Cash\x00,,Food,100,,", "account", "nul_character"),
    ("2026-11-01,expense,Cash,,Food,100,", "_row", "field_count"),
    ('2026-11-01,expense,Cash,,Food,100,"unterminated', "_row", "malformed_csv"),
])
def test_row_rules_match_post_entries(post_csv, sql, row, column, code):
    before = counts(sql)
    body = assert_problem(post_csv(csv_body(row)), 422, "validation_error")
    [bad] = body["errors"]["rows"]
    assert bad["line"] == 2 and list(bad["errors"]) == [column], bad
    # the stable code of the (one) English message, for a client to put in its reader's words
    assert bad["codes"] == {column: [code]} and len(bad["errors"][column]) == 1, bad
    assert counts(sql) == before


@pytest.mark.parametrize("row", [
    "2026-11-01,expense,Cash,,Food,1," + "m" * 500 + ",",
    "2026-11-01,expense,Cash,,Food,1,," + ";".join(f"t{i}" for i in range(20)),
    "2026-11-01,expense,Cash,,Food,1,," + "t" * 50,
])
def test_row_limits_are_inclusive(post_csv, sql, row):
    response = post_csv(csv_body(row))
    assert response.status_code == 200, response.get_json()
    assert sql.count("entries") == 1


def test_archived_accounts_and_categories_cannot_receive_entries(post_csv, sql, user):
    sql.execute("UPDATE accounts SET archived = true WHERE ledger_id = :u AND name = 'Cash'", u=user.ledger_id)
    sql.execute("UPDATE categories SET archived = true WHERE ledger_id = :u AND name = 'Food'", u=user.ledger_id)
    before = counts(sql)
    body = assert_problem(post_csv(csv_body("2026-11-01,expense,Cash,,Transport,100,,",
                                            "2026-11-02,expense,Card,,Food,100,,")), 422, "validation_error")
    assert body["errors"]["rows"] == [
        {"line": 2, "errors": {"account": ["The account is archived."]}, "codes": {"account": ["account_archived"]}},
        {"line": 3, "errors": {"category": ["The category is archived."]},
         "codes": {"category": ["category_archived"]}}]
    assert counts(sql) == before


@pytest.mark.parametrize("query", ["", "dry_run=true"])
def test_a_new_child_under_an_archived_parent_is_refused_as_post_categories_refuses_it(
        post_csv, client, logged_in, sql, user, make_category, query):
    food = sql.scalar("SELECT id FROM categories WHERE ledger_id = :u AND name = 'Food' AND kind = 'expense'",
                      u=user.ledger_id)
    make_category(user, "Groceries", parent_id=food)
    sql.execute("UPDATE categories SET archived = true WHERE id = :id", id=food)
    refused = client.post("/api/v1/categories", json={"name": "Bakery", "kind": "expense", "parent_id": food},
                          headers=logged_in.headers)
    assert assert_problem(refused, 422, "validation_error")["errors"] == {
        "parent_id": ["The parent category is archived."]}
    before = counts(sql)
    body = assert_problem(post_csv(csv_body("2026-11-01,expense,Cash,,Food/Groceries,100,,",
                                            "2026-11-02,expense,New account,,Food/Bakery,200,,",
                                            "2026-11-03,expense,Cash,,Pets/Vet,300,,"), query),
                          422, "validation_error")
    # An existing child of an archived parent still takes entries (as in POST /entries); a new one is refused.
    assert body["errors"]["rows"] == [
        {"line": 3, "errors": {"category": ["The parent category is archived."]},
         "codes": {"category": ["parent_archived"]}}]
    assert counts(sql) == before


# --- the request -------------------------------------------------------------------------------------

@pytest.mark.parametrize("header", [
    "occurred_on,type,account,to_account,category,amount,memo",
    "occurred_on,type,account,to_account,category,amount,memo,tags,extra",
    "type,occurred_on,account,to_account,category,amount,memo,tags",
    "Occurred_on,type,account,to_account,category,amount,memo,tags",
    "2026-11-01,expense,Cash,,Food,100,,",
])
def test_wrong_header_is_422(post_csv, sql, header):
    body = assert_problem(post_csv(csv_body("2026-11-01,expense,Cash,,Food,100,,", header=header)),
                          422, "validation_error")
    assert body["errors"] == {"header": [f"Must be exactly: {HEADER},split_group,split_total,split_memo "
                                         f"(or, without splits, {HEADER})"]}
    assert sql.count("entries") == 0


def test_empty_body_is_a_wrong_header(post_csv, sql):
    body = assert_problem(post_csv(b""), 422, "validation_error")
    assert list(body["errors"]) == ["header"]


def test_invalid_utf8_is_422(post_csv, sql):
    body = assert_problem(post_csv(csv_body() + b"2026-11-01,expense,Cash,,Food,100," + b"\xff\xfe,\r\n"),
                          422, "validation_error")
    assert list(body["errors"]) == ["body"]
    assert sql.count("entries") == 0


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "multipart/form-data; boundary=x",
                                          "text/csv; charset=latin-1"])
def test_other_media_types_are_415(post_csv, sql, content_type):
    assert_problem(post_csv(csv_body("2026-11-01,expense,Cash,,Food,100,,"), content_type=content_type),
                   415, "unsupported_media_type")
    assert sql.count("entries") == 0


def test_json_body_is_415(client, logged_in, sql):
    response = client.post(IMPORT, json={"rows": []}, headers=logged_in.headers)
    assert_problem(response, 415, "unsupported_media_type")
    assert sql.count("entries") == 0


def test_import_requires_an_access_token(client, sql):
    response = client.post(IMPORT, data=csv_body("2026-11-01,expense,Cash,,Food,100,,"),
                           headers={"Content-Type": "text/csv"})
    assert_problem(response, 401, "authorization_required")
    assert sql.count("entries") == 0


@pytest.mark.parametrize("query", ["dry_run=maybe", "force=true"])
def test_unknown_or_malformed_query_parameters_are_422(post_csv, sql, query):
    assert_problem(post_csv(csv_body("2026-11-01,expense,Cash,,Food,100,,"), query=query), 422, "validation_error")
    assert sql.count("entries") == 0


@pytest.fixture
def small_import_client(make_app, app, user):
    """A client of an app whose imports are limited to 200 bytes (JSON bodies keep the usual 1 MiB)."""
    small = make_app(IMPORT_MAX_CONTENT_LENGTH=200)
    client = small.test_client()
    auth = AuthActions(client)
    auth.login(user)
    return client, auth


def _body_of_size(size: int) -> bytes:
    """One valid row whose memo pads the body to exactly `size` bytes."""
    padding = size - len(csv_body("2026-11-01,expense,Cash,,Food,100,,"))
    body = csv_body(f"2026-11-01,expense,Cash,,Food,100,{'m' * padding},")
    assert len(body) == size
    return body


def test_body_over_the_import_limit_is_413(small_import_client, sql):
    client, auth = small_import_client
    response = client.post(IMPORT, data=_body_of_size(201), headers={**auth.headers, "Content-Type": "text/csv"})
    assert_problem(response, 413, "payload_too_large")
    assert sql.count("entries") == 0


def test_body_at_the_import_limit_is_accepted(small_import_client, sql):
    client, auth = small_import_client
    response = client.post(IMPORT, data=_body_of_size(200), headers={**auth.headers, "Content-Type": "text/csv"})
    assert response.status_code == 200, response.get_json()
    assert sql.count("entries") == 1


def test_import_limit_replaces_the_json_limit(make_app, app, user, sql):
    big = make_app(MAX_CONTENT_LENGTH=200)
    client = big.test_client()
    auth = AuthActions(client)
    auth.login(user)
    response = client.post(IMPORT, data=csv_body(*["2026-11-01,expense,Cash,,Food,100,,"] * 20),
                           headers={**auth.headers, "Content-Type": "text/csv"})
    assert response.status_code == 200, response.get_json()
    assert sql.count("entries") == 20


# --- dry run -----------------------------------------------------------------------------------------

def test_dry_run_reports_what_would_be_created_and_writes_nothing(post_csv, sql):
    before = counts(sql)
    response = post_csv(csv_body("2026-11-01,transfer,Cash,Savings,,100,,",
                                 "2026-11-02,expense,Cash,,Pets/Vet,100,,x"), query="dry_run=true")
    assert response.status_code == 200
    assert response.get_json() == {"imported": 2, "created_accounts": ["Savings"],
                                   "created_categories": ["Pets", "Pets/Vet"], "dry_run": True}
    assert counts(sql) == before


def test_dry_run_reports_bad_rows_like_an_import(post_csv, sql):
    before = counts(sql)
    body = assert_problem(post_csv(csv_body("2026-11-01,expense,Cash,,Food,-5,,"), query="dry_run=true"),
                          422, "validation_error")
    assert body["errors"]["rows"][0]["line"] == 2
    assert counts(sql) == before


def test_dry_run_false_imports(post_csv, sql):
    response = post_csv(csv_body("2026-11-01,expense,Cash,,Food,100,,"), query="dry_run=false")
    assert response.status_code == 200 and response.get_json()["dry_run"] is False
    assert sql.count("entries") == 1


# --- efficiency --------------------------------------------------------------------------------------

def _import_statements(post_csv, count_statements, rows: int) -> list[str]:
    body = csv_body(*[f"2026-11-01,expense,Cash,,New/Sub,{i + 1},,a;b" for i in range(rows)])
    with count_statements() as statements:
        response = post_csv(body)
    assert response.status_code == 200 and response.get_json()["imported"] == rows
    return statements


def _entry_inserts(statements: list[str]) -> int:
    return sum(statement.startswith("INSERT INTO entries") for statement in statements)


# SQLAlchemy cannot match the rows of a multi-row INSERT ... RETURNING to their parameters on SQLite, so there
# each entry is one execution of the prepared INSERT (in-process, no round trip); PostgreSQL gets 1000 per statement.
def _expected_entry_inserts(backend: str, rows: int) -> int:
    return rows if backend == "sqlite" else -(-rows // 1000)


def test_statement_count_does_not_grow_per_row_beyond_the_entry_inserts(post_csv, count_statements, sql, backend):
    few = _import_statements(post_csv, count_statements, 3)
    sql.execute("DELETE FROM entry_tags")
    sql.execute("DELETE FROM entries")
    sql.execute("DELETE FROM categories WHERE parent_id IS NOT NULL")
    sql.execute("DELETE FROM categories WHERE name = 'New'")
    many = _import_statements(post_csv, count_statements, 300)
    assert len(many) - _entry_inserts(many) == len(few) - _entry_inserts(few)
    assert (_entry_inserts(few), _entry_inserts(many)) == (_expected_entry_inserts(backend, 3),
                                                           _expected_entry_inserts(backend, 300))


@pytest.mark.slow
def test_ten_thousand_rows_import_with_entries_and_tags_in_bulk(post_csv, count_statements, sql, backend):
    statements = _import_statements(post_csv, count_statements, 10_000)
    # auth, 2 lookups, 2 category flushes (each numbered for the change feed first: 2 × 2), the ledger's rules
    # (ledger.rules: none), the entries' feed numbers, the entry inserts, one executemany for all the tags, and
    # the totals check (its bound only: the feed's numbering already holds the ledger's lock).
    assert len(statements) - _entry_inserts(statements) == 1 + 2 + 2 * 2 + 1 + 1 + 1 + 1, statements
    assert _entry_inserts(statements) == _expected_entry_inserts(backend, 10_000)
    assert sql.count("entries") == 10_000 and sql.count("entry_tags") == 20_000


# --- round trips -------------------------------------------------------------------------------------

def _login(client, user) -> AuthActions:
    auth = AuthActions(client)
    auth.login(user)
    return auth


def _round_trip(client, source_auth, target_auth) -> None:
    exported = client.get(EXPORT, headers=source_auth.headers)
    assert exported.status_code == 200
    response = client.post(IMPORT, data=exported.get_data(),
                           headers={**target_auth.headers, "Content-Type": "text/csv"})
    assert response.status_code == 200, response.get_json()


def test_export_imported_into_a_fresh_user_reproduces_the_entries(client, logged_in, user, ids, bank,
                                                                  make_user, make_account, make_category,
                                                                  make_entry, sql):
    snacks = make_category(user, "Snacks", parent_id=ids["categories"]["Food"])
    slashed = make_category(user, "Home/Garden")
    odd_child = make_category(user, "=Tools\\Parts", parent_id=slashed)
    bonus = make_category(user, "Bonus", kind="income", parent_id=ids["categories"]["Salary"])
    card = make_account(user, name="+Card; \"Gold\"")
    make_entry(user, amount=1200, occurred_on="2026-11-01", account_id=ids["cash"], category_id=snacks,
               memo='Lunch, with "friends"\r\nand a second line', tags=("work", "team, a"))
    make_entry(user, type="transfer", amount=500000, occurred_on="2026-11-01", account_id=bank,
               to_account_id=card, memo="카드 대금 결제", tags=("monthly",))
    # The largest amount the fresh ledger can take beside the others (its totals stay within 2^53-1).
    make_entry(user, type="income", amount=MAX_AMOUNT - 1200 - 500000 - 1 - 7, occurred_on="2026-10-25",
               account_id=bank, category_id=bonus, memo="=1+1", tags=("=x", "a;b", "c\\d"))
    make_entry(user, amount=1, occurred_on="0001-01-01", account_id=card, category_id=odd_child, memo="-",
               tags=())
    make_entry(user, amount=7, occurred_on="9999-12-31", account_id=ids["cash"], category_id=ids["categories"]["Food"],
               memo="'quoted' and \ttab")
    fresh = make_user()
    _round_trip(client, logged_in, _login(client, fresh))
    assert entry_tuples(sql, fresh.ledger_id) == entry_tuples(sql, user.ledger_id)
    assert len(entry_tuples(sql, fresh.ledger_id)) == 5


def test_exporting_the_imported_entries_gives_the_same_file(client, logged_in, user, ids, bank, make_user,
                                                            make_entry):
    make_entry(user, type="transfer", amount=10, account_id=ids["cash"], to_account_id=bank, memo="@a",
               tags=("x",))
    make_entry(user, amount=20, account_id=bank, category_id=ids["categories"]["Food"], memo="b\nc")
    fresh_auth = _login(client, make_user())
    _round_trip(client, logged_in, fresh_auth)
    first = client.get(EXPORT, headers=logged_in.headers).get_data()
    second = client.get(EXPORT, headers=fresh_auth.headers).get_data()
    assert first == second


# Any text without NUL or surrogates, with the characters that matter to CSV, formulas and our escapes often;
# names and tags as the API stores them (trimmed, non-empty).
_text = st.one_of(st.sampled_from("=+-@'\t\r\n,\";/\\ 한"),
                  st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
_names = st.text(_text, min_size=1, max_size=20).map(str.strip).filter(bool)
_tags = st.text(_text, min_size=1, max_size=12).map(str.strip).filter(bool)
# A new ledger already has these (make_account/make_category would clash with them).
DEFAULT_CATEGORY_NAMES = {name for en, ko, _, _ in DEFAULT_CATEGORIES for name in (en, ko)}
_entries = st.lists(st.fixed_dictionaries({
    "type": st.sampled_from(["income", "expense", "transfer"]),
    # At most 8 entries whose sum the importing ledger's bound must hold (ledger/ledgers/totals.py).
    "amount": st.integers(min_value=1, max_value=MAX_AMOUNT // 8),
    "occurred_on": st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    "account": st.integers(0, 2),
    "to_account": st.integers(0, 2),
    "category": st.integers(0, 3),
    "memo": st.text(_text, max_size=40),
    "tags": st.lists(_tags, max_size=4, unique=True),
}), min_size=1, max_size=8)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(account_names=st.lists(_names.filter(lambda name: name not in DEFAULT_ACCOUNT.values()), min_size=3,
                              max_size=3, unique=True),
       category_names=st.lists(_names.filter(lambda name: name not in DEFAULT_CATEGORY_NAMES), min_size=2,
                               max_size=2, unique=True), entries=_entries)
def test_random_entries_survive_an_export_and_import_into_a_fresh_user(client, make_user, make_account,
                                                                       make_category, make_entry, sql,
                                                                       account_names, category_names, entries):
    source = make_user()
    accounts = [make_account(source, name=name) for name in account_names]
    categories = {}
    for kind in ("income", "expense"):
        parent = make_category(source, category_names[0], kind=kind)
        categories[kind] = [parent, make_category(source, category_names[1], kind=kind, parent_id=parent),
                            make_category(source, category_names[1], kind=kind),
                            make_category(source, category_names[0], kind=kind, parent_id=parent)]
    for entry in entries:
        account = accounts[entry["account"]]
        transfer = entry["type"] == "transfer"
        make_entry(source, type=entry["type"], amount=entry["amount"], occurred_on=entry["occurred_on"],
                   account_id=account, memo=entry["memo"], tags=tuple(entry["tags"]),
                   to_account_id=accounts[(entry["account"] + 1 + entry["to_account"] % 2) % 3] if transfer
                   else None,
                   category_id=None if transfer else categories[entry["type"]][entry["category"]])
    target = make_user()
    _round_trip(client, _login(client, source), _login(client, target))
    assert entry_tuples(sql, target.ledger_id) == entry_tuples(sql, source.ledger_id)


def test_row_error_codes_are_the_one_documented_list():
    """Every RowError in the import, and every refusal of the categories service it passes on, is one of
    ROW_ERROR_CODES (the OpenAPI enum the SPA translates), and each listed code is used."""
    import inspect
    import typing

    from ledger.categories.services import RefusalCode
    from ledger.entries.csv import codec, export, import_plan, import_write

    source = "".join(inspect.getsource(module) for module in (codec, export, import_plan, import_write))
    used = set(re.findall(r'RowError\(\s*"([a-z_]+)"', source)) | set(typing.get_args(RefusalCode))
    assert used == set(import_plan.ROW_ERROR_CODES)

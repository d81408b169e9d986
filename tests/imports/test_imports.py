"""POST /imports → preview → PATCH → commit: built-in profiles round trip, duplicates, encodings, bad input."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import assert_problem
from tests.imports.samples import (
    BANK_ROWS,
    CARD_ROWS,
    Tx,
    csv_bytes,
    encrypted_xlsx,
    html_xls,
    statement_rows,
    xlsx,
    zip_bomb,
)

URL = "/api/v1/imports"
BANKS = ("kb_bank", "shinhan_bank", "woori_bank")
CARDS = ("shinhan_card", "samsung_card", "hyundai_card")


@pytest.fixture
def account(make_account, user) -> int:
    return make_account(user, name="Statement account")


@pytest.fixture
def upload(client, logged_in, account):
    def post(data: bytes, filename: str = "statement.xlsx", **form):
        body = {"file": (io.BytesIO(data), filename), "account_id": str(form.pop("account_id", account)), **form}
        return client.post(URL, data=body, headers=logged_in.headers, content_type="multipart/form-data")

    return post


def commit(client, logged_in, import_id: int):
    return client.post(f"{URL}/{import_id}/commit", headers=logged_in.headers)


def entries(sql, account: int) -> list[tuple]:
    return sorted((str(r[0]), r[1], r[2], r[3]) for r in sql.rows(
        "SELECT occurred_on, type, amount, memo FROM entries WHERE account_id = :a", a=account))


def expected_bank() -> list[tuple]:
    return sorted((t.day, "expense" if t.amount > 0 else "income", abs(t.amount), t.payee) for t in BANK_ROWS)


def expected_card() -> list[tuple]:
    # The 이마트 purchase and its 취소 are a cancel pair (left out); 3-month 할부 noted in the memo.
    return sorted([("2026-11-02", "expense", 35_000, "쿠팡(주) (할부 3개월)"),
                   ("2026-11-07", "expense", 2000, "메가커피"), ("2026-11-07", "expense", 2000, "메가커피")])


@pytest.mark.parametrize("key", BANKS + CARDS)
def test_each_builtin_profile_round_trips_to_exactly_the_expected_entries(client, logged_in, upload, sql, account,
                                                                          key):
    rows = statement_rows(key, BANK_ROWS if key in BANKS else CARD_ROWS)
    response = upload(xlsx(rows))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["format"] == "xlsx" and body["profile"] == key and body["header_row"] == 4
    marks = [row["mark"] for row in body["rows"]]
    assert marks[-1] == "skipped" and body["rows"][-1]["reason"] == "total"
    if key in CARDS:
        assert marks.count("cancel_pair") == 2
    assert sql.count("entries", "account_id = :a", a=account) == 0  # a preview writes nothing

    result = commit(client, logged_in, body["id"])
    assert result.status_code == 200, result.get_json()
    assert entries(sql, account) == (expected_bank() if key in BANKS else expected_card())
    assert result.get_json()["imported"] == len(entries(sql, account))
    assert sql.count("import_fingerprints", "account_id = :a", a=account) == result.get_json()["imported"]


def test_committing_twice_writes_once_and_answers_the_same_counts(client, logged_in, upload, sql, account):
    body = upload(xlsx(statement_rows("kb_bank", BANK_ROWS))).get_json()
    first = commit(client, logged_in, body["id"])
    second = commit(client, logged_in, body["id"])
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json() and first.get_json()["imported"] == 4
    assert sql.count("entries", "account_id = :a", a=account) == 4


def test_the_same_file_twice_writes_once(client, logged_in, upload, sql, account):
    data = xlsx(statement_rows("shinhan_bank", BANK_ROWS))
    assert commit(client, logged_in, upload(data).get_json()["id"]).get_json()["imported"] == 4
    again = upload(data).get_json()
    assert again["counts"]["duplicate"] == 4 and again["counts"]["new"] == 0
    assert all(row["entry_id"] for row in again["rows"] if row["mark"] == "duplicate")
    assert commit(client, logged_in, again["id"]).get_json()["imported"] == 0
    assert sql.count("entries", "account_id = :a", a=account) == 4


def test_an_overlapping_second_month_writes_only_the_new_rows(client, logged_in, upload, sql, account):
    november = [Tx("2026-11-28", "커피", 3000), Tx("2026-11-28", "커피", 3000), Tx("2026-11-30", "마트", 20_000)]
    december = november[1:] + [Tx("2026-11-28", "커피", 3000), Tx("2026-12-02", "약국", 7000)]
    first = upload(xlsx(statement_rows("hyundai_card", november))).get_json()
    assert commit(client, logged_in, first["id"]).get_json()["imported"] == 3
    # The second file has the two identical coffees too (listed apart), the market, and one new row.
    second = upload(xlsx(statement_rows("hyundai_card", december))).get_json()
    assert second["counts"]["duplicate"] == 3 and second["counts"]["new"] == 1
    assert commit(client, logged_in, second["id"]).get_json()["imported"] == 1
    assert sql.count("entries", "account_id = :a", a=account) == 4


def test_cp949_and_utf8_bom_give_the_same_preview(upload):
    rows = statement_rows("woori_bank", BANK_ROWS)
    cp949 = upload(csv_bytes(rows, "cp949"), "a.csv").get_json()
    bom = upload(csv_bytes(rows, "utf-8-sig"), "b.csv").get_json()
    assert cp949["encoding"] == "cp949" and bom["encoding"] == "utf-8-sig"
    keep = ("format", "header_row", "header", "mapping", "counts", "rows", "profile")
    assert {k: cp949[k] for k in keep} == {k: bom[k] for k in keep}


def test_tsv_html_xls_and_compact_dates(upload):
    rows = statement_rows("samsung_card", CARD_ROWS, date_style="compact")
    tsv = upload(csv_bytes(rows, sep="\t"), "s.tsv").get_json()
    html = upload(html_xls(statement_rows("samsung_card", CARD_ROWS, date_style="time")), "s.xls").get_json()
    assert tsv["format"] == "tsv" and html["format"] == "html"
    assert [r["occurred_on"] for r in tsv["rows"]] == [r["occurred_on"] for r in html["rows"]]
    assert tsv["rows"][0]["occurred_on"] == "2026-11-02" and tsv["rows"][0]["installment"] == 3


def test_an_encrypted_workbook_opens_with_its_password_and_refuses_a_wrong_one(upload, sql, account):
    data = encrypted_xlsx(statement_rows("kb_bank", BANK_ROWS), "900101")
    assert_problem(upload(data), 422, "password_required")
    body = assert_problem(upload(data, password="000000"), 422, "wrong_password")
    assert "000000" not in str(body)
    ok = upload(data, password="900101")
    assert ok.status_code == 201 and ok.get_json()["counts"]["new"] == 4
    stored = sql.rows("SELECT mapping, choices, filename FROM statement_imports")
    assert "900101" not in str(stored)
    assert sql.count("entries", "account_id = :a", a=account) == 0


def test_possible_duplicates_are_flagged_and_not_included(client, logged_in, upload, sql, account, ids,
                                                          make_entry, user):
    make_entry(user, account_id=account, category_id=ids["categories"]["Food"], amount=12_300,
               occurred_on="2026-11-07", memo="GS25 역삼")
    body = upload(xlsx(statement_rows("kb_bank", BANK_ROWS))).get_json()
    gs = next(row for row in body["rows"] if row["payee"] == "GS25 역삼점")
    assert gs["mark"] == "possible_duplicate" and gs["entry_id"] and gs["include"] is False
    patched = client.patch(f"{URL}/{body['id']}", json={"rows": [{"index": gs["index"], "include": True}]},
                           headers=logged_in.headers)
    assert patched.status_code == 200 and patched.get_json()["counts"]["included"] == 4
    assert commit(client, logged_in, body["id"]).get_json()["imported"] == 4
    assert sql.count("entries", "account_id = :a", a=account) == 5  # flagged, never merged


def test_bad_rows_are_marked_and_the_rest_previews(client, logged_in, upload, sql, account):
    rows = statement_rows("shinhan_card", CARD_ROWS)
    rows[5][0] = "2026.13.45"
    rows[6][2] = "12,3a0"
    body = upload(xlsx(rows)).get_json()
    marked = {row["index"]: (row["mark"], row["reason"]) for row in body["rows"]}
    assert marked[5] == ("error", "date_invalid") and marked[6] == ("error", "amount_invalid")
    assert body["counts"]["error"] == 2 and body["counts"]["new"] >= 1
    refused = client.patch(f"{URL}/{body['id']}", json={"rows": [{"index": 5, "include": True}]},
                           headers=logged_in.headers)
    assert_problem(refused, 422, "validation_error")
    assert sql.count("entries", "account_id = :a", a=account) == 0


@pytest.mark.parametrize(("data", "filename", "code"), [
    (b"", "empty.xlsx", "empty_statement"),
    (b"\x00\x01\x02binary", "x.xlsx", "not_a_statement"),
    ("그냥 메모\n아무 내용\n".encode(), "notes.csv", "not_a_statement"),
    (b"PK\x03\x04garbage", "bad.xlsx", "not_a_statement"),
    (b"\xff\xfe\xfa\x80\x81", "x.csv", "unreadable_encoding"),
])
def test_files_that_are_not_statements_are_refused(upload, sql, data, filename, code):
    body = assert_problem(upload(data, filename), 422, code)
    assert body["errors"]
    assert sql.count("statement_imports") == 0 and sql.count("entries", "1=1") == 0


def test_an_empty_sheet_and_a_zip_bomb_are_refused(upload, sql):
    assert_problem(upload(xlsx([])), 422, "empty_statement")
    assert_problem(upload(zip_bomb(), "bomb.xlsx"), 422, "archive_too_large")
    assert sql.count("statement_imports") == 0


def test_formulas_are_text_never_evaluated(upload):
    rows = statement_rows("shinhan_card", CARD_ROWS[:1])
    rows[5][1] = "=HYPERLINK(\"http://x\",\"y\")"
    body = upload(xlsx(rows)).get_json()
    assert body["rows"][0]["payee"].startswith("=HYPERLINK")


def test_a_10_mb_upload_is_413(client, logged_in, sql):
    # Raw bytes (the test client would spool a file field to a temporary file).
    big = client.post(URL, data=b"a" * (10 * 1048576 + 1), headers=logged_in.headers,
                      content_type="multipart/form-data; boundary=x")
    assert_problem(big, 413, "payload_too_large")
    assert sql.count("statement_imports") == 0


def test_bad_form_fields_are_422(client, logged_in, upload, make_user):
    assert_problem(upload(b"x", account_id="abc"), 422, "validation_error")
    assert_problem(upload(b"x", account_id="999999"), 404, "not_found")
    missing = client.post(URL, data={"account_id": "1"}, headers=logged_in.headers, content_type="multipart/form-data")
    assert assert_problem(missing, 422, "validation_error")["errors"]["file"]
    wrong = upload(xlsx(statement_rows("kb_bank", BANK_ROWS)), profile="hyundai_card")
    assert assert_problem(wrong, 422, "validation_error")["errors"]["profile"]


def test_an_expired_upload_is_410_and_purged(client, logged_in, upload, sql, app):
    body = upload(xlsx(statement_rows("kb_bank", BANK_ROWS))).get_json()
    sql.execute("UPDATE statement_imports SET expires_at = :t", t=datetime.now(UTC) - timedelta(minutes=1))
    assert_problem(client.get(f"{URL}/{body['id']}", headers=logged_in.headers), 410, "import_expired")
    assert_problem(commit(client, logged_in, body["id"]), 410, "import_expired")
    assert sql.count("entries", "1=1") == 0
    result = app.test_cli_runner().invoke(args=["imports", "purge"])
    assert result.exit_code == 0 and "purged 1" in result.output
    assert sql.count("statement_imports") == 0


def test_a_saved_mapping_is_recognised_next_time(client, logged_in, upload, sql):
    rows = [["날짜", "사용처", "쓴돈"], ["2026-11-01", "빵집", "5,000"]]
    body = upload(csv_bytes(rows), "mine.csv")
    assert_problem(body, 422, "not_a_statement")  # "쓴돈" names no amount column
    rows = [["일자", "사용처", "금액", "비고란"], ["2026-11-01", "빵집", "5,000", ""]]
    first = upload(csv_bytes(rows), "mine.csv").get_json()
    assert first["mapping"] == {"date": 0, "amount": 2, "memo": 3} and first["profile"] is None
    patched = client.patch(f"{URL}/{first['id']}", json={"mapping": {"date": 0, "amount": 2, "payee": 1},
                                                        "save_profile": "내 카드"}, headers=logged_in.headers)
    assert patched.status_code == 200 and patched.get_json()["rows"][0]["payee"] == "빵집"
    second = upload(csv_bytes(rows), "mine.csv").get_json()
    assert second["profile"] == "내 카드" and second["mapping"] == {"date": 0, "amount": 2, "payee": 1}
    assert sql.count("import_profiles") == 1


def test_viewers_cannot_upload_and_other_ledgers_see_nothing(client, logged_in, upload, auth, make_user):
    body = upload(xlsx(statement_rows("kb_bank", BANK_ROWS))).get_json()
    other = make_user()
    auth.login(other)
    assert_problem(client.get(f"{URL}/{body['id']}", headers=auth.headers), 404, "not_found")
    assert_problem(client.post(f"{URL}/{body['id']}/commit", headers=auth.headers), 404, "not_found")

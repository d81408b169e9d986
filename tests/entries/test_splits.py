"""Split entries: lines on POST/PATCH (status, code, DB rows, If-Match), and every total that reads them
(monthly report, trend, budgets, the category filter, category delete/reassign) counting each split once."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.entries.effective import entry_effective_lines
from tests.conftest import assert_problem

URL = "/api/v1/entries"


@pytest.fixture
def cats(ids, make_category, user) -> dict:
    c = ids["categories"]
    return {"food": c["Food"], "cafe": c["Cafe & snacks"], "transport": c["Transport"], "salary": c["Salary"],
            "child": make_category(user, name="Snacks", parent_id=c["Food"])}


def split_body(ids, cats, lines=None, **fields) -> dict:
    body = {"type": "expense", "amount": 10_000, "occurred_on": "2026-11-20", "account_id": ids["cash"],
            "memo": "mart", "lines": lines if lines is not None else [
                {"amount": 7_000, "category_id": cats["food"], "memo": "groceries"},
                {"amount": 3_000, "category_id": cats["cafe"]}]}
    body.update(fields)
    return body


def line_rows(sql, entry_id: int) -> list[tuple]:
    return [tuple(r) for r in sql.rows("SELECT position, amount, category_id, memo, ledger_id FROM entry_lines "
                                       "WHERE entry_id = :e ORDER BY position", e=entry_id)]


@pytest.fixture
def split(client, logged_in, ids, cats):
    response = client.post(URL, json=split_body(ids, cats), headers=logged_in.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


# --- create -----------------------------------------------------------------------------------------------

def test_post_with_lines_stores_them_and_answers_them(split, sql, cats, user):
    assert split["category_id"] is None
    assert split["lines"] == [{"amount": 7_000, "category_id": cats["food"], "memo": "groceries"},
                              {"amount": 3_000, "category_id": cats["cafe"], "memo": ""}]
    assert line_rows(sql, split["id"]) == [(0, 7_000, cats["food"], "groceries", user.ledger_id),
                                           (1, 3_000, cats["cafe"], "", user.ledger_id)]
    assert sql.scalar("SELECT category_id FROM entries WHERE id = :e", e=split["id"]) is None


def test_unsplit_entries_answer_an_empty_list(client, logged_in, ids, cats):
    body = {k: v for k, v in split_body(ids, cats).items() if k != "lines"}
    response = client.post(URL, json={**body, "category_id": cats["food"]}, headers=logged_in.headers)
    assert response.status_code == 201 and response.get_json()["lines"] == []


def test_lines_that_do_not_add_up_are_split_sum_mismatch(client, logged_in, ids, cats, sql):
    body = split_body(ids, cats, amount=10_001)
    problem = assert_problem(client.post(URL, json=body, headers=logged_in.headers), 422, "split_sum_mismatch")
    assert list(problem["errors"]) == ["lines"] and "10001" in problem["errors"]["lines"][0]
    assert sql.count("entries") == 0 and sql.count("entry_lines") == 0


@pytest.mark.parametrize("case", ["category_too", "one_line", "too_many", "transfer", "foreign_category",
                                  "wrong_kind", "archived", "no_category_in_line", "zero_amount"])
def test_bad_splits_are_422_naming_the_field(client, logged_in, ids, cats, sql, make_user, make_category,
                                             make_account, user, case):
    body = split_body(ids, cats)
    field: list = ["lines"]
    if case == "category_too":
        body["category_id"], field = cats["food"], ["category_id"]
    elif case == "one_line":
        body["lines"] = [{"amount": 10_000, "category_id": cats["food"]}]
    elif case == "too_many":
        body["amount"] = 51
        body["lines"] = [{"amount": 1, "category_id": cats["food"]}] * 51
    elif case == "transfer":
        body.update(type="transfer", to_account_id=make_account(user))
    elif case == "foreign_category":
        stranger = make_user()
        body["lines"][1]["category_id"] = make_category(stranger, name="Theirs")
        field = ["lines", "1", "category_id"]
    elif case == "wrong_kind":
        body["lines"][0]["category_id"] = cats["salary"]
        field = ["lines", "0", "category_id"]
    elif case == "archived":
        sql.execute("UPDATE categories SET archived = true WHERE id = :c", c=cats["cafe"])
        field = ["lines", "1", "category_id"]
    elif case == "no_category_in_line":
        del body["lines"][0]["category_id"]
        field = ["lines", "0", "category_id"]
    elif case == "zero_amount":
        body["lines"][0]["amount"] = 0
        field = ["lines", "0", "amount"]
    problem = assert_problem(client.post(URL, json=body, headers=logged_in.headers), 422, "validation_error")
    found = problem["errors"]
    for key in field:
        found = found[key]
    assert found, problem
    assert sql.count("entries") == 0 and sql.count("entry_lines") == 0


# --- PATCH: lines replaced as a whole under If-Match --------------------------------------------------------

def test_patch_replaces_the_lines_and_moves_the_etag(client, logged_in, split, cats, sql):
    etag = client.get(f"{URL}/{split['id']}", headers=logged_in.headers).headers["ETag"]
    lines = [{"amount": 2_000, "category_id": cats["transport"]}, {"amount": 5_000, "category_id": cats["food"]},
             {"amount": 3_000, "category_id": cats["child"], "memo": "chips"}]
    response = client.patch(f"{URL}/{split['id']}", json={"lines": lines},
                            headers={**logged_in.headers, "If-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag
    assert [line["category_id"] for line in response.get_json()["lines"]] == [cats["transport"], cats["food"],
                                                                              cats["child"]]
    assert [(r[0], r[1], r[2]) for r in line_rows(sql, split["id"])] == [
        (0, 2_000, cats["transport"]), (1, 5_000, cats["food"]), (2, 3_000, cats["child"])]
    assert sql.scalar("SELECT version FROM entries WHERE id = :e", e=split["id"]) == 2
    stale = client.patch(f"{URL}/{split['id']}", json={"lines": []}, headers={**logged_in.headers, "If-Match": etag})
    assert_problem(stale, 412, "precondition_failed")
    assert len(line_rows(sql, split["id"])) == 3


def test_patch_unsplits_with_a_category(client, logged_in, split, cats, sql):
    response = client.patch(f"{URL}/{split['id']}", json={"lines": [], "category_id": cats["food"]},
                            headers=logged_in.headers)
    assert response.status_code == 200
    assert response.get_json()["lines"] == [] and response.get_json()["category_id"] == cats["food"]
    assert line_rows(sql, split["id"]) == []


def test_patch_of_the_amount_alone_must_keep_the_sum(client, logged_in, split, sql):
    response = client.patch(f"{URL}/{split['id']}", json={"amount": 9_000}, headers=logged_in.headers)
    assert_problem(response, 422, "split_sum_mismatch")
    assert sql.scalar("SELECT amount FROM entries WHERE id = :e", e=split["id"]) == 10_000


def test_patch_to_transfer_or_a_category_is_refused(client, logged_in, split, cats, make_account, user):
    response = client.patch(f"{URL}/{split['id']}", json={"category_id": cats["food"]}, headers=logged_in.headers)
    assert "category_id" in assert_problem(response, 422, "validation_error")["errors"]
    response = client.patch(f"{URL}/{split['id']}", json={"type": "transfer", "to_account_id": make_account(user)},
                            headers=logged_in.headers)
    assert "lines" in assert_problem(response, 422, "validation_error")["errors"]


def test_patch_with_the_same_lines_changes_nothing(client, logged_in, split, sql):
    response = client.patch(f"{URL}/{split['id']}", json={"lines": split["lines"]}, headers=logged_in.headers)
    assert response.status_code == 200
    assert sql.scalar("SELECT version FROM entries WHERE id = :e", e=split["id"]) == 1


def test_an_archived_category_kept_by_a_line_stays_editable(client, logged_in, split, cats, sql):
    sql.execute("UPDATE categories SET archived = true WHERE id = :c", c=cats["cafe"])
    response = client.patch(f"{URL}/{split['id']}", json={"memo": "still here"}, headers=logged_in.headers)
    assert response.status_code == 200


def test_delete_removes_the_lines(client, logged_in, split, sql):
    assert client.delete(f"{URL}/{split['id']}", headers=logged_in.headers).status_code == 204
    assert sql.count("entry_lines") == 0


# --- everything that reads money by category counts a split once ------------------------------------------

def test_monthly_report_budgets_and_trend_count_each_line_once(client, logged_in, split, ids, cats):
    client.post(URL, json={"type": "expense", "amount": 500, "occurred_on": "2026-11-21", "account_id": ids["cash"],
                           "category_id": cats["food"]}, headers=logged_in.headers)
    put = client.put("/api/v1/budgets/2026-11", json={"items": [{"category_id": cats["food"], "amount": 20_000},
                                                                {"category_id": cats["cafe"], "amount": 5_000}]},
                     headers=logged_in.headers)
    assert put.status_code == 200, put.get_json()
    report = client.get("/api/v1/reports/monthly?month=2026-11", headers=logged_in.headers).get_json()
    assert report["expense"] == 10_500
    by_id = {row["category_id"]: row for row in report["by_category"]}
    assert (by_id[cats["food"]]["total"], by_id[cats["food"]]["count"]) == (7_500, 2)
    assert by_id[cats["cafe"]]["total"] == 3_000
    assert None not in by_id  # the split entry itself (no category) is not a row of its own
    assert sum(row["total"] for row in report["by_category"] if row["parent_id"] is None) == 10_500
    budgets = {item["category_id"]: item["spent"] for item in report["budgets"]}
    assert budgets == {cats["food"]: 7_500, cats["cafe"]: 3_000}
    assert report["budget"]["spent"] == 10_500
    trend = client.get("/api/v1/reports/trend?from=2026-11&to=2026-11", headers=logged_in.headers).get_json()
    assert trend["items"][0]["expense"] == 10_500
    assert report["recent"][-1]["lines"] == split["lines"] or any(r["lines"] for r in report["recent"])


def test_a_child_line_rolls_up_into_its_parent(client, logged_in, ids, cats):
    body = split_body(ids, cats, lines=[{"amount": 4_000, "category_id": cats["child"]},
                                        {"amount": 6_000, "category_id": cats["transport"]}])
    assert client.post(URL, json=body, headers=logged_in.headers).status_code == 201
    report = client.get("/api/v1/reports/monthly?month=2026-11", headers=logged_in.headers).get_json()
    rows = {(row["category_id"], row["parent_id"]): row["total"] for row in report["by_category"]}
    assert rows[(cats["food"], None)] == 4_000 and rows[(cats["child"], cats["food"])] == 4_000


def test_category_filter_matches_split_lines(client, logged_in, split, cats):
    def listed(category: int) -> list[int]:
        response = client.get(f"{URL}?category_id={category}", headers=logged_in.headers)
        return [item["id"] for item in response.get_json()["items"]]

    assert listed(cats["cafe"]) == [split["id"]]
    assert listed(cats["transport"]) == []


def test_category_delete_is_blocked_by_a_line_and_reassign_moves_it(client, logged_in, split, cats, sql):
    blocked = client.delete(f"/api/v1/categories/{cats['cafe']}", headers=logged_in.headers)
    assert_problem(blocked, 409, "conflict")
    response = client.delete(f"/api/v1/categories/{cats['cafe']}?reassign_to={cats['transport']}",
                             headers=logged_in.headers)
    assert response.status_code in (200, 204), response.get_data(as_text=True)
    assert [r[2] for r in line_rows(sql, split["id"])] == [cats["food"], cats["transport"]]
    assert sql.scalar("SELECT version FROM entries WHERE id = :e", e=split["id"]) == 2
    assert sql.scalar("SELECT category_id FROM entries WHERE id = :e", e=split["id"]) is None


def test_another_ledgers_lines_never_count(client, logged_in, split, make_user, auth, ids):
    stranger = make_user()
    auth.login(stranger)
    report = client.get("/api/v1/reports/monthly?month=2026-11", headers=auth.headers).get_json()
    assert report["expense"] == 0 and report["by_category"] == []


# --- the one query: effective lines == the entries, whatever the split ---------------------------------------

@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.lists(st.integers(min_value=1, max_value=10**9), min_size=2, max_size=6), max_size=5),
       plain=st.lists(st.integers(min_value=1, max_value=10**9), max_size=4))
def test_effective_lines_sum_to_the_entries_and_per_category(app, client, logged_in, ids, cats, sql, user,
                                                             parts, plain):
    sql.execute("DELETE FROM entries")
    expected: dict[int, int] = {}
    order = [cats["food"], cats["cafe"], cats["transport"], cats["child"]]
    for amounts in parts:
        lines = [{"amount": a, "category_id": order[i % 4]} for i, a in enumerate(amounts)]
        body = split_body(ids, cats, lines=lines, amount=sum(amounts))
        assert client.post(URL, json=body, headers=logged_in.headers).status_code == 201
        for line in lines:
            expected[line["category_id"]] = expected.get(line["category_id"], 0) + line["amount"]
    for amount in plain:
        body = {"type": "expense", "amount": amount, "occurred_on": "2026-11-20", "account_id": ids["cash"],
                "category_id": cats["food"]}
        assert client.post(URL, json=body, headers=logged_in.headers).status_code == 201
        expected[cats["food"]] = expected.get(cats["food"], 0) + amount
    with app.app_context():
        from sqlalchemy import func, select

        from ledger.extensions import db
        lines = entry_effective_lines(user.ledger_id)
        got = dict(db.session.execute(select(lines.c.category_id, func.sum(lines.c.amount))
                                      .group_by(lines.c.category_id)).all())
        whole = entry_effective_lines(user.ledger_id, by_category=False)
        total = db.session.execute(select(func.sum(whole.c.amount))).scalar()
    assert {k: int(v) for k, v in got.items()} == expected
    assert int(total or 0) == sum(expected.values())


# --- CSV: one row per line, a shared split_group; the import reads a group back as one split entry ----------

CSV_HEADER = "occurred_on,type,account,to_account,category,amount,memo,tags,split_group,split_total,split_memo"


def test_export_writes_one_row_per_line_and_import_reads_them_back(client, logged_in, split, auth, make_user, sql):
    client.patch(f"{URL}/{split['id']}", json={"tags": ["mart"]}, headers=logged_in.headers)
    text = client.get(f"{URL}/export.csv", headers=logged_in.headers).get_data(as_text=True)
    assert text == ("\ufeff" + CSV_HEADER + "\r\n"
                    f"2026-11-20,expense,Cash,,Food,7000,groceries,mart,{split['id']},10000,mart\r\n"
                    f"2026-11-20,expense,Cash,,Cafe & snacks,3000,,mart,{split['id']},10000,mart\r\n")
    # The amount column alone adds up to the real total: nothing is counted twice in a spreadsheet either.
    other = make_user()
    auth.login(other)
    response = client.post(f"{URL}/import", data=text.encode(), headers={**auth.headers, "Content-Type": "text/csv"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["imported"] == 1
    imported = client.get(URL, headers=auth.headers).get_json()["items"]
    assert len(imported) == 1
    entry = imported[0]
    assert (entry["amount"], entry["memo"], entry["tags"], entry["category_id"]) == (10_000, "mart", ["mart"], None)
    names = dict(sql.rows("SELECT id, name FROM categories WHERE ledger_id = :l", l=other.ledger_id))
    assert [(names[line["category_id"]], line["amount"], line["memo"]) for line in entry["lines"]] == [
        ("Food", 7_000, "groceries"), ("Cafe & snacks", 3_000, "")]
    again = client.get(f"{URL}/export.csv", headers=auth.headers).get_data(as_text=True)
    assert again == text.replace(f",{split['id']},10000,", f",{entry['id']},10000,")


@pytest.mark.parametrize(("rows", "column", "code"), [
    (["2026-11-20,expense,Cash,,Food,7000,,,g1,10001,", "2026-11-20,expense,Cash,,Food,3000,,,g1,10001,"],
     "split_total", "split_sum_mismatch"),
    (["2026-11-20,expense,Cash,,Food,7000,,,g1,10000,", "2026-11-21,expense,Cash,,Food,3000,,,g1,10000,"],
     "occurred_on", "split_mismatch"),
    (["2026-11-20,expense,Cash,,Food,10000,,,g1,10000,"], "split_group", "split_count"),
    (["2026-11-20,transfer,Cash,Bank,,5,,,g1,10,", "2026-11-20,transfer,Cash,Bank,,5,,,g1,10,"],
     "split_group", "split_transfer"),
    (["2026-11-20,expense,Cash,,Food,5,,,,10,"], "split_group", "split_group_required"),
])
def test_bad_split_groups_are_row_errors(client, logged_in, sql, rows, column, code):
    body = "\r\n".join([CSV_HEADER, "2026-11-19,expense,Cash,,Food,1,fine,,,,", *rows]) + "\r\n"
    response = client.post(f"{URL}/import", data=body.encode(), headers={**logged_in.headers,
                                                                         "Content-Type": "text/csv"})
    problem = assert_problem(response, 422, "validation_error")
    bad = problem["errors"]["rows"]
    assert [row["line"] for row in bad] == list(range(3, 3 + len(rows)))
    assert all(row["codes"] == {column: [code]} for row in bad), bad
    assert sql.count("entries") == 0 and sql.count("entry_lines") == 0


# --- the reports' plans: indexes, not scans (a deterministic proxy for "stays fast") -------------------------

@pytest.fixture
def split_ledger(app, user, ids, make_user, sql, cats):
    """3,000 entries over a year (20 % of them split in 2..4 lines) for this ledger and two others, analysed."""
    import random
    from datetime import date, timedelta

    from sqlalchemy import insert, select

    from ledger.entries.models import Entry, EntryLine
    from ledger.extensions import db

    def fill(ledger_id: int, cash: int, categories: list[int], seed: int) -> None:
        rng = random.Random(seed)
        rows = [{"ledger_id": ledger_id, "type": "expense", "amount": rng.randint(4, 100_000),
                 "occurred_on": date(2026, 1, 1) + timedelta(days=rng.randrange(365)), "account_id": cash,
                 "category_id": rng.choice(categories), "memo": ""} for _ in range(3000)]
        with app.app_context():
            before = db.session.execute(select(db.func.coalesce(db.func.max(Entry.id), 0))).scalar_one()
            db.session.execute(insert(Entry), rows)
            made = db.session.execute(select(Entry.id, Entry.amount).where(Entry.ledger_id == ledger_id,
                                                                           Entry.id > before)).all()
            lines = []
            for entry_id, amount in made:
                if rng.random() < 0.2:
                    first = amount // 2
                    lines += [{"ledger_id": ledger_id, "entry_id": entry_id, "position": 0, "amount": first,
                               "category_id": categories[0], "memo": ""},
                              {"ledger_id": ledger_id, "entry_id": entry_id, "position": 1, "amount": amount - first,
                               "category_id": categories[1], "memo": ""}]
            db.session.execute(insert(EntryLine), lines)
            split_ids = {line["entry_id"] for line in lines}
            db.session.execute(db.update(Entry).where(Entry.id.in_(split_ids)).values(category_id=None))
            db.session.commit()

    fill(user.ledger_id, ids["cash"], [cats["food"], cats["cafe"], cats["transport"]], 1)
    for seed in (2, 3):
        other = make_user()
        cash = sql.scalar("SELECT id FROM accounts WHERE ledger_id = :u", u=other.ledger_id)
        theirs = [r[0] for r in sql.rows("SELECT id FROM categories WHERE ledger_id = :u AND kind = 'expense' "
                                         "ORDER BY id", u=other.ledger_id)][:3]
        fill(other.ledger_id, cash, theirs, seed)
    with app.app_context(), db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


def test_monthly_report_and_budget_plans_use_the_indexes(app, client, logged_in, split_ledger, backend, cats):
    from sqlalchemy import event

    from ledger.extensions import db

    client.put("/api/v1/budgets/2026-06", json={"items": [{"category_id": cats["food"], "amount": 1}]},
               headers=logged_in.headers)
    seen: list = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "entry_lines" in statement:
            seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        report = client.get("/api/v1/reports/monthly?month=2026-06", headers=logged_in.headers)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert report.status_code == 200
    grouped = [(s, p) for s, p in seen if "GROUP BY" in s]
    assert len(grouped) == 2, seen  # by category, and the budgets' spending
    for statement, parameters in grouped:
        with app.app_context(), db.engine.connect() as conn:
            if backend == "postgresql":
                plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, parameters).all())
                assert "Seq Scan on entries" not in plan and "Seq Scan on entry_lines" not in plan, plan
                assert "ix_entries_ledger_id_occurred_on" in plan, plan
                assert "uq_entry_lines_entry_id_position" in plan or "ix_entry_lines_ledger_id" in plan, plan
            else:
                plan = "\n".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement,
                                                                            parameters).all())
                assert "SCAN entries" not in plan and "SCAN entry_lines" not in plan, plan
                assert "ix_entries_ledger_id_occurred_on" in plan, plan
                assert "uq_entry_lines_entry_id_position" in plan, plan

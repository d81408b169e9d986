"""Keyset pagination of GET /entries: completeness, forged cursors, constant statements, the index."""
from __future__ import annotations

import base64
import json
import random

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import event

from ledger.extensions import db
from tests.conftest import assert_problem
from tests.entries.conftest import URL, bulk_entries


def expected_order(sql, ledger_id: int) -> list[int]:
    rows = sql.rows("SELECT id, occurred_on FROM entries WHERE ledger_id = :u", u=ledger_id)
    return [row[0] for row in sorted(rows, key=lambda r: (str(r[1]), r[0]), reverse=True)]


def walk(client, headers, **params) -> tuple[list[int], list[int]]:
    """Follow next_cursor to the end → (all ids in order, page sizes)."""
    seen, sizes, cursor = [], [], None
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        response = client.get(URL, query_string=query, headers=headers)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        seen += [item["id"] for item in body["items"]]
        sizes.append(len(body["items"]))
        cursor = body["next_cursor"]
        if cursor is None:
            return seen, sizes
        assert len(sizes) < 100, "pagination does not end"


@pytest.fixture
def many(app, user, ids, sql) -> list[int]:
    """120 entries over 4 dates: about 30 ties per date, inserted in shuffled date order."""
    return bulk_entries(app, user.ledger_id, ids["cash"], ids["categories"]["Food"], 120, days=4)


def test_pages_return_every_entry_exactly_once_in_order(client, logged_in, many, sql, user):
    seen, sizes = walk(client, logged_in.headers, limit=50)
    assert sizes == [50, 50, 20]
    assert len(seen) == len(set(seen)) == 120
    assert seen == expected_order(sql, user.ledger_id)


def test_pages_of_one_cross_every_tie(client, logged_in, app, user, ids, sql):
    bulk_entries(app, user.ledger_id, ids["cash"], ids["categories"]["Food"], 12, days=2)
    seen, sizes = walk(client, logged_in.headers, limit=1)
    assert sizes == [1] * 12
    assert seen == expected_order(sql, user.ledger_id)


def test_last_page_has_no_next_cursor_even_when_full(client, logged_in, app, user, ids):
    bulk_entries(app, user.ledger_id, ids["cash"], ids["categories"]["Food"], 100, days=3)
    seen, sizes = walk(client, logged_in.headers, limit=50)
    assert sizes == [50, 50]


def test_pagination_keeps_the_filters(client, logged_in, many, sql, user):
    cutoff = 50_000
    seen, _ = walk(client, logged_in.headers, limit=7, min_amount=cutoff)
    wanted = {row[0] for row in sql.rows("SELECT id FROM entries WHERE amount >= :a", a=cutoff)}
    assert seen == [i for i in expected_order(sql, user.ledger_id) if i in wanted]


def test_entries_added_while_paging_do_not_shift_later_pages(client, logged_in, many, sql, user, make_entry, ids):
    first = client.get(URL, query_string={"limit": 50}, headers=logged_in.headers).get_json()
    make_entry(user, account_id=ids["cash"], category_id=ids["categories"]["Food"], occurred_on="2030-01-01")
    second = client.get(URL, query_string={"limit": 50, "cursor": first["next_cursor"]},
                        headers=logged_in.headers).get_json()
    assert [item["id"] for item in second["items"]] == expected_order(sql, user.ledger_id)[51:101]


def _cursor(client, headers) -> str:
    return client.get(URL, query_string={"limit": 1}, headers=headers).get_json()["next_cursor"]


def _flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1:]


def _forgeries(real: str, secret: str) -> dict[str, str]:
    payload = json.loads(base64.urlsafe_b64decode(real.split(".")[0] + "=="))
    return {
        "flipped in payload": _flip(real, 2),
        "flipped in signature": _flip(real, len(real) - 3),
        "random base64": base64.urlsafe_b64encode(random.Random(1).randbytes(24)).decode(),
        "unsigned base64 json": base64.urlsafe_b64encode(json.dumps(["2099-01-01", 10**9]).encode()).decode(),
        "payload with the old signature": base64.urlsafe_b64encode(json.dumps(["2099-01-01", payload[1]]).encode())
        .decode().rstrip("=") + "." + real.split(".")[1],
        "signed with another key": URLSafeSerializer("some other secret key",
                                                     salt="ledger.entries.cursor").dumps(payload),
        "signed, wrong shape": URLSafeSerializer(secret, salt="ledger.entries.cursor").dumps({"id": 1}),
        "signed, bad date": URLSafeSerializer(secret, salt="ledger.entries.cursor").dumps(["2026-02-30", 1]),
        "signed, string id": URLSafeSerializer(secret, salt="ledger.entries.cursor").dumps(["2026-02-03", "1"]),
        "not base64": "!!!***",
        "empty-ish": ".",
        "too long": "A" * 1001,
    }


@pytest.mark.parametrize("kind", ["flipped in payload", "flipped in signature", "random base64",
                                  "unsigned base64 json", "payload with the old signature",
                                  "signed with another key", "signed, wrong shape", "signed, bad date",
                                  "signed, string id", "not base64", "empty-ish", "too long"])
def test_tampered_or_forged_cursor_is_422(client, logged_in, many, app, kind):
    forged = _forgeries(_cursor(client, logged_in.headers), app.config["SECRET_KEY"])[kind]
    body = assert_problem(client.get(URL, query_string={"cursor": forged}, headers=logged_in.headers), 422,
                          "validation_error")
    assert list(body["errors"]) == ["cursor"]


def test_cursor_is_opaque_base64url(client, logged_in, many):
    cursor = _cursor(client, logged_in.headers)
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def _list_statements(client, headers, count_statements) -> list[str]:
    with count_statements() as statements:
        response = client.get(URL, query_string={"limit": 200}, headers=headers)
    assert response.status_code == 200
    assert all(item["tags"] == ["a", "b"] for item in response.get_json()["items"])
    return statements


def test_statement_count_does_not_grow_with_entries(client, logged_in, app, user, ids, count_statements, sql):
    bulk_entries(app, user.ledger_id, ids["cash"], ids["categories"]["Food"], 5, tags=True)
    few = _list_statements(client, logged_in.headers, count_statements)
    bulk_entries(app, user.ledger_id, ids["cash"], ids["categories"]["Food"], 495, tags=True, seed=8)
    assert sql.count("entries") == 500
    many = _list_statements(client, logged_in.headers, count_statements)
    # The token check, the page, its tags and its split lines (selectin): 4, whatever the size.
    assert len(few) == len(many) == 4, many  # token, page, tags, split lines


@pytest.fixture
def captured_page_query(app, client, logged_in):
    """Run GET /entries and return the entries SELECT it sent to the database, with its parameters."""

    def capture(**params) -> tuple[str, object]:
        seen: list = []

        def record(conn, cursor, statement, parameters, context, executemany):
            if "FROM entries" in statement and "ORDER BY" in statement:
                seen.append((statement, parameters))

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            response = client.get(URL, query_string=params, headers=logged_in.headers)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        assert response.status_code == 200
        assert len(seen) == 1, seen
        return seen[0]

    return capture


def _plan(app, backend: str, statement: str, parameters) -> str:
    with app.app_context(), db.engine.connect() as conn:
        if backend == "postgresql":
            rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
            return "\n".join(row[0] for row in rows)
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        return "\n".join(str(row[-1]) for row in rows)


@pytest.fixture
def big_ledger(app, user, ids, make_user, sql, backend):
    """Enough rows (for this user and others) that a planner prefers an index when it can use one."""
    bulk_entries(app, user.ledger_id, ids["cash"], ids["categories"]["Food"], 3000, days=365)
    for _ in range(2):
        other = make_user()
        other_ids = {"cash": sql.scalar("SELECT id FROM accounts WHERE ledger_id = :u", u=other.ledger_id),
                     "food": sql.scalar("SELECT id FROM categories WHERE ledger_id = :u AND name = 'Food'",
                                        u=other.ledger_id)}
        bulk_entries(app, other.ledger_id, other_ids["cash"], other_ids["food"], 3000, days=365, seed=other.id)
    with app.app_context(), db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


def _assert_uses_keyset_index(plan: str, backend: str, deep: bool) -> None:
    assert "ix_entries_ledger_id_occurred_on_id" in plan, plan
    if backend == "postgresql":
        assert "Index Scan Backward using ix_entries_ledger_id_occurred_on_id" in plan, plan
        assert "Sort" not in plan and "Seq Scan on entries" not in plan, plan
        if deep:  # the cursor is an index condition (a seek), not a filter over the skipped rows
            index_cond = next(line for line in plan.splitlines() if "Index Cond" in line)
            assert "occurred_on <=" in index_cond, plan
    else:
        assert "TEMP B-TREE" not in plan, plan  # the index gives the order: no sort
        assert "occurred_on<?" in plan if deep else "(ledger_id=?)" in plan, plan


def test_first_page_query_uses_the_keyset_index(app, backend, big_ledger, captured_page_query):
    plan = _plan(app, backend, *captured_page_query(limit=50))
    _assert_uses_keyset_index(plan, backend, deep=False)


def test_deep_page_query_seeks_with_the_keyset_index(app, backend, big_ledger, captured_page_query, client,
                                                      logged_in):
    cursor = None
    for _ in range(40):  # 40 pages of 50 deep
        body = client.get(URL, query_string={"limit": 50, **({"cursor": cursor} if cursor else {})},
                          headers=logged_in.headers).get_json()
        cursor = body["next_cursor"]
    plan = _plan(app, backend, *captured_page_query(limit=50, cursor=cursor))
    _assert_uses_keyset_index(plan, backend, deep=True)

"""The per-request check stays one SQL statement on the ledger-scoped paths too (its membership is joined),
and the Redis copy of the auth state (AUTH_STATE_URL) answers it with none, never from a stale membership."""
from __future__ import annotations

import pytest

from tests.conftest import assert_problem, default_ids, login_body

ENTRIES = "/entries?limit=50"


def _auth_statements(statements: list[str]) -> list[str]:
    """The statements that read the token's session or a membership: the auth check's."""
    return [s for s in statements if "sessions" in s.lower() or "ledger_members" in s.lower()]


@pytest.fixture
def busy(household, sql, make_entry):
    """60 entries in the shared ledger, by the owner (more than one page of 50)."""
    ids = default_ids(sql, household.owner.user)
    for day in range(1, 61):
        make_entry(household.owner.user, account_id=ids["cash"], category_id=ids["categories"]["Food"],
                   occurred_on=f"2026-{9 + day // 29:02d}-{day % 28 + 1:02d}", tags=("t",))
    return household


def test_a_ledger_scoped_page_costs_the_same_as_the_unscoped_one(client, busy, count_statements):
    owner = busy.owner
    with count_statements() as unscoped:
        plain = client.get(f"/api/v1{ENTRIES}", headers=owner.headers)
    with count_statements() as scoped:
        shared = client.get(busy.path(ENTRIES), headers=busy.viewer.headers)

    assert plain.status_code == shared.status_code == 200
    assert len(shared.get_json()["items"]) == 50 and shared.get_json()["items"] == plain.get_json()["items"]
    assert len(scoped) == len(unscoped), (scoped, unscoped)
    auth = _auth_statements(scoped)
    assert auth == [scoped[0]], scoped
    assert "ledger_members" in auth[0].lower() and "users" in auth[0].lower()


@pytest.mark.parametrize("who", ["owner", "editor", "viewer"])
def test_me_is_one_statement_for_every_member(client, household, count_statements, who):
    person = getattr(household, who)
    client.patch("/api/v1/me", headers=person.headers, json={"default_ledger_id": household.ledger_id})

    with count_statements() as statements:
        response = client.get("/api/v1/me", headers=person.headers)

    assert response.status_code == 200 and response.get_json()["default_ledger_id"] == household.ledger_id
    assert len(statements) == 1, statements


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_non_member_is_refused_after_the_one_statement(client, household, count_statements, method):
    with count_statements() as statements:
        response = client.open(household.path("/accounts"), method=method, headers=household.outsider.headers,
                               json={"name": "X", "type": "bank"} if method == "POST" else None)

    assert_problem(response, 404, "not_found")
    assert len(statements) == 1, statements


def test_a_viewers_write_is_refused_after_the_one_statement(client, household, count_statements):
    with count_statements() as statements:
        response = client.post(household.path("/accounts"), headers=household.viewer.headers,
                               json={"name": "X", "type": "bank"})

    assert_problem(response, 403, "forbidden_role")
    assert len(statements) == 1, statements


# --- with the Redis copy (AUTH_STATE_URL) -------------------------------------------------------------------------
@pytest.fixture
def cached(cached_app, household):
    """A client of the Redis-backed app; the household's tokens are valid there too (same database, keys)."""
    return cached_app.test_client()


def test_a_scoped_request_answered_from_redis_costs_no_auth_statement(cached, household, counted):
    with counted() as first:
        assert cached.get(household.path(ENTRIES), headers=household.editor.headers).status_code == 200
    with counted() as second:
        response = cached.get(household.path(ENTRIES), headers=household.editor.headers)

    assert response.status_code == 200
    assert len(_auth_statements(first)) == 1
    assert _auth_statements(second) == [] and len(second) == len(first) - 1


def test_me_answered_from_redis_costs_no_statement(cached, household, counted):
    cached.patch("/api/v1/me", headers=household.editor.headers, json={"default_ledger_id": household.ledger_id})
    assert cached.get("/api/v1/me", headers=household.editor.headers).status_code == 200

    with counted() as statements:
        response = cached.get("/api/v1/me", headers=household.editor.headers)

    assert response.status_code == 200 and response.get_json()["default_ledger_id"] == household.ledger_id
    assert statements == []


def _warm(cached, household, person, counted) -> None:
    """Fill the copy and prove the next request is answered from it."""
    cached.get(household.path("/accounts"), headers=person.headers)
    with counted() as statements:
        assert cached.get(household.path("/accounts"), headers=person.headers).status_code == 200
    assert _auth_statements(statements) == []


def test_a_role_lowered_is_refused_on_the_very_next_request(cached, household, counted, sql):
    editor = household.editor
    _warm(cached, household, editor, counted)

    assert cached.patch(household.path(f"/members/{editor.id}"), headers=household.owner.headers,
                        json={"role": "viewer"}).status_code == 200

    assert_problem(cached.post(household.path("/accounts"), headers=editor.headers,
                               json={"name": "Stale", "type": "bank"}), 403, "forbidden_role")
    assert sql.count("accounts", "name = 'Stale'") == 0
    assert cached.get(household.path("/accounts"), headers=editor.headers).status_code == 200


def test_a_removed_member_is_refused_on_the_very_next_request(cached, household, counted, sql):
    editor = household.editor
    _warm(cached, household, editor, counted)
    cached.patch("/api/v1/me", headers=editor.headers, json={"default_ledger_id": household.ledger_id})
    assert cached.get("/api/v1/accounts", headers=editor.headers).status_code == 200  # the default's copy too

    assert cached.delete(household.path(f"/members/{editor.id}"), headers=household.owner.headers).status_code == 204

    assert_problem(cached.get(household.path("/accounts"), headers=editor.headers), 404, "not_found")
    assert_problem(cached.post(household.path("/accounts"), headers=editor.headers,
                               json={"name": "Stale", "type": "bank"}), 404, "not_found")
    assert sql.count("accounts", "name = 'Stale'") == 0
    # the unscoped paths now act on the editor's own ledger, not on the stale copy of the shared one
    own = {a["id"] for a in cached.get("/api/v1/accounts", headers=editor.headers).get_json()["items"]}
    assert own == {r.id for r in sql.rows("SELECT id FROM accounts WHERE ledger_id = :l",
                                          l=editor.user.ledger_id)}


def test_a_removal_by_the_cli_is_refused_on_the_very_next_request(cached_app, cached, household, counted):
    editor = household.editor
    _warm(cached, household, editor, counted)

    result = cached_app.test_cli_runner().invoke(args=["ledgers", "remove-member", str(household.ledger_id),
                                                       editor.user.email])

    assert result.exit_code == 0, result.output
    assert_problem(cached.get(household.path("/accounts"), headers=editor.headers), 404, "not_found")


def test_a_deleted_ledger_is_refused_on_the_very_next_request(cached, household, counted):
    for person in (household.editor, household.viewer):
        _warm(cached, household, person, counted)

    assert cached.delete(household.path(), headers=household.owner.headers,
                         json={"name": "Ann's ledger"}).status_code == 204

    for person in (household.editor, household.viewer):
        assert_problem(cached.get(household.path("/accounts"), headers=person.headers), 404, "not_found")


def test_a_copy_of_another_ledger_is_not_used_for_this_one(cached_app, cached, household, counted, rdb):
    """The membership copies are per ledger: a copy for the shared ledger never answers for another id."""
    outsider = household.outsider
    token = login_body(cached_app.test_client(), outsider.user)["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert cached.get(f"/api/v1/ledgers/{outsider.user.ledger_id}/accounts", headers=headers).status_code == 200

    assert_problem(cached.get(household.path("/accounts"), headers=headers), 404, "not_found")
    assert rdb.keys(f"ledger:auth:m:{outsider.id}:{household.ledger_id}") == []


def test_a_new_default_ledger_is_used_on_the_very_next_request(cached, household, counted, sql):
    editor = household.editor
    cached.get("/api/v1/accounts", headers=editor.headers)  # the copy of the old default is warm
    own = cached.get("/api/v1/accounts", headers=editor.headers).get_json()["items"]

    assert cached.patch("/api/v1/me", headers=editor.headers,
                        json={"default_ledger_id": household.ledger_id}).status_code == 200

    shared = cached.get("/api/v1/accounts", headers=editor.headers).get_json()["items"]
    assert {a["id"] for a in shared} == {r.id for r in sql.rows("SELECT id FROM accounts WHERE ledger_id = :l",
                                                                l=household.ledger_id)}
    assert not {a["id"] for a in shared} & {a["id"] for a in own}


def test_the_ledgers_new_settings_reach_every_members_copy(cached, household, counted):
    viewer = household.viewer
    cached.patch("/api/v1/me", headers=viewer.headers, json={"default_ledger_id": household.ledger_id})
    assert cached.get("/api/v1/me", headers=viewer.headers).get_json()["month_start_day"] == 1
    with counted() as statements:
        cached.get("/api/v1/me", headers=viewer.headers)
    assert statements == []  # answered from the copy

    assert cached.patch(household.path(), headers=household.owner.headers,
                        json={"month_start_day": 25}).status_code == 200

    assert cached.get("/api/v1/me", headers=viewer.headers).get_json()["month_start_day"] == 25
    report = cached.get(household.path("/reports/monthly?month=2026-11"), headers=viewer.headers).get_json()
    assert report["from"] == "2026-10-25"

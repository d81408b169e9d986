"""GET/POST /api/v1/ledgers, GET/PATCH/DELETE /api/v1/ledgers/{id}: a household's book and its settings."""
from tests.conftest import assert_problem
from tests.ledgers.conftest import default_of, members_of

LEDGERS = "/api/v1/ledgers"


def test_create_makes_the_caller_owner_with_an_account_and_the_default_categories(client, household, sql):
    owner = household.owner

    response = client.post(LEDGERS, headers=owner.headers, json={"name": "Trip", "currency": "usd",
                                                                 "month_start_day": 25})

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert {k: body[k] for k in ("name", "currency", "month_start_day", "role", "member_count")} \
        == {"name": "Trip", "currency": "USD", "month_start_day": 25, "role": "owner", "member_count": 1}
    new = body["id"]
    assert members_of(sql, new) == {owner.id: "owner"}
    assert sql.rows("SELECT type FROM accounts WHERE ledger_id = :l", l=new) == [("cash",)]
    assert sql.count("categories", "ledger_id = :l", l=new) \
        == sql.count("categories", "ledger_id = :l", l=household.ledger_id) > 0
    assert default_of(sql, owner.id) == household.ledger_id  # a new ledger does not become the default
    listed = client.get(LEDGERS, headers=owner.headers).get_json()["items"]
    assert [(i["id"], i["role"], i["member_count"]) for i in listed] == [(household.ledger_id, "owner", 3),
                                                                          (new, "owner", 1)]


def test_create_in_korean_names_the_defaults_in_korean(client, household, sql):
    response = client.post(LEDGERS, headers={**household.owner.headers, "Accept-Language": "ko-KR"},
                           json={"name": "여행"})

    assert response.status_code == 201
    assert sql.scalar("SELECT name FROM accounts WHERE ledger_id = :l", l=response.get_json()["id"]) == "현금"


def test_create_with_an_unknown_currency_is_422_and_creates_nothing(client, household, sql):
    before = sql.count("ledgers")

    body = assert_problem(client.post(LEDGERS, headers=household.owner.headers,
                                      json={"name": "X", "currency": "ZZZ"}), 422, "validation_error")

    assert "currency" in body["errors"]
    assert sql.count("ledgers") == before


def test_get_shows_the_callers_role(client, household):
    for person, role in ((household.owner, "owner"), (household.editor, "editor"), (household.viewer, "viewer")):
        response = client.get(household.path(), headers=person.headers)
        assert response.status_code == 200
        assert (response.get_json()["id"], response.get_json()["role"]) == (household.ledger_id, role)


def test_owner_renames_and_every_member_sees_it(client, household, sql):
    response = client.patch(household.path(), headers=household.owner.headers,
                            json={"name": "Home", "month_start_day": 25})

    assert response.status_code == 200
    assert (response.get_json()["name"], response.get_json()["month_start_day"]) == ("Home", 25)
    assert sql.rows("SELECT name, month_start_day FROM ledgers WHERE id = :l", l=household.ledger_id) \
        == [("Home", 25)]
    assert client.get(household.path(), headers=household.viewer.headers).get_json()["name"] == "Home"


def test_editor_and_viewer_cannot_change_the_ledger(client, household, sql):
    for person in (household.editor, household.viewer):
        assert_problem(client.patch(household.path(), headers=person.headers, json={"name": "Mine"}),
                       403, "forbidden_role")
        assert_problem(client.delete(household.path(), headers=person.headers, json={"name": "Ann's ledger"}),
                       403, "forbidden_role")
    assert sql.rows("SELECT name FROM ledgers WHERE id = :l", l=household.ledger_id) == [("Ann's ledger",)]


def test_delete_with_a_wrong_name_is_422_and_deletes_nothing(client, household, sql, make_entry):
    cash = sql.scalar("SELECT id FROM accounts WHERE ledger_id = :l", l=household.ledger_id)
    make_entry(household.owner.user, account_id=cash, category_id=None, type="income")

    for typed in ("ann's ledger", "Ann's ledger ", ""):
        body = assert_problem(client.delete(household.path(), headers=household.owner.headers, json={"name": typed}),
                              422, "validation_error")
        assert list(body["errors"]) == ["name"]
    assert sql.count("ledgers", "id = :l", l=household.ledger_id) == 1
    assert sql.count("entries", "ledger_id = :l", l=household.ledger_id) == 1
    assert len(members_of(sql, household.ledger_id)) == 3


def test_delete_removes_the_ledger_and_its_data_and_moves_defaults(client, household, sql, make_user, log_in,
                                                                   join):
    # The editor made the household their default; a fourth member has no other ledger at all.
    editor = household.editor
    assert client.patch("/api/v1/me", headers=editor.headers,
                        json={"default_ledger_id": household.ledger_id}).status_code == 200
    lodger = log_in(make_user(display_name="Lee"))
    join(lodger.user, household.ledger_id, "editor")
    assert client.patch("/api/v1/me", headers=lodger.headers,
                        json={"default_ledger_id": household.ledger_id}).status_code == 200
    assert client.delete(f"{LEDGERS}/{lodger.user.ledger_id}", headers=lodger.headers,
                         json={"name": "Lee's ledger"}).status_code == 204
    assert sql.rows("SELECT ledger_id FROM ledger_members WHERE user_id = :u", u=lodger.id) \
        == [(household.ledger_id,)]

    response = client.delete(household.path(), headers=household.owner.headers, json={"name": "Ann's ledger"})

    assert response.status_code == 204
    assert sql.count("ledgers", "id = :l", l=household.ledger_id) == 0
    for table in ("ledger_members", "accounts", "categories", "entries", "budgets", "ledger_invites"):
        assert sql.count(table, "ledger_id = :l", l=household.ledger_id) == 0
    assert default_of(sql, editor.id) == editor.user.ledger_id
    assert default_of(sql, household.viewer.id) == household.viewer.user.ledger_id  # unchanged
    # The owner's default was the deleted ledger and they have no other: a new personal one.
    for person, name in ((household.owner, "Ann's ledger"), (lodger, "Lee's ledger")):
        new = default_of(sql, person.id)
        assert new not in (None, household.ledger_id)
        assert members_of(sql, new) == {person.id: "owner"}
        assert sql.scalar("SELECT name FROM ledgers WHERE id = :l", l=new) == name
        assert sql.count("accounts", "ledger_id = :l", l=new) == 1
        me = client.get("/api/v1/me", headers=person.headers).get_json()
        assert me["default_ledger_id"] == new
        assert client.get("/api/v1/accounts", headers=person.headers).status_code == 200


def test_a_deleted_ledger_is_404_to_its_former_members(client, household):
    client.delete(household.path(), headers=household.owner.headers, json={"name": "Ann's ledger"})

    for person in (household.owner, household.editor, household.viewer):
        assert_problem(client.get(household.path("/entries"), headers=person.headers), 404, "not_found")
        assert_problem(client.get(household.path(), headers=person.headers), 404, "not_found")

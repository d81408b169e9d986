"""/payees: create, names unique ignoring case, rename, archive, merge; entries' payee_id and payee."""
from tests.conftest import assert_problem
from tests.payees.conftest import ENTRIES, PAYEES


def test_create_list_and_get(client, logged_in, user, sql):
    response = client.post(PAYEES, json={"name": "  스타벅스 "}, headers=logged_in.headers)
    assert response.status_code == 201
    body = response.get_json()
    assert body["name"] == "스타벅스" and body["archived"] is False and body["uses_90d"] == 0
    assert sql.rows("SELECT ledger_id, name, name_key, initials FROM payees") == [
        (user.ledger_id, "스타벅스", "스타벅스", "ㅅㅌㅂㅅ")]
    listed = client.get(PAYEES, headers=logged_in.headers).get_json()["items"]
    assert [p["name"] for p in listed] == ["스타벅스"]
    assert client.get(f"{PAYEES}/{body['id']}", headers=logged_in.headers).get_json()["name"] == "스타벅스"


def test_names_are_unique_ignoring_case(client, logged_in, make_payee, sql):
    make_payee("GS25")
    assert_problem(client.post(PAYEES, json={"name": "gs25"}, headers=logged_in.headers), 409, "conflict")
    other = make_payee("CU")
    assert_problem(client.patch(f"{PAYEES}/{other}", json={"name": "Gs25"}, headers=logged_in.headers),
                   409, "conflict")
    assert sql.count("payees") == 2


def test_bad_names_are_422(client, logged_in):
    for body in ({}, {"name": ""}, {"name": "   "}, {"name": "x" * 101}, {"name": 5}, {"name": "a", "x": 1}):
        response = client.post(PAYEES, json=body, headers=logged_in.headers)
        assert_problem(response, 422, "validation_error")


def test_rename_and_archive(client, logged_in, make_payee, sql):
    payee = make_payee("Starbucks")
    response = client.patch(f"{PAYEES}/{payee}", json={"name": "스타벅스", "archived": True},
                            headers=logged_in.headers)
    assert response.status_code == 200 and response.get_json()["archived"] is True
    assert sql.rows("SELECT name, initials, archived FROM payees") == [("스타벅스", "ㅅㅌㅂㅅ", True)]
    listed = client.get(f"{PAYEES}?include_archived=false", headers=logged_in.headers).get_json()["items"]
    assert listed == []


def test_entry_takes_payee_id_or_a_name(post_entry, make_payee, sql):
    payee = make_payee("스타벅스")
    response = post_entry(payee_id=payee)
    assert response.status_code == 201 and response.get_json()["payee_id"] == payee
    assert response.get_json()["imported_payee"] is None
    by_name = post_entry(payee="스타벅스")
    assert by_name.get_json()["payee_id"] == payee
    created = post_entry(payee="Gs25").get_json()["payee_id"]
    again = post_entry(payee="GS25").get_json()["payee_id"]
    assert created == again and created != payee
    assert sql.rows("SELECT name FROM payees ORDER BY id") == [("스타벅스",), ("Gs25",)]
    assert sql.count("entries", "payee_id = :p", p=payee) == 2


def test_entry_payee_refusals(post_entry, make_payee, make_user, client, sql):
    theirs_user = make_user()
    with client.application.app_context():
        from ledger.payees.services import create_payee
        theirs = create_payee(theirs_user.ledger_id, "Theirs").id
    body = assert_problem(post_entry(payee_id=theirs), 422, "validation_error")
    assert body["errors"] == {"payee_id": ["No such payee."]}
    mine = make_payee("Mine")
    body = assert_problem(post_entry(payee_id=mine, payee="Mine"), 422, "validation_error")
    assert "payee" in body["errors"]
    assert sql.count("entries") == 0
    assert_problem(post_entry(payee="x" * 101), 422, "validation_error")


def test_patch_entry_sets_and_clears_the_payee(post_entry, make_payee, client, logged_in, sql):
    entry = post_entry().get_json()
    payee = make_payee("이마트")
    response = client.patch(f"{ENTRIES}/{entry['id']}", json={"payee": "이마트"}, headers=logged_in.headers)
    assert response.status_code == 200 and response.get_json()["payee_id"] == payee
    assert response.headers["ETag"] == f'"{entry["id"]}-2"'
    response = client.patch(f"{ENTRIES}/{entry['id']}", json={"payee_id": None}, headers=logged_in.headers)
    assert response.get_json()["payee_id"] is None
    assert sql.scalar("SELECT payee_id FROM entries") is None


def test_archived_payee_is_422_for_new_entries(post_entry, make_payee, client, logged_in, sql):
    payee = make_payee("Old")
    client.patch(f"{PAYEES}/{payee}", json={"archived": True}, headers=logged_in.headers)
    body = assert_problem(post_entry(payee_id=payee), 422, "validation_error")
    assert body["errors"] == {"payee_id": ["The payee is archived."]}
    body = assert_problem(post_entry(payee="old"), 422, "validation_error")
    assert body["errors"] == {"payee": ["The payee is archived."]}
    assert sql.count("entries") == 0


def test_merge_moves_entries_and_deletes_the_source(post_entry, make_payee, client, logged_in, sql):
    source, target = make_payee("스벅"), make_payee("스타벅스")
    moved = [post_entry(payee_id=source).get_json()["id"] for _ in range(2)]
    kept = post_entry(payee_id=target).get_json()["id"]
    response = client.post(f"{PAYEES}/{source}/merge", json={"into": target}, headers=logged_in.headers)
    assert response.status_code == 200
    assert response.get_json()["moved_entries"] == 2 and response.get_json()["payee"]["id"] == target
    assert sql.rows("SELECT id FROM payees") == [(target,)]
    assert sorted(sql.rows("SELECT id, payee_id, version FROM entries")) == sorted(
        [(moved[0], target, 2), (moved[1], target, 2), (kept, target, 1)])


def test_merge_refusals(make_payee, client, logged_in, make_user, sql):
    payee = make_payee("A")
    body = assert_problem(client.post(f"{PAYEES}/{payee}/merge", json={"into": payee}, headers=logged_in.headers),
                          422, "validation_error")
    assert "into" in body["errors"]
    other = make_user()
    with client.application.app_context():
        from ledger.payees.services import create_payee
        theirs = create_payee(other.ledger_id, "B").id
    body = assert_problem(client.post(f"{PAYEES}/{payee}/merge", json={"into": theirs}, headers=logged_in.headers),
                          422, "validation_error")
    assert body["errors"] == {"into": ["No such payee."]}
    assert_problem(client.post(f"{PAYEES}/{theirs}/merge", json={"into": payee}, headers=logged_in.headers),
                   404, "not_found")
    assert sql.count("payees") == 2


def test_viewer_cannot_write_and_outsider_sees_nothing(client, household, sql):
    base = household.path("/payees")
    created = client.post(base, json={"name": "스타벅스"}, headers=household.editor.headers)
    assert created.status_code == 201
    payee = created.get_json()["id"]
    assert client.get(base, headers=household.viewer.headers).get_json()["items"][0]["id"] == payee
    assert_problem(client.post(base, json={"name": "X"}, headers=household.viewer.headers), 403, "forbidden_role")
    assert_problem(client.patch(f"{base}/{payee}", json={"name": "X"}, headers=household.viewer.headers),
                   403, "forbidden_role")
    assert_problem(client.get(f"{PAYEES}/{payee}", headers=household.outsider.headers), 404, "not_found")
    assert_problem(client.get(base, headers=household.outsider.headers), 404, "not_found")
    assert sql.rows("SELECT name FROM payees") == [("스타벅스",)]

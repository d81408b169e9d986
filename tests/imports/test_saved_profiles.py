"""GET /imports/saved-profiles and DELETE /imports/saved-profiles/{id}: the mappings a ledger saved."""
from __future__ import annotations

from tests.conftest import assert_problem
from tests.imports.samples import csv_bytes
from tests.imports.test_imports import URL, account, upload  # noqa: F401 (fixtures)

ROWS = [["일자", "사용처", "금액", "비고란"], ["2026-11-01", "빵집", "5,000", ""]]


def save(client, logged_in, upload, name: str) -> dict:  # noqa: F811
    first = upload(csv_bytes(ROWS), "mine.csv").get_json()
    patched = client.patch(f"{URL}/{first['id']}", json={"mapping": {"date": 0, "amount": 2, "payee": 1},
                                                        "save_profile": name}, headers=logged_in.headers)
    assert patched.status_code == 200
    return first


def test_saved_profiles_are_listed_and_forgotten(client, logged_in, upload, account, sql):  # noqa: F811
    assert client.get(f"{URL}/saved-profiles", headers=logged_in.headers).get_json() == {"items": []}
    save(client, logged_in, upload, "내 카드")
    listed = client.get(f"{URL}/saved-profiles", headers=logged_in.headers)
    assert listed.status_code == 200
    [profile] = listed.get_json()["items"]
    assert profile["name"] == "내 카드" and profile["account_id"] == account
    assert profile["mapping"] == {"date": 0, "amount": 2, "payee": 1}

    gone = client.delete(f"{URL}/saved-profiles/{profile['id']}", headers=logged_in.headers)
    assert gone.status_code == 204
    assert sql.count("import_profiles") == 0
    # The next upload with that header gets the proposed mapping again, not the forgotten one.
    again = upload(csv_bytes(ROWS), "mine.csv").get_json()
    assert again["profile"] is None and again["mapping"] == {"date": 0, "amount": 2, "memo": 3}
    assert_problem(client.delete(f"{URL}/saved-profiles/{profile['id']}", headers=logged_in.headers), 404,
                   "not_found")


def test_another_ledger_neither_sees_nor_deletes_a_saved_profile(client, logged_in, upload, auth, make_user,  # noqa: F811
                                                                  sql):
    save(client, logged_in, upload, "내 카드")
    [profile_id] = [r[0] for r in sql.rows("SELECT id FROM import_profiles")]
    other = make_user()
    auth.login(other)
    assert client.get(f"{URL}/saved-profiles", headers=auth.headers).get_json() == {"items": []}
    assert_problem(client.delete(f"{URL}/saved-profiles/{profile_id}", headers=auth.headers), 404, "not_found")
    assert sql.count("import_profiles") == 1


def test_a_bad_profile_id_is_a_clear_404(client, logged_in):
    response = client.delete(f"{URL}/saved-profiles/0", headers=logged_in.headers)
    assert response.status_code == 404 and response.content_type == "application/problem+json"

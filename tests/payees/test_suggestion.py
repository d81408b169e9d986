"""Learning suggests, never creates: after 3 hand-chosen categories for one payee, "always put X in Y?"."""
from tests.conftest import assert_problem
from tests.payees.conftest import ENTRIES, PAYEES, RULES


def suggestion(client, headers, payee):
    response = client.get(f"{PAYEES}/{payee}/suggestion", headers=headers)
    assert response.status_code == 200
    return response.get_json()["suggestion"]


def test_offered_after_three_hand_choices_and_accepting_is_a_rule(client, logged_in, post_entry, ids, sql):
    cafe = ids["categories"]["Food"]
    payee = post_entry(payee="스타벅스").get_json()["payee_id"]
    post_entry(payee="스타벅스")
    assert suggestion(client, logged_in.headers, payee) is None
    post_entry(payee_id=payee)
    offered = suggestion(client, logged_in.headers, payee)
    assert offered == {"payee_id": payee, "payee_name": "스타벅스", "category_id": cafe, "category_name": "Food",
                       "count": 3}
    assert sql.count("rules") == 0  # never created silently
    response = client.post(RULES, json={"conditions": [{"field": "payee", "operator": "is", "value": "스타벅스"}],
                                        "actions": [{"type": "set_category", "value": cafe}]},
                           headers=logged_in.headers)
    assert response.status_code == 201
    assert suggestion(client, logged_in.headers, payee) is None


def test_rule_set_categories_do_not_count(client, logged_in, post_entry, ids, make_payee):
    payee = make_payee("GS25")
    rule = client.post(RULES, json={"conditions": [{"field": "payee", "operator": "is", "value": "GS25"}],
                                    "actions": [{"type": "set_category", "value": ids["categories"]["Food"]}]},
                       headers=logged_in.headers).get_json()
    for _ in range(3):
        assert post_entry(payee_id=payee, category_id=...).status_code == 201
    client.delete(f"{RULES}/{rule['id']}", headers=logged_in.headers)
    assert suggestion(client, logged_in.headers, payee) is None


def test_declining_is_remembered(client, logged_in, post_entry, ids, sql):
    food = ids["categories"]["Food"]
    payee = None
    for _ in range(3):
        payee = post_entry(payee="이마트").get_json()["payee_id"]
    assert suggestion(client, logged_in.headers, payee)["category_id"] == food
    response = client.post(f"{PAYEES}/{payee}/suggestion/decline", json={"category_id": food},
                           headers=logged_in.headers)
    assert response.status_code == 204
    assert sql.rows("SELECT payee_id, category_id FROM payee_suggestion_declines") == [(payee, food)]
    for _ in range(3):
        post_entry(payee_id=payee)
    assert suggestion(client, logged_in.headers, payee) is None
    assert client.post(f"{PAYEES}/{payee}/suggestion/decline", json={"category_id": food},
                       headers=logged_in.headers).status_code == 204
    assert sql.count("payee_suggestion_declines") == 1


def test_patching_the_category_by_hand_counts(client, logged_in, post_entry, ids):
    other = [cid for name, cid in ids["categories"].items() if name != "Food"]
    entries = [post_entry(payee="마트", category_id=other[0]).get_json() for _ in range(3)]
    payee = entries[0]["payee_id"]
    assert suggestion(client, logged_in.headers, payee)["category_id"] == other[0]


def test_decline_refusals(client, logged_in, make_payee, make_user, sql):
    payee = make_payee("A")
    body = assert_problem(client.post(f"{PAYEES}/{payee}/suggestion/decline", json={"category_id": 2**31 - 1},
                                      headers=logged_in.headers), 422, "validation_error")
    assert body["errors"] == {"category_id": ["No such category."]}
    assert_problem(client.get(f"{PAYEES}/999999/suggestion", headers=logged_in.headers), 404, "not_found")
    assert sql.count("payee_suggestion_declines") == 0
    assert client.get(f"{ENTRIES}", headers=logged_in.headers).status_code == 200

"""/rules: validation, order, the run on entry create (never over a field set by hand), preview and apply."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.rules.engine import condition_holds, rule_matches
from tests.conftest import assert_problem
from tests.rules.conftest import ENTRIES, RULES


def rule_body(ids, **overrides):
    body = {"name": "cafe", "conditions": [{"field": "payee", "operator": "is", "value": "스타벅스"}],
            "actions": [{"type": "set_category", "value": ids["categories"]["Food"]}]}
    body.update(overrides)
    return body


@pytest.fixture
def make_rule(client, logged_in, ids):
    def factory(**overrides):
        response = client.post(RULES, json=rule_body(ids, **overrides), headers=logged_in.headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return factory


def test_create_and_list(client, logged_in, ids, make_rule, sql, user):
    first = make_rule()
    second = make_rule(match="any", name="")
    assert first["position"] == 1 and second["position"] == 2 and first["match"] == "all"
    listed = client.get(RULES, headers=logged_in.headers).get_json()["items"]
    assert [r["id"] for r in listed] == [first["id"], second["id"]]
    assert sql.rows("SELECT ledger_id, position, match FROM rules ORDER BY position") == [
        (user.ledger_id, 1, "all"), (user.ledger_id, 2, "any")]


@pytest.mark.parametrize(("changes", "where"), [
    ({"conditions": []}, ["conditions"]),
    ({"actions": []}, ["actions"]),
    ({"conditions": [{"field": "amount", "operator": "contains", "value": 5}]}, ["conditions", "0", "operator"]),
    ({"conditions": [{"field": "memo", "operator": "between", "value": "a"}]}, ["conditions", "0", "operator"]),
    ({"conditions": [{"field": "account", "operator": "starts_with", "value": 1}]}, ["conditions", "0", "operator"]),
    ({"conditions": [{"field": "memo", "operator": "matches", "value": ".*"}]}, ["conditions", "0", "operator"]),
    ({"conditions": [{"field": "amount", "operator": "between", "value": [5, 1]}]}, ["conditions", "0", "value"]),
    ({"conditions": [{"field": "memo", "operator": "is", "value": "x" * 201}]}, ["conditions", "0", "value"]),
    ({"conditions": [{"field": "memo", "operator": "one_of", "value": ["a"] * 21}]}, ["conditions", "0", "value"]),
    ({"conditions": [{"field": "memo", "operator": "is", "value": "a"}] * 11}, ["conditions"]),
    ({"actions": [{"type": "add_tag", "value": "x" * 51}]}, ["actions", "0", "value"]),
    ({"actions": [{"type": "set_memo", "value": 5}]}, ["actions", "0", "value"]),
    ({"actions": [{"type": "set_category", "value": 2**31 - 1}]}, ["actions", "0", "value"]),
    ({"actions": [{"type": "set_payee", "value": 2**31 - 1}]}, ["actions", "0", "value"]),
    ({"actions": [{"type": "set_memo", "value": "a"}, {"type": "set_memo", "value": "b"}]}, ["actions"]),
    ({"match": "some"}, ["match"]),
])
def test_bad_rules_are_422_naming_the_field(client, logged_in, ids, sql, changes, where):
    response = client.post(RULES, json=rule_body(ids, **changes), headers=logged_in.headers)
    body = assert_problem(response, 422, "validation_error")
    errors = body["errors"]
    for key in where:
        assert key in errors, body
        errors = errors[key]
    assert sql.count("rules") == 0


def test_another_ledgers_references_are_422(client, logged_in, ids, make_user, sql):
    other = make_user()
    their_cash = sql.scalar("SELECT id FROM accounts WHERE ledger_id = :l", l=other.ledger_id)
    their_food = sql.scalar("SELECT id FROM categories WHERE ledger_id = :l", l=other.ledger_id)
    body = assert_problem(client.post(RULES, json=rule_body(
        ids, conditions=[{"field": "account", "operator": "is", "value": their_cash}],
        actions=[{"type": "set_category", "value": their_food}]), headers=logged_in.headers), 422, "validation_error")
    assert body["errors"] == {"conditions": {"0": {"value": ["No such account."]}},
                              "actions": {"0": {"value": ["No such category."]}}}
    assert sql.count("rules") == 0


def test_rules_fill_new_entries_but_never_a_field_set_by_hand(client, logged_in, ids, make_rule, post_entry, sql):
    food = ids["categories"]["Food"]
    other = next(cid for name, cid in ids["categories"].items() if name != "Food"
                 and sql.scalar("SELECT kind FROM categories WHERE id = :i", i=cid) == "expense")
    make_rule(conditions=[{"field": "memo", "operator": "contains", "value": "STARBUCKS"}],
              actions=[{"type": "set_category", "value": food}, {"type": "add_tag", "value": "coffee"},
                       {"type": "set_memo", "value": "Starbucks coffee"}])
    filled = post_entry(memo="card starbucks 123", category_id=..., tags=...)
    assert filled.status_code == 201, filled.get_json()
    assert filled.get_json()["category_id"] == food and filled.get_json()["tags"] == ["coffee"]
    assert filled.get_json()["memo"] == "card starbucks 123"  # the memo was set by hand
    by_hand = post_entry(memo="starbucks", category_id=other, tags=[])
    assert by_hand.get_json()["category_id"] == other and by_hand.get_json()["tags"] == []
    unmatched = post_entry(memo="gs25", category_id=...)
    assert_problem(unmatched, 422, "validation_error")
    assert sql.count("entries") == 2


def test_first_rule_wins_and_set_payee_feeds_later_rules(client, logged_in, ids, make_rule, post_entry, sql):
    food = ids["categories"]["Food"]
    payee = client.post("/api/v1/payees", json={"name": "스타벅스"}, headers=logged_in.headers).get_json()["id"]
    make_rule(conditions=[{"field": "imported_payee", "operator": "starts_with", "value": "STARBUCKS"}],
              actions=[{"type": "set_payee", "value": payee}])
    make_rule()  # payee is 스타벅스 → Food
    with client.application.app_context():
        from ledger.entries.services import create_entry
        from ledger.extensions import db
        from ledger.ledgers.access import LedgerScope
        from ledger.months import parse_date
        scope = LedgerScope(id=sql.scalar("SELECT ledger_id FROM accounts WHERE id = :i", i=ids["cash"]), name="",
                            currency="KRW", month_start_day=1, role="owner", user_id=1)
        entry = create_entry(scope, {"type": "expense", "amount": 4500, "occurred_on": parse_date("2026-11-20"),
                                     "account_id": ids["cash"], "imported_payee": "STARBUCKS GANGNAM"})
        db.session.commit()
        assert (entry.payee_id, entry.category_id, entry.imported_payee) == (payee, food, "STARBUCKS GANGNAM")


def test_reorder(client, logged_in, make_rule, sql):
    a, b, c = make_rule(), make_rule(), make_rule()
    response = client.put(f"{RULES}/order", json={"rule_ids": [c["id"], a["id"], b["id"]]},
                          headers=logged_in.headers)
    assert response.status_code == 200
    assert [r["id"] for r in response.get_json()["items"]] == [c["id"], a["id"], b["id"]]
    assert sql.rows("SELECT id FROM rules ORDER BY position") == [(c["id"],), (a["id"],), (b["id"],)]
    for bad in ([a["id"], b["id"]], [a["id"], a["id"], b["id"]], [a["id"], b["id"], c["id"], 999]):
        body = assert_problem(client.put(f"{RULES}/order", json={"rule_ids": bad}, headers=logged_in.headers),
                              422, "validation_error")
        assert "rule_ids" in body["errors"]


def test_patch_and_delete(client, logged_in, make_rule, sql):
    rule = make_rule()
    response = client.patch(f"{RULES}/{rule['id']}", json={"match": "any", "name": "renamed"},
                            headers=logged_in.headers)
    assert response.status_code == 200 and response.get_json()["match"] == "any"
    assert_problem(client.patch(f"{RULES}/{rule['id']}", json={"conditions": []}, headers=logged_in.headers),
                   422, "validation_error")
    assert client.delete(f"{RULES}/{rule['id']}", headers=logged_in.headers).status_code == 204
    assert sql.count("rules") == 0
    assert_problem(client.get(f"{RULES}/{rule['id']}", headers=logged_in.headers), 404, "not_found")


def test_preview_then_apply_with_a_conflict(client, logged_in, ids, make_rule, post_entry, sql):
    other = next(cid for name, cid in ids["categories"].items() if name != "Food"
                 and sql.scalar("SELECT kind FROM categories WHERE id = :i", i=cid) == "expense")
    first = post_entry(memo="스타벅스 강남", category_id=other).get_json()
    second = post_entry(memo="스타벅스 역삼", category_id=other).get_json()
    post_entry(memo="이마트", category_id=other)
    rule = make_rule(conditions=[{"field": "memo", "operator": "starts_with", "value": "스타벅스"}],
                     actions=[{"type": "set_category", "value": ids["categories"]["Food"]},
                              {"type": "add_tag", "value": "coffee"}])
    preview = client.post(f"{RULES}/{rule['id']}/preview", headers=logged_in.headers)
    assert preview.status_code == 200
    body = preview.get_json()
    assert body["truncated"] is False and {i["entry_id"] for i in body["items"]} == {first["id"], second["id"]}
    item = next(i for i in body["items"] if i["entry_id"] == first["id"])
    assert item["version"] == 1 and item["etag"] == f'"{first["id"]}-1"'
    assert item["changes"] == [{"field": "category_id", "before": other, "after": ids["categories"]["Food"]},
                               {"field": "tags", "before": [], "after": ["coffee"]}]
    assert sql.scalar("SELECT COUNT(*) FROM entries WHERE category_id = :c", c=other) == 3  # nothing written
    # The second entry changes after the preview: its apply is a conflict.
    client.patch(f"{ENTRIES}/{second['id']}", json={"amount": 5}, headers=logged_in.headers)
    response = client.post(f"{RULES}/{rule['id']}/apply", json={"entries": [
        {"entry_id": i["entry_id"], "version": i["version"]} for i in body["items"]] + [
        {"entry_id": 2**31 - 1, "version": 1}]}, headers=logged_in.headers)
    assert response.status_code == 200
    result = response.get_json()
    assert result["applied"] == [{"entry_id": first["id"], "version": 2, "etag": f'"{first["id"]}-2"'}]
    assert sorted(result["conflicts"], key=lambda c: c["entry_id"]) == [
        {"entry_id": second["id"], "reason": "changed"}, {"entry_id": 2**31 - 1, "reason": "not_found"}]
    assert sql.rows("SELECT category_id FROM entries WHERE id = :i", i=first["id"]) == [(ids["categories"]["Food"],)]
    assert sql.rows("SELECT category_id FROM entries WHERE id = :i", i=second["id"]) == [(other,)]
    assert sql.rows("SELECT tag FROM entry_tags WHERE entry_id = :i", i=first["id"]) == [("coffee",)]
    again = client.post(f"{RULES}/{rule['id']}/apply", json={"entries": [{"entry_id": first["id"], "version": 2}]},
                        headers=logged_in.headers).get_json()
    assert again == {"applied": [], "conflicts": [{"entry_id": first["id"], "reason": "no_longer_matches"}]}


def test_apply_refusals(client, logged_in, make_rule):
    rule = make_rule()
    for body in ({}, {"entries": []}, {"entries": [{"entry_id": 1}]}, {"entries": [{"entry_id": 1, "version": "1"}]}):
        assert_problem(client.post(f"{RULES}/{rule['id']}/apply", json=body, headers=logged_in.headers),
                       422, "validation_error")


def test_roles_and_other_ledgers(client, household, sql):
    base = household.path("/rules")
    food = sql.scalar("SELECT id FROM categories WHERE ledger_id = :l AND name = 'Food'", l=household.ledger_id)
    body = {"conditions": [{"field": "memo", "operator": "contains", "value": "x"}],
            "actions": [{"type": "set_category", "value": food}]}
    created = client.post(base, json=body, headers=household.editor.headers)
    assert created.status_code == 201
    rule = created.get_json()["id"]
    assert len(client.get(base, headers=household.viewer.headers).get_json()["items"]) == 1
    for method, path, json in (("post", base, body), ("patch", f"{base}/{rule}", {"name": "v"}),
                               ("delete", f"{base}/{rule}", None), ("post", f"{base}/{rule}/preview", None),
                               ("put", f"{base}/order", {"rule_ids": [rule]})):
        assert_problem(getattr(client, method)(path, json=json, headers=household.viewer.headers),
                       403, "forbidden_role")
    assert_problem(client.get(f"{RULES}/{rule}", headers=household.outsider.headers), 404, "not_found")
    assert_problem(client.post(f"{RULES}/{rule}/preview", headers=household.outsider.headers), 404, "not_found")
    assert sql.rows("SELECT name FROM rules") == [("",)]


texts = st.text(alphabet="abcABC스타벅 ", min_size=1, max_size=8)


@given(texts, texts)
def test_text_operators_agree_with_their_meaning(actual, value):
    facts = {"memo": actual}

    def holds(operator, v=value):
        return condition_holds({"field": "memo", "operator": operator, "value": v}, facts)

    assert holds("is") == (actual.lower() == value.lower())
    assert holds("contains") == (value.lower() in actual.lower())
    assert holds("starts_with") == actual.lower().startswith(value.lower())
    assert holds("one_of", [value, actual]) is True
    if holds("is"):
        assert holds("contains") and holds("starts_with")


@given(st.integers(1, 100), st.integers(1, 100), st.integers(1, 100))
def test_between_and_match_modes(amount, low, high):
    condition = {"field": "amount", "operator": "between", "value": [min(low, high), max(low, high)]}
    never = {"field": "memo", "operator": "is", "value": "never"}
    inside = min(low, high) <= amount <= max(low, high)
    assert rule_matches("all", [condition], {"amount": amount, "memo": ""}) == inside
    assert rule_matches("any", [condition, never], {"amount": amount, "memo": ""}) == inside
    assert rule_matches("all", [condition, never], {"amount": amount, "memo": ""}) is False


def test_the_csv_import_runs_the_rules_on_cells_it_leaves_empty(client, logged_in, make_rule, sql):
    make_rule(conditions=[{"field": "memo", "operator": "contains", "value": "starbucks"}],
              actions=[{"type": "add_tag", "value": "coffee"}, {"type": "set_memo", "value": "never"}])
    body = ("occurred_on,type,account,to_account,category,amount,memo,tags\n"
            "2026-11-01,expense,Cash,,Food,4500,STARBUCKS 강남,\n"
            "2026-11-02,expense,Cash,,Food,4500,starbucks,mine\n"
            "2026-11-03,expense,Cash,,Food,4500,이마트,\n")
    response = client.post(f"{ENTRIES}/import", data=body.encode(), headers={**logged_in.headers,
                                                                            "Content-Type": "text/csv"})
    assert response.status_code == 200, response.get_json()
    rows = sql.rows("SELECT e.memo, t.tag FROM entries e LEFT JOIN entry_tags t ON t.entry_id = e.id "
                    "ORDER BY e.occurred_on")
    assert rows == [("STARBUCKS 강남", "coffee"), ("starbucks", "mine"), ("이마트", None)]

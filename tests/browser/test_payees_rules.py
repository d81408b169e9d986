"""Payees and rules through the UI (issue 15, part 3): the entry form's payee autocomplete (초성) and its
"always put X in Y?" suggestion, the payees screen (rename, merge, archive), the rules screen (create, preview,
apply, order by keyboard and by drag); Korean and English, the 360 px phone, axe."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.ledger_support import Person, artifact, signed_in

SERIOUS = {"serious", "critical"}


def add_with_payee(person: Person, payee: str, category: dict, memo: str = "") -> dict:
    account = person.accounts()[0]
    return person.send("POST", "/api/v1/entries", {
        "type": "expense", "amount": 4500, "occurred_on": dt.date.today().isoformat(), "account_id": account["id"],
        "category_id": category["id"], "payee": payee, "memo": memo})


def test_payee_autocomplete_by_initials_then_the_suggestion_becomes_a_rule(page, server):
    person = Person(server)
    food = next(c for c in person.categories("expense") if c["name"] == "Food")
    add_with_payee(person, "스타벅스", food)
    add_with_payee(person, "스타벅스", food)
    add_with_payee(person, "이마트", food)
    signed_in(page, person, "/entries")
    page.get_by_role("button", name="Add entry").click()
    dialog = page.get_by_role("dialog", name="Add entry")
    dialog.get_by_label("Amount").fill("5,000")
    payee = dialog.get_by_role("combobox", name="Payee")
    payee.fill("ㅅㅂ")
    listbox = dialog.get_by_role("listbox", name="Matching payees")
    expect(listbox.get_by_role("option", name="스타벅스")).to_be_visible()
    expect(listbox.get_by_role("option")).to_have_count(1)
    payee.press("ArrowDown")
    expect(payee).to_have_attribute("aria-activedescendant", "entry-payee-option-0")
    payee.press("Enter")
    expect(payee).to_have_value("스타벅스")
    dialog.get_by_label("Category").select_option(label="Food")
    dialog.get_by_role("button", name="Save").click()
    # The third hand-chosen Food for 스타벅스: the form offers the rule, and creates nothing by itself.
    question = page.get_by_role("dialog").get_by_text("Always put 스타벅스 in Food?")
    expect(question).to_be_visible()
    assert person.get("/api/v1/rules")["items"] == []
    page.get_by_role("button", name="Yes, always").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    rules = person.get("/api/v1/rules")["items"]
    assert [(r["conditions"], r["actions"]) for r in rules] == [
        ([{"field": "payee", "operator": "is", "value": "스타벅스"}], [{"type": "set_category", "value": food["id"]}])]
    newest = person.get("/api/v1/entries", limit=1)["items"][0]
    assert (newest["amount"], newest["category_id"]) == (5000, food["id"])
    assert newest["payee_id"] == next(p["id"] for p in person.get("/api/v1/payees")["items"] if p["name"] == "스타벅스")


def test_declining_the_suggestion_is_remembered(page, server):
    person = Person(server)
    food = next(c for c in person.categories("expense") if c["name"] == "Food")
    for _ in range(2):
        add_with_payee(person, "GS25", food)
    signed_in(page, person, "/entries")
    page.get_by_role("button", name="Add entry").click()
    dialog = page.get_by_role("dialog", name="Add entry")
    dialog.get_by_label("Amount").fill("1,200")
    dialog.get_by_role("combobox", name="Payee").fill("GS25")
    dialog.get_by_label("Category").select_option(label="Food")
    dialog.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="No, don't ask again").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    payee_id = person.get("/api/v1/entries", limit=1)["items"][0]["payee_id"]
    assert person.get(f"/api/v1/payees/{payee_id}/suggestion") == {"suggestion": None}
    assert person.get("/api/v1/rules")["items"] == []


def test_payees_screen_renames_merges_and_archives(page, server):
    person = Person(server)
    food = next(c for c in person.categories("expense") if c["name"] == "Food")
    add_with_payee(person, "스벅", food)
    add_with_payee(person, "스타벅스", food)
    add_with_payee(person, "Emart", food)
    signed_in(page, person, "/payees")
    expect(page.get_by_role("heading", name="Payees", level=1)).to_be_visible()
    page.get_by_role("button", name="Rename Emart").click()
    page.get_by_role("dialog").get_by_label("Name").fill("이마트")
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved 이마트.")).to_be_visible()
    page.get_by_role("button", name="Merge 스벅").click()
    page.get_by_role("dialog").get_by_label("Merge into").select_option(label="스타벅스")
    page.get_by_role("dialog").get_by_role("button", name="Merge").click()
    expect(page.get_by_role("status").filter(has_text="Merged 스벅 into 스타벅스 (1 entry moved).")).to_be_visible()
    page.get_by_role("button", name="Archive 이마트").click()
    expect(page.get_by_role("button", name="Restore 이마트")).to_be_visible()
    page.get_by_label("Search payees").fill("ㅅㅌ")
    expect(page.get_by_role("button", name="Rename 이마트")).to_have_count(0)
    expect(page.get_by_role("button", name="Rename 스타벅스")).to_be_visible()
    payees = {p["name"]: p for p in person.get("/api/v1/payees")["items"]}
    assert set(payees) == {"스타벅스", "이마트"} and payees["이마트"]["archived"] is True
    assert {e["payee_id"] for e in person.entries() if e["memo"] == ""} == {payees["스타벅스"]["id"],
                                                                            payees["이마트"]["id"]}


def test_rules_screen_creates_previews_applies_and_reorders(page, server):
    person = Person(server)
    food = next(c for c in person.categories("expense") if c["name"] == "Food")
    other = next(c for c in person.categories("expense") if c["name"] != "Food" and c["parent_id"] is None)
    coffee = person.add("expense", 4500, category=other, memo="스타벅스 강남")
    person.add("expense", 9000, category=other, memo="이마트")
    person.send("POST", "/api/v1/rules", {
        "name": "First", "conditions": [{"field": "amount", "operator": "between", "value": [1, 10]}],
        "actions": [{"type": "add_tag", "value": "tiny"}]})
    signed_in(page, person, "/rules")
    page.get_by_role("button", name="Add rule").click()
    dialog = page.get_by_role("dialog", name="Add rule")
    dialog.get_by_label("Rule name (optional)").fill("Coffee")
    condition = dialog.get_by_role("group", name="Condition 1")
    condition.get_by_label("Field").select_option(label="Memo")
    condition.get_by_label("Operator").select_option(label="starts with")
    condition.get_by_label("Value").fill("스타벅스")
    action = dialog.get_by_role("group", name="Action 1")
    action.get_by_label("Value").select_option(label="Food")
    dialog.get_by_role("button", name="Add action").click()
    dialog.get_by_role("group", name="Action 2").get_by_label("Value").fill("coffee")
    dialog.get_by_role("button", name="Save and preview").click()
    preview = page.get_by_role("dialog", name="What this rule would change")
    expect(preview.get_by_text("1 entry would change.")).to_be_visible()
    expect(preview.get_by_role("row").filter(has_text="Category")).to_contain_text("Food")
    page.screenshot(path=artifact("rules-preview.png"), full_page=True)
    preview.get_by_role("button", name="Apply to these entries").click()
    expect(page.get_by_role("status").filter(has_text="Applied to 1 entry.")).to_be_visible()
    changed = next(e for e in person.entries() if e["id"] == coffee["id"])
    assert (changed["category_id"], changed["tags"]) == (food["id"], ["coffee"])
    # Keyboard: Move Coffee up, with the focus kept on the moved rule.
    up = page.get_by_role("button", name="Move Coffee up")
    up.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Order saved.")).to_be_visible()
    assert [r["name"] for r in person.get("/api/v1/rules")["items"]] == ["Coffee", "First"]
    # Drag: First back on top.
    rules = page.get_by_role("main").get_by_role("list").get_by_role("listitem")
    rules.filter(has_text="First").drag_to(rules.filter(has_text="Coffee"))
    expect(rules.first).to_contain_text("First")
    assert [r["name"] for r in person.get("/api/v1/rules")["items"]] == ["First", "Coffee"]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_phone_and_axe_on_payees_and_rules(new_context, server, lang):
    from axe_playwright_python.sync_playwright import Axe

    person = Person(server, locale=lang)
    food = person.categories("expense")[0]
    add_with_payee(person, "스타벅스 리저브 강남대로점 아주 긴 이름의 거래처", food, memo="라떼")
    payee = person.get("/api/v1/payees")["items"][0]
    person.send("POST", "/api/v1/rules", {"name": "카페", "conditions": [
        {"field": "payee", "operator": "is", "value": payee["name"]}], "actions": [{"type": "set_category",
                                                                                     "value": food["id"]}]})
    page = new_context(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True,
                       locale="ko-KR" if lang == "ko" else "en-US").new_page()
    signed_in(page, person, "/payees", lang=lang)
    axe = Axe()
    found = {}
    for path in ("/payees", "/rules"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        expect(page.get_by_role("heading", level=1)).to_have_text("거래처" if path == "/payees" and lang == "ko"
                                                                   else "규칙" if lang == "ko"
                                                                   else "Payees" if path == "/payees" else "Rules")
        width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width <= inner, (path, width, inner)
        page.screenshot(path=artifact(f"phone-{path.strip('/')}-{lang}.png"), full_page=True)
        found[path] = axe.run(page).response["violations"]
    page.get_by_role("button", name="규칙 추가" if lang == "ko" else "Add rule").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner, ("rule form", width, inner)
    page.screenshot(path=artifact(f"phone-rule-form-{lang}.png"), full_page=True)
    found["rule form"] = axe.run(page).response["violations"]
    page.goto("/entries")
    expect(page.get_by_role("heading", level=1)).to_have_text("내역" if lang == "ko" else "Entries")
    page.get_by_role("button", name="내역 추가" if lang == "ko" else "Add entry").click()
    expect(page.get_by_role("dialog", name="내역 추가" if lang == "ko" else "Add entry")).to_be_visible()
    combobox = page.get_by_role("combobox", name="거래처" if lang == "ko" else "Payee")
    combobox.fill("ㅅㅂ")
    suggestions = page.get_by_role("listbox", name="일치하는 거래처" if lang == "ko" else "Matching payees")
    expect(suggestions.get_by_role("option").first).to_be_visible()
    page.screenshot(path=artifact(f"phone-payee-input-{lang}.png"), full_page=True)
    found["payee input"] = axe.run(page).response["violations"]
    serious = {where: [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations
                       if v["impact"] in SERIOUS] for where, violations in found.items()}
    assert not any(serious.values()), serious

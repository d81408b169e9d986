"""Split entries in the entry form (issue 15, part 2): keyboard only, split evenly, the running remainder, the
list's "Split N", Korean at 360 px with axe, and screenshots."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.ledger_support import Person, artifact, signed_in, unscoped

SERIOUS = {"serious", "critical"}


def press(locator, key: str = "Enter") -> None:
    """Reach a control from the keyboard (focus) and work it with a key, as a keyboard user does."""
    locator.focus()
    locator.press(key)


def test_a_split_entry_is_made_with_the_keyboard_alone(page, server):
    person = Person(server)
    signed_in(page, person, "/entries")
    page.get_by_role("button", name="Add entry").click()
    dialog = page.get_by_role("dialog", name="Add entry")
    amount = dialog.get_by_label("Amount", exact=True)
    expect(amount).to_be_focused()
    page.keyboard.type("10000")

    split = dialog.get_by_role("button", name="Split", exact=True)
    press(split)
    expect(split).to_have_attribute("aria-pressed", "true")
    lines = dialog.get_by_role("group", name="Split lines")
    expect(lines.get_by_label("Line 1 amount")).to_be_visible()
    expect(dialog.get_by_label("Category", exact=True)).to_have_count(0)  # the lines have the categories
    expect(lines.get_by_role("status")).to_have_text("Left to split: ₩10,000")

    press(lines.get_by_role("button", name="Add line"))
    expect(lines.get_by_label("Line 3 amount")).to_be_focused()  # focus goes to the new line
    press(lines.get_by_role("button", name="Split evenly"))
    for n, share in ((1, "3334"), (2, "3333"), (3, "3333")):
        expect(lines.get_by_label(f"Line {n} amount")).to_have_value(share)
    expect(lines.get_by_role("status")).to_have_text("The lines add up to the amount.")

    for n, category in ((1, "Food"), (2, "Cafe & snacks"), (3, "Transport")):
        select = lines.get_by_label(f"Line {n} category")
        select.focus()
        select.select_option(label=category)
    lines.get_by_label("Line 2 memo").focus()
    page.keyboard.type("coffee beans")

    # A line removed and typed again: the remainder follows every keystroke.
    press(lines.get_by_role("button", name="Remove line 3"))
    expect(lines.get_by_label("Line 3 amount")).to_have_count(0)
    expect(lines.get_by_role("status")).to_have_text("Left to split: ₩3,333")
    lines.get_by_label("Line 1 amount").focus()
    page.keyboard.press("Control+a")
    page.keyboard.type("6667")
    expect(lines.get_by_role("status")).to_have_text("The lines add up to the amount.")

    press(dialog.get_by_role("button", name="Save"))
    expect(dialog).to_be_hidden()
    [entry] = person.entries()
    names = {c["id"]: c["name"] for c in person.categories()}
    assert entry["category_id"] is None and entry["amount"] == 10000
    assert [(line["amount"], names[line["category_id"]], line["memo"]) for line in entry["lines"]] == [
        (6667, "Food", ""), (3333, "Cafe & snacks", "coffee beans")]
    item = page.get_by_role("listitem").filter(has_text="Split 2")
    expect(item).to_contain_text("Food, Cafe & snacks")

    # Editing shows the lines again; "Split" off with a category unsplits it.
    item.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog", name="Edit entry")
    expect(dialog.get_by_label("Line 2 memo")).to_have_value("coffee beans")
    press(dialog.get_by_role("button", name="Split", exact=True))
    dialog.get_by_label("Category", exact=True).select_option(label="Food")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    [entry] = person.entries()
    assert entry["lines"] == [] and names[entry["category_id"]] == "Food"


def test_lines_that_do_not_add_up_are_stopped_before_any_request(page, server):
    person = Person(server)
    signed_in(page, person, "/entries")
    posts = []
    page.on("request", lambda r: r.method == "POST" and unscoped(urlsplit(r.url).path) == "/api/v1/entries"
            and posts.append(r.url))
    page.get_by_role("button", name="Add entry").click()
    dialog = page.get_by_role("dialog", name="Add entry")
    dialog.get_by_label("Amount", exact=True).fill("5000")
    dialog.get_by_role("button", name="Split", exact=True).click()
    lines = dialog.get_by_role("group", name="Split lines")
    lines.get_by_label("Line 1 amount").fill("1000")
    lines.get_by_label("Line 2 amount").fill("1000")
    lines.get_by_label("Line 1 category").select_option(label="Food")
    dialog.get_by_role("button", name="Save").click()
    expect(lines.get_by_label("Line 2 category")).to_have_attribute("aria-invalid", "true")
    lines.get_by_label("Line 2 category").select_option(label="Health")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert").first).to_contain_text("must add up to the amount")
    expect(lines.get_by_role("status")).to_have_text("Left to split: ₩3,000")
    assert posts == [] and person.entries() == []


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_split_form_on_a_360px_phone_is_axe_clean(new_context, server, lang):
    from axe_playwright_python.sync_playwright import Axe

    person = Person(server, locale=lang)
    food, cafe = person.categories("expense")[:2]
    account = person.accounts()[0]
    person.send("POST", "/api/v1/entries", {
        "type": "expense", "amount": 12000, "occurred_on": __import__("datetime").date.today().isoformat(),
        "account_id": account["id"], "memo": "마트" if lang == "ko" else "Mart",
        "lines": [{"amount": 8000, "category_id": food["id"]}, {"amount": 4000, "category_id": cafe["id"]}]})
    page = new_context(locale="ko-KR" if lang == "ko" else "en-US", viewport={"width": 360, "height": 740},
                       has_touch=True, is_mobile=True).new_page()
    signed_in(page, person, "/entries", lang=lang)
    expect(page.get_by_role("listitem").filter(has_text="분할 2" if lang == "ko" else "Split 2")).to_contain_text(
        f"{food['name']}, {cafe['name']}")
    page.screenshot(path=artifact(f"splits-list-{lang}.png"), full_page=True)

    page.get_by_role("button", name="내역 추가" if lang == "ko" else "Add entry").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("금액" if lang == "ko" else "Amount", exact=True).fill("10000")
    dialog.get_by_role("button", name="분할" if lang == "ko" else "Split", exact=True).click()
    lines = dialog.get_by_role("group", name="분할 내역" if lang == "ko" else "Split lines")
    lines.get_by_role("button", name="줄 추가" if lang == "ko" else "Add line").click()
    lines.get_by_role("button", name="균등 분할" if lang == "ko" else "Split evenly").click()
    expect(lines.get_by_label("1번 금액" if lang == "ko" else "Line 1 amount")).to_have_value("3334")
    expect(lines.get_by_role("status")).to_have_text(
        "분할 금액의 합이 전체 금액과 같습니다." if lang == "ko" else "The lines add up to the amount.")
    lines.get_by_label("3번 금액" if lang == "ko" else "Line 3 amount").fill("3,000")
    expect(lines.get_by_role("status")).to_have_text("남은 금액: 333원" if lang == "ko" else "Left to split: ₩333")
    page.wait_for_timeout(200)
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner, (width, inner)
    violations = Axe().run(page).response["violations"]
    serious = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations if v["impact"] in SERIOUS]
    assert not serious, serious
    dialog.screenshot(path=artifact(f"splits-form-{lang}.png"))
    page.screenshot(path=artifact(f"splits-form-page-{lang}.png"), full_page=True)

"""Entries: one entry per submission (double click, retry), conflicts between tabs, delete, filters in the URL,
keyset paging (issue 9)."""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser.ledger_support import Person, signed_in, unscoped


def open_form(page):
    page.get_by_role("button", name="Add entry").click()
    dialog = page.get_by_role("dialog", name="Add entry")
    expect(dialog.get_by_label("Amount")).to_be_focused()
    return dialog


def fill_expense(dialog, amount: str, memo: str, category: str = "Food") -> None:
    dialog.get_by_label("Amount").fill(amount)
    dialog.get_by_label("Category").select_option(label=category)
    dialog.get_by_label("Memo").fill(memo)


def test_a_double_clicked_save_records_one_entry(page, server):
    person = Person(server)
    signed_in(page, person, "/entries")
    posts = []
    page.on("request", lambda r: r.method == "POST" and unscoped(urlsplit(r.url).path) == "/api/v1/entries"
            and posts.append(r.headers.get("idempotency-key")))

    dialog = open_form(page)
    fill_expense(dialog, "8,900", "Double click")
    dialog.get_by_role("button", name="Save").dblclick()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("listitem").filter(has_text="Double click")).to_have_count(1)

    assert [e["amount"] for e in person.entries()] == [8900]
    assert posts and len(set(posts)) == 1 and posts[0], posts  # any second request carried the same key


def test_a_retry_after_a_network_error_records_one_entry(page, server, console_errors):
    person = Person(server)
    signed_in(page, person, "/entries")
    console_errors.allow(r"net::ERR_FAILED|Failed to load resource")
    keys = []
    state = {"dropped": False}

    def drop_the_first_answer(route):
        keys.append(route.request.headers.get("idempotency-key"))
        if not state["dropped"]:
            state["dropped"] = True
            route.fetch()  # the server records the entry...
            route.abort("failed")  # ...but the answer is lost on the way back
        else:
            route.continue_()

    page.route(re.compile(r"/api/v1/(ledgers/\d+/)?entries$"), drop_the_first_answer)
    dialog = open_form(page)
    fill_expense(dialog, "15000", "Retried")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_contain_text("can't reach the server")
    expect(dialog.get_by_label("Memo")).to_have_value("Retried")  # nothing typed is lost
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()

    assert [e["amount"] for e in person.entries()] == [15000]
    assert len(keys) == 2 and keys[0] == keys[1], keys


def test_bad_amounts_are_field_errors_not_requests(page, server):
    person = Person(server)
    signed_in(page, person, "/entries")
    posts = []
    page.on("request", lambda r: r.method == "POST" and "/entries" in r.url and posts.append(r.url))
    dialog = open_form(page)
    amount = dialog.get_by_label("Amount")
    for typed, message in [("12.5", "no decimals"), ("twelve", "numbers"), ("9007199254740992", "too large")]:
        fill_expense(dialog, typed, "x")
        dialog.get_by_role("button", name="Save").click()
        expect(amount).to_have_attribute("aria-invalid", "true")
        expect(dialog.locator("#entry-amount-error")).to_contain_text(message)
        expect(amount).to_be_focused()
    assert posts == []


def test_an_edit_in_two_tabs_gives_the_conflict_choice(context, server, console_errors):
    console_errors.allow(r": 412 .*/api/v1/(ledgers/\d+/)?entries/\d+$")  # the browser logs the 412 this test provokes
    person = Person(server)
    entry = person.add("expense", 10000, memo="Original")
    first, second = context.new_page(), context.new_page()
    signed_in(first, person, "/entries")
    second.goto("/entries")
    dialogs = []
    for tab in (first, second):
        tab.get_by_role("listitem").filter(has_text="Original").get_by_role("button", name="Edit").click()
        dialog = tab.get_by_role("dialog", name="Edit entry")
        expect(dialog.get_by_label("Amount")).to_have_value("10000")
        dialogs.append(dialog)

    dialogs[0].get_by_label("Memo").fill("From the first tab")
    dialogs[0].get_by_role("button", name="Save").click()
    expect(dialogs[0]).to_be_hidden()

    dialogs[1].get_by_label("Amount").fill("11,000")
    dialogs[1].get_by_role("button", name="Save").click()
    conflict = dialogs[1].get_by_role("alert")
    expect(conflict).to_contain_text("changed somewhere else")
    assert person.get(f"/api/v1/entries/{entry['id']}")["amount"] == 10000  # nothing overwritten

    # Reload shows the other tab's version; then this tab's change is made on top of it.
    conflict.get_by_role("button", name="Reload entry").click()
    expect(dialogs[1].get_by_label("Memo")).to_have_value("From the first tab")
    expect(dialogs[1].get_by_label("Amount")).to_have_value("10000")

    # Another change elsewhere, then "Keep mine" writes this tab's version over it.
    person.send("PATCH", f"/api/v1/entries/{entry['id']}", {"memo": "From a script"})
    dialogs[1].get_by_label("Amount").fill("11,000")
    dialogs[1].get_by_role("button", name="Save").click()
    expect(dialogs[1].get_by_role("alert")).to_contain_text("changed somewhere else")
    dialogs[1].get_by_role("button", name="Keep mine").click()
    expect(dialogs[1]).to_be_hidden()
    saved = person.get(f"/api/v1/entries/{entry['id']}")
    assert (saved["amount"], saved["memo"]) == (11000, "From the first tab")


def test_delete_asks_first_and_returns_the_focus(page, server):
    person = Person(server)
    person.add("expense", 5000, memo="Keep")
    person.add("expense", 7000, memo="Remove")
    signed_in(page, person, "/entries")
    row = page.get_by_role("listitem").filter(has_text="Remove")
    row.get_by_role("button", name="Delete").click()
    confirm = page.get_by_role("dialog", name="Delete this entry?")
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_be_hidden()
    expect(row.get_by_role("button", name="Delete")).to_be_focused()
    assert len(person.entries()) == 2

    row.get_by_role("button", name="Delete").click()
    confirm.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_contain_text("Entry deleted")
    expect(page.get_by_role("listitem").filter(has_text="Remove")).to_have_count(0)
    assert [e["memo"] for e in person.entries()] == ["Keep"]


def test_the_dialog_keeps_the_focus_inside_and_escape_closes_it(page, server):
    person = Person(server)
    signed_in(page, person, "/entries")
    opener = page.get_by_role("button", name="Add entry")
    dialog = open_form(page)
    for _ in range(25):
        page.keyboard.press("Tab")
        assert dialog.evaluate("d => d.contains(document.activeElement)")
    for _ in range(5):
        page.keyboard.press("Shift+Tab")
        assert dialog.evaluate("d => d.contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()


def test_filters_live_in_the_url_and_load_more_pages_with_the_keyset(page, server):
    person = Person(server)
    food = next(c for c in person.categories("expense") if c["name"] == "Food")
    other = next(c for c in person.categories("expense") if c["name"] == "Transport")
    today = dt.date.today()
    for n in range(55):
        person.add("expense", 1000 + n, category=food, memo=f"meal {n}", day=today)
    person.add("expense", 99000, category=other, memo="Taxi home", tags=["late"], day=today)

    signed_in(page, person, "/entries")
    items = page.get_by_role("list", name=re.compile("^Entries of")).get_by_role("listitem")
    expect(items).to_have_count(50)
    page.get_by_role("button", name="Load more").click()
    expect(items).to_have_count(56)
    expect(page.get_by_role("button", name="Load more")).to_have_count(0)

    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Search memos").fill("taxi")
    page.get_by_label("Minimum amount").fill("50,000")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"q=taxi.*min_amount=50000|min_amount=50000.*q=taxi"))
    expect(items).to_have_count(1)
    page.reload()  # a reload (or a shared link) shows the same list
    expect(items.filter(has_text="Taxi home")).to_be_visible()
    expect(items).to_have_count(1)
    expect(page.get_by_label("Search memos")).to_have_value("taxi")

    page.goto(f"/entries?category_id={food['id']}&max_amount=1002")
    expect(items).to_have_count(3)

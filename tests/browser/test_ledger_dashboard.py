"""The dashboard shows exactly the API's numbers for entries a person recorded through the UI (issue 9)."""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser.ledger_support import Person, artifact, month_of_today, signed_in, today_in_browser, unscoped, won

REPORT = "/api/v1/reports/monthly"


def add_entry_with_the_keyboard(page, amount: str, memo: str) -> None:
    """Add entry → Amount → Date → Account → Category (first choice) → Memo → Enter: no mouse."""
    page.get_by_role("button", name="Add entry").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Add entry")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Amount")).to_be_focused()
    page.keyboard.type(amount)
    page.keyboard.press("Tab")
    expect(dialog.get_by_label("Date")).to_be_focused()
    for _ in range(4):  # the date's fields (day, month, year) take a Tab each
        page.keyboard.press("Tab")
        if dialog.get_by_label("Account").evaluate("el => el === document.activeElement"):
            break
    expect(dialog.get_by_label("Account")).to_be_focused()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("combobox", name="Payee")).to_be_focused()  # optional: passed by
    page.keyboard.press("Tab")
    expect(dialog.get_by_label("Category")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Split", exact=True)).to_be_focused()  # one category: no split
    page.keyboard.press("Tab")
    expect(dialog.get_by_label("Memo")).to_be_focused()
    page.keyboard.type(memo)
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()


def test_an_expense_and_an_income_through_the_ui_and_the_dashboard_equals_the_report(page, server):
    person = Person(server)
    signed_in(page, person)
    expect(page.get_by_role("button", name="Previous month")).to_be_visible()
    expect(page.get_by_role("button", name="Next month")).to_be_visible()

    # An expense with the keyboard alone; the focus comes back to Add entry.
    add_entry_with_the_keyboard(page, "12,000", "Lunch")
    expect(page.get_by_role("status").filter(has_text="Entry added")).to_be_visible()
    expect(page.get_by_role("button", name="Add entry")).to_be_focused()

    # An income with the mouse: type, amount as typed with the currency sign, a category of its kind.
    page.get_by_role("button", name="Add entry").click()
    dialog = page.get_by_role("dialog", name="Add entry")
    dialog.get_by_label("Type").select_option(label="Income")
    dialog.get_by_label("Amount").fill("₩3,250,000")
    salary = next(c for c in person.categories("income") if c["name"] == "Salary")
    category = dialog.get_by_label("Category")
    expense_names = {c["name"] for c in person.categories("expense")}
    offered = set(category.locator("option").all_inner_texts()) - {"Choose…"}
    assert offered and not offered & expense_names, offered  # only categories of the entry's kind
    category.select_option(label="Salary")
    dialog.get_by_label("Memo").fill("November pay")
    dialog.get_by_label("Tags").fill("work, monthly")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()

    entries = person.entries()
    assert sorted((e["type"], e["amount"]) for e in entries) == [("expense", 12000), ("income", 3250000)]
    income = next(e for e in entries if e["type"] == "income")
    assert income["category_id"] == salary["id"] and income["tags"] == ["monthly", "work"]
    assert {e["occurred_on"] for e in entries} == {today_in_browser(page)}  # the local date

    report = person.get("/api/v1/reports/monthly", month=month_of_today(page))
    summary = page.get_by_role("region", name="Month summary")
    for name, key in [("Income", "income"), ("Expenses", "expense"), ("Net", "net")]:
        value = summary.locator("div.total").filter(has=page.get_by_text(name, exact=True)).locator("dd")
        expect(value).to_have_text(won(report[key]))
        expect(value).to_have_attribute("data-value", str(report[key]))
    assert (report["income"], report["expense"], report["net"]) == (3250000, 12000, 3238000)

    # The chart draws the API's totals (top-level expense rows), each with its label.
    chart = page.get_by_role("region", name="Spending by category")
    rows = [r for r in report["by_category"] if r["kind"] == "expense" and r["parent_id"] is None]
    bars = chart.locator("svg.stack rect")
    expect(bars).to_have_count(len(rows))
    assert [int(v) for v in bars.evaluate_all("els => els.map(e => e.dataset.value)")] == [r["total"] for r in rows]
    for row in rows:
        expect(chart.get_by_role("button", name=re.compile(re.escape(row["name"])))).to_contain_text(won(row["total"]))
    days = page.get_by_role("region", name="Spending by day").locator("rect.day-bar")
    assert sum(int(v) for v in days.evaluate_all("els => els.map(e => e.dataset.value)")) == report["expense"]

    # The latest entries list both; a click on a category goes to its filtered entries.
    latest = page.get_by_role("list", name="Latest entries")
    expect(latest.get_by_role("listitem")).to_have_count(2)
    expect(latest).to_contain_text("Lunch")
    chart.get_by_role("button", name=re.compile(re.escape(rows[0]["name"]))).click()
    expect(page).to_have_url(re.compile(rf"/entries\?.*category_id={rows[0]['category_id']}"))
    expect(page.get_by_role("listitem").filter(has_text="Lunch")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="November pay")).to_have_count(0)


def test_budget_progress_turns_red_past_100_percent_with_a_total(page, server):
    person = Person(server)
    food = next(c for c in person.categories("expense") if c["name"] == "Food")
    cafe = next(c for c in person.categories("expense") if c["name"] == "Cafe & snacks")
    signed_in(page, person)
    month = month_of_today(page)
    person.send("PUT", f"/api/v1/budgets/{month}", {"items": [{"category_id": food["id"], "amount": 10000},
                                                             {"category_id": cafe["id"], "amount": 50000}]})
    person.add("expense", 12000, category=food)
    person.add("expense", 4500, category=cafe)
    page.reload()

    budgets = page.get_by_role("region", name="Budgets")
    expect(budgets.get_by_role("img", name="Total: ₩16,500 of ₩60,000 spent")).to_be_visible()
    over = budgets.get_by_role("img", name="Food: ₩12,000 of ₩10,000 spent")
    expect(over).to_have_class(re.compile("progress--over"))
    expect(budgets.get_by_role("img", name="Cafe & snacks: ₩4,500 of ₩50,000 spent")).not_to_have_class(
        re.compile("progress--over"))
    expect(budgets).to_contain_text("₩2,000 over")


def test_previous_and_next_month(page, server):
    person = Person(server)
    signed_in(page, person)
    heading = page.get_by_role("heading", level=1)
    this_month = heading.inner_text()
    page.get_by_role("button", name="Previous month").click()
    expect(page).to_have_url(re.compile(r"/\?month=\d{4}-\d{2}$"))
    expect(heading).not_to_have_text(this_month)
    page.get_by_role("button", name="Next month").click()
    expect(heading).to_have_text(this_month)


def api_calls(page) -> list[tuple[str, str, str]]:
    """From now on, the page's requests to /api/ as (method, path, query), in order (clear() between steps)."""
    calls: list[tuple[str, str, str]] = []

    def record(request) -> None:
        url = urlsplit(request.url)
        if url.path.startswith("/api/"):
            calls.append((request.method, unscoped(url.path), url.query))

    page.on("request", record)
    return calls


def settled(page) -> None:
    """Give a request that would come after the screen showed (a second effect, a late fetch) time to start."""
    page.wait_for_timeout(500)


def assert_one_report_call(calls: list[tuple[str, str, str]], month: str) -> None:
    """The month view asked for GET /reports/monthly of `month` once, and nothing of /budgets or /entries."""
    assert [(method, query) for method, path, query in calls if path == REPORT] == [("GET", f"month={month}")], calls
    assert [call for call in calls if call[1].startswith(("/api/v1/budgets", "/api/v1/entries"))] == [], calls


def expect_budget_progress(page, person: Person, month: str) -> None:
    """The Budgets card shows the API's lines of `month` (GET /budgets/{month}), each by name, and the total."""
    budget = person.get(f"/api/v1/budgets/{month}")
    names = {c["id"]: c["name"] for c in person.categories("expense")}
    card = page.get_by_role("region", name="Budgets")
    total = f"Total: {won(budget['total']['spent'])} of {won(budget['total']['amount'])} spent"
    expect(card.get_by_role("img", name=total)).to_be_visible()
    for item in budget["items"]:
        name = f"{names[item['category_id']]}: {won(item['spent'])} of {won(item['amount'])} spent"
        expect(card.get_by_role("img", name=name)).to_be_visible()
    expect(card.get_by_role("img")).to_have_count(len(budget["items"]) + 1)


def expect_latest(page, memos: list[str]) -> None:
    items = page.get_by_role("list", name="Latest entries").get_by_role("listitem")
    expect(items).to_have_count(len(memos))
    for index, memo in enumerate(memos):
        expect(items.nth(index)).to_contain_text(memo)


def test_each_month_view_is_one_report_call_with_its_budgets_and_latest_entries(page, server):
    person = Person(server)
    expense = {c["name"]: c for c in person.categories("expense")}
    food, cafe, transport = expense["Food"], expense["Cafe & snacks"], expense["Transport"]
    salary = next(c for c in person.categories("income") if c["name"] == "Salary")
    first = dt.date.fromisoformat(today_in_browser(page)).replace(day=1)
    before = (first - dt.timedelta(days=1)).replace(day=1)
    month, previous = first.strftime("%Y-%m"), before.strftime("%Y-%m")
    person.send("PUT", f"/api/v1/budgets/{month}", {"items": [{"category_id": food["id"], "amount": 10000},
                                                             {"category_id": cafe["id"], "amount": 50000}]})
    person.send("PUT", f"/api/v1/budgets/{previous}", {"items": [{"category_id": transport["id"], "amount": 30000}]})
    # Seven expenses over four days, then an income on the first day: the five newest are by date (then the
    # later recorded), so neither the income (recorded last) nor the oldest two are among them.
    for n in range(7):
        person.add("expense", 1000 * (n + 1), category=food if n % 2 else cafe, memo=f"Spend {n}",
                   day=first + dt.timedelta(days=n // 2))
    person.add("income", 3000000, category=salary, memo="Pay", day=first)
    person.add("expense", 42000, category=transport, memo="Train pass", day=before + dt.timedelta(days=3))
    person.add("expense", 3000, category=food, memo="Old lunch", day=before)
    report = person.get(REPORT, month=month)
    assert report["budgets"] == person.get(f"/api/v1/budgets/{month}")["items"]
    assert report["recent"] == person.get("/api/v1/entries", month=month, limit=5)["items"]

    calls = api_calls(page)
    signed_in(page, person)
    expect_budget_progress(page, person, month)
    expect(page.get_by_role("region", name="Budgets")).to_contain_text("₩2,000 over")  # Food: 12,000 of 10,000
    expect_latest(page, ["Spend 6", "Spend 5", "Spend 4", "Spend 3", "Spend 2"])
    settled(page)
    assert_one_report_call(calls, month)

    calls.clear()
    page.get_by_role("button", name="Previous month").click()
    expect(page).to_have_url(re.compile(rf"/\?month={previous}$"))
    expect_budget_progress(page, person, previous)
    expect(page.get_by_role("region", name="Budgets")).to_contain_text("₩12,000 over")  # Transport: 42,000 of 30,000
    expect_latest(page, ["Train pass", "Old lunch"])
    settled(page)
    assert_one_report_call(calls, previous)


def _shared_list(path: str) -> bool:
    return path == "/api/v1/accounts" or (path.startswith("/api/v1/ledgers/") and path.endswith("/members"))


def test_an_edit_or_a_delete_on_the_dashboard_fetches_the_report_again_and_nothing_else(page, server):
    person = Person(server)
    food = next(c for c in person.categories("expense") if c["name"] == "Food")
    signed_in(page, person)
    month = month_of_today(page)
    person.send("PUT", f"/api/v1/budgets/{month}", {"items": [{"category_id": food["id"], "amount": 10000}]})
    lunch = person.add("expense", 4000, category=food, memo="Lunch")
    snack = person.add("expense", 2500, category=food, memo="Snack")
    page.reload()
    budgets = page.get_by_role("region", name="Budgets")
    expect(budgets.get_by_role("img", name="Food: ₩6,500 of ₩10,000 spent")).to_be_visible()
    latest = page.get_by_role("list", name="Latest entries")

    calls = api_calls(page)
    latest.get_by_role("listitem").filter(has_text="Lunch").get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog", name="Edit entry")
    expect(dialog.get_by_label("Amount")).to_have_value("4000")
    dialog.get_by_label("Amount").fill("12,000")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("status").filter(has_text="Entry saved")).to_be_visible()
    expect(budgets.get_by_role("img", name="Food: ₩14,500 of ₩10,000 spent")).to_be_visible()
    expect(latest.get_by_role("listitem").filter(has_text="Lunch")).to_contain_text("₩12,000")
    settled(page)
    entry = f"/api/v1/entries/{lunch['id']}"
    # The form reads the one entry (its ETag) and saves it; the dashboard then asks for its report once. The
    # ledger's shared lists (accounts, members) may still be arriving from the page's load on a busy machine.
    assert [call for call in calls if not _shared_list(call[1])] == [
        ("GET", entry, ""), ("PATCH", entry, ""), ("GET", REPORT, f"month={month}")], calls

    calls.clear()
    latest.get_by_role("listitem").filter(has_text="Snack").get_by_role("button", name="Delete").click()
    page.get_by_role("dialog", name="Delete this entry?").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status").filter(has_text="Entry deleted")).to_be_visible()
    expect(budgets.get_by_role("img", name="Food: ₩12,000 of ₩10,000 spent")).to_be_visible()
    expect(latest.get_by_role("listitem")).to_have_count(1)
    settled(page)
    assert [call for call in calls if not _shared_list(call[1])] == [
        ("DELETE", f"/api/v1/entries/{snack['id']}", ""), ("GET", REPORT, f"month={month}")], calls
    assert [e["memo"] for e in person.entries()] == ["Lunch"]


def test_dashboard_screenshots_desktop_and_phone(new_context, server):
    """Kept as test artefacts under tests/browser/artifacts/ (not committed)."""
    person = Person(server)
    food, cafe = person.categories("expense")[:2]
    for amount, category, memo in [(12000, food, "Lunch"), (4500, cafe, "Latte"), (58000, food, "Groceries")]:
        person.add("expense", amount, category=category, memo=memo)
    person.add("income", 3200000, memo="Salary")
    for name, viewport in [("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 360, "height": 780})]:
        page = new_context(viewport=viewport).new_page()
        signed_in(page, person)
        expect(page.get_by_role("region", name="Spending by category")).to_be_visible()
        page.screenshot(path=artifact(f"dashboard-{name}.png"), full_page=True)
        assert artifact(f"dashboard-{name}.png").stat().st_size > 10_000

"""Accounts, categories, budgets, reports and CSV through the UI; Korean; the 360 px phone; axe on every
screen in both languages (issue 9)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, new_email
from tests.browser.ledger_support import SCREENS, Person, artifact, month_of_today, signed_in, won_ko

SERIOUS = {"serious", "critical"}
FIELDS = ("occurred_on", "type", "amount", "memo", "tags")


def comparable(person: Person) -> list[tuple]:
    """Entries by what they say, not by ids: the account and category names instead."""
    accounts = {a["id"]: a["name"] for a in person.accounts()}
    categories = {c["id"]: c for c in person.categories()}

    def category(cid):
        if cid is None:
            return None
        c = categories[cid]
        return f"{categories[c['parent_id']]['name']}/{c['name']}" if c["parent_id"] else c["name"]

    return sorted((e["occurred_on"], e["type"], e["amount"], e["memo"], tuple(e["tags"]), accounts[e["account_id"]],
                   accounts.get(e["to_account_id"]), category(e["category_id"])) for e in person.entries())


def test_csv_export_then_import_into_a_fresh_account_gives_the_same_entries(new_context, server):
    person = Person(server)
    card = person.send("POST", "/api/v1/accounts", {"name": "Card, family", "type": "credit_card"})
    food = next(c for c in person.categories("expense") if c["name"] == "Food")
    child = person.send("POST", "/api/v1/categories", {"name": "Bakery", "kind": "expense", "parent_id": food["id"]})
    today = dt.date.today()
    person.add("expense", 12000, category=food, memo='Lunch, "the usual"', tags=["work", "team lunch"], day=today)
    person.add("expense", 3500, category=child, account=card, memo="=cmd|' /C calc'!A0", day=today)
    person.add("income", 3200000, memo="급여 11월", day=today - dt.timedelta(days=40))
    person.add("transfer", 50000, account=person.accounts()[0], to_account=card, memo="Pay the card", day=today)

    page = new_context(accept_downloads=True).new_page()
    signed_in(page, person, "/reports")
    page.get_by_label("Export every entry instead").check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    path = info.value.path()
    with open(path, "rb") as file:
        data = file.read()
    assert data.startswith(b"\xef\xbb\xbf"), data[:10]  # the BOM, as the API sent it
    assert data[3:].startswith(b"occurred_on,type,account,to_account,category,amount,memo,tags")
    assert info.value.suggested_filename.endswith(".csv")

    fresh = Person(server)
    other = new_context().new_page()
    signed_in(other, fresh, "/reports")
    other.get_by_label("CSV file", exact=True).set_input_files(path)
    other.get_by_role("button", name="Check file").click()
    check = other.locator(".import-check")
    expect(check).to_contain_text("4 entries will be imported")
    expect(check).to_contain_text("Card, family")  # the account to be created
    expect(check).to_contain_text("Food/Bakery")  # and the category
    assert fresh.entries() == []  # a dry run writes nothing
    other.get_by_role("button", name="Import 4 entries").click()
    expect(other.get_by_role("status").filter(has_text="4 entries were imported")).to_be_visible()

    assert comparable(fresh) == comparable(person)


def test_an_import_with_bad_lines_lists_every_one_and_imports_nothing(page, server, tmp_path, console_errors):
    console_errors.allow(r": 422 .*/api/v1/(ledgers/\d+/)?entries/import")
    person = Person(server)
    signed_in(page, person, "/reports")
    bad = tmp_path / "bad.csv"
    bad.write_text("occurred_on,type,account,to_account,category,amount,memo,tags\n"
                   "2026-11-01,expense,Cash,,Food,1000,ok,\n"
                   "2026-13-01,expense,Cash,,Food,1000,bad date,\n"
                   "2026-11-02,expense,Cash,,Food,12.5,bad amount,\n", encoding="utf-8")
    page.get_by_label("CSV file", exact=True).set_input_files(str(bad))
    page.get_by_role("button", name="Check file").click()
    check = page.locator(".import-check")
    expect(check).to_contain_text("Line 3:")
    expect(check).to_contain_text("Line 4:")
    expect(check).not_to_contain_text("Line 2:")
    # each reason in the app's words, from the row's code (not the server's English message)
    expect(check).to_contain_text("Date: Write the date as YYYY-MM-DD.")
    expect(check).to_contain_text("Amount: Write the amount in minor units")
    expect(page.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)
    assert person.entries() == []


def test_accounts_create_rename_archive_and_a_refused_delete(page, server, console_errors):
    console_errors.allow(r": 409 .*/api/v1/(ledgers/\d+/)?accounts/\d+$")  # the refused delete
    person = Person(server)
    signed_in(page, person, "/accounts")
    page.get_by_role("button", name="Add account").click()
    dialog = page.get_by_role("dialog", name="Add account")
    dialog.get_by_label("Name").fill("Savings")
    dialog.get_by_label("Kind of account").select_option(label="Bank account")
    dialog.get_by_label("Opening balance").fill("1,500,000")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Savings was added")
    savings = next(a for a in person.accounts() if a["name"] == "Savings")
    assert (savings["type"], savings["opening_balance"]) == ("bank", 1500000)
    person.add("expense", 20000, account=savings)
    page.reload()
    expect(page.get_by_role("listitem").filter(has_text="Savings")).to_contain_text("₩1,480,000")
    expect(page.get_by_role("definition").first).to_have_text("₩1,480,000")  # the total of the open accounts

    page.get_by_role("button", name="Delete Savings").click()
    expect(page.get_by_role("alert")).to_contain_text("can't be deleted because entries use it")
    page.get_by_role("button", name="Rename Savings").click()
    rename = page.get_by_role("dialog", name="Rename account")
    rename.get_by_label("Name").fill("Rainy day")
    rename.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Rainy day")
    page.get_by_role("button", name="Archive Rainy day").click()
    expect(page.get_by_role("status")).to_contain_text("archived")
    assert next(a for a in person.accounts() if a["name"] == "Rainy day")["archived"] is True

    # An archived account is not offered for new entries.
    page.goto("/entries")
    page.get_by_role("button", name="Add entry").click()
    account = page.get_by_role("dialog").get_by_label("Account")
    expect(account.get_by_role("option", name="Cash")).to_have_count(1)  # the accounts have loaded
    options = account.locator("option").all_inner_texts()
    assert "Rainy day" not in options and "Cash" in options


def test_categories_child_colour_archive_and_delete_with_reassign(page, server, console_errors):
    console_errors.allow(r": 409 .*/api/v1/(ledgers/\d+/)?categories/\d+")
    person = Person(server)
    signed_in(page, person, "/categories")
    page.get_by_role("button", name="Add a category under Food").click()
    dialog = page.get_by_role("dialog", name="Add a category under Food")
    dialog.get_by_label("Name").fill("Bakery")
    dialog.get_by_label("Colour").fill("#e4572e")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Bakery was added")
    food = next(c for c in person.categories() if c["name"] == "Food")
    bakery = next(c for c in person.categories() if c["name"] == "Bakery")
    assert bakery["parent_id"] == food["id"] and bakery["color"] == "#e4572e"

    person.add("expense", 4000, category=bakery, memo="Bread")
    page.get_by_role("button", name="Delete Bakery").click()
    confirm = page.get_by_role("dialog", name="Delete Bakery")
    confirm.get_by_role("button", name="Delete").click()
    expect(confirm.get_by_role("alert")).to_contain_text("Entries still use this category")
    confirm.get_by_label("Move its entries to…").select_option(label="Food")
    confirm.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_contain_text("Bakery was deleted")
    assert [e["category_id"] for e in person.entries()] == [food["id"]]

    page.get_by_role("button", name="Archive Leisure").click()
    expect(page.get_by_role("button", name="Restore Leisure")).to_be_visible()


def test_budgets_edited_in_place_and_copied_from_last_month(page, server):
    person = Person(server)
    food = next(c for c in person.categories("expense") if c["name"] == "Food")
    signed_in(page, person, "/budgets")
    page.get_by_role("button", name="Previous month").click()
    page.get_by_label("Food limit").fill("300,000")
    page.get_by_role("button", name="Save budgets").click()
    expect(page.get_by_role("status")).to_contain_text("Budgets saved")
    page.get_by_role("button", name="Next month").click()
    expect(page.get_by_label("Food limit")).to_have_value("")
    page.get_by_role("button", name="Copy last month").click()
    expect(page.get_by_role("status")).to_contain_text("Copied 1 limit")
    expect(page.get_by_label("Food limit")).to_have_value("300000")
    person.add("expense", 120000, category=food)
    page.reload()
    expect(page.get_by_role("listitem").filter(has_text="Food")).to_contain_text("₩180,000 left")
    budget = person.get(f"/api/v1/budgets/{month_of_today(page)}")
    assert budget["items"] == [{"category_id": food["id"], "amount": 300000, "spent": 120000, "remaining": 180000}]


def test_reports_trend_defaults_to_12_months_and_draws_the_api_numbers(page, server):
    person = Person(server)
    person.add("expense", 12000)
    person.add("income", 500000)
    signed_in(page, person, "/reports")
    expect(page.get_by_role("heading", name="Income and expenses over 12 months")).to_be_visible()
    table = page.get_by_role("table", name=re.compile(r"^Income and expenses over \d+ months$"))
    expect(table.locator("tbody tr")).to_have_count(12)
    this = month_of_today(page)
    trend = person.get("/api/v1/reports/trend", **{"from": this, "to": this})["items"][0]
    bars = page.locator(f'rect[data-month="{this}"]')
    assert sorted(int(v) for v in bars.evaluate_all("els => els.map(e => e.dataset.value)")) == sorted(
        [trend["income"], trend["expense"]])
    page.get_by_role("button", name="10 years").click()
    expect(page.get_by_role("heading", name="Income and expenses over 120 months")).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(120)


def test_the_korean_ui_has_korean_labels_and_won_amounts(new_context, server):
    page = new_context(locale="ko-KR").new_page()
    email = new_email()
    page.goto("/register")
    page.get_by_label("이메일", exact=True).fill(email)
    page.get_by_label("비밀번호", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="계정 만들기").click()
    expect(page.get_by_role("button", name="로그아웃")).to_be_visible()
    nav = page.get_by_role("navigation")
    for name in ["대시보드", "내역", "계좌", "분류", "예산", "보고서", "설정"]:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()

    page.get_by_role("button", name="내역 추가").click()
    dialog = page.get_by_role("dialog", name="내역 추가")
    dialog.get_by_label("금액").fill("12,000")
    dialog.get_by_label("분류").select_option(label="식비")  # Korean default categories: the UI sent its locale
    dialog.get_by_label("메모").fill("점심")
    dialog.get_by_role("button", name="저장").click()
    expect(dialog).to_be_hidden()

    person = Person(server, email=email)
    assert {c["name"] for c in person.categories("expense")} >= {"식비", "카페·간식", "교통", "경조사"}
    assert [a["name"] for a in person.accounts()] == ["현금"]
    summary = page.get_by_role("region", name="이번 달 요약")
    expect(summary.get_by_text("지출", exact=True)).to_be_visible()
    expect(summary.locator(".total--expense dd")).to_have_text(won_ko(12000))
    expect(page.get_by_role("list", name="최근 내역")).to_contain_text("12,000원")
    page.goto("/accounts")
    expect(page.get_by_role("heading", name="계좌", level=1)).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="현금")).to_contain_text("-12,000원")


@pytest.mark.parametrize("path", SCREENS)
def test_a_360px_phone_never_scrolls_sideways(new_context, server, path):
    person = Person(server)
    person.add("expense", 123456789, memo="A long memo that goes on and on to see how the card wraps its text")
    person.add("income", 987654321)
    page = new_context(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True).new_page()
    signed_in(page, person, path)
    page.wait_for_load_state("networkidle")
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner, (path, width, inner)
    if path in ("/", "/entries"):
        add = page.get_by_role("button", name="Add entry")
        box = add.bounding_box()
        assert box and box["y"] > 740 * 0.75 and box["y"] + box["height"] <= 740, box  # within thumb reach
        if path == "/entries":  # entries are cards: one column, each its own box
            item = page.get_by_role("listitem").filter(has_text="A long memo")
            assert item.evaluate("el => getComputedStyle(el).borderRadius") != "0px"
            page.get_by_role("button", name="Add entry").click()
            page.wait_for_timeout(300)
            width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
            assert width <= inner, ("entry form", width, inner)
        page.screenshot(path=artifact(f"phone-{path.strip('/') or 'dashboard'}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_axe_finds_no_serious_violation_on_any_screen(new_context, server, lang):
    from axe_playwright_python.sync_playwright import Axe

    person = Person(server, locale=lang)
    person.add("expense", 12000, memo="Lunch", tags=["work"])
    person.add("income", 3000000)
    cat = person.categories("expense")[0]
    person.send("PUT", f"/api/v1/budgets/{dt.date.today():%Y-%m}",
                {"items": [{"category_id": cat["id"], "amount": 5000}]})
    page = new_context(locale="ko-KR" if lang == "ko" else "en-US").new_page()
    axe = Axe()
    found = {}
    signed_in(page, person, lang=lang)
    for path in SCREENS:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        found[path] = axe.run(page).response["violations"]
    page.goto("/entries")
    page.get_by_role("button", name="Add entry" if lang == "en" else "내역 추가").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    found["entry form"] = axe.run(page).response["violations"]
    serious = {where: [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations
                       if v["impact"] in SERIOUS] for where, violations in found.items()}
    assert not any(serious.values()), serious

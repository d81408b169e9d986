"""Credit cards through the UI (issue 16, part 5): the billing settings with an issuer preset, installments in the
entry form (only for a card), the dashboard's "card payments this month" and the statement screen with its month
navigation; Korean and English, the 360 px phone, axe. Controls are found by role and accessible name."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.browser.ledger_support import Person, artifact, signed_in, today_in_browser, won, won_ko
from tests.browser.test_household import PHONE, axe_clean, no_sideways_scroll


def previous_month_day(today: dt.date, day: int) -> dt.date:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return first.replace(day=day)


def month_after(month: str) -> str:
    year, number = map(int, month.split("-"))
    return f"{year + number // 12}-{number % 12 + 1:02d}"


def with_card(server, lang: str = "en") -> tuple[Person, dict, dict]:
    person = Person(server, locale=lang)
    card = person.send("POST", "/api/v1/accounts", {"name": "Shinhan card", "type": "credit_card"})
    bank = person.send("POST", "/api/v1/accounts", {"name": "Salary bank", "type": "bank", "opening_balance": 10**7})
    return person, card, bank


def test_billing_installments_dashboard_and_statement(new_context, server, console_errors):
    console_errors.allow(r"\b409\b")  # the browser's own line for the bank account's statement, refused at the end
    person, card, bank = with_card(server)
    page = new_context().new_page()
    signed_in(page, person, "/accounts")
    today = dt.date.fromisoformat(today_in_browser(page))
    month = today.isoformat()[:7]

    # The billing settings: a preset fills the fields, which stay editable.
    page.get_by_role("button", name="Billing of Shinhan card").click()
    dialog = page.get_by_role("dialog", name="Billing of Shinhan card")
    expect(dialog.get_by_label("Payment day")).to_have_value("14")
    dialog.get_by_label("Card issuer preset").select_option(label="현대카드")
    expect(dialog.get_by_label("Payment day")).to_have_value("12")
    expect(dialog.get_by_role("status")).to_have_text(
        "Paid on day 12 for usage from the 1st of the previous month to its end.")
    dialog.get_by_label("Payment day").fill("40")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_label("Payment day")).to_have_attribute("aria-invalid", "true")
    dialog.get_by_label("Payment day").fill("12")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("status").filter(has_text="Saved the billing of Shinhan card.")).to_be_visible()
    assert person.get(f"/api/v1/accounts/{card['id']}")["billing"] == {
        "payment_day": 12, "usage_start_day": 1, "usage_month_offset": 1}
    expect(page.get_by_role("button", name="Billing of Salary bank")).to_have_count(0)

    # Installments: offered only for an expense on the card.
    page.goto("/entries")
    page.get_by_role("button", name="Add entry").click()
    form = page.get_by_role("dialog", name="Add entry")
    form.get_by_label("Account", exact=True).select_option(label="Salary bank")
    expect(form.get_by_label("Installments")).to_have_count(0)
    form.get_by_label("Account", exact=True).select_option(label="Shinhan card")
    form.get_by_label("Installments").select_option(label="3 months")
    form.get_by_label("Amount").fill("100,000")
    form.get_by_label("Date").fill(previous_month_day(today, 15).isoformat())
    form.get_by_label("Category").select_option(label="Food")
    form.get_by_label("Memo").fill("Laptop")
    form.get_by_role("button", name="Save", exact=True).click()
    expect(form).to_be_hidden()
    [entry] = person.entries(account_id=card["id"])
    assert (entry["amount"], entry["installment_months"]) == (100_000, 3)

    # The payment from the bank: a transfer into the card after the usage period, by the payment date.
    person.add("transfer", 10_000, account=bank, to_account=card, day=today.replace(day=1), memo="Card bill")

    page.goto("/")
    due = page.get_by_role("region", name="Card payments this month")
    row = due.get_by_role("listitem").filter(has_text="Shinhan card")
    expect(row).to_contain_text(won(23_334))
    due.get_by_role("link", name="Shinhan card").click()
    expect(page.get_by_role("heading", name="Shinhan card: statement", level=1)).to_be_visible()
    assert page.url.endswith(f"/accounts/{card['id']}/statement?month={month}")
    charges = page.get_by_role("list", name="Charges")
    expect(charges.get_by_role("listitem")).to_have_count(1)
    expect(charges.get_by_role("listitem").first).to_contain_text("Installment 1 of 3")
    expect(charges.get_by_role("listitem").first).to_contain_text(won(33_334))
    expect(page.get_by_role("list", name="Payments").get_by_role("listitem")).to_contain_text(won(10_000))
    statement = person.get(f"/api/v1/accounts/{card['id']}/statements", month=month)
    assert (statement["total"], statement["paid"], statement["amount_due"]) == (33_334, 10_000, 23_334)

    page.get_by_role("button", name="Next month").click()
    assert page.url.endswith(f"?month={month_after(month)}")
    expect(charges.get_by_role("listitem").first).to_contain_text("Installment 2 of 3")
    expect(charges.get_by_role("listitem").first).to_contain_text(won(33_333))
    expect(page.get_by_role("list", name="Payments")).to_have_count(0)
    axe_clean(page, "statement, desktop")

    page.goto(f"/accounts/{bank['id']}/statement")
    expect(page.get_by_role("alert")).to_contain_text("Only a credit card has statements and a billing cycle.")


WORDS = {
    "en": {"due": "Card payments this month", "title": "Shinhan card: statement", "charges": "Charges",
           "billing": "Billing of Shinhan card", "money": won},
    "ko": {"due": "이번 달 카드 결제 예정", "title": "Shinhan card 명세서", "charges": "이용 내역",
           "billing": "Shinhan card 결제 설정", "money": won_ko},
}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_card_screens_on_a_phone_are_clean_in_both_languages(new_context, server, lang):
    w = WORDS[lang]
    person, card, _bank = with_card(server, lang)
    page = new_context(locale="ko-KR" if lang == "ko" else "en-US", **PHONE).new_page()
    signed_in(page, person, lang=lang)
    today = dt.date.fromisoformat(today_in_browser(page))
    person.add("expense", 45_000, account=card, day=previous_month_day(today, 3), memo="Groceries")
    page.reload()
    expect(page.get_by_role("region", name=w["due"])).to_contain_text(w["money"](45_000))
    no_sideways_scroll(page, "dashboard")
    axe_clean(page, f"dashboard with cards, {lang}")
    page.screenshot(path=artifact(f"cards-due-phone-{lang}.png"), full_page=True)

    page.get_by_role("region", name=w["due"]).get_by_role("link", name="Shinhan card").click()
    expect(page.get_by_role("heading", name=w["title"], level=1)).to_be_visible()
    expect(page.get_by_role("list", name=w["charges"]).get_by_role("listitem")).to_contain_text("Groceries")
    no_sideways_scroll(page, "statement")
    axe_clean(page, f"statement, {lang}")
    page.screenshot(path=artifact(f"card-statement-phone-{lang}.png"), full_page=True)

    page.goto("/accounts")
    page.get_by_role("button", name=w["billing"]).click()
    expect(page.get_by_role("dialog", name=w["billing"])).to_be_visible()
    no_sideways_scroll(page, "billing dialog")
    axe_clean(page, f"billing dialog, {lang}")
    page.screenshot(path=artifact(f"card-billing-phone-{lang}.png"), full_page=True)

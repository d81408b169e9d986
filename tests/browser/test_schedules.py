"""The schedules screen (issue 15): the form's live preview, saving, posting a reminder with another amount,
skipping, the dashboard's upcoming card; Korean and English, the 360 px phone, axe."""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.ledger_support import Person, artifact, signed_in, won, won_ko

SERIOUS = {"serious", "critical"}


def ledger_today() -> dt.date:
    """The server's today for a new ledger (Asia/Seoul), which may be the browser's tomorrow."""
    return dt.datetime.now(ZoneInfo("Asia/Seoul")).date()


def schedule(person: Person, name: str, amount: int, *, mode: str = "remind", **rule) -> dict:
    category = next(c for c in person.categories("expense") if c["parent_id"] is None)
    body = {"name": name, "mode": mode,
            "template": {"type": "expense", "amount": amount, "account_id": person.accounts()[0]["id"],
                         "category_id": category["id"]},
            "rule": {"freq": "monthly", "start_on": ledger_today().isoformat(), **rule}}
    return person.send("POST", "/api/v1/schedules", body)


def test_the_form_previews_the_next_dates_and_saves_the_schedule(page, server):
    person = Person(server)
    signed_in(page, person, "/schedules")
    expect(page.get_by_role("heading", name="Schedules", level=1)).to_be_visible()
    expect(page.get_by_text("No schedules yet.")).to_be_visible()

    page.get_by_role("button", name="New schedule").click()
    dialog = page.get_by_role("dialog", name="New schedule")
    dialog.get_by_label("Name").fill("Rent")
    dialog.get_by_label("Amount").fill("500000")
    dialog.get_by_label("Category").select_option(label="Housing")
    dialog.get_by_label("Starts on").fill("2027-01-31")
    dialog.get_by_label("Day of the month", exact=True).fill("31")
    dialog.get_by_label("On a weekend").select_option(label="Move to the Monday after")

    preview = dialog.get_by_role("region", name="Next dates").get_by_role("listitem")
    expect(preview).to_have_count(6)
    # Jan 31 (Sun) → Mon Feb 1; Feb 28 (Sun) → Mon Mar 1; Mar 31; Apr 30; May 31; Jun 30 (clamped, no drift).
    expect(preview.first).to_contain_text("1 Feb 2027")
    expect(preview.nth(1)).to_contain_text("1 Mar 2027")
    expect(preview.nth(2)).to_contain_text("31 Mar 2027")
    expect(preview.nth(5)).to_contain_text("30 Jun 2027")
    dialog.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status").filter(has_text='Schedule "Rent" added.')).to_be_visible()
    row = page.get_by_role("listitem").filter(has_text="Rent")
    expect(row).to_contain_text(won(500000))
    expect(row).to_contain_text("Next: Mon, 1 Feb 2027")
    saved = person.get("/api/v1/schedules")["items"]
    assert [(s["name"], s["rule"]["month_day"], s["rule"]["weekend"], s["template"]["amount"]) for s in saved] == [
        ("Rent", 31, "after", 500000)]


def test_an_impossible_rule_is_named_next_to_its_field(page, server, console_errors):
    console_errors.allow(r"422 http://[^ ]+/schedules(/preview)?$")  # the browser's note of the refusals below
    person = Person(server)
    signed_in(page, person, "/schedules")
    page.get_by_role("button", name="New schedule").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("Phone")
    dialog.get_by_label("Amount").fill("55000")
    dialog.get_by_label("Category").select_option(index=1)
    dialog.get_by_label("Day of the month", exact=True).fill("32")
    expect(dialog.get_by_text("Fix the rule to see its dates.")).to_be_visible()
    dialog.get_by_role("button", name="Save").click()

    expect(dialog.get_by_role("alert")).to_contain_text("Please fix the highlighted fields.")
    expect(dialog.get_by_label("Day of the month", exact=True)).to_have_attribute("aria-invalid", "true")
    assert person.get("/api/v1/schedules")["items"] == []


def test_a_due_reminder_is_posted_with_another_amount_or_skipped_in_korean(new_context, server):
    page = new_context(locale="ko-KR").new_page()
    person = Person(server, locale="ko")
    two_weeks_ago = (ledger_today() - dt.timedelta(days=14)).isoformat()
    phone = schedule(person, "통신비", 55000, freq="weekly", start_on=two_weeks_ago)
    gym = schedule(person, "헬스장", 30000, freq="weekly", start_on=(ledger_today() - dt.timedelta(days=7)).isoformat())
    signed_in(page, person, "/schedules", lang="ko")
    expect(page.get_by_role("heading", name="반복 거래", level=1)).to_be_visible()

    page.get_by_role("button", name="통신비 입력").click()
    dialog = page.get_by_role("dialog", name="통신비 입력")
    dialog.get_by_label("금액").fill("61230")
    dialog.get_by_role("button", name="내역 추가").click()
    expect(page.get_by_role("status").filter(has_text="통신비을(를) 입력했습니다.")).to_be_visible()
    page.get_by_role("button", name="헬스장 이번엔 건너뛰기").click()
    expect(page.get_by_role("status").filter(has_text="헬스장을(를) 이번에는 건너뛰었습니다.")).to_be_visible()

    posted = [e for e in person.entries() if e["schedule_id"] == phone["id"]]
    assert [(e["amount"], e["scheduled_on"]) for e in posted] == [(61230, phone["next_occurrence"]["nominal_date"])]
    skipped = person.get(f"/api/v1/schedules/{gym['id']}/occurrences",
                         **{"from": gym["rule"]["start_on"], "to": gym["rule"]["start_on"]})["items"]
    assert [o["status"] for o in skipped] == ["skipped"]
    assert not [e for e in person.entries() if e["schedule_id"] == gym["id"]]


def test_the_dashboard_shows_what_is_still_to_come_this_month(new_context, server):
    page = new_context(locale="ko-KR").new_page()
    person = Person(server, locale="ko")
    first = ledger_today().replace(day=1)
    schedule(person, "월세", 500000, start_on=first.isoformat(), month_day=28)
    signed_in(page, person, "/", lang="ko")

    card = page.get_by_role("region", name="이번 달 예정")
    expect(card).to_be_visible()
    expect(card.get_by_role("definition")).to_have_text(won_ko(500000))
    expect(card.get_by_text("이번 달 남은 고정지출")).to_be_visible()
    expect(card.get_by_role("listitem").filter(has_text="월세")).to_contain_text(won_ko(500000))
    expect(card.get_by_role("link", name="반복 거래 전체")).to_have_attribute("href", "/schedules")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_schedules_on_a_360px_phone_with_no_axe_violation(new_context, server, lang):
    from axe_playwright_python.sync_playwright import Axe

    person = Person(server, locale=lang)
    schedule(person, "Internet and phone bundle for the whole family", 123456789, freq="weekly",
             start_on=(ledger_today() - dt.timedelta(days=8)).isoformat())
    schedule(person, "Rent", 500000, mode="auto", start_on=(ledger_today() + dt.timedelta(days=40)).isoformat())
    page = new_context(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True,
                       locale="ko-KR" if lang == "ko" else "en-US").new_page()
    axe = Axe()
    signed_in(page, person, "/schedules", lang=lang)
    page.wait_for_load_state("networkidle")
    found = {"list": axe.run(page).response["violations"]}
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner, ("list", width, inner)
    page.screenshot(path=artifact(f"phone-schedules-{lang}.png"), full_page=True)

    page.get_by_role("button", name="New schedule" if lang == "en" else "반복 거래 추가").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Repeats" if lang == "en" else "반복").select_option("weekly")
    preview = dialog.get_by_role("region", name=re.compile("Next dates|다음 날짜"))
    expect(preview.get_by_role("listitem")).to_have_count(6)
    found["form"] = axe.run(page).response["violations"]
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner, ("form", width, inner)
    page.screenshot(path=artifact(f"phone-schedule-form-{lang}.png"), full_page=True)
    page.keyboard.press("Escape")
    page.goto("/")
    page.wait_for_load_state("networkidle")
    found["dashboard"] = axe.run(page).response["violations"]
    page.screenshot(path=artifact(f"phone-dashboard-upcoming-{lang}.png"), full_page=True)

    serious = {where: [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations
                       if v["impact"] in SERIOUS] for where, violations in found.items()}
    assert not any(serious.values()), serious

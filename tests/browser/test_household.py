"""Shared ledgers in the web app (issue 14, item 5): two people in two browsers. A invites B; B opens the link
signed out, registers, joins and works in A's ledger; A sees who added what, lowers B to viewer and removes
B. The ledger switcher, Settings → Household and the invitation page of docs/UI.md, in English and Korean, on a
360 px phone, checked by axe. Controls are found by role and accessible name."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, new_email
from tests.browser.ledger_support import Person, artifact, signed_in

WORDS = {
    "en": {
        "ledger": "Ledger", "household": "Household", "invite_as": "Invite as",
        "create_invite": "Create invitation link",
        "link": "Invitation link", "copy": "Copy link", "copied": "The link was copied.",
        "open_invites": "Open invitations", "create_account": "Create account", "email": "Email",
        "password": "Password", "join": "Join", "add_entry": "Add entry", "amount": "Amount", "memo": "Memo",
        "save": "Save", "category": "Category", "food": "Food", "entries": "Entries", "edit": "Edit",
        "delete": "Delete", "members": "Members", "editor": "Editor", "viewer": "Viewer",
        "join_title": lambda ledger: f"Join {ledger}",
        "invited": lambda role: f"invited you to join as {role}.",
        "sign_in_first": "Sign in or create an account first.",
        "joined": lambda ledger: f"You joined {ledger}.",
        "added_by": lambda name: f"Added by {name}",
        "role_of": lambda name: f"Role of {name}",
        "remove": lambda name: f"Remove {name}",
        "role_changed": lambda name: f"{name} is now Viewer.",
        "removed": lambda name: f"{name} was removed from the ledger.",
        "forbidden": "Your role in this ledger doesn't allow this. Ask an owner.",
        "lost": lambda ledger: f"You are no longer a member of {ledger}",
        "used": "This invitation has already been used. Ask for a new link.",
        "own_ledger": lambda name: f"{name}'s ledger",
        "leave": "Leave this ledger", "sole_owner": "You are the only owner",
    },
    "ko": {
        "ledger": "가계부", "household": "가계부 공유", "invite_as": "초대할 역할", "create_invite": "초대 링크 만들기",
        "link": "초대 링크", "copy": "링크 복사", "copied": "링크를 복사했습니다.",
        "open_invites": "대기 중인 초대", "create_account": "계정 만들기", "email": "이메일",
        "password": "비밀번호", "join": "참여하기", "add_entry": "내역 추가", "amount": "금액", "memo": "메모",
        "save": "저장", "category": "분류", "food": "식비", "entries": "내역", "edit": "수정",
        "delete": "삭제", "members": "구성원", "editor": "편집자", "viewer": "보기 전용",
        "join_title": lambda ledger: f"{ledger}에 참여하기",
        "invited": lambda role: f"{role}(으)로 초대했습니다.",
        "sign_in_first": "먼저 로그인하거나 계정을 만드세요.",
        "joined": lambda ledger: f"{ledger}에 참여했습니다.",
        "added_by": lambda name: f"{name}님이 추가",
        "role_of": lambda name: f"{name}의 역할",
        "remove": lambda name: f"{name} 내보내기",
        "role_changed": lambda name: f"{name}님의 역할이 이제 보기 전용입니다.",
        "removed": lambda name: f"{name}님을 가계부에서 내보냈습니다.",
        "forbidden": "이 가계부에서 맡은 역할로는 할 수 없습니다. 소유자에게 요청하세요.",
        "lost": lambda ledger: f"{ledger}의 구성원이 아니어서",
        "used": "이미 사용된 초대입니다. 새 링크를 요청하세요.",
        "own_ledger": lambda name: f"{name}의 가계부",
        "leave": "이 가계부에서 나가기", "sole_owner": "유일한 소유자는 나갈 수 없습니다",
    },
}
PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}
SERIOUS = {"serious", "critical"}


def no_sideways_scroll(page, where: str) -> None:
    page.wait_for_load_state("networkidle")
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner, (where, width, inner)


def axe_clean(page, where: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    serious = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations if v["impact"] in SERIOUS]
    assert not serious, (where, serious)


def add_entry(page, w, amount: str, memo: str):
    page.get_by_role("button", name=w["add_entry"]).click()
    dialog = page.get_by_role("dialog", name=w["add_entry"])
    dialog.get_by_label(w["amount"]).fill(amount)
    dialog.get_by_label(w["category"]).select_option(label=w["food"])
    dialog.get_by_label(w["memo"]).fill(memo)
    dialog.get_by_role("button", name=w["save"], exact=True).click()
    return dialog


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_invite_join_add_lower_to_viewer_and_remove(new_context, server, console_errors, lang):
    w = WORDS[lang]
    locale = "ko-KR" if lang == "ko" else "en-US"
    console_errors.allow(r"\b(403|404|410)\b")  # the browser's own line for each refusal below
    a = Person(server, locale=lang)
    a_name = a.email.split("@")[0]
    a_ledger = w["own_ledger"](a_name)
    a.add("expense", 5000, memo="Groceries by A")

    # A, on a desktop, invites an editor and copies the link.
    a_page = new_context(locale=locale, permissions=["clipboard-read", "clipboard-write"]).new_page()
    signed_in(a_page, a, "/settings/household", lang=lang)
    expect(a_page.get_by_role("heading", name=w["household"], level=1)).to_be_visible()
    expect(a_page.get_by_label(w["ledger"], exact=True)).to_have_value(str(a.get("/api/v1/me")["default_ledger_id"]))
    expect(a_page.get_by_label(w["invite_as"])).to_have_value("editor")
    # The only owner is not offered a way out the server refuses (last_owner); it is told what to do instead.
    expect(a_page.get_by_role("button", name=w["leave"])).to_have_count(0)
    expect(a_page.get_by_text(w["sole_owner"])).to_be_visible()
    a_page.get_by_role("button", name=w["create_invite"]).click()
    link = a_page.get_by_label(w["link"]).input_value()
    assert re.fullmatch(re.escape(server.base_url) + r"/invite/[A-Za-z0-9_-]{20,}", link), link
    a_page.get_by_role("button", name=w["copy"]).click()
    expect(a_page.get_by_role("status").filter(has_text=w["copied"])).to_be_visible()
    assert a_page.evaluate("navigator.clipboard.readText()") == link
    expect(a_page.get_by_role("list", name=w["open_invites"]).get_by_role("listitem")).to_have_count(1)
    axe_clean(a_page, "household (owner)")
    a_page.screenshot(path=artifact(f"household-owner-{lang}.png"), full_page=True)

    # B, on a phone, opens the link signed out: the ledger, the inviter, the role; then registers and comes back.
    b_page = new_context(locale=locale, **PHONE).new_page()
    b_page.goto(link)
    expect(b_page.get_by_role("heading", name=w["join_title"](a_ledger), level=1)).to_be_visible()
    expect(b_page.get_by_text(w["invited"](w["editor"]))).to_contain_text(a_name)
    expect(b_page.get_by_text(w["sign_in_first"])).to_be_visible()
    no_sideways_scroll(b_page, "invite, signed out")
    axe_clean(b_page, "invite, signed out")
    b_page.screenshot(path=artifact(f"invite-signed-out-{lang}.png"), full_page=True)
    b_page.get_by_role("link", name=w["create_account"]).click()
    b_email = new_email()
    b_name = b_email.split("@")[0]
    b_page.get_by_label(w["email"], exact=True).fill(b_email)
    b_page.get_by_label(w["password"], exact=True).fill(PASSWORD)
    b_page.get_by_role("button", name=w["create_account"], exact=True).click()
    join = b_page.get_by_role("button", name=w["join"], exact=True)
    expect(join).to_be_visible()
    assert b_page.url == link
    no_sideways_scroll(b_page, "invite, signed in")
    axe_clean(b_page, "invite, signed in")
    b_page.screenshot(path=artifact(f"invite-signed-in-{lang}.png"), full_page=True)
    join.click()

    # B now works in A's ledger: its entries, and a new one of B's own.
    expect(b_page.get_by_role("status").filter(has_text=w["joined"](a_ledger))).to_be_visible()
    switcher = b_page.get_by_label(w["ledger"], exact=True)
    expect(switcher.locator("option:checked")).to_have_text(a_ledger)
    expect(switcher.get_by_role("option")).to_have_count(2)
    b_page.get_by_role("navigation").get_by_role("link", name=w["entries"]).click()
    expect(b_page.get_by_role("listitem").filter(has_text="Groceries by A")).to_contain_text(w["added_by"](a_name))
    dialog = add_entry(b_page, w, "7,300", "Dinner by B")
    expect(dialog).to_be_hidden()
    expect(b_page.get_by_role("listitem").filter(has_text="Dinner by B")).to_contain_text(w["added_by"](b_name))
    no_sideways_scroll(b_page, "entries of a shared ledger")
    b_page.screenshot(path=artifact(f"entries-shared-phone-{lang}.png"), full_page=True)
    assert [e["memo"] for e in a.entries()] == ["Dinner by B", "Groceries by A"]

    # A sees B's entry, with who added it.
    a_page.get_by_role("navigation").get_by_role("link", name=w["entries"]).click()
    expect(a_page.get_by_role("listitem").filter(has_text="Dinner by B")).to_contain_text(w["added_by"](b_name))

    # A lowers B to viewer. B's open page still offers a write: the server refuses it, said in B's language.
    a_page.goto("/settings/household")
    a_page.get_by_label(w["role_of"](b_name)).select_option("viewer")
    expect(a_page.get_by_role("status").filter(has_text=w["role_changed"](b_name))).to_be_visible()
    dialog = add_entry(b_page, w, "1,000", "Refused by role")
    expect(dialog.get_by_role("alert")).to_contain_text(w["forbidden"])
    assert "Refused by role" not in [e["memo"] for e in a.entries()]
    # After a reload B has no write controls in A's ledger.
    b_page.reload()
    expect(b_page.get_by_role("listitem").filter(has_text="Dinner by B")).to_be_visible()
    expect(b_page.get_by_role("button", name=w["add_entry"])).to_have_count(0)
    expect(b_page.get_by_role("button", name=w["edit"])).to_have_count(0)
    expect(b_page.get_by_role("button", name=w["delete"])).to_have_count(0)
    b_page.goto("/settings/household")
    expect(b_page.get_by_role("button", name=w["create_invite"])).to_have_count(0)
    expect(b_page.get_by_role("list", name=w["members"]).get_by_role("listitem")).to_have_count(2)
    expect(b_page.get_by_role("button", name=w["leave"])).to_be_visible()  # any other member may leave
    no_sideways_scroll(b_page, "household, viewer")
    axe_clean(b_page, "household, viewer")
    b_page.screenshot(path=artifact(f"household-viewer-phone-{lang}.png"), full_page=True)

    # A removes B: B's next request to A's ledger fails, and B is back in their own ledger, told why.
    a_page.get_by_role("button", name=w["remove"](b_name)).click()
    expect(a_page.get_by_role("status").filter(has_text=w["removed"](b_name))).to_be_visible()
    expect(a_page.get_by_role("list", name=w["members"]).get_by_role("listitem")).to_have_count(1)
    b_page.get_by_role("navigation").get_by_role("link", name=w["entries"]).click()
    expect(b_page.get_by_role("status").filter(has_text=w["lost"](a_ledger))).to_be_visible()
    expect(switcher.locator("option:checked")).to_have_text(w["own_ledger"](b_name))
    expect(switcher.get_by_role("option")).to_have_count(1)
    expect(b_page.get_by_role("listitem").filter(has_text="Dinner by B")).to_have_count(0)
    expect(b_page.get_by_role("button", name=w["add_entry"])).to_be_visible()

    # The used link says so.
    b_page.goto(link)
    expect(b_page.get_by_role("alert")).to_have_text(w["used"])


def test_the_switcher_is_remembered_per_device_and_falls_back_when_the_ledger_is_gone(new_context, server):
    person = Person(server)
    own = person.get("/api/v1/me")["default_ledger_id"]
    trip = person.send("POST", "/api/v1/ledgers", {"name": "Trip to Jeju"})
    token = person.token()
    server.api("POST", f"/api/v1/ledgers/{trip['id']}/accounts", token=token,
               json={"name": "Travel card", "type": "credit_card", "opening_balance": 0}).raise_for_status()
    page = new_context().new_page()
    signed_in(page, person, "/accounts")
    switcher = page.get_by_label("Ledger", exact=True)
    expect(switcher).to_have_value(str(own))
    expect(page.get_by_role("listitem").filter(has_text="Travel card")).to_have_count(0)

    switcher.select_option(label="Trip to Jeju")
    expect(page.get_by_role("listitem").filter(has_text="Travel card")).to_be_visible()  # the screen reloaded
    page.reload()
    expect(switcher).to_have_value(str(trip["id"]))  # remembered on this device
    expect(page.get_by_role("listitem").filter(has_text="Travel card")).to_be_visible()
    other_device = new_context().new_page()
    signed_in(other_device, person, "/accounts")
    expect(other_device.get_by_label("Ledger", exact=True)).to_have_value(str(own))  # not on another

    server.api("DELETE", f"/api/v1/ledgers/{trip['id']}", token=token, json={"name": "Trip to Jeju"}).raise_for_status()
    page.reload()
    expect(switcher).to_have_value(str(own))  # the remembered ledger is gone: the default one
    expect(page.get_by_role("listitem").filter(has_text="Travel card")).to_have_count(0)


def test_owner_creates_renames_and_deletes_a_ledger_typing_its_name(new_context, server):
    person = Person(server)
    page = new_context(**PHONE).new_page()
    signed_in(page, person, "/settings/household")
    page.get_by_role("button", name="Create invitation link").click()
    expect(page.get_by_label("Invitation link")).to_have_value(re.compile(r"/invite/"))
    no_sideways_scroll(page, "household, owner, with a link")
    page.screenshot(path=artifact("household-owner-phone.png"), full_page=True)
    page.get_by_label("Name of the new ledger").fill("Our flat")
    page.get_by_role("button", name="Create ledger").click()
    expect(page.get_by_role("status").filter(has_text="Our flat was created.")).to_be_visible()
    switcher = page.get_by_label("Ledger", exact=True)
    expect(switcher.locator("option:checked")).to_have_text("Our flat")

    page.get_by_label("Ledger name").fill("Our new flat")
    page.get_by_label("Month starts on day").fill("25")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="The ledger was saved.")).to_be_visible()
    expect(switcher.locator("option:checked")).to_have_text("Our new flat")
    flat = next(item for item in person.get("/api/v1/ledgers")["items"] if item["name"] == "Our new flat")
    assert flat["month_start_day"] == 25

    delete = page.get_by_role("button", name="Delete this ledger")
    page.get_by_label("Type Our new flat to confirm").fill("Our flat")
    delete.click()
    expect(page.get_by_text("Type the ledger's name exactly as it is written.")).to_be_visible()
    assert any(item["id"] == flat["id"] for item in person.get("/api/v1/ledgers")["items"])
    page.get_by_label("Type Our new flat to confirm").fill("Our new flat")
    delete.click()
    expect(page.get_by_role("status").filter(has_text="Our new flat was deleted.")).to_be_visible()
    expect(switcher.get_by_role("option")).to_have_count(1)
    own = person.get("/api/v1/me")["default_ledger_id"]
    assert [item["id"] for item in person.get("/api/v1/ledgers")["items"]] == [own]

    # In no ledger at all (the server gives a person who deletes their last ledger a new one, so this stands in
    # for a list that comes back empty): the app says so and offers a new one, instead of loading for ever.
    page.route("**/api/v1/ledgers", lambda route: route.fulfill(json={"items": []}) if route.request.method == "GET"
               else route.continue_())
    page.reload()
    expect(page.get_by_text("You are not a member of any ledger.")).to_be_visible()
    page.unroute("**/api/v1/ledgers")
    page.get_by_label("Name of the new ledger").fill("Fresh start")
    page.get_by_role("button", name="Create ledger").click()
    expect(switcher.locator("option:checked")).to_have_text("Fresh start")
    expect(page.get_by_role("heading", name="Household", level=1)).to_be_visible()


@pytest.mark.parametrize(("state", "message"), [
    ("unknown", "This invitation link isn't valid. Check that you copied all of it."),
    ("revoked", "This invitation was withdrawn. Ask for a new link."),
])
def test_a_link_that_cannot_work_says_why(new_context, server, console_errors, state, message):
    console_errors.allow(r"\b(404|410)\b")
    token = "x" * 43
    if state == "revoked":
        owner = Person(server)
        ledger = owner.get("/api/v1/me")["default_ledger_id"]
        invite = owner.send("POST", f"/api/v1/ledgers/{ledger}/invites", {"role": "viewer"})
        owner.send("DELETE", f"/api/v1/ledgers/{ledger}/invites/{invite['id']}", None)
        token = invite["token"]
    page = new_context().new_page()
    page.goto(f"/invite/{token}")
    expect(page.get_by_role("heading", name="Invitation", level=1)).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(message)
    expect(page.get_by_role("button", name="Retry")).to_have_count(0)
    expect(page.get_by_role("link", name="Create account")).to_have_count(0)

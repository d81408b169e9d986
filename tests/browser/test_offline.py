"""Issue 17: the installable app, reading and writing offline, and the phone's tab bar (docs/UI.md "Offline",
docs/SPA-AUTH.md "Offline"). Chromium's offline mode (context.set_offline) cuts the network; the service worker
is allowed in these tests (conftest blocks it elsewhere). What reached the server is checked through the API."""
from __future__ import annotations

import datetime as dt
import gzip
import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DIST, PASSWORD
from tests.browser.ledger_support import Person, artifact, signed_in
from tests.browser.test_household import axe_clean

PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}
# Chromium's console line for a request made without a network (and for one the test drops on purpose).
OFFLINE_ERRORS = r"ERR_INTERNET_DISCONNECTED|ERR_FAILED|Failed to fetch|net::ERR"

# Every IndexedDB database of the page's origin, each store as [key, value] pairs.
DUMP_IDB = """async () => {
  const out = {};
  const done = (req) => new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  for (const info of await indexedDB.databases()) {
    const db = await done(indexedDB.open(info.name));
    for (const name of db.objectStoreNames) {
      const store = db.transaction(name).objectStore(name);
      const [keys, values] = await Promise.all([done(store.getAllKeys()), done(store.getAll())]);
      out[`${info.name}/${name}`] = keys.map((key, i) => [key, values[i]]);
    }
    db.close();
  }
  return out;
}"""


def dump(page) -> dict:
    return page.evaluate(DUMP_IDB)


def offline_context(new_context, **kwargs):
    return new_context(service_workers="allow", **kwargs)


def until(page, check, timeout_ms: int = 15_000) -> None:
    """Polls `check()` (Python, reading the page) until it is true: wait_for_function takes no async predicate."""
    for _ in range(timeout_ms // 100):
        if check():
            return
        page.wait_for_timeout(100)
    assert check()


def kept_keys(page) -> list[str]:
    return [key for key, _ in dump(page).get("ledger-offline/cache", [])]


def ready_offline(page) -> None:
    """The service worker controls the page and the ledger's answers are kept in IndexedDB."""
    # The worker installs (caching the shell) and claims the page: seconds on a loaded machine, so a longer wait.
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null",
                           timeout=45_000)
    until(page, lambda: any(re.match(r"^/api/v1/ledgers/\d+/entries\?", k) for k in kept_keys(page))
          and any(re.match(r"^/api/v1/ledgers/\d+/categories$", k) for k in kept_keys(page)))


def outbox_emptied(page) -> None:
    """The outbox in IndexedDB is empty (the list on screen is empty before it was read, too)."""
    until(page, lambda: dump(page).get("ledger-offline/outbox", [None]) == [], 20_000)


def add_offline(page, amount: str, memo: str, category: str) -> None:
    page.get_by_role("button", name="Add entry").click()
    dialog = page.get_by_role("dialog", name="Add entry")
    dialog.get_by_label("Amount").fill(amount)
    dialog.get_by_label("Category").select_option(label=category)
    dialog.get_by_label("Memo").fill(memo)
    dialog.get_by_role("button", name="Save", exact=True).click()
    expect(dialog).to_be_hidden()


def outbox(page):
    return page.get_by_role("list", name="Not yet sent").get_by_role("listitem")


def memos(person: Person) -> list[str]:
    return sorted(e["memo"] for e in person.entries())


def test_three_entries_written_offline_survive_a_reload_and_reach_the_server_once(new_context, server,
                                                                                  console_errors):
    console_errors.allow(OFFLINE_ERRORS)
    person = Person(server)
    person.add("expense", 9000, memo="Before the tunnel")
    food = person.categories("expense")[0]["name"]
    context = offline_context(new_context)
    page = context.new_page()
    signed_in(page, person, "/entries")
    expect(page.get_by_role("listitem").filter(has_text="Before the tunnel")).to_be_visible()
    ready_offline(page)

    context.set_offline(True)
    for n in (1, 2, 3):
        add_offline(page, f"{n},000", f"Subway {n}", food)
    expect(outbox(page)).to_have_count(3)
    expect(outbox(page).filter(has_text="Not yet sent")).to_have_count(3)
    assert memos(person) == ["Before the tunnel"]  # nothing left the device

    # Reloaded without a network: the app, the ledger kept on the device, and the three entries not yet sent.
    page.reload()
    expect(page.get_by_role("heading", name="Entries", level=1)).to_be_visible()
    banner = re.compile(r"Offline — showing data as of \d\d:\d\d")
    expect(page.get_by_role("status").filter(has_text=banner)).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Before the tunnel")).to_be_visible()
    expect(outbox(page)).to_have_count(3)
    for n in (1, 2, 3):
        expect(outbox(page).filter(has_text=f"Subway {n}")).to_have_count(1)
    page.screenshot(path=artifact("offline-entries-en.png"), full_page=True)
    axe_clean(page, "entries, offline, with the outbox")
    items = dump(page)["ledger-offline/outbox"]
    assert len(items) == 3 and all(v["state"] == "pending" and v["op"] == "create" for _, v in items)

    # Back online, and the connection drops again while the first entry is on its way: the server records it,
    # its answer is lost; the same Idempotency-Key is sent again, and each entry is recorded once.
    keys: list[str] = []
    state = {"dropped": False}

    def drop_the_first_answer(route):
        if route.request.method != "POST":
            return route.continue_()
        keys.append(route.request.headers.get("idempotency-key"))
        if not state["dropped"]:
            state["dropped"] = True
            route.fetch()  # recorded by the server...
            route.abort("failed")  # ...the answer lost on the way back
        else:
            route.continue_()

    context.route(re.compile(r"/api/v1/ledgers/\d+/entries$"), drop_the_first_answer)
    context.set_offline(False)
    page.wait_for_function("() => true")  # (the flush runs in the page)
    expect(outbox(page)).to_have_count(3)
    for _ in range(50):
        if keys:
            break
        page.wait_for_timeout(100)
    # The first was sent, its answer lost: only it is tried (again with its own key if the retry came already);
    # the rest wait, in order.
    assert keys and set(keys) == {keys[0]}, keys
    page.reload()  # the page opened again sends them (and a few seconds later, it would have tried again anyway)
    outbox_emptied(page)
    expect(outbox(page)).to_have_count(0)
    assert memos(person) == ["Before the tunnel", "Subway 1", "Subway 2", "Subway 3"]
    # Three keys; the dropped one was sent again, and any other whose answer the reload
    # cut off may have been too: always with its own key, so the server recorded each entry once (above).
    assert len(set(keys)) == 3 and keys.count(keys[0]) >= 2, keys
    expect(page.get_by_role("list", name=re.compile("Entries of")).get_by_role("listitem")).to_have_count(4)
    assert dump(page)["ledger-offline/outbox"] == []


def test_offline_reading_follows_the_change_feed_to_months_never_opened(new_context, server, console_errors):
    console_errors.allow(OFFLINE_ERRORS)
    person = Person(server)
    today = dt.date.today()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    person.add("expense", 4000, memo="Last month's lunch", day=last_month)
    context = offline_context(new_context)
    page = context.new_page()
    signed_in(page, person, "/entries")
    ready_offline(page)
    # The feed's rows are in IndexedDB: the entry of last month too, though that month was never opened.
    until(page, lambda: any("Last month's lunch" in json.dumps(v)
                            for _, v in dump(page).get("ledger-offline/rows", [])))
    # Changed and deleted elsewhere: the next poll of the feed (here, a reload) brings both.
    gone = person.add("expense", 1500, memo="Deleted elsewhere")
    person.send("DELETE", f"/api/v1/entries/{gone['id']}", None)
    page.reload()
    expect(page.get_by_role("heading", name="Entries", level=1)).to_be_visible()
    until(page, lambda: any(v["data"] is None for _, v in dump(page).get("ledger-offline/rows", [])))

    context.set_offline(True)
    page.get_by_role("button", name=re.compile("Previous month")).click()
    expect(page.get_by_role("listitem").filter(has_text="Last month's lunch")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Offline — showing data as of")).to_be_visible()
    expect(page.get_by_text("Deleted elsewhere")).to_have_count(0)


def test_two_tabs_share_one_outbox_and_send_each_entry_once(new_context, server, console_errors):
    console_errors.allow(OFFLINE_ERRORS)
    person = Person(server)
    food = person.categories("expense")[0]["name"]
    context = offline_context(new_context)
    first = context.new_page()
    signed_in(first, person, "/entries")
    ready_offline(first)
    second = context.new_page()
    second.goto("/entries")
    expect(second.get_by_role("heading", name="Entries", level=1)).to_be_visible()

    context.set_offline(True)
    add_offline(first, "1,000", "Tab one A", food)
    add_offline(second, "2,000", "Tab two", food)
    add_offline(first, "3,000", "Tab one B", food)
    expect(outbox(first)).to_have_count(3)
    expect(outbox(second)).to_have_count(3)  # one outbox, seen by both tabs

    posts: list[str] = []

    def count(route):
        if route.request.method == "POST":
            posts.append(route.request.headers.get("idempotency-key", ""))
        route.continue_()

    context.route(re.compile(r"/api/v1/ledgers/\d+/entries$"), count)
    context.set_offline(False)  # both tabs hear "online" and try to send
    outbox_emptied(first)
    expect(outbox(first)).to_have_count(0)
    expect(outbox(second)).to_have_count(0)
    assert memos(person) == ["Tab one A", "Tab one B", "Tab two"]
    assert len(posts) == 3 and len(set(posts)) == 3, posts  # each sent once, by one of the tabs


def test_a_refused_entry_stays_with_its_reason_and_can_be_discarded(new_context, server, console_errors):
    console_errors.allow(OFFLINE_ERRORS + r"|\b422\b")
    person = Person(server)
    category = person.categories("expense")[0]
    context = offline_context(new_context)
    page = context.new_page()
    signed_in(page, person, "/entries")
    ready_offline(page)
    context.set_offline(True)
    add_offline(page, "5,000", "Archived meanwhile", category["name"])
    # Meanwhile, on another device, the category is archived: the server will refuse the entry.
    person.send("PATCH", f"/api/v1/categories/{category['id']}", {"archived": True})
    context.set_offline(False)
    refused = outbox(page).filter(has_text="Archived meanwhile")
    expect(refused).to_contain_text("Not sent:", timeout=15_000)
    expect(refused.get_by_role("button", name="Edit")).to_be_visible()
    page.reload()
    expect(refused).to_contain_text("Not sent:")  # nothing vanishes silently
    refused.get_by_role("button", name="Discard").click()
    expect(outbox(page)).to_have_count(0)
    assert memos(person) == []


def test_signing_out_offline_leaves_nothing_of_the_person_in_indexeddb(new_context, server, console_errors):
    console_errors.allow(OFFLINE_ERRORS)
    first = Person(server)
    first.add("expense", 7000, memo="Secret of the first person")
    second = Person(server)
    sessions = ("SELECT s.id, s.revoked_at FROM sessions s JOIN users u ON u.id = s.user_id "
                "WHERE u.email = :email ORDER BY s.id")
    before = {row.id for row in server.sql(sessions, email=first.email.lower())}
    context = offline_context(new_context)
    page = context.new_page()
    signed_in(page, first, "/entries")
    ready_offline(page)
    assert "Secret of the first person" in json.dumps(dump(page), ensure_ascii=False)
    [browser_session] = [row.id for row in server.sql(sessions, email=first.email.lower()) if row.id not in before]

    context.set_offline(True)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    kept = json.dumps(dump(page), ensure_ascii=False)
    assert "Secret of the first person" not in kept and first.email not in kept, kept

    context.set_offline(False)
    page.get_by_label("Email", exact=True).fill(second.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    page.goto("/entries")
    expect(page.get_by_role("heading", name="Entries", level=1)).to_be_visible()
    ready_offline(page)  # the second person's ledger is kept now
    contents = dump(page)
    kept = json.dumps(contents, ensure_ascii=False)
    assert "Secret of the first person" not in kept and first.email not in kept
    owner = dict(contents["ledger-offline/meta"])["owner"]
    assert owner == str(second.get("/api/v1/me")["id"])
    assert "access_token" not in kept and not re.search(r"eyJ[\w-]+\.[\w-]+\.", kept)  # never a token
    # The sign-out made offline reached the server at that sign-in: the first person's browser session is over
    revoked = {row.id: row.revoked_at for row in server.sql(sessions, email=first.email.lower())}
    assert revoked[browser_session] is not None, revoked


def test_the_app_is_installable_and_its_worker_never_caches_the_api(new_context, server, console_errors):
    person = Person(server)
    context = offline_context(new_context)
    page = context.new_page()
    signed_in(page, person, "/entries")
    ready_offline(page)
    cdp = context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert not manifest.get("errors"), manifest
    parsed = json.loads(manifest["data"])
    assert parsed["display"] == "standalone" and parsed["start_url"] == "/" and parsed["theme_color"]
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in parsed["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    # Playwright's contexts are incognito ones, where Chromium never offers to install: that one reason aside,
    # nothing stands in the way (a missing icon, start_url out of scope, no fetch handler, ... would be listed).
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == [], errors

    worker = page.request.get("/sw.js")
    assert worker.status == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["cache-control"] == "no-cache"
    assert "addEventListener(\"fetch\"" in worker.text()
    # Nothing of /api/ in the worker's caches, after a visit that called it.
    cached = page.evaluate("""async () => {
        const urls = [];
        for (const name of await caches.keys())
            for (const r of await (await caches.open(name)).keys()) urls.push(r.url);
        return urls;
    }""")
    assert any(u.endswith("/assets/" + u.rsplit("/", 1)[1]) for u in cached) and not any("/api/" in u for u in cached)


def test_the_first_load_stays_within_the_js_budget():
    html = (DIST / "index.html").read_text()
    scripts = re.findall(r'(?:src|href)="/(assets/[^"]+\.js)"', html)
    assert scripts, html
    size = sum(len(gzip.compress((DIST / s).read_bytes(), 9)) for s in scripts)
    assert size <= 100 * 1024, (scripts, size)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_phone_has_a_tab_bar_and_nothing_hides_under_it(new_context, server, lang):
    words = {"en": ("Tabs", "Dashboard", "Entries", "Add entry", "Reports", "More", "Accounts"),
             "ko": ("탭", "대시보드", "내역", "내역 추가", "보고서", "더보기", "계좌")}[lang]
    tabs, dashboard, entries, add, reports, more, accounts = words
    person = Person(server, locale=lang)
    for n in range(8):
        person.add("expense", 1000 * (n + 1), memo=f"Row {n}")
    page = new_context(locale="ko-KR" if lang == "ko" else "en-US", **PHONE).new_page()
    signed_in(page, person, "/entries", lang=lang)
    bar = page.get_by_role("navigation", name=tabs)
    expect(bar).to_be_visible()
    for name in (dashboard, entries, reports):
        expect(bar.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(bar.get_by_role("button", name=add, exact=True)).to_be_visible()
    expect(page.get_by_role("navigation", name="Main" if lang == "en" else "주 메뉴")).to_be_hidden()
    for path in ("/entries", "/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        # Every row's amount is what the finger finds there, scrolled into view (nothing floats over it).
        covered = page.evaluate("""() => [...document.querySelectorAll('.entry__amount')].flatMap((el) => {
            el.scrollIntoView({ block: 'center' });
            const r = el.getBoundingClientRect();
            for (const [x, y] of [[r.left + 2, r.top + 2], [r.right - 2, r.bottom - 2]]) {
              const hit = document.elementFromPoint(x, y);
              if (!hit || !el.contains(hit)) return [el.textContent + ' under ' + (hit && hit.className)];
            }
            return [];
        })""")
        assert covered == [], (path, covered)
        page.evaluate("scrollTo(0, document.body.scrollHeight)")
        page.screenshot(path=artifact(f"tabbar-{path.strip('/') or 'dashboard'}-{lang}.png"), full_page=False)
    # The dashboard's card titles too (the daily spending card used to be under the floating button).
    titles = page.evaluate("""() => [...document.querySelectorAll('h2')]
        .filter((h) => h.offsetParent && !h.closest('.visually-hidden, [hidden]')
            && h.getBoundingClientRect().width > 2)
        .flatMap((h) => {
        h.scrollIntoView({ block: 'center' });
        const r = h.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + 4, r.top + r.height / 2);
        return hit && h.contains(hit) ? [] : [h.textContent];
    })""")
    assert titles == []
    axe_clean(page, f"dashboard with the tab bar ({lang})")
    # By keyboard: More opens the rest of the navigation.
    bar.get_by_role("button", name=more).focus()
    page.keyboard.press("Enter")
    expect(bar.get_by_role("button", name=more)).to_have_attribute("aria-expanded", "true")
    axe_clean(page, f"the tab bar's More, open ({lang})")
    bar.get_by_role("link", name=accounts).click()
    expect(page).to_have_url(re.compile(r"/accounts$"))
    # The "+" from another screen: the entries with the form open.
    bar.get_by_role("button", name=add, exact=True).click()
    expect(page.get_by_role("dialog", name=add)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/entries$"))


def test_a_laptop_keeps_its_top_navigation(page, server):
    person = Person(server)
    signed_in(page, person)
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("navigation", name="Tabs")).to_be_hidden()
    expect(page.get_by_role("button", name="Add entry")).to_be_visible()

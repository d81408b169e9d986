"""The dashboard of a person with 100,000 entries: two builds of the SPA side by side in one run, in Chromium.

    .venv/bin/python benchmarks/dashboard_100k.py                # /tmp/ledger_bench.db, made by ledger_scale.py
    .venv/bin/python benchmarks/dashboard_100k.py --seed         # run ledger_scale.py's seeding first
    .venv/bin/python benchmarks/dashboard_100k.py --database-url postgresql+psycopg://postgres@127.0.0.1/ledger_bench

Run by hand, not in CI. The two variants:

* **old**: the SPA of `--old` (default 41ab5c6), whose dashboard makes three API calls per month
  (`GET /reports/monthly`, `GET /budgets/{month}`, `GET /entries?month=…&limit=5`);
* **new**: `--new worktree` (the default: `make web`, then a copy of web/dist) or the SPA of a git ref
  (`--new HEAD`), whose dashboard makes one (`GET /reports/monthly` answers budgets and recent too, 757b332).

A ref's SPA is built from `git archive <ref> web` in a temporary directory (`npm ci`, `npm run build`).
Each build is served by its own `gunicorn -w 2 wsgi:app` of this working tree (tests/support/gunicorn.py,
production config, cookie transport, rate limits off), `WEB_DIST` pointing at that build; both servers use
the same database: the one `benchmarks/ledger_scale.py` seeds (main user bench-main@example.com, 100,000
entries over 2021-12 .. 2026-11, about 1,650 a month). A SQLite file is copied first (SQLite's backup API)
and both servers use the copy, so that a `ledger_scale.py` run reseeding the file meanwhile cannot change the
data under this one, and this run's sign-ins do not land in it. A PostgreSQL database is used in place.

Debian's Chromium (`/usr/bin/chromium`, headless) through Playwright for Python, one browser context per
variant, signs the main user in through the sign-in form, opens `/?month=2026-06`, and then reloads that page
`--warmups` + `--rounds` times per variant, interleaved (old, new, then new, old, ...). A script injected
before the page's own (`add_init_script`) watches the DOM and takes `performance.now()` (milliseconds since
the navigation started) when the dashboard is fully drawn: Income, Expenses and Net carry the API's values
(`data-value`), the budget card has its bars, the spending-by-category chart has its bars, the spending-by-day
chart its days, and the latest entries list the API's five newest entries of the month with their category
names; then the time after the next frame (`requestAnimationFrame`, then a task) is the measure. The expected
values come from the API beforehand; the first load of each variant is also checked by role and accessible
name, as tests/browser does. Every `/api/` request the page makes is recorded (`page.on("request")`) and
classed as the month view's (reports, budgets, entries), start-up (`/auth/refresh`, `/me`) or other.

Prints a Markdown report (stdout, and `--output FILE`); progress goes to stderr.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from math import ceil
from pathlib import Path
from statistics import median
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from tests.support import gunicorn as launcher  # noqa: E402

DEFAULT_DATABASE_URL = "sqlite:////tmp/ledger_bench.db"
MAIN_EMAIL = "bench-main@example.com"  # ledger_scale.py's main user and password
PASSWORD = "benchmark password for the ledger 2026"
OLD_REF = "41ab5c6"  # the last dashboard with three calls per month (757b332 made it one)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WORKERS = 2
TIMEOUT_MS = 30_000
SETTLE_MS = 500  # after the dashboard is drawn: time for a late request to start, so that it is counted
MONTH_VIEW = ("/api/v1/reports/monthly", "/api/v1/budgets/", "/api/v1/entries")
START_UP = ("/api/v1/auth/refresh", "/api/v1/me")

# Runs in every document of a context before the page's own scripts. `expected` is filled in per variant.
PROBE = """
(() => {
  const expected = __EXPECTED__;
  const result = { drawn: null, dom: null };
  window.__dashboard = result;
  const all = (selector) => [...document.querySelectorAll(selector)];
  const ready = () => {
    const totals = all('[aria-labelledby="summary-title"] dd[data-value]').map((d) => d.dataset.value);
    if (totals.join() !== expected.totals.join()) return false;
    if (all('[aria-labelledby="budget-title"] [role="img"]').length !== expected.budgetBars) return false;
    if (all('[aria-labelledby="by-category-title"] svg.stack rect').length !== expected.slices) return false;
    if (all('[aria-labelledby="by-day-title"] rect.day-bar').length !== expected.days) return false;
    const items = all('[aria-labelledby="recent-title"] ul.entries > li');
    return items.length === expected.recent.length && expected.recent.every((entry, i) =>
      items[i].querySelector(".entry__amount")?.dataset.value === entry.amount &&
      items[i].querySelector(".entry__category")?.textContent.trim() === entry.what);
  };
  const observer = new MutationObserver(() => {
    if (result.dom !== null || !ready()) return;
    result.dom = performance.now();
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => { result.drawn = performance.now(); }, 0));
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
})();
"""

# Where the time went, read after each load (all in ms from the navigation's start).
TIMINGS = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const api = performance.getEntriesByType("resource").filter((r) => new URL(r.name).pathname.startsWith("/api/"));
  const end = (paths) => Math.max(0, ...api.filter((r) => paths.some((p) => new URL(r.name).pathname.startsWith(p)))
                                       .map((r) => r.responseEnd));
  return { drawn: window.__dashboard.drawn, dom: window.__dashboard.dom, document: nav.responseEnd,
           startUp: end(__START_UP__), monthView: end(__MONTH_VIEW__) };
}
""".replace("__START_UP__", json.dumps(START_UP)).replace("__MONTH_VIEW__", json.dumps(MONTH_VIEW))


def log(message: str) -> None:
    print(f"[dashboard_100k] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (as ledger_scale.py)."""
    ordered = sorted(values)
    return ordered[max(0, ceil(q / 100 * len(ordered)) - 1)]


def load_average() -> str:
    return " / ".join(f"{v:.2f}" for v in os.getloadavg())


# --- the data ---------------------------------------------------------------------------------------------------


def seed(url: str, force: bool) -> None:
    """ledger_scale.py's seeding alone (its hidden --seed-only): EMPTIES the database, then 100,000 entries."""
    command = [sys.executable, str(ROOT / "benchmarks" / "ledger_scale.py"), "--seed-only", "--database-url", url]
    if force:
        command.append("--force")
    log(f"seeding: {shlex.join(command)}")
    subprocess.run(command, check=True)


def main_user_entries(url: str, month: str) -> tuple[int, int]:
    """(entries of the main user, of them in `month`); (0, 0) when the database or the user is missing."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text(
                "SELECT count(*), sum(CASE WHEN substr(CAST(e.occurred_on AS VARCHAR(10)), 1, 7) = :month "
                "THEN 1 ELSE 0 END) FROM entries e JOIN users u ON u.default_ledger_id = e.ledger_id "
                "WHERE u.email = :email"),
                {"email": MAIN_EMAIL, "month": month}).one()
            return int(row[0] or 0), int(row[1] or 0)
    except Exception as error:  # no file, no tables
        log(f"cannot count the main user's entries: {str(error).splitlines()[0]}")
        return 0, 0
    finally:
        engine.dispose()


def sqlite_copy(url: str, directory: Path) -> str:
    """A consistent copy of a SQLite database file (the backup API), as a URL."""
    source = make_url(url).database
    target = directory / "ledger_bench_copy.db"
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


# --- the two builds ---------------------------------------------------------------------------------------------


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def build_ref(ref: str, directory: Path) -> Path:
    """`git archive <ref> web` into `directory`, `npm ci`, `npm run build`; returns the build's dist."""
    directory.mkdir(parents=True)
    archive = subprocess.Popen(["git", "archive", ref, "web"], cwd=ROOT, stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(directory)], stdin=archive.stdout, check=True)
    if archive.wait() != 0:
        raise SystemExit(f"git archive {ref} web failed")
    web = directory / "web"
    same_lock = (web / "package-lock.json").read_bytes() == (ROOT / "web" / "package-lock.json").read_bytes()
    log(f"{ref}: npm ci (package-lock.json {'the same as' if same_lock else 'differs from'} the working tree's), "
        "npm run build")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], cwd=web,
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["npm", "run", "build", "--loglevel=error"], cwd=web, check=True, stdout=subprocess.DEVNULL)
    return web / "dist"


def build_worktree(directory: Path) -> Path:
    """`make web` in the working tree, then a copy of web/dist (a rebuild during the run cannot change it)."""
    log("worktree: make web")
    subprocess.run(["make", "web"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    shutil.copytree(ROOT / "web" / "dist", directory / "dist")
    return directory / "dist"


def describe(ref: str, *paths: str) -> str:
    """A ref's short commit; for 'worktree', HEAD's and whether `paths` have uncommitted changes."""
    if ref == "worktree":
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", *paths)
        return f"working tree at {git('rev-parse', '--short', 'HEAD')}" + (" + uncommitted changes" if dirty else "")
    return git("rev-parse", "--short", ref)


# --- the browser ------------------------------------------------------------------------------------------------


@dataclass
class Variant:
    name: str
    ref: str
    commit: str
    dist: Path
    server: launcher.Server | None = None
    context: object = None
    page: object = None
    calls: list[tuple[str, str]] = field(default_factory=list)  # this load's /api/ requests (method, path)
    loads: list[dict] = field(default_factory=list)
    requests: list[Counter] = field(default_factory=list)  # per reload: "GET /api/v1/me" → how many times

    def record(self, request) -> None:
        path = urlsplit(request.url).path
        if path.startswith("/api/"):
            self.calls.append((request.method, path))


def expected_dashboard(base_url: str, month: str) -> dict:
    """What the dashboard of `month` must show, from the API (the new report has budgets and recent; the old
    calls are asked too, and must agree)."""
    session = requests.Session()
    login = session.post(base_url + "/api/v1/auth/login", json={"email": MAIN_EMAIL, "password": PASSWORD},
                         timeout=30)
    login.raise_for_status()
    session.headers["Authorization"] = f"Bearer {login.json()['access_token']}"

    def get(path: str, **params) -> dict:
        response = session.get(base_url + path, params=params, timeout=30)
        response.raise_for_status()
        return response.json()

    report = get("/api/v1/reports/monthly", month=month)
    budget = get(f"/api/v1/budgets/{month}")
    recent = get("/api/v1/entries", month=month, limit=5)["items"]
    if report.get("budgets") is not None and report["budgets"] != budget["items"]:
        raise SystemExit("GET /reports/monthly's budgets differ from GET /budgets/{month}'s items")
    if report.get("recent") is not None and report["recent"] != recent:
        raise SystemExit("GET /reports/monthly's recent differs from GET /entries?month=…&limit=5")
    categories = {c["id"]: c for c in get("/api/v1/categories")["items"]}
    accounts = {a["id"]: a["name"] for a in get("/api/v1/accounts")["items"]}
    session.post(base_url + "/api/v1/auth/logout", timeout=30)

    def what(entry: dict) -> str:  # EntryList's category column (UI.md; en)
        if entry["type"] == "transfer":
            return f"{accounts[entry['account_id']]} → {accounts[entry['to_account_id']]}"
        category = categories.get(entry["category_id"])
        if category is None:
            return "Uncategorised"
        parent = categories.get(category["parent_id"]) if category.get("parent_id") is not None else None
        return f"{parent['name']} › {category['name']}" if parent else category["name"]

    total = report.get("budget") or {}
    return {
        "totals": [str(report["income"]), str(report["expense"]), str(report["net"])],
        "budgetBars": sum(1 for item in budget["items"] if item["amount"] > 0)
        + (1 if isinstance(total.get("amount"), int) else 0),
        "slices": sum(1 for r in report["by_category"] if r["kind"] == "expense" and r["parent_id"] is None),
        "days": len(report["by_day"]) if report["expense"] > 0 else 0,
        "recent": [{"amount": str(e["amount"]), "what": what(e)} for e in recent],
    }


def check_by_role(page, expected: dict) -> None:
    """The drawn dashboard, found as tests/browser finds it: regions and lists by accessible name."""
    from playwright.sync_api import expect

    summary = page.get_by_role("region", name="Month summary")
    for name, value in zip(["Income", "Expenses", "Net"], expected["totals"], strict=True):
        total = summary.locator("div.total").filter(has=page.get_by_text(name, exact=True)).locator("dd")
        expect(total).to_have_attribute("data-value", value)
    expect(page.get_by_role("region", name="Budgets").get_by_role("img")).to_have_count(expected["budgetBars"])
    chart = page.get_by_role("region", name="Spending by category")
    expect(chart.locator("svg.stack rect")).to_have_count(expected["slices"])
    days = page.get_by_role("region", name="Spending by day").locator("rect.day-bar")
    expect(days).to_have_count(expected["days"])
    items = page.get_by_role("list", name="Latest entries").get_by_role("listitem")
    expect(items).to_have_count(len(expected["recent"]))
    for index, entry in enumerate(expected["recent"]):
        expect(items.nth(index)).to_contain_text(entry["what"])


def sign_in(page) -> None:
    from playwright.sync_api import expect

    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(MAIN_EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()


def load(variant: Variant, first: bool, month: str) -> dict:
    """One reload of the month's dashboard: its timings; its /api/ requests go to the variant's counters."""
    page = variant.page
    variant.calls.clear()
    if first:
        page.goto(f"/?month={month}", wait_until="commit")
    else:
        page.reload(wait_until="commit")
    page.wait_for_function("() => window.__dashboard && window.__dashboard.drawn !== null", timeout=TIMEOUT_MS)
    page.wait_for_timeout(SETTLE_MS)
    timings = page.evaluate(TIMINGS)
    timings["calls"] = list(variant.calls)
    return timings


def kind(call: str) -> str:
    """'month view', 'start-up' or 'other', for "METHOD /path"."""
    path = call.split(" ", 1)[1]
    return "month view" if path.startswith(MONTH_VIEW) else "start-up" if path.startswith(START_UP) else "other"


def count_calls(variant: Variant, calls: list[tuple[str, str]]) -> None:
    variant.requests.append(Counter(f"{method} {path}" for method, path in calls))


def per_load(counts: list[int]) -> str:
    """'3', or '0–1' when the loads differ."""
    return str(min(counts)) if min(counts) == max(counts) else f"{min(counts)}–{max(counts)}"


def month_view_calls(variant: Variant) -> list[int]:
    return [sum(n for call, n in load.items() if kind(call) == "month view") for load in variant.requests]


# --- the report -------------------------------------------------------------------------------------------------


def fmt(value: float) -> str:
    return f"{value:,.0f}"


def render(args, variants: list[Variant], facts: dict) -> str:
    old, new = variants
    lines = [
        f"# Dashboard of the 100,000-entry person, `/?month={args.month}`: old SPA ({old.commit}) vs new "
        f"({new.commit})",
        "",
        f"{facts['when']}; {facts['machine']}; {facts['browser']}; each variant `gunicorn -w {WORKERS}` "
        f"(production config, cookie transport; the {facts['servers']}) on {facts['database']}: "
        f"{facts['entries']:,} entries of "
        f"{MAIN_EMAIL}, {facts['month_entries']:,} in {args.month}; {args.rounds} rounds after {args.warmups} "
        f"warm-up(s) each, interleaved; load average (1/5/15 min) {facts['load_before']} before, "
        f"{facts['load_after']} after; {facts['seconds']:.0f} s.",
        "",
        "```sh",
        facts["command"],
        "```",
        "",
        "From the navigation's start (`performance.now()`) to the dashboard fully drawn (totals, budgets, both "
        "charts, the latest entries), after the next frame:",
        "",
        "| variant | API calls per month view | median ms | p90 ms | min | max |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    medians = {}
    for v in variants:
        drawn = [t["drawn"] for t in v.loads]
        medians[v.name] = median(drawn)
        lines.append(f"| **{v.name}** ({v.commit}) | {per_load(month_view_calls(v))} | {fmt(median(drawn))} "
                     f"| {fmt(percentile(drawn, 90))} "
                     f"| {fmt(min(drawn))} | {fmt(max(drawn))} |")
    ratio = medians[new.name] / medians[old.name]
    pairs = [n["drawn"] / o["drawn"] for o, n in zip(old.loads, new.loads, strict=True)]
    faster = sum(1 for p in pairs if p < 1)
    lines += [
        "",
        f"new / old (medians): **{ratio:.2f}**; per round: median {median(pairs):.2f}, new faster in {faster} of "
        f"{len(pairs)} rounds.",
        "",
        "Medians of where the time went (ms from the navigation's start):",
        "",
        "| variant | document received | start-up calls answered | month view's calls answered | DOM complete "
        "| drawn |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for v in variants:
        def med(key: str, loads=v.loads) -> str:
            return fmt(median(t[key] for t in loads))
        lines.append(f"| {v.name} | {med('document')} | {med('startUp')} | {med('monthView')} | {med('dom')} "
                     f"| {med('drawn')} |")
    lines += ["", f"`/api/` requests per reload ({args.warmups + args.rounds} reloads per variant, warm-ups "
              "included), by kind:", ""]
    for v in variants:
        names = sorted({call for load in v.requests for call in load}, key=lambda c: (kind(c), c))
        parts = {k: [f"`{c}` {per_load([load[c] for load in v.requests])}" for c in names if kind(c) == k]
                 for k in ("month view", "start-up", "other")}
        lines.append(f"* {v.name}: " + "; ".join(f"{k}: {', '.join(p) or 'none'}" for k, p in parts.items()))
    lines += ["", "Every load (ms, drawn): " + "; ".join(
        f"{v.name} " + ", ".join(fmt(t["drawn"]) for t in v.loads) for v in variants), ""]
    return "\n".join(lines)


# --- main -------------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help=f"the database ledger_scale.py seeded (default {DEFAULT_DATABASE_URL})")
    parser.add_argument("--seed", action="store_true",
                        help="run ledger_scale.py's seeding first (EMPTIES the database; about 10-30 s)")
    parser.add_argument("--force", action="store_true", help="--seed: allow a database whose name lacks 'bench'")
    parser.add_argument("--old", default=OLD_REF, help=f"git ref of the old SPA (default {OLD_REF})")
    parser.add_argument("--new", default="worktree",
                        help="git ref of the new SPA, or 'worktree' (make web; the default)")
    parser.add_argument("--month", default="2026-06", help="the month shown (default 2026-06)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--warmups", type=int, default=2)
    parser.add_argument("--output", help="also write the Markdown report to this file")
    args = parser.parse_args()
    if args.rounds < 1 or args.warmups < 0:
        parser.error("--rounds must be at least 1, --warmups not negative")

    started, when = time.monotonic(), datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_before = load_average()
    sqlite = make_url(args.database_url).get_backend_name() == "sqlite"
    if args.seed:
        seed(args.database_url, args.force)
    entries, month_entries = main_user_entries(args.database_url, args.month)
    if not entries:
        parser.error(f"{args.database_url} has no entries of {MAIN_EMAIL}: seed it with --seed "
                     "(or run benchmarks/ledger_scale.py)")

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="dashboard_100k-") as tmp:
        work = Path(tmp)
        url = sqlite_copy(args.database_url, work) if sqlite else args.database_url
        launcher.migrate(url)  # a no-op on ledger_scale's fresh seed; the servers' code is this working tree
        servers = describe("worktree", "ledger", "config.py", "wsgi.py", "migrations")
        variants = []
        for name, ref in (("old", args.old), ("new", args.new)):
            dist = build_worktree(work / name) if ref == "worktree" else build_ref(ref, work / name)
            variants.append(Variant(name, ref, describe(ref, "web"), dist))
        try:
            for v in variants:
                v.server = launcher.start(url, workers=WORKERS, env={
                    "WEB_DIST": str(v.dist), "REFRESH_TOKEN_TRANSPORT": "cookie"})
                log(f"{v.name} ({v.commit}) served by {v.server.base_url} from {v.dist}")
            expected = expected_dashboard(variants[1].server.base_url, args.month)
            log(f"expected: {json.dumps(expected, ensure_ascii=False)}")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                for v in variants:
                    v.context = browser.new_context(base_url=v.server.base_url, locale="en-US",
                                                    viewport={"width": 1280, "height": 900})
                    v.context.set_default_timeout(TIMEOUT_MS)
                    v.context.add_init_script(PROBE.replace("__EXPECTED__", json.dumps(expected)))
                    v.page = v.context.new_page()
                    v.page.on("request", v.record)
                    sign_in(v.page)
                    first = load(v, True, args.month)
                    check_by_role(v.page, expected)  # its requests are not counted: the signed-in page's overlap
                    log(f"{v.name}: signed in, first load drawn at {first['drawn']:.0f} ms, checked by role")
                for round_ in range(args.warmups + args.rounds):
                    order = variants if round_ % 2 == 0 else variants[::-1]
                    for v in order:
                        timings = load(v, False, args.month)
                        count_calls(v, timings["calls"])
                        if round_ >= args.warmups:
                            v.loads.append(timings)
                    if round_ >= args.warmups:
                        log(f"round {round_ + 1 - args.warmups}: "
                            + ", ".join(f"{v.name} {v.loads[-1]['drawn']:.0f} ms" for v in variants))
                browser_version = f"Chromium {browser.version} (headless, Playwright)"
                browser.close()
        finally:
            for v in variants:
                if v.server is not None:
                    v.server.stop()

    facts = {
        "when": when,
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
        "browser": browser_version,
        "servers": servers,
        "database": (f"a copy of `{args.database_url}`" if sqlite else f"`{args.database_url}`"),
        "entries": entries,
        "month_entries": month_entries,
        "load_before": load_before,
        "load_after": load_average(),
        "seconds": time.monotonic() - started,
        "command": shlex.join([".venv/bin/python", "benchmarks/dashboard_100k.py", *sys.argv[1:]]),
    }
    report = render(args, variants, facts)
    print(report)
    if args.output:
        Path(args.output).write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

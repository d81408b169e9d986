"""Load with nothing lost: 8 clients against a gunicorn for 60 s, then an audit of the database.

Each client has its own user and, until the deadline, creates entries with Idempotency-Keys (some
requests are retried with the same key and body), lists entries, reads balances and rotates its
refresh token; client 0 also logs out and back in now and then. Afterwards:

* every 201 answered exists exactly once, and the user has no other entries (no duplicates);
* every retried Idempotency-Key answered the first response again (same id);
* zero 5xx;
* every account balance equals its opening balance plus the signed sums of what was created.

Usage (the server must use REFRESH_TOKEN_TRANSPORT=body and RATELIMIT_ENABLED=false):
    python benchmarks/load.py --base-url http://127.0.0.1:8000 --database-url postgresql+psycopg://... \
        [--duration 60] [--clients 8]
or let it start its own gunicorn (4 workers) on a free port:
    python benchmarks/load.py --start --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ledger_load
Prints a table of throughput and p50/p99 per operation; exits 1 if the audit fails.
"""
from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import threading
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: the repository root, for tests.support
    sys.path.insert(0, str(ROOT))
from tests.support.gunicorn import migrate, running  # noqa: E402

PASSWORD = "load test password 2026"
TIMEOUT = 15


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, op: str, seconds: float, status: int) -> None:
        with self.lock:
            self.latencies[op].append(seconds)
            self.statuses[op][status] += 1

    def fail(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


class Client:
    def __init__(self, index: int, base_url: str, stats: Stats, run_id: str):
        self.index = index
        self.api = base_url.rstrip("/") + "/api/v1"
        self.stats = stats
        self.http = requests.Session()
        self.email = f"load-{run_id}-{index}@example.com"
        self.access = ""
        self.refresh_token = ""
        self.created: dict[int, tuple[str, int, int, int | None]] = {}  # id -> (type, amount, account, to_account)
        self.rng = random.Random(index)

    def call(self, op: str, method: str, path: str, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if self.access:
            headers.setdefault("Authorization", f"Bearer {self.access}")
        started = time.perf_counter()
        response = self.http.request(method, self.api + path, headers=headers, timeout=TIMEOUT, **kwargs)
        self.stats.record(op, time.perf_counter() - started, response.status_code)
        if response.status_code >= 500:
            self.stats.fail(f"{op}: {response.status_code} {response.text[:200]}")
        return response

    def setup(self) -> None:
        response = self.call("register", "POST", "/auth/register", json={"email": self.email, "password": PASSWORD})
        assert response.status_code == 201, response.text
        self.login()
        accounts = self.call("accounts", "GET", "/accounts").json()["items"]
        categories = self.call("categories", "GET", "/categories").json()["items"]
        self.cash = next(a["id"] for a in accounts if a["type"] == "cash")
        self.bank = self.call("create_account", "POST", "/accounts",
                              json={"name": "Bank", "type": "bank", "opening_balance": 1_000_000}).json()["id"]
        self.expense = next(c["id"] for c in categories if c["kind"] == "expense")
        self.income = next(c["id"] for c in categories if c["kind"] == "income")

    def login(self) -> None:
        self.access = ""
        response = self.call("login", "POST", "/auth/login", json={"email": self.email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        body = response.json()
        self.access, self.refresh_token = body["access_token"], body["refresh_token"]

    def create_entry(self) -> None:
        kind = self.rng.choice(["expense", "expense", "income", "transfer"])
        body = {"type": kind, "amount": self.rng.randint(1, 500_000),
                "occurred_on": f"2026-11-{self.rng.randint(1, 28):02d}",
                "account_id": self.rng.choice([self.cash, self.bank]), "memo": f"load {self.index}"}
        if kind == "transfer":
            body["to_account_id"] = self.bank if body["account_id"] == self.cash else self.cash
        else:
            body["category_id"] = self.expense if kind == "expense" else self.income
        key = uuid.uuid4().hex
        first = self.call("create_entry", "POST", "/entries", json=body, headers={"Idempotency-Key": key})
        if first.status_code != 201:
            self.stats.fail(f"create_entry answered {first.status_code}: {first.text[:200]}")
            return
        entry = first.json()
        self.created[entry["id"]] = (kind, body["amount"], body["account_id"], body.get("to_account_id"))
        if self.rng.random() < 0.2:  # a client that did not see the answer retries
            again = self.call("retry_entry", "POST", "/entries", json=body, headers={"Idempotency-Key": key})
            if again.status_code != 201 or again.json().get("id") != entry["id"]:
                self.stats.fail(f"retry with the same key gave {again.status_code} {again.text[:200]}")

    def list_entries(self) -> None:
        response = self.call("list_entries", "GET", "/entries", params={"limit": 50})
        if response.status_code != 200:
            self.stats.fail(f"list_entries answered {response.status_code}")

    def balances(self) -> None:
        response = self.call("accounts", "GET", "/accounts")
        if response.status_code != 200:
            self.stats.fail(f"accounts answered {response.status_code}")

    def rotate(self) -> None:
        response = self.call("refresh", "POST", "/auth/refresh", json={"refresh_token": self.refresh_token},
                             headers={"Authorization": None})
        if response.status_code != 200 or "refresh_token" not in response.json():
            self.stats.fail(f"refresh answered {response.status_code} {response.text[:200]}")
            return
        body = response.json()
        self.access, self.refresh_token = body["access_token"], body["refresh_token"]

    def relogin(self) -> None:
        old = self.access
        response = self.call("logout", "POST", "/auth/logout")
        if response.status_code != 204:
            self.stats.fail(f"logout answered {response.status_code}")
        self.access = old
        if self.call("after_logout", "GET", "/me").status_code != 401:
            self.stats.fail("an access token still worked after logout")
        self.login()

    def run(self, deadline: float) -> None:
        actions = [(self.create_entry, 50), (self.list_entries, 25), (self.balances, 10), (self.rotate, 15)]
        if self.index == 0:
            actions.append((self.relogin, 3))
        funcs, weights = zip(*actions, strict=True)
        while time.monotonic() < deadline:
            try:
                self.rng.choices(funcs, weights)[0]()
            except requests.RequestException as error:
                self.stats.fail(f"client {self.index}: {error!r}")


def audit(clients: list[Client], database_url: str, stats: Stats) -> None:
    """Compare what the clients were told with what the database holds."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        for client in clients:
            ledger_id = conn.execute(text("SELECT default_ledger_id FROM users WHERE email = :e"),
                                     {"e": client.email}).scalar_one()
            rows = conn.execute(text("SELECT id, type, amount, account_id, to_account_id FROM entries "
                                     "WHERE ledger_id = :l"), {"l": ledger_id}).all()
            stored = {r.id: (r.type, r.amount, r.account_id, r.to_account_id) for r in rows}
            if len(rows) != len(stored) or stored != client.created:
                missing = set(client.created) - set(stored)
                extra = set(stored) - set(client.created)
                stats.fail(f"client {client.index}: {len(missing)} answered 201 but missing, {len(extra)} extra rows")
            expected = defaultdict(int)
            for kind, amount, account, to_account in client.created.values():
                if kind == "income":
                    expected[account] += amount
                elif kind == "expense":
                    expected[account] -= amount
                else:
                    expected[account] -= amount
                    expected[to_account] += amount
            client.stats = Stats()  # the audit's own requests are not part of the measured load
            client.access = ""
            client.login()
            for account in client.call("accounts", "GET", "/accounts").json()["items"]:
                want = account["opening_balance"] + expected[account["id"]]
                if account["balance"] != want:
                    stats.fail(f"client {client.index}: account {account['id']} balance "
                               f"{account['balance']} != {want}")
    engine.dispose()


def run_load(base_url: str, database_url: str, duration: float = 60, clients: int = 8) -> tuple[Stats, float]:
    stats = Stats()
    run_id = secrets.token_hex(4)
    workers = [Client(i, base_url, stats, run_id) for i in range(clients)]
    for client in workers:
        client.setup()
    stats.latencies.clear()
    stats.statuses.clear()
    started = time.monotonic()
    threads = [threading.Thread(target=c.run, args=(started + duration,)) for c in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    audit(workers, database_url, stats)
    return stats, elapsed


def report(stats: Stats, elapsed: float) -> str:
    lines = [f"{'operation':<14} {'count':>7} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8}  statuses",
             "-" * 70]
    total = 0
    for op in sorted(stats.latencies):
        values = sorted(stats.latencies[op])
        total += len(values)
        p50 = statistics.median(values) * 1000
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))] * 1000
        statuses = ", ".join(f"{s}:{n}" for s, n in sorted(stats.statuses[op].items()))
        lines.append(f"{op:<14} {len(values):>7} {len(values) / elapsed:>8.1f} {p50:>8.1f} {p99:>8.1f}  {statuses}")
    fivexx = sum(n for per in stats.statuses.values() for s, n in per.items() if s >= 500)
    lines += ["-" * 70, f"{'all':<14} {total:>7} {total / elapsed:>8.1f}   in {elapsed:.1f} s; 5xx: {fivexx}",
              f"audit: {'OK' if not stats.errors else str(len(stats.errors)) + ' problems'}"]
    lines += [f"  {e}" for e in stats.errors[:20]]
    return "\n".join(lines)


@contextmanager
def gunicorn(database_url: str, workers: int = 4):
    """A production-config gunicorn on a free loopback port, migrated first; stopped on exit.

    tests.support.gunicorn starts it (fresh secrets, REFRESH_TOKEN_TRANSPORT=body, RATELIMIT_ENABLED=false).
    """
    migrate(database_url)
    with running(database_url, workers=workers) as server:
        yield server.base_url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url")
    parser.add_argument("--start", action="store_true", help="start a 4-worker gunicorn on a free port")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    if args.start:
        with gunicorn(args.database_url) as base_url:
            stats, elapsed = run_load(base_url, args.database_url, args.duration, args.clients)
    else:
        stats, elapsed = run_load(args.base_url, args.database_url, args.duration, args.clients)
    print(report(stats, elapsed))
    return 1 if stats.errors else 0


if __name__ == "__main__":
    sys.exit(main())

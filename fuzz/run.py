"""`make fuzz`: schemathesis against a real gunicorn, every check on, a fixed seed; exit 1 on any finding.

1. A fresh database: SQLite in a temporary folder, or, when TEST_DATABASE_URL is set, a PostgreSQL
   database of its own (`ledger_fuzz` on the same server, dropped and re-created) so that it never
   clashes with the test database.
2. `flask db upgrade`, then `gunicorn -w 2` on a free loopback port in the production config with fresh
   random secrets, REFRESH_TOKEN_TRANSPORT=body (refresh tokens in JSON, no cookie/CSRF dance) and
   RATELIMIT_ENABLED=false: the fuzzer sends thousands of requests from one address, and the limits
   themselves are covered by tests/auth and tests/integration.
3. Two users, alice and bob, are registered. schemathesis logs in as them itself (a Web Fuzzing Commons
   auth file, fuzz/schemathesis.toml): every operation runs as alice, and bob is her peer for the
   `object_level_authorization` check (alice's objects must be 404 for bob).
4. Run 1: every operation but the four that revoke the caller's tokens. Run 2: those four
   (POST /auth/logout, DELETE /auth/sessions/{session_id}, POST /me/password, DELETE /me), at the end,
   so that revoking alice's tokens cannot disturb the rest; schemathesis logs in again after a 401.
5. gunicorn is always stopped; its log is printed when something was found.

One schemathesis worker by default: the runs are then reproducible for a seed, they are no slower on two
cores (the server has its own two workers), and Python 3.11's ast.parse, which Hypothesis calls to describe
its strategies, is not thread-safe ("SystemError: AST constructor recursion depth mismatch").

    .venv/bin/python fuzz/run.py [--max-examples N] [--seed S] [--workers W] [--keep] [-- schemathesis args]
    FUZZ_MAX_EXAMPLES, FUZZ_SEED, FUZZ_WORKERS: the defaults of those options (100, 42, 1)
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: the repository root, for tests.support
    sys.path.insert(0, str(ROOT))
from tests.support.gunicorn import migrate  # noqa: E402
from tests.support.gunicorn import start as start_gunicorn  # noqa: E402

BIN = Path(sys.executable).parent
CONFIG = ROOT / "fuzz" / "schemathesis.toml"
FUZZ_DATABASE = os.environ.get("FUZZ_DATABASE", "ledger_fuzz")  # PostgreSQL only; dropped and re-created
PASSWORD = "fuzzing passphrase 2026 {name}"
USERS = ("alice", "bob")
# They revoke the caller's tokens (or the caller): run last, on their own.
TOKEN_DESTROYING = [
    ("POST", "/api/v1/auth/logout"),
    ("DELETE", "/api/v1/auth/sessions/{session_id}"),
    ("POST", "/api/v1/me/password"),
    ("DELETE", "/api/v1/me"),
]


def fresh_postgres(url: str) -> str:
    """Drop and re-create `ledger_fuzz` next to the test database; its URL."""
    import psycopg

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", FUZZ_DATABASE):
        raise SystemExit(f"FUZZ_DATABASE must be a plain lower-case identifier, not {FUZZ_DATABASE!r}")
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {FUZZ_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {FUZZ_DATABASE}")
    return urlunsplit(parts._replace(path="/" + FUZZ_DATABASE))


# On top of tests.support.gunicorn's defaults (production, fresh secrets, REFRESH_TOKEN_TRANSPORT=body,
# RATELIMIT_ENABLED=false: one client address sends thousands of requests; the limits are tested elsewhere).
SERVER_ENV = {"REGISTRATION_OPEN": "true"}


def register(base: str, name: str) -> None:
    response = requests.post(base + "/api/v1/auth/register", timeout=10,
                             json={"email": f"{name}@fuzz.example", "password": PASSWORD.format(name=name),
                                   "display_name": name})
    if response.status_code != 201:
        raise RuntimeError(f"registering {name}: {response.status_code} {response.text}")


def seed(base: str, name: str) -> None:
    """A little of everything, so that reads have objects to return (and bob's to refuse to alice):
    a card account, a category with a child, an expense (memo and tags null), an income with tags, a
    transfer, and this month's budget. schemathesis then takes ids from the responses it sees."""
    token = requests.post(base + "/api/v1/auth/login", timeout=10, json={
        "email": f"{name}@fuzz.example", "password": PASSWORD.format(name=name)}).json()["access_token"]
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"

    def call(method: str, path: str, body: dict) -> dict:
        response = api.request(method, base + "/api/v1" + path, json=body, timeout=10)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"seeding {name}: {method} {path}: {response.status_code} {response.text}")
        return response.json()

    cash = next(a["id"] for a in api.get(base + "/api/v1/accounts", timeout=10).json()["items"])
    card = call("POST", "/accounts", {"name": "Card", "type": "credit_card", "opening_balance": -5000})["id"]
    hobby = call("POST", "/categories", {"name": "Hobby", "kind": "expense", "color": "#336699"})["id"]
    books = call("POST", "/categories", {"name": "Books", "kind": "expense", "parent_id": hobby})["id"]
    salary = call("POST", "/categories", {"name": "Bonus", "kind": "income"})["id"]
    month = time.strftime("%Y-%m")
    day = time.strftime("%Y-%m-%d")
    call("POST", "/entries", {"type": "expense", "amount": 12000, "occurred_on": day, "account_id": card,
                              "category_id": books, "memo": None, "tags": None})
    call("POST", "/entries", {"type": "income", "amount": 300000, "occurred_on": day, "account_id": cash,
                              "category_id": salary, "memo": f"{name}'s bonus", "tags": ["work", "2026"]})
    call("POST", "/entries", {"type": "transfer", "amount": 5000, "occurred_on": day, "account_id": cash,
                              "to_account_id": card})
    call("PUT", f"/budgets/{month}", {"items": [{"category_id": hobby, "amount": 50000},
                                                {"category_id": books, "amount": 20000}]})


def wfc_document() -> dict:
    """Web Fuzzing Commons auth: schemathesis logs in as each user and sends `Authorization: Bearer`."""
    return {
        "schemaVersion": "0.1.0",
        "auth": [{
            "name": name,
            "loginEndpointAuth": {
                "endpoint": "/api/v1/auth/login",
                "verb": "POST",
                "contentType": "application/json",
                "payloadUserPwd": {"username": f"{name}@fuzz.example", "usernameField": "email",
                                   "password": PASSWORD.format(name=name), "passwordField": "password"},
                "token": {"extractFrom": "body", "extractSelector": "/access_token", "sendIn": "header",
                          "sendName": "Authorization", "sendTemplate": "Bearer {token}"},
            },
        } for name in USERS],
    }


def schemathesis(base: str, args: argparse.Namespace, workdir: Path, label: str, filters: list[str],
                 env: dict[str, str]) -> int:
    command = [
        str(BIN / "schemathesis"), "--config-file", str(CONFIG), "run", f"{base}/openapi.json",
        "--checks", "all", "--max-examples", str(args.max_examples), "--seed", str(args.seed),
        "--workers", str(args.workers), "--generation-database", "none",
        "--report", "junit", "--report-dir", str(workdir / f"report-{label}"),
        *filters, *args.extra,
    ]
    print(f"\n=== fuzz {label}: {' '.join(command[1:])}", flush=True)
    return subprocess.run(command, cwd=workdir, env=env, check=False).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("FUZZ_MAX_EXAMPLES", "100")))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", "42")))
    parser.add_argument("--workers", default=os.environ.get("FUZZ_WORKERS", "1"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, logs, reports)")
    parser.add_argument("extra", nargs="*", help="more schemathesis arguments (after --)")
    args = parser.parse_args()

    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="ledger-fuzz-"))
    pg_url = os.environ.get("TEST_DATABASE_URL")
    database_url = fresh_postgres(pg_url) if pg_url else f"sqlite:///{workdir / 'fuzz.db'}"
    print(f"fuzz: database {urlsplit(database_url).scheme} {urlsplit(database_url).path}", flush=True)
    migrate(database_url, SERVER_ENV)

    server = start_gunicorn(database_url, env=SERVER_ENV, workers=2, log=workdir / "gunicorn.log")
    log, base = server.log, server.base_url
    results: dict[str, int] = {}
    try:
        for name in USERS:
            register(base, name)
            seed(base, name)
        wfc = workdir / "wfc-auth.json"
        wfc.write_text(json.dumps(wfc_document(), indent=2))
        st_env = {**os.environ, "LEDGER_FUZZ_WFC": str(wfc), "NO_COLOR": "1"}
        names = "^(" + "|".join(re.escape(f"{method} {path}") for method, path in TOKEN_DESTROYING) + ")$"
        results["main"] = schemathesis(base, args, workdir, "main", ["--exclude-name-regex", names], st_env)
        results["token-destroying"] = schemathesis(base, args, workdir, "token-destroying",
                                                   ["--include-name-regex", names], st_env)
    finally:
        server.stop()
    failed = any(results.values())
    if failed:
        print("\n--- gunicorn log (last 60 lines) ---")
        print("\n".join(log.read_text(errors="replace").splitlines()[-60:]))
    if failed or args.keep:
        print(f"fuzz: logs and reports kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    elapsed = time.monotonic() - started
    print(f"\nfuzz: {'FOUND PROBLEMS' if failed else 'nothing found'} "
          f"({', '.join(f'{k}: exit {v}' for k, v in results.items())}; seed {args.seed}, "
          f"max-examples {args.max_examples}, {elapsed:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

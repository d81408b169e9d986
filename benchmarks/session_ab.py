"""Flask's signed-cookie session against ledger's NoCookieSession, side by side in ONE process.

    .venv/bin/python benchmarks/session_ab.py      # a fresh SQLite file; URL=postgresql+psycopg://… for PostgreSQL

Production config (rate limits on, in memory; access-log lines to /dev/null), one user; `GET /healthz` and
`GET /api/v1/me` through the Flask test client, interleaved blocks of 800 requests per variant, 6 rounds.
Prints this process's CPU µs per request (median and min of the rounds) for each variant and path.
"""
from __future__ import annotations

import logging
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BLOCK, ROUNDS = 800, 6
PATHS = ("/healthz", "/api/v1/me")


def main() -> int:
    url = os.environ.get("URL") or f"sqlite:///{tempfile.mkdtemp()}/session_ab.db"
    os.environ.update({"LEDGER_ENV": "production", "DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(48),
                       "JWT_SECRET_KEY": secrets.token_urlsafe(48), "RATELIMIT_ENABLED": "true",
                       "RATELIMIT_STORAGE_URI": "memory://", "LOG_LEVEL": "INFO", "AUTH_STATE_URL": ""})
    from flask.sessions import SecureCookieSessionInterface
    from flask_migrate import upgrade

    from ledger import create_app

    app = create_app("production")
    with app.app_context():
        upgrade()
    for name in ("ledger", "ledger.access"):
        for handler in logging.getLogger(name).handlers:
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - for the whole run
    client = app.test_client()
    body = {"email": f"ab-{secrets.token_hex(4)}@example.com", "password": "session benchmark password 1"}
    assert client.post("/api/v1/auth/register", json=body).status_code == 201
    token = client.post("/api/v1/auth/login", json=body).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    variants = {"Flask's cookie session": SecureCookieSessionInterface(),
                "NoCookieSession (ledger)": app.session_interface}
    cpu: dict[tuple[str, str], list[float]] = {(v, p): [] for v in variants for p in PATHS}
    for _ in range(200):
        client.get("/api/v1/me", headers=headers)
    for _ in range(ROUNDS):
        for name, interface in variants.items():
            app.session_interface = interface
            for path in PATHS:
                assert client.get(path, headers=headers).status_code == 200
                started = time.process_time()
                for _ in range(BLOCK):
                    client.get(path, headers=headers)
                cpu[(name, path)].append((time.process_time() - started) / BLOCK * 1e6)
    print("| variant | path | CPU µs per request, median | min |\n|---|---|---:|---:|")
    for (name, path), runs in cpu.items():
        runs.sort()
        print(f"| {name} | `{path}` | {runs[len(runs) // 2]:.0f} | {runs[0]:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

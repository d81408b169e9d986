"""Unprofiled CPU cost of the parts of GET /me's check, one at a time, in process (median of 5 × 3,000 calls).

    .venv/bin/python benchmarks/auth_micro.py                       # a fresh SQLite file
    URL=postgresql+psycopg://postgres@127.0.0.1:5432/ledger_micro_bench .venv/bin/python benchmarks/auth_micro.py

The database is migrated and gets one user (PostgreSQL: create an empty database of its own first).
Prints a Markdown table: part | CPU µs per call.
"""
from __future__ import annotations

import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

N = 3000


def cpu(fn, n: int = N) -> float:
    runs = []
    for _ in range(5):
        started = time.process_time()
        for _ in range(n):
            fn()
        runs.append((time.process_time() - started) / n * 1e6)
    return sorted(runs)[2]


def main() -> int:
    url = os.environ.get("URL") or f"sqlite:///{tempfile.mkdtemp()}/micro.db"
    os.environ.update({"LEDGER_ENV": "production", "DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(48),
                       "JWT_SECRET_KEY": secrets.token_urlsafe(48), "RATELIMIT_ENABLED": "false",
                       "RATELIMIT_STORAGE_URI": "memory://", "LOG_LEVEL": "WARNING", "AUTH_STATE_URL": ""})
    import jwt as pyjwt
    from flask_migrate import upgrade

    import ledger.auth.check as check
    from ledger import create_app
    from ledger.auth.decoding import decode
    from ledger.extensions import db

    app = create_app("production")
    with app.app_context():
        upgrade()
    client = app.test_client()
    body = {"email": "micro@example.com", "password": "micro benchmark password 1"}
    assert client.post("/api/v1/auth/register", json=body).status_code == 201
    token = client.post("/api/v1/auth/login", json=body).get_json()["access_token"]
    signing_input, signature = token.rsplit(".", 1)
    hmac = pyjwt.algorithms.HMACAlgorithm(pyjwt.algorithms.HMACAlgorithm.SHA256)
    with app.test_request_context(headers={"Authorization": f"Bearer {token}"}):
        _, ident = decode(token, "access")
        key = app.config["JWT_SECRET_KEY"].encode()
        autocommit = db.engine.execution_options(isolation_level="AUTOCOMMIT")
        params = {"user_id": ident.user_id, "session_id": ident.session_id, "nonce": ident.session_nonce}

        def row_cached():
            with autocommit.connect() as connection:
                return connection.execute(check._AUTH_CHECK, params).first()

        def raw_dbapi():
            raw = db.engine.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute("SELECT 1")
                cursor.fetchall()
                cursor.close()
            finally:
                raw.close()

        parts = {
            "`decode` (one PyJWT decode + claim checks)": lambda: decode(token, "access"),
            "… PyJWS `_load` alone (base64 + JSON)": lambda: pyjwt.api_jws._jws_global_obj._load(token),
            "… HMAC-SHA256 verify alone": lambda: hmac.verify(signing_input.encode(), key,
                                                              pyjwt.utils.base64url_decode(signature)),
            "`db.engine.execution_options(isolation_level=\"AUTOCOMMIT\")` (per request today)":
                lambda: db.engine.execution_options(isolation_level="AUTOCOMMIT"),
            "`_auth_row` as today": lambda: check._auth_row(ident),
            "`_auth_row` with the AUTOCOMMIT engine built once": row_cached,
            "pool checkout + `SELECT 1` + return on the raw DBAPI connection": raw_dbapi,
        }
        print(f"| part ({url.split(':')[0]}) | CPU µs per call |\n|---|---:|")
        for label, fn in parts.items():
            print(f"| {label} | {cpu(fn):,.0f} |")
    with app.app_context():
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

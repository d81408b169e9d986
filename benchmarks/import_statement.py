"""Statement import at scale: preview of a 10,000-row .xlsx (< 3 s) and its commit (< 2 s), memory peaks.

    .venv/bin/python -m benchmarks.import_statement [database-url]   (default: a temporary SQLite file)

Generates a KB국민은행-shaped workbook (tests/imports/samples.py; made-up rows), uploads it through the API
(test client, one process), then commits it. tracemalloc reports each step's peak.
"""
from __future__ import annotations

import io
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta

ROWS = 10_000


def main() -> None:
    from flask_migrate import upgrade

    from ledger import create_app
    from ledger.auth import users
    from ledger.extensions import db
    from tests.imports.samples import Tx, statement_rows, xlsx

    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False)
    with app.app_context():
        upgrade()
        user = users.create_user("bench@example.com", "bench-password-123")
        ledger_id = user.default_ledger_id
        from ledger.accounts.models import Account
        account = Account(ledger_id=ledger_id, name="KB", type="bank", opening_balance=0, archived=False)
        db.session.add(account)
        db.session.commit()
        account_id = account.id
    start = date(2026, 1, 1)
    txs = [Tx((start + timedelta(days=i % 300)).isoformat(), f"가맹점 {i % 700}", 1000 + (i * 37) % 90_000)
           for i in range(ROWS)]
    data = xlsx(statement_rows("kb_bank", txs))
    client = app.test_client()
    login = client.post("/api/v1/auth/login", json={"email": "bench@example.com", "password": "bench-password-123"})
    headers = {"Authorization": f"Bearer {login.get_json()['access_token']}"}

    tracemalloc.start()
    began = time.perf_counter()
    form = {"file": (io.BytesIO(data), "kb.xlsx"), "account_id": str(account_id)}
    response = client.post("/api/v1/imports", data=form, headers=headers, content_type="multipart/form-data")
    preview_s = time.perf_counter() - began
    preview_peak = tracemalloc.get_traced_memory()[1]
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    tracemalloc.reset_peak()
    began = time.perf_counter()
    committed = client.post(f"/api/v1/imports/{body['id']}/commit", headers=headers)
    commit_s = time.perf_counter() - began
    commit_peak = tracemalloc.get_traced_memory()[1]
    assert committed.status_code == 200 and committed.get_json()["imported"] == ROWS, committed.get_json()
    print(f"database: {url.split(':')[0]}  file: {len(data) / 1e6:.2f} MB xlsx, {ROWS} rows")
    print(f"preview: {preview_s:.2f} s (peak {preview_peak / 1e6:.0f} MB traced)")
    print(f"commit:  {commit_s:.2f} s (peak {commit_peak / 1e6:.0f} MB traced)")


if __name__ == "__main__":
    main()

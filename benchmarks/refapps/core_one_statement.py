"""(2) Bare Flask + flask-jwt-extended + ONE SQLAlchemy Core statement per request (user + version).

The revocation check ledger's design needs at its leanest: `SELECT id, email, token_version, is_active
FROM users WHERE id = :sub`, compared with the token's `ver`. A plain SQLAlchemy engine (default pool, no
pre-ping, no ORM session); `engine.connect()` per request, so the driver's implicit BEGIN and the pool's
ROLLBACK on return are included, as they would be in an app.

    gunicorn benchmarks.refapps.core_one_statement:app     (DATABASE_URL: the ledger database)
"""
from __future__ import annotations

import os

from flask import jsonify
from flask_jwt_extended import get_jwt, jwt_required
from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, create_engine, select

from benchmarks.refapps.common import make_app

app, jwt = make_app(__name__)
engine = create_engine(os.environ["DATABASE_URL"])
users = Table("users", MetaData(), Column("id", Integer, primary_key=True), Column("email", String),
              Column("token_version", Integer), Column("is_active", Boolean))
CHECK = select(users.c.id, users.c.email, users.c.token_version, users.c.is_active)


@jwt.token_in_blocklist_loader
def revoked(header: dict, claims: dict) -> bool:
    with engine.connect() as conn:
        row = conn.execute(CHECK.where(users.c.id == int(claims["sub"]))).one_or_none()
    return row is None or not row.is_active or row.token_version != claims.get("ver")


@app.get("/api/v1/me")
@jwt_required()
def me():
    return jsonify(id=int(get_jwt()["sub"]))


# A fork-safe pool: gunicorn's preload_app imports this module in the master.
os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))

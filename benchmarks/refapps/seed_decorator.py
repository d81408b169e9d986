"""(3) The seed's decorator: the pattern ledger replaces. One token row per user, THREE queries per request.

The seed kept the current token of each user in a row of its own (`seed_user_tokens`: user_id, jti,
expires_at; login overwrote it, logout deleted it) and checked it in a decorator, through the
Flask-SQLAlchemy ORM session (its defaults: no pre-ping), on every request:

1. `SELECT ... FROM users WHERE id = :sub`: the user exists and is active;
2. `SELECT ... FROM seed_user_tokens WHERE user_id = :sub`: the row's jti is the token's, not expired;
3. `SELECT ... FROM users WHERE id = :sub` once more, by flask-jwt-extended's `user_lookup_loader`, for
   `current_user` in the view (a plain `select`, so the ORM identity map does not save it).

The seed's own code is not in this repository; this is a reconstruction of that pattern with the same
number and kind of statements. benchmarks/auth_overhead.py creates and fills `seed_user_tokens` (in the
benchmark database only).

    gunicorn benchmarks.refapps.seed_decorator:app     (DATABASE_URL: the ledger database)
"""
from __future__ import annotations

import os
from datetime import UTC, datetime
from functools import wraps

from flask import jsonify
from flask_jwt_extended import current_user, get_jwt, verify_jwt_in_request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Boolean, DateTime, Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from benchmarks.refapps.common import make_app


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class User(db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean)


class UserToken(db.Model):
    __tablename__ = "seed_user_tokens"
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    jti: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime)


app, jwt = make_app(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
db.init_app(app)


@jwt.user_lookup_loader
def load_user(header: dict, claims: dict) -> User | None:
    return db.session.execute(select(User).where(User.id == int(claims["sub"]))).scalar_one_or_none()


def token_required(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        verify_jwt_in_request()
        claims = get_jwt()
        user_id = int(claims["sub"])
        user = db.session.execute(select(User).where(User.id == user_id)).scalar_one_or_none()
        if user is None or not user.is_active:
            return jsonify(detail="unknown user"), 401
        row = db.session.execute(select(UserToken).where(UserToken.user_id == user_id)).scalar_one_or_none()
        if row is None or row.jti != claims["jti"] or row.expires_at <= datetime.now(UTC).replace(tzinfo=None):
            return jsonify(detail="token revoked"), 401
        return fn(*args, **kwargs)
    return wrapper


@app.get("/api/v1/me")
@token_required
def me():
    return jsonify(id=current_user.id, email=current_user.email, display_name=current_user.display_name)


with app.app_context():  # gunicorn's preload_app builds the engine in the master: new connections per worker
    os.register_at_fork(after_in_child=lambda: db.engine.dispose(close=False))

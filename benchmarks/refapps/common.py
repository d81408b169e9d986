"""What the reference apps share: the environment they read, and flask-jwt-extended set up as ledger does.

Every reference app reads JWT_SECRET_KEY (and DATABASE_URL) from the environment that
tests.support.gunicorn gives it, and verifies the *ledger's* access tokens exactly as ledger does:
HS256 only, `iss` = ledger, `aud` = ledger-api, from the Authorization header. So one token, issued by
the ledger server of the same run, is valid on every target.
"""
from __future__ import annotations

import os

from flask import Flask, jsonify
from flask_jwt_extended import JWTManager


def make_app(name: str) -> tuple[Flask, JWTManager]:
    app = Flask(name)
    app.config.update(
        JWT_SECRET_KEY=os.environ["JWT_SECRET_KEY"],
        JWT_ALGORITHM="HS256",
        JWT_DECODE_ALGORITHMS=["HS256"],
        JWT_TOKEN_LOCATION=["headers"],
        JWT_DECODE_ISSUER=os.environ.get("JWT_ISSUER") or "ledger",
        JWT_DECODE_AUDIENCE=os.environ.get("JWT_AUDIENCE") or "ledger-api",
    )
    jwt = JWTManager(app)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    return app, jwt

"""(1) The stateless limit: bare Flask + flask-jwt-extended, signature and claims only, no revocation.

    gunicorn benchmarks.refapps.stateless:app
"""
from __future__ import annotations

from flask import jsonify
from flask_jwt_extended import get_jwt, jwt_required

from benchmarks.refapps.common import make_app

app, jwt = make_app(__name__)


@app.get("/api/v1/me")
@jwt_required()
def me():
    claims = get_jwt()
    return jsonify(id=int(claims["sub"]), session_id=claims.get("sid"))

"""The ledger API: create_app() reads like a table of contents."""
from __future__ import annotations

import json
import logging
import os
import secrets
from datetime import timedelta

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, ConfigError, get_config
from ledger.auth.keys import key_id
from ledger.errors import register_error_handlers
from ledger.extensions import cors, db, jwt, limiter, migrate
from ledger.logs import configure_logging
from ledger.openapi import Api
from ledger.request_hooks import register_converters, register_request_hooks
from ledger.spa import register_spa


def create_app(config: str | Config | None = None, **overrides) -> Flask:
    """Build the app. `config` is a config name, a Config instance, or None for LEDGER_ENV."""
    cfg = config if isinstance(config, Config) else get_config(config)
    app = Flask(__name__, static_folder=None)
    configure(app, cfg, overrides)
    configure_logging(app)
    warn_about_settings(app)
    register_extensions(app)
    register_blueprints(app)
    register_spa(app)  # web/dist: the SPA and /docs (API.md §4a), outside the OpenAPI document
    register_error_handlers(app)
    register_request_hooks(app)
    register_commands(app)
    return app


def configure(app: Flask, cfg: Config, overrides: dict) -> None:
    if cfg.ENV_NAME == "development":
        _development_secrets(app, cfg)
        cfg.SQLALCHEMY_DATABASE_URI = cfg.SQLALCHEMY_DATABASE_URI or \
            "sqlite:///" + os.path.join(app.instance_path, "ledger.db")
    cfg.validate()
    app.config.from_object(cfg)
    app.config.update(overrides)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        raise ConfigError("DATABASE_URL is not set")
    if not app.config.get("SECRET_KEY") or not app.config.get("JWT_SECRET_KEY"):
        raise ConfigError("SECRET_KEY and JWT_SECRET_KEY must be set")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # Fail fast (→ 503) instead of hanging when the database host does not answer.
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.setdefault("connect_args", {"connect_timeout": app.config["DATABASE_CONNECT_TIMEOUT"]})
    # The first key signs; every listed key verifies, found by the token's `kid` (ledger.auth.decoding).
    keys = list(app.config.get("JWT_SECRET_KEYS") or [app.config["JWT_SECRET_KEY"]])
    app.config["JWT_SECRET_KEY"] = keys[0]
    app.config["JWT_VERIFY_KEYS"] = {key_id(key): key for key in keys}
    app.config["JWT_ACCESS_TOKEN_EXPIRES"] = timedelta(seconds=app.config["ACCESS_TOKEN_TTL"])
    app.config["JWT_REFRESH_TOKEN_EXPIRES"] = timedelta(seconds=app.config["REFRESH_TOKEN_IDLE"])
    if app.config["TRUSTED_PROXY_COUNT"] > 0:
        count = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]


def warn_about_settings(app: Flask) -> None:
    """Settings that work but are probably not what production wants: one warning at start."""
    if app.config["ENV_NAME"] == "production" and app.config["RATELIMIT_ENABLED"] \
            and app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        logging.getLogger("ledger").warning(
            "RATELIMIT_STORAGE_URI=memory:// keeps the rate limits per worker process: each limit is "
            "multiplied by the number of workers and hosts", extra={"event": "config_warning"})


def _development_secrets(app: Flask, cfg: Config) -> None:
    """Generate SECRET_KEY and JWT_SECRET_KEY once into the instance folder."""
    if cfg.SECRET_KEY and cfg.JWT_SECRET_KEY:
        return
    os.makedirs(app.instance_path, exist_ok=True)
    path = os.path.join(app.instance_path, "secrets.json")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            json.dump({"SECRET_KEY": secrets.token_urlsafe(48), "JWT_SECRET_KEY": secrets.token_urlsafe(48)}, fh)
    with open(path) as fh:
        stored = json.load(fh)
    cfg.SECRET_KEY = cfg.SECRET_KEY or stored["SECRET_KEY"]
    cfg.JWT_SECRET_KEY = cfg.JWT_SECRET_KEY or stored["JWT_SECRET_KEY"]


def register_extensions(app: Flask) -> None:
    import ledger.models  # noqa: F401 - every table registered before migrations or queries
    from ledger.auth import state
    from ledger.auth.issuing import register_jwt_callbacks

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"),
                     compare_type=True, render_as_batch=True)
    jwt.init_app(app)
    register_jwt_callbacks()
    state.init_app(app)  # the optional Redis copy of the auth state (AUTH_STATE_URL)
    limiter.init_app(app)
    if app.config["CORS_ORIGINS"]:
        cors.init_app(app, resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}},
                      supports_credentials=True,
                      allow_headers=["Authorization", "Content-Type", "X-CSRF-TOKEN", "Idempotency-Key",
                                     "If-Match", "X-Request-ID"],
                      expose_headers=["ETag", "Retry-After", "X-Request-ID", "Location"])
    api = Api(app)  # one per app: it holds the app's OpenAPI document
    app.extensions["ledger-api"] = api
    register_converters(app, api)  # `<id:...>` path segments, before any blueprint
    api.spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "An access token from login or refresh (HS256; its header's `kid` names the signing key, "
                       "JWT_SECRET_KEYS). Refused with 401: `token_expired` (refresh), `token_revoked` (logout, "
                       "password change, session ended, user deactivated or deleted), `invalid_token`."})


def register_blueprints(app: Flask) -> None:
    from ledger.accounts.routes import blp as accounts_blp
    from ledger.auth.mfa.routes import document_login, mfa_blp
    from ledger.auth.routes import auth_blp, document_refresh_transport, me_blp
    from ledger.budgets.routes import blp as budgets_blp
    from ledger.cards.routes import blp as cards_blp
    from ledger.categories.routes import blp as categories_blp
    from ledger.entries.csv_routes import csv_blp
    from ledger.entries.routes import blp as entries_blp
    from ledger.feed.routes import blp as changes_blp
    from ledger.feed.routes import document_feed_kinds
    from ledger.imports.routes import blp as imports_blp
    from ledger.ledgers.routes import LEDGER_ID_PARAMETER, invites_blp
    from ledger.ledgers.routes import blp as ledgers_blp
    from ledger.ledgers.scope import register_ledger_paths
    from ledger.ops.routes import currencies_blp, ops_blp
    from ledger.payees.routes import blp as payees_blp
    from ledger.reports.routes import blp as reports_blp
    from ledger.rules.routes import blp as rules_blp
    from ledger.schedules.routes import blp as schedules_blp

    api = app.extensions["ledger-api"]
    register_ledger_paths(app)
    for blueprint in (ops_blp, currencies_blp, auth_blp, mfa_blp, me_blp, ledgers_blp, invites_blp):
        api.register_blueprint(blueprint)
    # Every ledger feature twice: on the user's default ledger (the original paths) and under
    # /api/v1/ledgers/{ledger_id}/..., one view for both (ledger.ledgers.scope).
    for blueprint in (accounts_blp, categories_blp, csv_blp, entries_blp, budgets_blp, reports_blp, cards_blp,
                      schedules_blp, payees_blp, rules_blp, changes_blp, imports_blp):
        api.register_blueprint(blueprint)
        api.register_blueprint(blueprint, name=f"ledger-{blueprint.name}", parameters=[LEDGER_ID_PARAMETER],
                               url_prefix=blueprint.url_prefix.replace("/api/v1/", "/api/v1/ledgers/<id:ledger_id>/"))
    document_refresh_transport(api, app.config)
    document_feed_kinds(api)
    document_login(api)


def register_commands(app: Flask) -> None:
    from ledger.auth.cli import tokens_cli, users_cli
    from ledger.entries.cli import entries_cli
    from ledger.feed.cli import feed_cli
    from ledger.imports.cli import imports_cli
    from ledger.ledgers.cli import ledgers_cli
    from ledger.schedules.cli import schedules_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(entries_cli)
    app.cli.add_command(imports_cli)
    app.cli.add_command(ledgers_cli)
    app.cli.add_command(schedules_cli)
    app.cli.add_command(feed_cli)

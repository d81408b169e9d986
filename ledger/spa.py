"""The web app's build (`make web` → web/dist) served by Flask, per API.md §4a.

A plain Flask Blueprint, outside the OpenAPI document:

* `/assets/<file>`: the content-hashed JS/CSS of the build, cached for a year (`immutable`); an unknown file is a
  404 problem, never index.html (a stale page asking for an old bundle must fail loudly, not parse HTML as JS).
* `/docs`, `/docs/`: web/dist/docs/index.html (the API reference page), and `/docs/<file>` its files (those
  with a content hash in their name cached like /assets/).
* `GET /` and every other path outside `/api/`, `/openapi.json`, `/docs`, `/healthz`, `/readyz` and `/assets/`:
  a file of the build's root when one exists (favicon.ico, robots.txt from web/public), a 404 problem when the
  last segment looks like a file name (`/favicon.ico` without one), else index.html, `no-cache`, so that client
  routes (`/login`, `/entries/2026-11`) survive a reload. Other methods on those paths are 405 problem+json.
* `/sw.js`, the service worker: `no-cache`, with a policy of its own (WORKER_CSP) that lets it fetch the app shell.
* Pages carry a strict Content-Security-Policy; every other header comes from ledger.request_hooks.security_headers,
  which only fills in what a response has not set.

The build directory is `WEB_DIST` (app config, else the environment; relative to the repository root), by
default <repo>/web/dist. It is looked up on every request, so `make web` while the server runs is enough;
without a build, pages answer 503 problem+json saying to run `make web`.
"""
from __future__ import annotations

import mimetypes
import os
import re
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, send_from_directory
from werkzeug.routing import PathConverter

from ledger.errors import ApiError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIST = ROOT / "web" / "dist"

ASSET_CACHE = "public, max-age=31536000, immutable"
PAGE_CACHE = "no-cache"  # always revalidated (ETag): a deploy is seen on the next load

PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# The API reference page gets the same policy; only its style-src may ever be relaxed (swagger-ui's inline
# style attributes), never script-src.
DOCS_CSP = PAGE_CSP

# The service worker (web/sw-src/sw.js → dist/sw.js): its own response's policy governs what the worker may fetch,
# so it needs connect-src 'self' (the default policy of non-page responses, default-src 'none', would fail its
# install); scripts only from 'self', and never cached by HTTP (a new deploy must reach the browser's update check).
SERVICE_WORKER = "sw.js"
WORKER_CSP = "default-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'"

# The server's own prefixes, which never answer index.html.
RESERVED = ("api", "assets", "docs", "healthz", "readyz", "openapi.json")
# Files of /docs named by their content (`swagger-ui-bundle-3f2a9c81d0.js`): cached like /assets/.
HASHED = re.compile(r"-[0-9a-f]{8,}\.[A-Za-z0-9]+$")
# A last path segment with an extension: a file, not a client route.
FILE_LIKE = re.compile(r"\.[A-Za-z0-9]{1,12}$")
# Types that must be exact under `X-Content-Type-Options: nosniff`, whatever /etc/mime.types says.
MIMETYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".html": "text/html",
             ".json": "application/json", ".map": "application/json", ".svg": "image/svg+xml",
             ".woff2": "font/woff2", ".webmanifest": "application/manifest+json"}


class ClientRouteConverter(PathConverter):
    """`<client:path>`: any path that does not start with one of RESERVED (as a whole segment).

    So `/api/v1/nope` stays the API's 404 and `POST /api/...` its 405; this rule never matches them.
    """

    regex = r"(?!(?:" + "|".join(re.escape(p) for p in RESERVED) + r")(?:/|$))[^/].*?"


bp = Blueprint("spa", __name__)


def dist_dir() -> Path:
    configured = current_app.config.get("WEB_DIST") or os.environ.get("WEB_DIST")
    return (ROOT / configured).resolve() if configured else DEFAULT_DIST


def _send(directory: Path, filename: str, cache_control: str, csp: str | None = None) -> Response:
    """A file below `directory` (send_from_directory refuses `..`, absolute paths and missing files: 404)."""
    mimetype = MIMETYPES.get(os.path.splitext(filename)[1].lower()) or \
        mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = send_from_directory(directory, filename, mimetype=mimetype, max_age=None)
    response.headers["Cache-Control"] = cache_control
    if csp is not None and mimetype == "text/html":
        response.headers["Content-Security-Policy"] = csp
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    return response


def _page(directory: Path, csp: str) -> Response:
    if not (directory / "index.html").is_file():
        raise ApiError(f"The web app is not built: run `make web` ({directory / 'index.html'} is missing).",
                       status=503, code="service_unavailable")
    return _send(directory, "index.html", PAGE_CACHE, csp)


# No `defaults=` on these rules: werkzeug redirects a URL to the rule whose defaults build it (`/docs` → 308).
@bp.get("/")
def home() -> Response:
    return _page(dist_dir(), PAGE_CSP)


@bp.get("/<client:path>")
def client_route(path: str) -> Response:
    dist = dist_dir()
    if path == SERVICE_WORKER:
        response = _send(dist, path, PAGE_CACHE)
        response.headers["Content-Security-Policy"] = WORKER_CSP
        return response
    if FILE_LIKE.search(path):
        # a file of the build's root (web/public → dist), else a 404: no page for a missing file
        return _send(dist, path, PAGE_CACHE, PAGE_CSP)
    return _page(dist, PAGE_CSP)


@bp.get("/assets/<path:filename>")
def asset(filename: str) -> Response:
    return _send(dist_dir() / "assets", filename, ASSET_CACHE, PAGE_CSP)


@bp.get("/docs")
@bp.get("/docs/")
def docs() -> Response:
    return _page(dist_dir() / "docs", DOCS_CSP)


@bp.get("/docs/<path:filename>")
def docs_file(filename: str) -> Response:
    directory = dist_dir() / "docs"
    if filename == "index.html":
        return _page(directory, DOCS_CSP)
    return _send(directory, filename, ASSET_CACHE if HASHED.search(filename) else PAGE_CACHE, DOCS_CSP)


def register_spa(app: Flask) -> None:
    """After the API's blueprints (its converter is registered here, its routes are not in /openapi.json)."""
    app.url_map.converters["client"] = ClientRouteConverter
    app.register_blueprint(bp)


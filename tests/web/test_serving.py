"""Flask serves the web app's build (API.md §4a, ledger/spa.py), from a small fake dist: no node needed."""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from ledger import create_app
from ledger.spa import ASSET_CACHE, DEFAULT_DIST, PAGE_CSP, ROOT, WORKER_CSP, dist_dir
from tests.conftest import assert_problem

INDEX = "<!doctype html><html lang=en><title>ledger</title><script type=module src=/assets/app-3f2a9c.js></script>"
DOCS = "<!doctype html><html><title>API reference</title><script src=/docs/docs.js></script>"
SECRET = "TOP-SECRET-NOT-IN-DIST"


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """<tmp>/web/dist as `npm run build` lays it out, and secrets beside it that must stay out of reach."""
    base = tmp_path_factory.mktemp("spa")
    dist = base / "web" / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "docs").mkdir()
    (dist / "index.html").write_text(INDEX)
    (dist / "robots.txt").write_text("User-agent: *\n")
    (dist / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    (dist / "manifest.webmanifest").write_text('{"name": "ledger"}')
    (dist / "assets" / "app-3f2a9c.js").write_text("console.log('app')")
    (dist / "assets" / "app-9b1d2e.css").write_text("body{margin:0}")
    (dist / "docs" / "index.html").write_text(DOCS)
    (dist / "docs" / "docs.js").write_text("// docs")
    (dist / "docs" / "docs.css").write_text("/* docs */")
    (dist / "docs" / "swagger-ui-bundle-3f2a9c81d0.js").write_text("// swagger")
    (base / "web" / "secret.txt").write_text(SECRET)
    (base / "secret.txt").write_text(SECRET)
    return dist


@pytest.fixture(scope="module")
def web_app(dist):
    """One app for the module: serving needs no database (the suite's fixtures would run it twice)."""
    return create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", WEB_DIST=str(dist))


class ClosingClient(FlaskClient):
    """Reads every response whole and closes it (a sent file stays open until then: ResourceWarning)."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        response.get_data()
        response.close()
        return response


@pytest.fixture
def web(web_app):
    web_app.test_client_class = ClosingClient
    return web_app.test_client()


def assert_index(response, body: str = INDEX) -> None:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/html"
    assert response.get_data(as_text=True) == body
    assert response.headers["Cache-Control"] == "no-cache"
    assert_page_headers(response)


def assert_page_headers(response) -> None:
    policy = response.headers["Content-Security-Policy"]
    assert policy == PAGE_CSP
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";")}
    assert directives["script-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"


# --- index.html for client routes ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/entries", "/settings", "/entries/whatever",
                                  "/entries/2026-11/3/edit", "/settings/", "/apiary", "/docsify", "/assetsx",
                                  "/healthzz", "/login?next=/entries", "/%ED%95%9C%EA%B8%80"])
def test_client_routes_answer_index_html_no_cache_with_the_csp(web, path):
    assert_index(web.get(path))


def test_head_of_a_client_route(web):
    response = web.head("/entries")

    assert response.status_code == 200 and response.get_data() == b""
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Content-Security-Policy"] == PAGE_CSP


def test_index_html_revalidates_with_its_etag(web):
    etag = web.get("/").headers["ETag"]

    response = web.get("/login", headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", ["/", "/login", "/entries/1"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_other_methods_on_client_routes_are_405_problem(web, path, method):
    response = getattr(web, method)(path, json={"x": 1})

    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in {m.strip() for m in response.headers["Allow"].split(",")}


# --- static files ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "mimetype"), [("/assets/app-3f2a9c.js", "text/javascript"),
                                                ("/assets/app-9b1d2e.css", "text/css")])
def test_hashed_assets_are_immutable_for_a_year(web, path, mimetype):
    response = web.get(path)

    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Cache-Control"] == ASSET_CACHE == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/assets/app-000000.js", "/assets/", "/assets", "/assets/sub/x.css",
                                  "/assets/index.html"])
def test_unknown_assets_are_404_problem_not_index_html(web, path):
    assert_problem(web.get(path), 404, "not_found")


def test_a_file_of_the_build_root_is_served(web):
    response = web.get("/robots.txt")

    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", ["/favicon.ico", "/app.js", "/entries/export.csv", "/.env", "/config.py"])
def test_a_missing_file_is_404_problem_not_index_html(web, path):
    assert_problem(web.get(path), 404, "not_found")


def test_index_html_by_name_is_the_page(web):
    assert_index(web.get("/index.html"))


# --- /docs ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/docs", "/docs/", "/docs/index.html"])
def test_docs_serves_the_reference_page(web, path):
    response = web.get(path)

    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.get_data(as_text=True) == DOCS
    assert response.headers["Cache-Control"] == "no-cache"
    policy = response.headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";")}
    assert directives["script-src"] == ["'self'"] and directives["frame-ancestors"] == ["'none'"]
    assert "unsafe-eval" not in policy


@pytest.mark.parametrize(("path", "mimetype"), [("/docs/docs.js", "text/javascript"), ("/docs/docs.css", "text/css")])
def test_docs_files(web, path, mimetype):
    response = web.get(path)

    assert response.status_code == 200 and response.mimetype == mimetype


def test_content_hashed_docs_files_are_immutable(web):
    response = web.get("/docs/swagger-ui-bundle-3f2a9c81d0.js")

    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == ASSET_CACHE
    assert web.get("/docs/docs.js").headers["Cache-Control"] == "no-cache"


def test_an_unknown_docs_file_is_404(web):
    assert_problem(web.get("/docs/nope.js"), 404, "not_found")
    assert_problem(web.get("/docs/nope"), 404, "not_found")


# --- the API and the operations endpoints are untouched ----------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/", "/api", "/api/", "/api/nope.js", "/api/v2/entries"])
def test_unknown_api_paths_stay_404_problem(web, path):
    assert_problem(web.get(path), 404, "not_found")


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_other_methods_on_unknown_api_paths_stay_404(web, method):
    assert_problem(getattr(web, method)("/api/v1/nope"), 404, "not_found")


def test_api_405_is_unchanged(web):
    assert_problem(web.get("/api/v1/auth/login"), 405, "method_not_allowed")


def test_api_responses_keep_their_own_headers(web):
    response = web.get("/api/v1/currencies")

    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("path", "mimetype"), [("/healthz", "application/json"),
                                                ("/openapi.json", "application/json")])
def test_operations_endpoints_are_not_the_spa(web, path, mimetype):
    response = web.get(path)

    assert response.status_code == 200 and response.mimetype == mimetype


@pytest.mark.parametrize("path", ["/healthz/", "/readyz/x", "/openapi.json/x"])
def test_below_operations_endpoints_is_404(web, path):
    assert_problem(web.get(path), 404, "not_found")


def test_the_spa_routes_are_not_in_the_openapi_document(web):
    paths = web.get("/openapi.json").get_json()["paths"]

    assert all(path.startswith("/api/") or path in {"/healthz", "/readyz"} for path in paths), sorted(paths)


# --- path traversal ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/assets/../config.py", "/assets/../../config.py", "/assets/../secret.txt", "/assets/../../secret.txt",
    "/assets/%2e%2e/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt",
    "/assets/%2e%2e%2f%2e%2e%2fsecret.txt", "/assets/%252e%252e/secret.txt", "/assets/..%5c..%5csecret.txt",
    "/assets/%2fetc%2fpasswd", "/assets//etc/passwd", "/assets/....//secret.txt", "/assets/%00.js",
    "/..%2fsecret.txt", "/%2e%2e/secret.txt", "/%2e%2e/%2e%2e/secret.txt", "/..%2f..%2fsecret.txt",
    "/../../secret.txt", "/docs/../../secret.txt", "/docs/%2e%2e/%2e%2e/secret.txt", "/docs/..%2f..%2fsecret.txt",
    "/docs/%00", "/docs/..", "/%2fetc%2fpasswd.txt", "//etc/passwd.txt",
])
def test_path_traversal_is_refused(web, path):
    response = web.get(path)
    if response.status_code == 308:  # werkzeug merges `//` into `/`: a redirect within the site, then refused
        location = response.headers["Location"]
        assert location.startswith(("/", "http://localhost/")) and ".." not in location, location
        response = web.get(location)

    assert response.status_code in {400, 404}, (path, response.status_code)
    assert response.mimetype == "application/problem+json"
    text = response.get_data(as_text=True)
    assert SECRET not in text and "root:" not in text and "class Config" not in text


@pytest.mark.parametrize("path", ["/%2fetc%2fpasswd", "/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd"])
def test_a_path_that_is_no_file_name_is_just_a_client_route(web, path):
    assert_index(web.get(path))


# --- configuration and a missing build -----------------------------------------------------------------------------


@pytest.fixture
def configured(web_app):
    saved = web_app.config.get("WEB_DIST")
    yield web_app.config
    web_app.config["WEB_DIST"] = saved


@pytest.mark.parametrize("path", ["/", "/login", "/entries/1"])
def test_without_a_build_pages_say_run_make_web(web, configured, tmp_path, path):
    configured["WEB_DIST"] = str(tmp_path / "nothing")

    body = assert_problem(web.get(path), 503, "service_unavailable")

    assert "make web" in body["detail"]


def test_without_a_build_assets_are_404(web, configured, tmp_path):
    configured["WEB_DIST"] = str(tmp_path / "nothing")

    assert_problem(web.get("/assets/app-3f2a9c.js"), 404, "not_found")
    assert_problem(web.get("/docs"), 503, "service_unavailable")


def test_the_build_is_looked_up_per_request(web, configured, tmp_path):
    configured["WEB_DIST"] = str(tmp_path)
    assert web.get("/").status_code == 503

    (tmp_path / "index.html").write_text("<!doctype html><title>new build</title>")

    assert_index(web.get("/"), "<!doctype html><title>new build</title>")


def test_web_dist_comes_from_the_environment_then_the_default(web_app, configured, monkeypatch, dist):
    configured["WEB_DIST"] = None
    monkeypatch.setenv("WEB_DIST", str(dist))
    with web_app.test_request_context():
        assert dist_dir() == dist

    monkeypatch.delenv("WEB_DIST")
    with web_app.test_request_context():
        assert dist_dir() == DEFAULT_DIST == ROOT / "web" / "dist"

    monkeypatch.setenv("WEB_DIST", "web/dist")  # relative: to the repository root
    with web_app.test_request_context():
        assert dist_dir() == ROOT / "web" / "dist"


# --- the installable app (issue 17) ------------------------------------------------------------------------------


def test_the_service_worker_is_served_uncached_with_a_policy_that_lets_it_fetch_the_shell(web):
    response = web.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Content-Security-Policy"] == WORKER_CSP
    directives = {d.split()[0]: d.split()[1:] for d in WORKER_CSP.split("; ")}
    assert directives["connect-src"] == ["'self'"] and directives["script-src"] == ["'self'"]
    assert "unsafe" not in WORKER_CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Service-Worker-Allowed" not in response.headers  # served from the root: its scope is / already


def test_the_manifest_is_served_as_a_manifest(web):
    response = web.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.get_json(force=True) == {"name": "ledger"}


def test_without_a_service_worker_in_the_build_it_is_404(web, configured, tmp_path):
    (tmp_path / "index.html").write_text(INDEX)
    configured["WEB_DIST"] = str(tmp_path)
    response = web.get("/sw.js")
    assert_problem(response, 404, "not_found")

"""The SPA's committed API types are what the live OpenAPI document generates.

web/openapi.json and web/src/api/schema.d.ts are generated (`cd web && npm run api`) and committed,
so that a change of the contract shows up here, in the build, rather than in production.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ledger import create_app

WEB = Path(__file__).resolve().parents[2] / "web"
GENERATOR = WEB / "node_modules" / ".bin" / "openapi-typescript"
REGENERATE = "run `cd web && npm run api` and commit web/openapi.json and web/src/api/schema.d.ts"


def _live_document_text() -> str:
    """The document exactly as web/scripts/dump-openapi.sh writes it (testing config: cookie transport)."""
    document = create_app("testing").test_client().get("/openapi.json").get_json()
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def test_committed_openapi_document_is_the_live_one():
    assert (WEB / "openapi.json").read_text(encoding="utf-8") == _live_document_text(), REGENERATE


def test_committed_typescript_types_are_generated_from_the_live_document(tmp_path):
    if not GENERATOR.exists():
        pytest.skip("web/node_modules is missing: `cd web && npm ci` (or `make web`) to check the API types")
    source = tmp_path / "openapi.json"
    source.write_text(_live_document_text(), encoding="utf-8")
    generated = tmp_path / "schema.d.ts"
    subprocess.run([str(GENERATOR), str(source), "-o", str(generated)], cwd=WEB, check=True,
                   capture_output=True, timeout=120)
    committed = (WEB / "src" / "api" / "schema.d.ts").read_text(encoding="utf-8")
    assert generated.read_text(encoding="utf-8") == committed, REGENERATE

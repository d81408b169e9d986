#!/bin/sh
# Writes the app's live OpenAPI document to web/openapi.json (then `npm run gen:api` makes
# src/api/schema.d.ts from it; `npm run api` does both). The testing config needs no secrets and
# always uses the cookie transport, which is what the SPA uses; tests/web/test_api_types.py
# generates from the same config and fails when the committed types drift.
set -eu
web=$(cd "$(dirname "$0")/.." && pwd)
root=$(dirname "$web")
python=${PYTHON:-$root/.venv/bin/python}
cd "$root"
LOG_LEVEL=WARNING "$python" - "$web/openapi.json" <<'PY'
import json, sys
from ledger import create_app
app = create_app("testing")
doc = app.test_client().get("/openapi.json").get_json()
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write(json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
PY
echo "wrote $web/openapi.json"

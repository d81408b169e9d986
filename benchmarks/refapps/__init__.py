"""Reference apps of benchmarks/auth_overhead.py: the same `GET /api/v1/me` with a ledger access token,
built three ways, to put ledger's auth cost between a floor and the pattern it replaces."""

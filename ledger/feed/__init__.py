"""The change feed: a per-ledger change sequence stamped on every changed row, tombstones, GET /changes."""

"""flask entries purge-idempotency-keys."""
from datetime import timedelta

from ledger.database import utcnow


def test_purge_deletes_only_old_idempotency_keys(runner, user, sql):
    old, fresh = utcnow() - timedelta(hours=30), utcnow() - timedelta(hours=1)
    for key, created in (("old", old), ("fresh", fresh)):
        sql.execute("INSERT INTO idempotency_keys (ledger_id, user_id, key, request_hash, status_code, response_body, "
                    "created_at) VALUES (:l, :u, :k, 'h', 201, '{}', :c)", l=user.ledger_id, u=user.id, k=key,
                    c=created.replace(tzinfo=None) if sql.app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
                    else created)

    result = runner.invoke(args=["entries", "purge-idempotency-keys"])

    assert result.exit_code == 0 and "purged 1 idempotency keys" in result.output
    assert [r.key for r in sql.rows("SELECT key FROM idempotency_keys")] == ["fresh"]

"""entries: covering index for the reports' grouped sums (trend, monthly daily sums)

Revision ID: 0004_entries_trend_index
Revises: 0003_session_nonce
Create Date: 2026-11-30 19:30:00

`(user_id, occurred_on, type, amount)`: the reports' `SELECT occurred_on, type, SUM(amount) ... WHERE
user_id = ? AND occurred_on BETWEEN ? AND ? AND type IN (...) GROUP BY occurred_on, type` is answered from
the index alone (PostgreSQL: Index Only Scan, Heap Fetches 0; SQLite: USING COVERING INDEX), in group order.

`amount` is a fourth KEY column on both databases rather than PostgreSQL's `INCLUDE (amount)`: SQLite has no
INCLUDE, and the models must equal the migrated schema on both (tests/test_migrations.py), so one definition
serves both. On PostgreSQL the two are equivalent for these queries (measured on the 100,000-entry seed:
12.3 vs 12.4 MB, 490 vs 505 buffers for the 60-month trend, both index-only; benchmarks/README.md,
"The trend report's covering index").

Plain CREATE INDEX: it locks entries against writes while it builds (about 1 s per 300,000 rows measured).
A large PostgreSQL deployment can create it beforehand with CREATE INDEX CONCURRENTLY under the same name
and then `flask db stamp 0004_entries_trend_index`.
"""
from alembic import op


revision = '0004_entries_trend_index'
down_revision = '0003_session_nonce'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_entries_user_id_occurred_on_type_amount', 'entries',
                    ['user_id', 'occurred_on', 'type', 'amount'], unique=False)


def downgrade():
    op.drop_index('ix_entries_user_id_occurred_on_type_amount', table_name='entries')

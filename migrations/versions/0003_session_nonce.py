"""sessions.nonce: binds every token to its one session row, for life

Revision ID: 0003_session_nonce
Revises: 0002_ledger
Create Date: 2026-11-30 19:00:00

SQLite hands a freed INTEGER PRIMARY KEY out again, so (sub, sid, ver) alone could name a
later user's session. Every token now carries the session's random nonce as `sn`.

Tokens issued before this revision have no `sn`; they are refused (invalid_token), so the
sessions that were live are marked revoked here and everyone signs in once more.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_session_nonce'
down_revision = '0002_ledger'
branch_labels = None
depends_on = None


def upgrade():
    # ADD COLUMN ... NOT NULL DEFAULT works in place on SQLite too (no table rebuild, so no cascade).
    op.add_column('sessions', sa.Column('nonce', sa.String(length=32), server_default=sa.text("''"),
                                        nullable=False))
    bind = op.get_bind()
    random_hex = "lower(hex(randomblob(16)))" if bind.dialect.name == "sqlite" \
        else "md5(random()::text || clock_timestamp()::text || id::text)"
    op.execute(f"UPDATE sessions SET nonce = {random_hex}")
    op.execute("UPDATE sessions SET revoked_at = CURRENT_TIMESTAMP WHERE revoked_at IS NULL")


def downgrade():
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_column('nonce')

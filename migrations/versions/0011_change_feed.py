"""change feed: ledgers.change_seq/change_horizon, change_seq on every feed table, change_tombstones

Revision ID: 0011_change_feed
Revises: 0005_shared_ledgers
Create Date: 2026-12-04 18:45:00

Every ledger table of the feed (ledger.feed.models.ChangeFeed) gains `change_seq` and an index on
(ledger_id, change_seq). Existing rows are numbered 1, 2, ... per ledger (accounts, categories, entries, budgets,
each by id) and the ledger's counter set past them, so that `since=0` answers every existing row.

Adding a table to the feed later: `add_feed_columns('<table>')` in its migration (and `drop_feed_columns` in its
downgrade), plus the marker on its model.
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_change_feed'
down_revision = '0010_card_cycles'
branch_labels = None
depends_on = None

FEED_TABLES = ('accounts', 'categories', 'entries', 'budgets')


def add_feed_columns(table):
    """The ChangeFeed marker's column and index; the table's existing rows numbered after the ledger's counter."""
    with op.batch_alter_table(table) as batch_op:
        batch_op.add_column(sa.Column('change_seq', sa.BigInteger(), server_default=sa.text('0'), nullable=False))
    # UPDATE ... FROM: PostgreSQL and SQLite 3.33+ (the README asks for 3.35+).
    op.execute(f"""
        UPDATE {table} SET change_seq = numbered.seq FROM (
            SELECT t.id, l.change_seq + ROW_NUMBER() OVER (PARTITION BY t.ledger_id ORDER BY t.id) AS seq
            FROM {table} t JOIN ledgers l ON l.id = t.ledger_id) AS numbered
        WHERE {table}.id = numbered.id""")
    op.execute(f"""
        UPDATE ledgers SET change_seq = change_seq
            + (SELECT COUNT(*) FROM {table} WHERE {table}.ledger_id = ledgers.id)""")
    op.create_index(f'ix_{table}_ledger_id_change_seq', table, ['ledger_id', 'change_seq'], unique=False)


def drop_feed_columns(table):
    op.drop_index(f'ix_{table}_ledger_id_change_seq', table_name=table)
    with op.batch_alter_table(table) as batch_op:
        batch_op.drop_column('change_seq')


def upgrade():
    with op.batch_alter_table('ledgers') as batch_op:
        batch_op.add_column(sa.Column('change_seq', sa.BigInteger(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('change_horizon', sa.BigInteger(), server_default=sa.text('0'),
                                      nullable=False))
    for table in FEED_TABLES:
        add_feed_columns(table)
    op.create_table(
        'change_tombstones',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ledger_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('row_id', sa.Integer(), nullable=False),
        sa.Column('change_seq', sa.BigInteger(), nullable=False),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['ledger_id'], ['ledgers.id'], name=op.f('fk_change_tombstones_ledger_id_ledgers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_change_tombstones')),
    )
    op.create_index('ix_change_tombstones_ledger_id_change_seq', 'change_tombstones', ['ledger_id', 'change_seq'],
                    unique=False)
    op.create_index('ix_change_tombstones_deleted_at', 'change_tombstones', ['deleted_at'], unique=False)


def downgrade():
    op.drop_index('ix_change_tombstones_deleted_at', table_name='change_tombstones')
    op.drop_index('ix_change_tombstones_ledger_id_change_seq', table_name='change_tombstones')
    op.drop_table('change_tombstones')
    for table in reversed(FEED_TABLES):
        drop_feed_columns(table)
    with op.batch_alter_table('ledgers') as batch_op:
        batch_op.drop_column('change_horizon')
        batch_op.drop_column('change_seq')

"""entry_lines: the lines of a split entry (amount, category, memo), per ledger

Revision ID: 0007_entry_lines
Revises: 0005_shared_ledgers
Create Date: 2026-12-04 18:40:00

A split entry (income or expense) has 2..50 lines summing to its amount, and no category of its own; an
unsplit entry has none. Reports read both through ledger.entries.effective (the entry itself when it has no
lines, else its lines), so a split is neither missing nor counted twice.

Indexes: the unique index (entry_id, position) gives a split's lines in order and answers the reports' "has it lines?"
probe; (ledger_id, category_id) serves the category filter, a category's in-use check and its reassignment.
A new, empty table: nothing to backfill.
"""
import sqlalchemy as sa
from alembic import op

revision = '0007_entry_lines'
down_revision = '0006_schedules'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'entry_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ledger_id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('memo', sa.String(length=500), server_default=sa.text("''"), nullable=False),
        sa.CheckConstraint('amount > 0', name=op.f('ck_entry_lines_amount_positive')),
        sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_entry_lines_category_id_categories')),
        sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_entry_lines_entry_id_entries'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['ledger_id'], ['ledgers.id'], name=op.f('fk_entry_lines_ledger_id_ledgers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_entry_lines')),
    )
    with op.batch_alter_table('entry_lines', schema=None) as batch_op:
        batch_op.create_index('uq_entry_lines_entry_id_position', ['entry_id', 'position'], unique=True)
        batch_op.create_index(batch_op.f('ix_entry_lines_category_id'), ['category_id'], unique=False)
        batch_op.create_index('ix_entry_lines_ledger_id_category_id', ['ledger_id', 'category_id'], unique=False)


def downgrade():
    with op.batch_alter_table('entry_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_entry_lines_ledger_id_category_id')
        batch_op.drop_index(batch_op.f('ix_entry_lines_category_id'))
        batch_op.drop_index('uq_entry_lines_entry_id_position')
    op.drop_table('entry_lines')

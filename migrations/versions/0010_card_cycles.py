"""card cycles: a credit card's billing settings on accounts, installment months on entries

Revision ID: 0010_card_cycles
Revises: 0005_shared_ledgers
Create Date: 2026-12-04 18:40:00

Three nullable columns on accounts (payment_day, usage_start_day, usage_month_offset; NULL is the default cycle,
ledger.cards.billing) and one on entries (installment_months, NULL is 일시불). Nothing is copied: every existing
card keeps the default cycle, every existing entry is paid at once. SQLite rebuilds both tables for the CHECKs.
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_card_cycles'
down_revision = '0009_statement_imports'
branch_labels = None
depends_on = None

_ACCOUNT_CHECKS = [
    ('payment_day', 'payment_day BETWEEN 1 AND 31'),
    ('usage_start_day', 'usage_start_day BETWEEN 1 AND 31'),
    ('usage_month_offset', 'usage_month_offset BETWEEN 1 AND 2'),
]


def upgrade():
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        for column, check in _ACCOUNT_CHECKS:
            batch_op.add_column(sa.Column(column, sa.SmallInteger(), nullable=True))
            batch_op.create_check_constraint(op.f(f'ck_accounts_{column}'), check)
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('installment_months', sa.SmallInteger(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_entries_installment_months'), 'installment_months BETWEEN 2 AND 36')


def downgrade():
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_entries_installment_months'), type_='check')
        batch_op.drop_column('installment_months')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        for column, _check in reversed(_ACCOUNT_CHECKS):
            batch_op.drop_constraint(op.f(f'ck_accounts_{column}'), type_='check')
            batch_op.drop_column(column)

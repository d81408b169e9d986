"""payees and rules: payees, rules, the learning's counts and declined suggestions; entries.payee_id/imported_payee

Revision ID: 0008_payees_rules
Revises: 0005_shared_ledgers
Create Date: 2026-12-04 18:25:16

Payees are unique per ledger by `name_key` (the name folded to lower case); `initials` holds the name with each
Hangul syllable as its initial consonant (ledger.payees.hangul), the autocomplete's pre-filter. Entries gain a
nullable `payee_id` (SET NULL if a payee row goes) and `imported_payee` (the raw text an import brought).
Nothing existing is changed: every new column is nullable and every new table starts empty.
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_payees_rules'
down_revision = '0007_entry_lines'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ledger_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_key', sa.String(length=100), nullable=False),
    sa.Column('initials', sa.String(length=100), nullable=False),
    sa.Column('archived', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ledger_id'], ['ledgers.id'], name=op.f('fk_payees_ledger_id_ledgers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payees')),
    sa.UniqueConstraint('ledger_id', 'name_key', name='uq_payees_ledger_id_name_key')
    )
    op.create_table('rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ledger_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), server_default=sa.text("''"), nullable=False),
    sa.Column('match', sa.String(length=3), server_default=sa.text("'all'"), nullable=False),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.Column('actions', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("match IN ('all', 'any')", name=op.f('ck_rules_match')),
    sa.ForeignKeyConstraint(['ledger_id'], ['ledgers.id'], name=op.f('fk_rules_ledger_id_ledgers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rules'))
    )
    with op.batch_alter_table('rules', schema=None) as batch_op:
        batch_op.create_index('ix_rules_ledger_id_position', ['ledger_id', 'position'], unique=False)

    op.create_table('payee_category_uses',
    sa.Column('ledger_id', sa.Integer(), nullable=False),
    sa.Column('payee_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_payee_category_uses_category_id_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ledger_id'], ['ledgers.id'], name=op.f('fk_payee_category_uses_ledger_id_ledgers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['payee_id'], ['payees.id'], name=op.f('fk_payee_category_uses_payee_id_payees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('payee_id', 'category_id', name=op.f('pk_payee_category_uses'))
    )
    with op.batch_alter_table('payee_category_uses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payee_category_uses_ledger_id'), ['ledger_id'], unique=False)

    op.create_table('payee_suggestion_declines',
    sa.Column('ledger_id', sa.Integer(), nullable=False),
    sa.Column('payee_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_payee_suggestion_declines_category_id_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ledger_id'], ['ledgers.id'], name=op.f('fk_payee_suggestion_declines_ledger_id_ledgers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['payee_id'], ['payees.id'], name=op.f('fk_payee_suggestion_declines_payee_id_payees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('payee_id', 'category_id', name=op.f('pk_payee_suggestion_declines'))
    )
    with op.batch_alter_table('payee_suggestion_declines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payee_suggestion_declines_ledger_id'), ['ledger_id'], unique=False)

    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('imported_payee', sa.String(length=200), nullable=True))
        batch_op.create_index('ix_entries_payee_id_occurred_on', ['payee_id', 'occurred_on'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_entries_payee_id_payees'), 'payees', ['payee_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_entries_payee_id_payees'), type_='foreignkey')
        batch_op.drop_index('ix_entries_payee_id_occurred_on')
        batch_op.drop_column('imported_payee')
        batch_op.drop_column('payee_id')

    with op.batch_alter_table('payee_suggestion_declines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payee_suggestion_declines_ledger_id'))

    op.drop_table('payee_suggestion_declines')
    with op.batch_alter_table('payee_category_uses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payee_category_uses_ledger_id'))

    op.drop_table('payee_category_uses')
    with op.batch_alter_table('rules', schema=None) as batch_op:
        batch_op.drop_index('ix_rules_ledger_id_position')

    op.drop_table('rules')
    op.drop_table('payees')

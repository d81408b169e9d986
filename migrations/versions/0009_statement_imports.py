"""statement imports: uploads awaiting a commit, saved import profiles, fingerprints of imported rows

Revision ID: 0009_statement_imports
Revises: 0005_shared_ledgers
Create Date: 2026-12-04 19:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_statement_imports'
down_revision = '0008_payees_rules'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'statement_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ledger_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('format', sa.String(length=8), nullable=False),
        sa.Column('encoding', sa.String(length=16), nullable=True),
        sa.Column('profile', sa.String(length=100), nullable=True),
        sa.Column('header_row', sa.Integer(), nullable=False),
        sa.Column('cells', sa.JSON(), nullable=False),
        sa.Column('mapping', sa.JSON(), nullable=False),
        sa.Column('choices', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_statement_imports_account_id_accounts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_statement_imports_created_by_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['ledger_id'], ['ledgers.id'], name=op.f('fk_statement_imports_ledger_id_ledgers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_imports')),
    )
    op.create_index(op.f('ix_statement_imports_ledger_id'), 'statement_imports', ['ledger_id'])
    op.create_index(op.f('ix_statement_imports_account_id'), 'statement_imports', ['account_id'])
    op.create_index(op.f('ix_statement_imports_expires_at'), 'statement_imports', ['expires_at'])
    op.create_table(
        'import_profiles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ledger_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('signature', sa.String(length=64), nullable=False),
        sa.Column('mapping', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_import_profiles_account_id_accounts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['ledger_id'], ['ledgers.id'], name=op.f('fk_import_profiles_ledger_id_ledgers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_profiles')),
        sa.UniqueConstraint('account_id', 'signature', name='uq_import_profiles_account_signature'),
    )
    op.create_index(op.f('ix_import_profiles_ledger_id'), 'import_profiles', ['ledger_id'])
    op.create_table(
        'import_fingerprints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ledger_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'],
                                name=op.f('fk_import_fingerprints_account_id_accounts'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_import_fingerprints_entry_id_entries'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['ledger_id'], ['ledgers.id'], name=op.f('fk_import_fingerprints_ledger_id_ledgers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_fingerprints')),
        sa.UniqueConstraint('account_id', 'fingerprint', name='uq_import_fingerprints_account_fingerprint'),
    )
    op.create_index('ix_import_fingerprints_ledger_id', 'import_fingerprints', ['ledger_id'])
    op.create_index(op.f('ix_import_fingerprints_entry_id'), 'import_fingerprints', ['entry_id'])


def downgrade():
    op.drop_table('import_fingerprints')
    op.drop_table('import_profiles')
    op.drop_table('statement_imports')

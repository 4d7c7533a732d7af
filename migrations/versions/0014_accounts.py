"""accounts: self-registration (users.contact, users.pending_approval, centers.approve_registrations)
and one-time password reset codes (password_resets)

Revision ID: 0014_accounts
Revises: 0013_paper_theory
Create Date: 2026-12-06 21:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.timeutil


revision = '0014_accounts'
down_revision = '0013_paper_theory'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('centers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approve_registrations', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('pending_approval', sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table('password_resets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', app.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_password_resets_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_resets_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets')),
    sa.UniqueConstraint('digest', name=op.f('uq_password_resets_digest'))
    )
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_resets_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_resets_user_id'))
    op.drop_table('password_resets')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('pending_approval')
        batch_op.drop_column('contact')
    with op.batch_alter_table('centers', schema=None) as batch_op:
        batch_op.drop_column('approve_registrations')

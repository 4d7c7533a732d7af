"""rate_limit_counters: the public verification budgets (Flask-Limiter's fixed windows) counted in the
database, shared by every worker and process (app/verify_limits.py); write_probes: the row /healthz
writes to learn what writes meet (app/write_health.py)

Revision ID: 0016_rate_limits_write_probes
Revises: 0015_ticket_counter
Create Date: 2026-12-06 22:40:00

"""
from alembic import op
import sqlalchemy as sa

import app.timeutil


revision = '0016_rate_limits_write_probes'
down_revision = '0015_ticket_counter'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_counters',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('window_ends', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counters'))
    )
    with op.batch_alter_table('rate_limit_counters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limit_counters_window_ends'), ['window_ends'], unique=False)
    op.create_table('write_probes',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('probed_at', app.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_write_probes'))
    )


def downgrade():
    op.drop_table('write_probes')
    with op.batch_alter_table('rate_limit_counters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limit_counters_window_ends'))
    op.drop_table('rate_limit_counters')

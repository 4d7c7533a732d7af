"""exam_sessions.practical_start and practical_place: when and where the 操作技能考核 is held, printed
on the 准考证 (issue 27 item 10); both optional, so existing sessions keep working

Revision ID: 0017_practical_sitting
Revises: 0016_rate_limits_write_probes
Create Date: 2026-12-06 22:40:00

"""
from alembic import op
import sqlalchemy as sa

import app.timeutil


revision = '0017_practical_sitting'
down_revision = '0016_rate_limits_write_probes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exam_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('practical_start', app.timeutil.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('practical_place', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('exam_sessions', schema=None) as batch_op:
        batch_op.drop_column('practical_place')
        batch_op.drop_column('practical_start')

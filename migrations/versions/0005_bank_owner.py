"""bank items get an owner: the platform's bank (center_id NULL) or one center's items

Revision ID: 0005_bank_owner
Revises: 0004_sessions_exams
Create Date: 2026-12-01 22:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005_bank_owner'
down_revision = '0004_sessions_exams'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bank_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('center_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_bank_items_center_id'), ['center_id'], unique=False)
        batch_op.create_foreign_key('fk_bank_items_center_id_centers', 'centers', ['center_id'], ['id'])


def downgrade():
    with op.batch_alter_table('bank_items', schema=None) as batch_op:
        batch_op.drop_constraint('fk_bank_items_center_id_centers', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_bank_items_center_id'))
        batch_op.drop_column('center_id')

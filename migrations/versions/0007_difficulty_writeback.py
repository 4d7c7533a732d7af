"""difficulty write-back record (难度回写记录); also joins the two 0005 branches (bank owner, components)

Revision ID: 0007_difficulty_writeback
Revises: 0006_practical_review, 0005_bank_owner
Create Date: 2026-12-01 22:20:00

"""
from alembic import op
import sqlalchemy as sa

import app.timeutil


revision = '0007_difficulty_writeback'
down_revision = ('0006_practical_review', '0005_bank_owner')
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('difficulty_writebacks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('old_difficulty', sa.Float(), nullable=False),
    sa.Column('new_difficulty', sa.Float(), nullable=False),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.timeutil.UTCDateTime(), nullable=False),
    sa.CheckConstraint('old_difficulty >= 0 AND old_difficulty <= 1', name=op.f('ck_difficulty_writebacks_old_range')),
    sa.CheckConstraint('new_difficulty >= 0 AND new_difficulty <= 1', name=op.f('ck_difficulty_writebacks_new_range')),
    sa.CheckConstraint('responses > 0', name=op.f('ck_difficulty_writebacks_responses_positive')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_difficulty_writebacks_actor_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['bank_items.id'], name=op.f('fk_difficulty_writebacks_item_id_bank_items')),
    sa.ForeignKeyConstraint(['session_id'], ['exam_sessions.id'], name=op.f('fk_difficulty_writebacks_session_id_exam_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_difficulty_writebacks'))
    )
    with op.batch_alter_table('difficulty_writebacks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_difficulty_writebacks_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_difficulty_writebacks_session_id'), ['session_id'], unique=False)


def downgrade():
    with op.batch_alter_table('difficulty_writebacks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_difficulty_writebacks_session_id'))
        batch_op.drop_index(batch_op.f('ix_difficulty_writebacks_item_id'))
    op.drop_table('difficulty_writebacks')

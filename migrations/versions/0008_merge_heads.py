"""merge the branches of the practical/review, results/certificates, statistics and sign-in work

Revision ID: 0008_merge_heads
Revises: 0006_login_failures, 0007_difficulty_writeback, 0007_results_certificates
Create Date: 2026-12-01 23:30:00

"""

revision = '0008_merge_heads'
down_revision = ('0006_login_failures', '0007_difficulty_writeback', '0007_results_certificates')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

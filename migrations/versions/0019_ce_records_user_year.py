"""ce_records (user_id, year): a person's continuing-education records of one year found through one
index (the talent registry's page reads them for 20 people; SQLite's planner otherwise walks the year's
index, every record of that year — issue 25 item 4)

Revision ID: 0019_ce_records_user_year
Revises: 0018_results_display
Create Date: 2026-12-08 00:30:00

"""

from alembic import op


revision = "0019_ce_records_user_year"
down_revision = "0018_results_display"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_ce_records_user_year", "ce_records", ["user_id", "year"])


def downgrade():
    op.drop_index("ix_ce_records_user_year", table_name="ce_records")

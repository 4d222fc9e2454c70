"""index jobs.status, drop unused title index

Revision ID: e63d1c8a7f05
Revises: 9a2f6e0b3c47
Create Date: 2024-09-16 16:55:03.772019

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e63d1c8a7f05"
down_revision = "9a2f6e0b3c47"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_jobs_status", "jobs", ["status"], unique=False)
    op.drop_index("ix_jobs_title", table_name="jobs")


def downgrade() -> None:
    op.create_index("ix_jobs_title", "jobs", ["title"], unique=False)
    op.drop_index("ix_jobs_status", table_name="jobs")

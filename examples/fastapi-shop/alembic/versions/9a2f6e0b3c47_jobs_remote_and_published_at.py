"""jobs: is_remote flag and published_at

Revision ID: 9a2f6e0b3c47
Revises: 71e4b2a9c5d8
Create Date: 2024-07-08 08:31:14.287645

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "9a2f6e0b3c47"
down_revision = "71e4b2a9c5d8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "jobs",
        sa.Column("is_remote", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("jobs", sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE jobs SET published_at = created_at "
        "WHERE status IN ('open', 'closed') AND published_at IS NULL"
    )


def downgrade() -> None:
    op.drop_column("jobs", "published_at")
    op.drop_column("jobs", "is_remote")

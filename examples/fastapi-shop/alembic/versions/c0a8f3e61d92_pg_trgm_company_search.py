"""pg_trgm index for company search

Revision ID: c0a8f3e61d92
Revises: 5b9e2d7f4c61
Create Date: 2024-06-03 11:48:19.004712

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c0a8f3e61d92"
down_revision = "5b9e2d7f4c61"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")

    # companies is live; build the index without blocking writes
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_companies_name_trgm",
            "companies",
            ["name"],
            unique=False,
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
            postgresql_concurrently=True,
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index(
            "ix_companies_name_trgm",
            table_name="companies",
            postgresql_concurrently=True,
        )

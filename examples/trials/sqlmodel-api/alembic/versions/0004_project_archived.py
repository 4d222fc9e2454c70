"""project archived flag, widen task title

Revision ID: 0004
Revises: 0003
Create Date: 2024-09-02 14:22:00
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("projects", sa.Column("archived", sa.Boolean(), nullable=True))
    op.execute("UPDATE projects SET archived = false")
    op.alter_column("projects", "archived", nullable=False)
    op.alter_column("tasks", "title", type_=sa.String(500), existing_type=sa.String(300))
    op.create_index("ix_users_organization_id", "users", ["organization_id"])


def downgrade():
    op.drop_index("ix_users_organization_id", table_name="users")
    op.alter_column("tasks", "title", type_=sa.String(300), existing_type=sa.String(500))
    op.drop_column("projects", "archived")

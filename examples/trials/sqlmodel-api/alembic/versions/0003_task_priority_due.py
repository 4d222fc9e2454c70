"""task priority and due date

Revision ID: 0003
Revises: 0002
Create Date: 2024-06-20 09:05:00
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("tasks", sa.Column("priority", sa.Integer(), nullable=False, server_default="3"))
    op.add_column("tasks", sa.Column("due_date", sa.DateTime(), nullable=True))
    op.create_index("ix_tasks_project_id_status", "tasks", ["project_id", "status"])
    op.create_index("ix_tasks_assignee_id", "tasks", ["assignee_id"])


def downgrade():
    op.drop_index("ix_tasks_assignee_id", table_name="tasks")
    op.drop_index("ix_tasks_project_id_status", table_name="tasks")
    op.drop_column("tasks", "due_date")
    op.drop_column("tasks", "priority")

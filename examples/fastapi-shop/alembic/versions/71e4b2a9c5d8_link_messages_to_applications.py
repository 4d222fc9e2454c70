"""link messages to applications

Revision ID: 71e4b2a9c5d8
Revises: c0a8f3e61d92
Create Date: 2024-06-20 14:02:55.631980

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "71e4b2a9c5d8"
down_revision = "c0a8f3e61d92"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("application_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        "fk_messages_application_id_job_applications",
        "messages",
        "job_applications",
        ["application_id"],
        ["id"],
        ondelete="SET NULL",
    )
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_messages_application_id",
            "messages",
            ["application_id"],
            unique=False,
            postgresql_concurrently=True,
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index(
            "ix_messages_application_id",
            table_name="messages",
            postgresql_concurrently=True,
        )
    op.drop_constraint("fk_messages_application_id_job_applications", "messages", type_="foreignkey")
    op.drop_column("messages", "application_id")

"""The outbox: reports and Notify confirmations kept until they are sent (actions/outbox/).

Revision ID: 0003_outbox
Revises: 0002_watched_payments
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_outbox"
down_revision = "0002_watched_payments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("conversation", sa.String(64), index=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False, index=True),
        sa.Column("maybe_sent", sa.Boolean, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
        sa.Column("next_attempt_at", sa.DateTime, nullable=False, index=True),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("result", sa.String(64)),
        sa.Column("last_problem", sa.String(200)),
    )


def downgrade() -> None:
    op.drop_table("outbox")

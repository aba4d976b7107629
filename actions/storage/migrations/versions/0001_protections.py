"""Protections a conversation can't reset: failed council tax verifications and unpaid holds.

Revision ID: 0001_protections
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001_protections"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "failed_verifications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation", sa.String(64), nullable=False, index=True),
        sa.Column("client", sa.String(64), index=True),
        sa.Column("failed_at", sa.DateTime, nullable=False, index=True),
    )
    op.create_table(
        "unpaid_holds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation", sa.String(64), nullable=False, index=True),
        sa.Column("client", sa.String(64), index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reference", sa.String(40), nullable=False, index=True),
        sa.Column("placed_at", sa.DateTime, nullable=False, index=True),
        sa.Column("closed_at", sa.DateTime),
    )


def downgrade() -> None:
    op.drop_table("unpaid_holds")
    op.drop_table("failed_verifications")

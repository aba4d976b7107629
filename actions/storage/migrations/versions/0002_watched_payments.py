"""Payments watched until they are settled, whatever the conversation does (actions/payments/watch.py).

Revision ID: 0002_watched_payments
Revises: 0001_protections
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_watched_payments"
down_revision = "0001_protections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "watched_payments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("payment_id", sa.String(64), nullable=False, unique=True),
        sa.Column("conversation", sa.String(64), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reference", sa.String(40), nullable=False, index=True),
        sa.Column("payment_key", sa.String(80), nullable=False, index=True),
        sa.Column("council", sa.String(20)),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("return_value", sa.String(40), nullable=False),
        sa.Column("purpose", sa.String(30), nullable=False),
        sa.Column("personalisation", sa.Text),
        sa.Column("contact", sa.String(320)),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
        sa.Column("claimed_by", sa.String(40)),
        sa.Column("claimed_at", sa.DateTime),
        sa.Column("settled_at", sa.DateTime, index=True),
        sa.Column("outcome", sa.String(20)),
    )


def downgrade() -> None:
    op.drop_table("watched_payments")

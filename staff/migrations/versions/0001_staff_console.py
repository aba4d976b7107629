"""The staff console's tables: accounts, sessions, handovers and their messages, the audit log, event positions.

Revision ID: 0001_staff_console
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001_staff_console"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(80), nullable=False, unique=True),
        sa.Column("display_name", sa.String(80), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("failed_sign_ins", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.DateTime),
        sa.Column("totp_secret", sa.String(64)),
        sa.Column("last_active_at", sa.DateTime, index=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_seen_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
    )
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(128), nullable=False, index=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("council", sa.String(40)),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("details", sa.JSON),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("urgent", sa.Boolean, nullable=False),
        sa.Column("waiting_since", sa.DateTime, nullable=False, index=True),
        sa.Column("accepted_by", sa.Integer, sa.ForeignKey("staff_users.id"), index=True),
        sa.Column("accepted_at", sa.DateTime),
        sa.Column("closed_at", sa.DateTime),
        sa.Column("outcome", sa.String(500)),
        sa.Column("resident_present", sa.Boolean, nullable=False),
        sa.Column("callback_status", sa.String(10)),
        sa.Column("callback", sa.JSON),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "handover_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("handover_id", sa.Integer, sa.ForeignKey("handovers.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("from", sa.String(10), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("staff_name", sa.String(80)),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("staff_users.id"), index=True),
        sa.Column("what", sa.String(60), nullable=False),
        sa.Column("handover_id", sa.Integer, sa.ForeignKey("handovers.id", ondelete="SET NULL"), index=True),
        sa.Column("at", sa.DateTime, nullable=False, index=True),
    )
    op.create_table(
        "event_positions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(200), nullable=False, unique=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("event_positions", "audit_log", "handover_messages", "handovers", "staff_sessions", "staff_users"):
        op.drop_table(table)

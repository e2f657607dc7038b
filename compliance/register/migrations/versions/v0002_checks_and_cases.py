"""Checks and cases: every check recorded, and a case per company and period that letters open
and a compliant re-check closes.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    op.create_table(
        "checks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("company_id", sa.Integer, sa.ForeignKey("companies.id"), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("checked_on", sa.Date, nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("command", sa.String(32), nullable=False),
        sa.Column("ruleset_version", sa.String(32), nullable=False),
        sa.Column("input_sha256", sa.String(64)),
        sa.Column("report_sha256", sa.String(64), nullable=False),
        sa.Column("workers", sa.Integer, nullable=False),
        sa.Column("participants", sa.Integer, nullable=False),
        sa.Column("violations", sa.Integer, nullable=False),
        sa.Column("findings_by_family", sa.JSON, nullable=False),
        sa.Column("shortfall_idr", sa.Integer, nullable=False),
        sa.Column("vendor_shortfall_idr", sa.Integer, nullable=False),
        sa.Column("compliant", sa.Boolean, nullable=False),
    )
    with op.batch_alter_table("letters") as batch:
        batch.add_column(sa.Column("check_id", sa.Integer, sa.ForeignKey("checks.id", name="fk_letter_check")))
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("company_id", sa.Integer, sa.ForeignKey("companies.id"), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("opened_on", sa.Date, nullable=False),
        sa.Column("closed_on", sa.Date),
        sa.Column("closed_by_check_id", sa.Integer, sa.ForeignKey("checks.id")),
        sa.UniqueConstraint("company_id", "period", name="uq_case"),
    )


def downgrade():
    op.drop_table("cases")
    with op.batch_alter_table("letters") as batch:
        batch.drop_column("check_id")
    op.drop_table("checks")

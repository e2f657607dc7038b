"""Letters and their numbers: what the per-folder ledger.jsonl held.

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "letter_sequences",
        sa.Column("office", sa.String(32), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last_seq", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "companies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("npp", sa.String(32)),
        sa.Column("name", sa.String(300)),
        sa.Column("address", sa.String(500)),
        sa.Column("size", sa.String(16)),
        sa.Column("jkk_risk", sa.String(16)),
        sa.Column("vendor", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "letters",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(100), nullable=False),
        sa.Column("office", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("company_id", sa.Integer, sa.ForeignKey("companies.id"), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("stage", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("deadline_days", sa.Integer),
        sa.Column("deadline", sa.Date),
        sa.Column("files", sa.JSON),
        sa.Column("sha256_pdf", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False, server_default="issued"),
        sa.Column("supersedes_id", sa.Integer, sa.ForeignKey("letters.id")),
        sa.Column("draft", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("ruleset_version", sa.String(32)),
        sa.Column("shortfall_idr", sa.Integer),
        sa.UniqueConstraint("office", "year", "seq", name="uq_letter_number"),
    )


def downgrade():
    op.drop_table("letters")
    op.drop_table("companies")
    op.drop_table("letter_sequences")

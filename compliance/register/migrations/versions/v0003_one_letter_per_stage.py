"""One issued letter per company, period and stage, guaranteed by the database: a partial unique
index among issued letters, and one among reserved ones (a number reserved until the letter's
files are written). Letters that the race of earlier versions issued twice are kept: the first
stays issued, the later ones are marked `duplicate`.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"

INDEXES = {"uq_letter_issued": "status = 'issued'", "uq_letter_reserved": "status = 'reserved'"}


def upgrade():
    op.execute("UPDATE letters SET status = 'duplicate' WHERE status = 'issued' AND id NOT IN "
               "(SELECT MIN(id) FROM letters WHERE status = 'issued' GROUP BY company_id, period, stage)")
    for name, where in INDEXES.items():
        op.create_index(name, "letters", ["company_id", "period", "stage"], unique=True,
                        sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def downgrade():
    for name in INDEXES:
        op.drop_index(name, table_name="letters")
    op.execute("UPDATE letters SET status = 'issued' WHERE status = 'duplicate'")

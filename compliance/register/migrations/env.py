"""Alembic environment: migrations run on the connection the register passes in."""
from alembic import context

from compliance.register.models import Base


def run() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if hasattr(context, "config"):     # run by Alembic; a plain import (outside a migration) does nothing
    run()

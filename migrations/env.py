"""Alembic environment: the URL comes from the caller's config or DATABASE_URL, never from alembic.ini."""

from alembic import context
from sqlalchemy import Connection

from app.config import get_settings
from app.storage.db import make_engine
from app.storage.tables import Base

config = context.config
target_metadata = Base.metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = make_engine(get_settings())
    with engine.connect() as conn:
        run(conn)
    engine.dispose()

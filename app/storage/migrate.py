"""Running Alembic from the application, and telling whether a database is behind the code."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

import app


def _script_location() -> Path:
    package = Path(app.__file__).resolve().parent
    # Installed wheels carry the migrations inside the package; a source checkout keeps them beside it.
    for candidate in (package / "migrations", package.parent / "migrations"):
        if (candidate / "env.py").exists():
            return candidate
    raise FileNotFoundError("the migrations folder is missing from this installation")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_script_location()))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


class SchemaBehind(RuntimeError):
    """The database schema is older than the code; serving or writing would fail on the first query."""


def require_current(engine: Engine) -> None:
    """Raise SchemaBehind unless the database is at the code's head. Nothing migrates on its own: replicas
    starting together would race, so the operator runs `broadsheet migrate` once as a deploy step."""
    if pending(engine):
        raise SchemaBehind("the database schema is behind this version; run `broadsheet migrate` first")


def pending(engine: Engine) -> bool:
    """True when the database is not at the code's head revision."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current != head

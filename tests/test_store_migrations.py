"""Alembic migrations: a new database is built, and an older one upgraded, in place."""

from alembic import command
from sqlalchemy import inspect, text

from pipeline import store

TABLES = {"articles", "statements", "dyad_daily", "dirty_days", "runs", "alembic_version"}


def revision(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def test_store_upgrade_builds_the_schema_and_is_idempotent(db_url):
    engine = store.make_engine(db_url)
    store.upgrade(engine)
    store.upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    assert revision(engine) == "0001"
    indexes = {index["name"] for index in inspect(engine).get_indexes("statements")}
    assert "ix_statements_pair_day" in indexes
    engine.dispose()


def test_store_an_older_database_upgrades_in_place(db_url):
    engine = store.make_engine(db_url)
    store.upgrade(engine)
    with engine.begin() as conn:
        command.downgrade(store.alembic_config(conn), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    store.upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()


def test_store_schema_matches_the_models(db_url):
    """The migrations and store.metadata describe the same schema (nothing left to autogenerate)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = store.make_engine(db_url)
    store.upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        assert compare_metadata(context, store.metadata) == []
    engine.dispose()

"""Alembic migrations: a new database is built, and an older one upgraded, in place."""

from alembic import command
from sqlalchemy import Boolean, bindparam, inspect, select, text

from pipeline import store
from tests.conftest import pair_totals_kept

TABLES = {"articles", "statements", "dyad_daily", "dirty_days", "runs", "lsh_buckets", "feed_cache",
          "gone_links", "pair_totals", "alembic_version"}


def revision(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def test_store_upgrade_builds_the_schema_and_is_idempotent(db_url):
    engine = store.make_engine(db_url)
    store.upgrade(engine)
    store.upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    assert revision(engine) == store.HEAD == "0014"
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


def schema_of(engine):
    """Every table's columns (name, type, nullability, default), primary key, indexes, unique
    constraints and foreign keys, as the database reports them. Columns are compared by name: a
    migration adds a column at the end, and every insert names its columns."""
    inspector = inspect(engine)

    def columns(table):
        return sorted((c["name"], str(c["type"]), c["nullable"], c.get("default"))
                      for c in inspector.get_columns(table))

    def indexes(table):  # with the WHERE of a partial index, as the database reports it
        return sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]), _where(i))
                      for i in inspector.get_indexes(table))

    def foreign_keys(table):
        return sorted((tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]),
                       str(f.get("options"))) for f in inspector.get_foreign_keys(table))

    return {
        table: (
            columns(table),
            inspector.get_pk_constraint(table)["constrained_columns"],
            indexes(table),
            sorted((u["name"], tuple(u["column_names"])) for u in inspector.get_unique_constraints(table)),
            foreign_keys(table),
        )
        for table in sorted(inspector.get_table_names())
    }


def _where(index: dict) -> str | None:
    options = index.get("dialect_options", {})
    where = options.get("sqlite_where", options.get("postgresql_where"))
    return None if where is None else " ".join(str(where).lower().replace("(", " ").replace(")", " ").split())


def test_store_the_superseded_index_holds_the_marked_articles_alone(db_url):
    """Migration 0011: a partial index, which SQLite cannot take to answer `superseded_run IS NULL`
    (the dashboard's quotes walked every article through the full one)."""
    engine = store.make_engine(db_url)
    store.upgrade(engine)
    with engine.begin() as conn:  # built by the migrations, not created at HEAD
        command.downgrade(store.alembic_config(conn), "0010")
        command.upgrade(store.alembic_config(conn), "head")
    (index,) = [i for i in inspect(engine).get_indexes("articles")
                if i["name"] == "ix_articles_superseded_run"]
    assert _where(index) == "superseded_run is not null"
    engine.dispose()


def test_store_an_empty_database_gets_the_schema_its_migrations_build(db_url):
    """An empty database is created at HEAD without running the migrations one by one: the schema
    must be exactly the one they build, and Alembic must see it at HEAD."""
    engine = store.make_engine(db_url)
    store.upgrade(engine)  # empty: created from store.metadata and stamped
    created = schema_of(engine)
    assert revision(engine) == store.HEAD
    with engine.begin() as conn:
        command.downgrade(store.alembic_config(conn), "base")
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        command.upgrade(store.alembic_config(conn), "head")
    assert schema_of(engine) == created
    assert revision(engine) == store.HEAD
    engine.dispose()


def test_store_head_is_the_newest_migration():
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(store.alembic_config(None)).get_current_head() == store.HEAD


STATEMENT = {"start": 0, "end": 10, "sentence": "Valdoria warned Kestria.", "source": "VAL", "target": "KES",
             "directed": True, "hostility": 0.5, "cooperation": 0.0, "tension": 0.5, "category": "THREATEN",
             "rule": "subject", "confidence": 0.8, "cues": []}


def test_store_upgrading_an_old_database_keeps_its_rows_and_indexes_them(db_url):
    """A database of the first schema keeps its articles: each gets a signature in today's format,
    and the originals (not the copies) their LSH buckets, so the next run still finds copies of them."""
    from datetime import UTC, datetime

    from pipeline import dedupe

    engine = store.make_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(store.alembic_config(conn), "0001")
        stamp = {"ingested_at": datetime(2026, 1, 1, tzinfo=UTC), "minhash": b"\0" * 512}
        conn.execute(store.articles.insert(), [
            {"id": "original", "text": "Valdoria warned Kestria over the dam on the Orsa river.",
             "duplicate_of": None, **stamp},
            {"id": "copy", "text": "VALDORIA warned Kestria over the dam on the Orsa river.",
             "duplicate_of": "original", **stamp},
        ])
        conn.execute(store.statements.insert(), STATEMENT | {"article_id": "original"})
    store.upgrade(engine)
    with engine.connect() as conn:
        kept = conn.execute(select(store.statements.c.article_id)).scalars().all()
        signed = dict(conn.execute(select(store.articles.c.id, store.articles.c.minhash)).all())
        indexed = conn.execute(select(store.lsh_buckets.c.article_key, store.lsh_buckets.c.bucket)).all()
    expected = dedupe.signature("Valdoria warned Kestria over the dam on the Orsa river.")
    assert signed == {"original": dedupe.to_bytes(expected), "copy": dedupe.to_bytes(expected)}
    assert sorted(bucket for _, bucket in indexed) == sorted(dedupe.buckets(expected))
    assert {key for key, _ in indexed} == {dedupe.article_key("original")}
    assert kept == ["original"]  # SQLite copies tables to alter them; nothing may cascade away
    engine.dispose()


def test_store_upgrading_to_pair_totals_sums_the_daily_rows_there(db_url):
    """Migration 0012 fills pair_totals from the daily index as it stands: each kind's pair summed."""
    from datetime import date

    engine = store.make_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(store.alembic_config(conn), "0011")
        day = {"articles": 1, "statements": 2, "mean_hostility": 0.5, "max_hostility": 0.9,
               "mean_cooperation": 0.0, "mean_tension": 0.5, "day_articles": 3, "rolling_7d": 1.0,
               "anomaly": False, "source": "PRK", "target": "USA", "directed": True}
        conn.execute(store.dyad_daily.insert(), [
            day | {"kind": "all", "day": date(2024, 1, 1), "tension_index": 10.0},
            day | {"kind": "all", "day": date(2024, 1, 2), "tension_index": 5.5, "statements": 1},
            day | {"kind": "words", "day": date(2024, 1, 2), "tension_index": 2.0},
            day | {"kind": "all", "day": date(2024, 1, 2), "tension_index": 1.0, "source": "USA",
                   "target": "PRK"},
        ])
        command.upgrade(store.alembic_config(conn), "0012")
    assert totals_at(engine, "tension_index") == {
        ("all", "PRK", "USA", True): (15.5, 3), ("words", "PRK", "USA", True): (2.0, 2),
        ("all", "USA", "PRK", True): (1.0, 2)}
    engine.dispose()


def test_store_upgrading_to_moved_totals_sums_them_again_to_four_decimals(db_url):
    """Migration 0013: totals an 0012 database left out of step with its rows (a run killed before
    its final sum) or unrounded are summed again, as moved totals are kept: to four decimals."""
    from datetime import date

    engine = store.make_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(store.alembic_config(conn), "0012")
        day = {"articles": 1, "statements": 1, "mean_hostility": 0.5, "max_hostility": 0.9,
               "mean_cooperation": 0.0, "mean_tension": 0.5, "day_articles": 3, "rolling_7d": 1.0,
               "anomaly": False, "kind": "all", "source": "PRK", "target": "USA", "directed": True}
        conn.execute(store.dyad_daily.insert(), [
            day | {"day": date(2024, 1, n), "tension_index": value} for n, value in ((1, 0.1), (2, 0.2))])
        conn.execute(store.dyad_daily.insert(), day | {"day": date(2024, 1, 1), "tension_index": 2.5,
                                                      "source": "IRN", "target": "ISR", "directed": False})
        conn.execute(text("INSERT INTO pair_totals VALUES ('all', 'RUS', 'UKR', :directed, 9.0, 3)")
                     .bindparams(bindparam("directed", True, type_=Boolean())))
        command.upgrade(store.alembic_config(conn), "0013")
    assert totals_at(engine, "tension_index") == {("all", "PRK", "USA", True): (0.3, 2),
                                                  ("all", "IRN", "ISR", False): (2.5, 1)}
    engine.dispose()


def test_store_upgrading_to_weighted_totals_weights_each_day_by_its_stories(db_url):
    """Migration 0014: pair_totals keeps each pair's index weighted by its days' stories
    (weighted_index), summed from the daily rows; downgraded, 0013's summed index again."""
    from datetime import date

    engine = store.make_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(store.alembic_config(conn), "0013")
        day = {"articles": 1, "statements": 1, "mean_hostility": 0.5, "max_hostility": 0.9,
               "mean_cooperation": 0.0, "mean_tension": 0.5, "rolling_7d": 1.0, "anomaly": False,
               "kind": "all", "source": "USA", "target": "SYR", "directed": True}
        conn.execute(store.dyad_daily.insert(), [
            day | {"day": date(2018, 1, 1), "tension_index": 40.0, "day_articles": 2},
            day | {"day": date(2018, 1, 2), "tension_index": 0.1, "day_articles": 3},
            day | {"day": date(2018, 1, 1), "tension_index": 0.5, "day_articles": 2, "source": "PRK",
                   "target": "USA", "kind": "words"}])
    store.upgrade(engine)
    assert pair_totals_kept(engine) == {("all", "USA", "SYR", True): (80.3, 2),
                                        ("words", "PRK", "USA", True): (1.0, 1)}
    with engine.begin() as conn:
        command.downgrade(store.alembic_config(conn), "0013")
    assert totals_at(engine, "tension_index") == {("all", "USA", "SYR", True): (40.1, 2),
                                                  ("words", "PRK", "USA", True): (0.5, 1)}
    engine.dispose()


def totals_at(engine, column: str) -> dict:
    """pair_totals of an older revision, its summed `column` read by name."""
    with engine.connect() as conn:
        found = conn.execute(text(f"SELECT kind, source, target, directed, {column}, statements "
                                  "FROM pair_totals"))
        return {(kind, source, target, bool(directed)): (value, said)
                for kind, source, target, directed, value, said in found}

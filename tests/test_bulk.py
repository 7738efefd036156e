"""Bulk writes store exactly what SQLAlchemy's own insert stores, on SQLite and on PostgreSQL; bulk
key lookups find what an IN would."""

from sqlalchemy import insert, select

from pipeline import bulk, store
from tests.test_store_databases import ROWS


def test_bulk_insert_rows_store_what_sqlalchemy_stores(db_url):
    engine = store.make_engine(db_url)
    store.metadata.create_all(engine)
    read_back = []
    for write in (lambda conn, table, row: conn.execute(insert(table), [row]),
                  lambda conn, table, row: bulk.insert_rows(conn, table, [row])):
        with engine.begin() as conn:
            for table, row in ROWS:
                write(conn, table, row)
        with engine.begin() as conn:
            # statements.id is the database's own counter, which goes on counting after a delete
            read_back.append([[tuple(row)[1:] if table is store.statements else tuple(row)
                               for row in conn.execute(select(table))] for table, _ in ROWS])
            for table, _ in reversed(ROWS):  # children first
                conn.execute(table.delete())
    engine.dispose()
    assert read_back[1] == read_back[0]
    assert all(rows for rows in read_back[0])


def test_bulk_in_column_finds_every_value_of_thousands_of_keys(db_url):
    engine = store.make_engine(db_url)
    store.metadata.create_all(engine)
    rows = [{"bucket": bucket, "article_key": bucket % 7} for bucket in range(-5000, 5000, 3)]
    with engine.begin() as conn:
        bulk.insert_rows(conn, store.lsh_buckets, rows)
    wanted = list(range(-6000, 6000, 5))
    with engine.connect() as conn:
        found = bulk.in_column(conn, store.lsh_buckets.c.bucket, store.lsh_buckets.c.article_key, wanted)
    engine.dispose()
    assert sorted(found) == sorted({row["article_key"] for row in rows if row["bucket"] in set(wanted)})


def test_bulk_insert_values_store_plain_tuples_as_insert_rows_does(db_url):
    """The LSH index's rows go in as tuples; signed 64-bit values at both ends must survive."""
    engine = store.make_engine(db_url)
    store.metadata.create_all(engine)
    values = [(-(2**63), 2**63 - 1), (2**63 - 1, -(2**63)), (0, 12345), (-1, -1)]
    with engine.begin() as conn:
        bulk.insert_values(conn, store.lsh_buckets, ["bucket", "article_key"], values)
    with engine.connect() as conn:
        stored = conn.execute(select(store.lsh_buckets.c.bucket, store.lsh_buckets.c.article_key)).all()
    engine.dispose()
    assert sorted(tuple(row) for row in stored) == sorted(values)

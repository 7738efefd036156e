"""Upgrading databases that hold data: what each migration that rewrites rows (0006 names dated
articles by their day, 0008 re-decides copies filed weeks late, 0010 splits the daily index into words
and deeds) leaves, against what one run of today's code stores."""

from alembic import command
from sqlalchemy import select

from pipeline import store
from tests.conftest import downgrade
from tests.test_store_migrations import schema_of

WARNING = ("North Korea warned the United States on Monday that it would pay dearly for the joint drills. "
           "Pyongyang said Washington and Seoul were rehearsing an invasion and threatened a merciless "
           "response. South Korea's defence ministry called the threat a provocation.")


def named_by_text_alone(url: str, resources, tmp_path):
    """A database at 0005, before articles were named by their day: a dated original, its dated copy
    and an undated article, each with statements, as a run then stored them. Returns the engine, the
    input file and the rows as stored."""
    import json
    from datetime import UTC, datetime

    from pipeline import dedupe
    from pipeline.ingest import read_paths
    from pipeline.preparing import content_id, input_digest, prepare

    source = tmp_path / "old.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "1", "date": "2021-05-03", "text": WARNING},
        {"id": "2", "date": "2021-05-04", "text": "Asia wire - " + WARNING},
        {"id": "3", "text": "Tokyo protested to Beijing over coast guard ships near the islands."},
    ]), encoding="utf-8")
    engine = store.make_engine(url)
    with engine.begin() as conn:
        command.upgrade(store.alembic_config(conn), "0005")
    run_id = store.start_run(engine, [str(source)], "old")
    old, statements, buckets = [], [], {}
    for raw in read_paths([str(source)]):
        prepared = prepare(raw, resources)
        name = content_id(prepared.article.text)  # the name before 0006: the text alone
        old.append(prepared.row | {"id": name, "lsh_key": dedupe.article_key(name), "run_id": run_id,
                                   "input_sha": input_digest(raw), "ingested_at": datetime.now(UTC),
                                   "duplicate_of": old[0]["id"] if raw.key == "2" else None})
        statements += [row | {"article_id": name} for row in prepared.statement_rows]
        if raw.key != "2":
            buckets[name] = prepared.buckets
    store.save_batch(engine, old, statements, [], buckets)
    return engine, source, old


def test_store_upgrading_names_dated_articles_by_their_day(db_url, resources, tmp_path):
    """A database whose articles were named by their text alone (before 0006): each dated article is
    renamed with its day, and its statements, its copy's link and its LSH key follow; an undated one
    keeps its name; running the same input again finds everything stored."""
    from pipeline import dedupe, runner
    from pipeline.preparing import content_id

    engine, source, old = named_by_text_alone(db_url, resources, tmp_path)
    store.upgrade(engine)
    a, s, b = store.articles.c, store.statements.c, store.lsh_buckets.c
    with engine.connect() as conn:
        renamed = {row.record_key: row for row in conn.execute(select(a.record_key, a.id, a.day, a.text,
                                                                      a.duplicate_of, a.lsh_key))}
        stated = set(conn.execute(select(s.article_id)).scalars())
        indexed = set(conn.execute(select(b.article_key)).scalars())
    assert all(row.id == content_id(row.text, row.day) for row in renamed.values())
    assert renamed["3"].id == old[2]["id"] and renamed["1"].id != old[0]["id"]
    assert renamed["2"].duplicate_of == renamed["1"].id
    assert stated == {row.id for row in renamed.values()}  # each has statements
    assert indexed == {renamed["1"].lsh_key, renamed["3"].lsh_key} == {
        dedupe.article_key(renamed["1"].id), dedupe.article_key(renamed["3"].id)}
    again = runner.run([source], engine, resources)
    assert again.counts["unchanged"] == 3 and set(again.counts) <= {"unchanged", "daily_rows"}
    engine.dispose()


def test_store_renaming_dated_articles_finds_each_row_by_an_index(sqlite_url, resources, tmp_path):
    """Each statement of migration 0006 reaches its rows through an index: one that scanned a table
    would make the upgrade of a large database quadratic (a scan of the LSH table per article)."""
    from tests.conftest import sqlite_plans

    engine, _, _ = named_by_text_alone(sqlite_url, resources, tmp_path)
    kinds = ("SELECT", "INSERT", "UPDATE", "DELETE")
    with sqlite_plans(engine, kinds=kinds) as plans, engine.begin() as conn:
        command.upgrade(store.alembic_config(conn), "0006")
    touching = [(sql, plan) for sql, plan in plans
                if any(f" {table} " in f" {sql} " for table in ("articles", "statements", "lsh_buckets"))]
    assert any("lsh_buckets" in sql and sql.startswith("UPDATE") for sql, _ in touching)
    assert [(sql, plan) for sql, plan in touching if "SCAN" in plan] == []
    engine.dispose()


def test_store_upgrading_decides_copies_filed_weeks_from_their_original_again(db_url, resources, tmp_path):
    """A database made before copies had to be filed within a week of their original (before 0008):
    a copy filed weeks later becomes an original, and the one after it is linked to it; a copy
    within the week keeps its link. After the next run the rows are those of one run today."""
    import json
    from datetime import date

    from sqlalchemy import update

    from pipeline import daily, runner
    from tests.conftest import stored_rows

    source = tmp_path / "wire.jsonl"
    wire = [("o", "2021-05-03", ""), ("n", "2021-05-06", "Asia wire - "), ("c", "2021-06-02", "Gulf wire - "),
            ("d", "2021-06-04", "Pacific wire - ")]
    source.write_text("".join(json.dumps({"id": key, "date": day, "text": prefix + WARNING}) + "\n"
                              for key, day, prefix in wire), encoding="utf-8")
    today = store.make_engine(f"sqlite:///{tmp_path}/today.db")
    store.upgrade(today)
    runner.run([source], today, resources)
    engine = store.make_engine(db_url)
    store.upgrade(engine)
    runner.run([source], engine, resources)
    a = store.articles.c
    with engine.begin() as conn:  # as a run made them before: every copy linked to the first story
        ids = dict(conn.execute(select(a.record_key, a.id)).all())
        conn.execute(update(store.articles).where(a.record_key.in_(["c", "d"])).values(duplicate_of=ids["o"]))
        conn.execute(store.lsh_buckets.delete().where(
            store.lsh_buckets.c.article_key == select(a.lsh_key).where(a.id == ids["c"]).scalar_subquery()))
        conn.execute(store.dirty_days.insert().values(day=date(2021, 6, 2)))
    daily.rebuild_daily_index(engine)
    assert date(2021, 6, 2) not in {row.day for row in stored_rows(engine)[2]}
    downgrade(engine, "0007")
    with engine.begin() as conn:  # 0008 alone: 0010 marks every day dirty
        command.upgrade(store.alembic_config(conn), "0008")

    with engine.connect() as conn:
        links = dict(conn.execute(select(a.record_key, a.duplicate_of)).all())
        dirty = set(conn.execute(select(store.dirty_days.c.day)).scalars())
    assert links == {"o": None, "n": ids["o"], "c": None, "d": ids["c"]}
    assert dirty == {date(2021, 6, 2)}
    store.upgrade(engine)
    again = runner.run([source], engine, resources)
    assert again.counts["unchanged"] == 4
    assert stored_rows(engine) == stored_rows(today)
    engine.dispose()
    today.dispose()


def test_store_upgrading_splits_the_daily_index_into_words_and_deeds(db_url, resources, tmp_path):
    """A database from before 0010 keeps its daily rows as the index of all statements and has
    every day with statements rebuilt by the next run, which adds the words and the deeds."""
    import json

    from pipeline import daily, runner
    from tests.conftest import stored_rows

    source = tmp_path / "news.jsonl"
    said = [("w", "2021-05-03", "North Korea threatened the United States with retaliation."),
            ("d", "2021-05-04", "North Korea fired missiles at the United States base.")]
    source.write_text("".join(json.dumps({"id": key, "date": day, "text": text}) + "\n"
                              for key, day, text in said), encoding="utf-8")
    engine = store.make_engine(db_url)
    store.upgrade(engine)
    runner.run([source], engine, resources)
    fresh = stored_rows(engine)
    kinds = {row.kind for row in fresh[2]}
    assert kinds == {"all", "words", "deeds"}
    downgrade(engine, "0009")
    with engine.connect() as conn:
        before = conn.execute(select(store.dyad_daily.c.day)).all()
    assert len(before) == sum(row.kind == "all" for row in fresh[2])
    made_by_0009 = store.make_engine(f"sqlite:///{tmp_path}/0009.db")
    with made_by_0009.begin() as conn:
        command.upgrade(store.alembic_config(conn), "0009")
    if engine.dialect.name == "sqlite":  # the downgrade leaves the key and index 0009 made
        assert schema_of(engine)["dyad_daily"] == schema_of(made_by_0009)["dyad_daily"]

    store.upgrade(engine)
    with engine.connect() as conn:
        kept = conn.execute(select(store.dyad_daily.c.kind)).scalars().all()
        dirty = conn.execute(select(store.dirty_days.c.day).order_by(store.dirty_days.c.day)).scalars().all()
    assert kept == ["all"] * len(before)
    assert [d.isoformat() for d in dirty] == ["2021-05-03", "2021-05-04"]
    daily.rebuild_daily_index(engine)
    assert stored_rows(engine) == fresh
    engine.dispose()

"""`run` end to end on real databases: incremental, idempotent, kill-safe, duplicates folded."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pipeline import preparing, runner, store
from pipeline.cli import main
from pipeline.ingest import read_paths
from tests.conftest import SEED_ARTICLE, SHARED_DATA, shared, stored_rows

REPO = Path(__file__).resolve().parents[1]
STORY = (
    "Seoul accused Pyongyang on Monday of firing artillery shells near the border island. "
    "The defence ministry in Seoul said the shelling violated the military agreement and warned "
    "of a firm response. North Korea's state media said the drills were routine and blamed the "
    "South for provocations. Officials in Washington urged both sides to return to talks and said "
    "the United States remained committed to the defence of its ally. Analysts said tensions on "
    "the peninsula were the highest in months."
)


def wire(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def counts(engine):
    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (store.articles, store.statements, store.dyad_daily, store.dirty_days)
        }


def engine_for(url):
    engine = store.make_engine(url)
    store.upgrade(engine)
    return engine


def test_runner_same_input_twice_adds_nothing(db_url, resources, tmp_path):
    source = wire(tmp_path / "a.jsonl", [{"id": "1", "date": "2021-05-03", "text": STORY}])
    engine = engine_for(db_url)
    first = runner.run([source], engine, resources)
    after_first = counts(engine)
    second = runner.run([source], engine, resources)
    assert first.counts["stored"] == 1 and second.counts["unchanged"] == 1
    assert counts(engine) == after_first
    assert after_first["statements"] > 0 and after_first["dyad_daily"] > 0
    assert after_first["dirty_days"] == 0


@pytest.mark.parametrize("text, day", [
    (STORY.replace("warned of a firm response", "threatened retaliation"), date(2021, 5, 4)),
    (STORY, date(2021, 6, 3)),  # only the date corrected
])
def test_runner_changed_record_replaces_its_older_version(db_url, resources, tmp_path, text, day):
    engine = engine_for(db_url)
    runner.run([wire(tmp_path / "a.jsonl", [{"id": "1", "date": "2021-05-03", "text": STORY}])],
               engine, resources)
    summary = runner.run([wire(tmp_path / "b.jsonl", [{"id": "1", "date": day.isoformat(), "text": text}])],
                         engine, resources)
    assert summary.counts["replaced"] == 1
    with engine.connect() as conn:
        days = conn.execute(select(store.articles.c.day)).scalars().all()
        daily_days = set(conn.execute(select(store.dyad_daily.c.day)).scalars())
    assert days == [day] and daily_days == {day}


def test_runner_a_key_reused_within_one_run_is_another_article(db_url, resources, tmp_path):
    other = "Tokyo protested to Beijing over coast guard ships near the islands, the ministry said."
    source = wire(tmp_path / "a.jsonl", [
        {"id": "daily-page", "date": "2021-05-03", "text": STORY},
        {"id": "daily-page", "date": "2021-05-03", "text": other},
    ])
    engine = engine_for(db_url)
    assert runner.run([source], engine, resources).counts["stored"] == 2
    again = runner.run([source], engine, resources)
    assert again.counts["unchanged"] == 2 and counts(engine)["articles"] == 2


@pytest.mark.parametrize("batch_size", [1, 1024])
@pytest.mark.parametrize("stored_first", [True, False])
def test_runner_a_key_reused_in_a_later_run_is_another_article(db_url, resources, tmp_path, stored_first,
                                                              batch_size):
    """A file that grows a record a day under one id: the stored record, found unchanged, is still
    stated, so the new one is another article, not its new version, before or after it and however
    far from it."""
    stored = {"id": "daily-page", "date": "2021-05-03", "text": STORY}
    added = {"id": "daily-page", "date": "2021-05-03",
             "text": "Tokyo protested to Beijing over coast guard ships near the islands, the ministry said."}
    engine = engine_for(db_url)
    runner.run([wire(tmp_path / "a.jsonl", [stored])], engine, resources)
    between = [{"id": f"other-{n}", "date": "2021-05-0{n}", "text": f"Story {n} of nothing at all."}
               for n in range(1, 7)]
    grown = wire(tmp_path / "b.jsonl", [stored, *between, added] if stored_first else [added, stored])
    summary = runner.run([grown], engine, resources, batch_size=batch_size)
    assert (summary.counts["unchanged"], summary.counts["replaced"]) == (1, 0)
    assert counts(engine)["articles"] == summary.counts["stored"] + 1


@pytest.mark.parametrize("batch_size", [1, 1024])
def test_runner_an_id_reused_after_it_states_another_record_s_article_settles(db_url, resources, tmp_path,
                                                                             batch_size):
    """A record id used twice in one input, first for a text another record stored on that day,
    then for its own: its own article is kept, and every run after the first changes nothing."""
    other = "Tokyo protested to Beijing over coast guard ships near the islands, the ministry said."
    between = [{"id": f"other-{n}", "date": "2021-05-0{n}", "text": f"Story {n} of nothing at all."}
               for n in range(1, 5)]
    source = wire(tmp_path / "a.jsonl", [{"id": "b", "date": "2021-05-03", "text": STORY},
                                         {"id": "a", "date": "2021-05-03", "text": STORY}, *between,
                                         {"id": "a", "date": "2021-05-03", "text": other}])
    engine = engine_for(db_url)
    runner.run([source], engine, resources, batch_size=batch_size)
    after = stored_rows(engine)
    for _ in range(2):
        again = runner.run([source], engine, resources, batch_size=batch_size)
        assert again.counts["unchanged"] == 7 and again.counts["replaced"] == 0
    assert stored_rows(engine) == after and len(after[0]) == 6


@pytest.mark.parametrize("stated", [True, False])
def test_runner_an_older_version_a_killed_run_left_marked_is_decided_by_the_next(db_url, resources, tmp_path,
                                                                                 stated):
    """A run killed after replacing an article but before its end leaves it marked: the next run
    keeps it if its input states it as it is, and deletes it otherwise."""
    story, other = {"id": "1", "date": "2021-05-03", "text": STORY}, {"id": "2", "date": "2021-05-04",
                                                                    "text": "Tokyo protested to Beijing."}
    engine = engine_for(db_url)
    runner.run([wire(tmp_path / "a.jsonl", [story, other])], engine, resources)
    with engine.begin() as conn:  # as a killed run leaves it
        conn.execute(store.articles.update().where(store.articles.c.record_key == "1")
                     .values(superseded_run=1))
    runner.run([wire(tmp_path / "b.jsonl", [story, other] if stated else [other])], engine, resources)
    with engine.connect() as conn:
        left = dict(conn.execute(select(store.articles.c.record_key, store.articles.c.superseded_run)).all())
    assert left == ({"1": None, "2": None} if stated else {"2": None})


def test_runner_a_text_changed_on_its_day_in_a_killed_run_is_replaced_by_the_next(
        db_url, resources, tmp_path, monkeypatch):
    """A run killed after storing a record's new text (same day) and marking the old one: the next
    run of the same input finds the new text stored, and deletes the old one all the same."""
    engine = engine_for(db_url)
    runner.run([wire(tmp_path / "a.jsonl", [{"id": "1", "date": "2021-05-03", "text": STORY}])],
               engine, resources)
    changed = wire(tmp_path / "b.jsonl", [{"id": "1", "date": "2021-05-03",
                                           "text": STORY + " More to come."}])
    with monkeypatch.context() as killed:
        killed.setattr(runner, "_finish_replacing", lambda *args: None)  # as if killed just before
        runner.run([changed], engine, resources)
    assert counts(engine)["articles"] == 2
    again = runner.run([changed], engine, resources)
    assert again.counts["unchanged"] == 1 and counts(engine)["articles"] == 1
    with engine.connect() as conn:
        assert conn.execute(select(store.articles.c.text)).scalar_one().endswith("More to come.")


def test_runner_a_change_a_killed_run_stored_goes_when_the_input_goes_back(db_url, resources, tmp_path,
                                                                           monkeypatch):
    """A run killed after storing a record's new text and marking the old one; the input then goes
    back to the old text: the next run keeps the old version and drops the killed run's new one,
    leaving what the old input alone leaves."""
    old = wire(tmp_path / "a.jsonl", [{"id": "1", "date": "2021-05-03", "text": STORY}])
    engine, reference = engine_for(db_url), engine_for(f"sqlite:///{tmp_path / 'reference.db'}")
    runner.run([old], engine, resources)
    runner.run([old], reference, resources)
    changed = wire(tmp_path / "b.jsonl", [{"id": "1", "date": "2021-05-04",
                                           "text": STORY.replace("Monday", "Tuesday")}])
    with monkeypatch.context() as killed:
        killed.setattr(runner, "_finish_replacing", lambda *args: None)  # as if killed just before
        runner.run([changed], engine, resources)
    assert counts(engine)["articles"] == 2
    again = runner.run([old], engine, resources)
    assert again.counts["unchanged"] == 1 and again.counts["replaced"] == 0
    assert stored_rows(engine) == stored_rows(reference)


def test_runner_a_copy_of_an_older_version_handed_over_stays_a_copy(db_url, resources, tmp_path):
    """A record's old text, which another record of the run states too, is handed over to it; a
    near-copy of it filed in the same run is folded into it, as in one run into an empty database."""
    day = "2021-05-03"
    engine = engine_for(db_url)
    runner.run([wire(tmp_path / "a.jsonl", [{"id": "K", "date": day, "text": STORY}])], engine, resources)
    second = wire(tmp_path / "b.jsonl", [
        {"id": "Y", "date": day, "text": STORY},
        {"id": "K", "date": day, "text": "Tokyo protested to Beijing over coast guard ships near islands."},
        {"id": "X", "date": day, "text": "Asia wire - " + STORY + " (Reporting by B. Writer)"},
    ])
    runner.run([second], engine, resources)
    clean = engine_for(f"sqlite:///{tmp_path}/clean.db")
    runner.run([second], clean, resources)
    assert without_provenance(stored_rows(engine)) == without_provenance(stored_rows(clean))


@pytest.mark.parametrize("copy_in", ["history", "same run"])
def test_runner_a_copy_of_a_replaced_version_follows_the_new_version(db_url, resources, tmp_path, copy_in):
    """A near-copy of a record's old text, stored before the record changed or in the run that
    changed it, is a copy of the new text once the old one goes: one story, as in one run."""
    day = "2021-05-03"
    copy = {"id": "X", "date": "2021-05-05", "text": "Asia wire - " + STORY + " (Reporting by B. Writer)"}
    engine = engine_for(db_url)
    runner.run([wire(tmp_path / "a.jsonl", [{"id": "K", "date": day, "text": STORY},
                                            *([copy] if copy_in == "history" else [])])], engine, resources)
    # Moved a day on too: the old version is the earlier, which a copy filed in the run matches first.
    second = wire(tmp_path / "b.jsonl", [{"id": "K", "date": "2021-05-04", "text": STORY + " More to come."},
                                         copy])
    runner.run([second], engine, resources)
    clean = engine_for(f"sqlite:///{tmp_path}/clean.db")
    runner.run([second], clean, resources)
    assert without_provenance(stored_rows(engine)) == without_provenance(stored_rows(clean))


def test_runner_records_without_an_id_are_never_replaced(sqlite_url, resources, tmp_path):
    feed = tmp_path / "feed.jsonl"
    engine = engine_for(sqlite_url)
    wire(feed, [{"date": "2020-03-02", "text": STORY}])
    runner.run([feed], engine, resources)
    wire(feed, [{"date": "2020-03-03", "text": "Tokyo protested to Beijing over ships near the islands."}])
    summary = runner.run([feed], engine, resources)
    assert summary.counts["stored"] == 1 and summary.counts["replaced"] == 0
    assert counts(engine)["articles"] == 2


def with_original_a_replaced(engine, resources, tmp_path, records: list[dict]) -> tuple[dict, dict]:
    """Run `records`, then record "a" again with another text; (record key -> the id it is a copy of,
    record key -> id)."""
    runner.run([wire(tmp_path / "a.jsonl", records)], engine, resources)
    day = next(record["date"] for record in records if record["id"] == "a")
    other = "Tokyo protested to Beijing over coast guard ships near the islands, the ministry said."
    runner.run([wire(tmp_path / "b.jsonl", [{"id": "a", "date": day, "text": other}])], engine, resources)
    with engine.connect() as conn:
        rows = dict(conn.execute(select(store.articles.c.record_key, store.articles.c.duplicate_of)).all())
        ids = dict(conn.execute(select(store.articles.c.record_key, store.articles.c.id)).all())
    return rows, ids


def test_runner_replacing_an_original_keeps_its_copies_one_story(sqlite_url, resources, tmp_path):
    copy_b = "Asia wire - " + STORY + " (Reporting by B. Writer)"
    copy_c = "Gulf wire - " + STORY + " (Reporting by C. Writer)"
    engine = engine_for(sqlite_url)
    rows, ids = with_original_a_replaced(engine, resources, tmp_path, [
        {"id": "a", "date": "2021-03-03", "text": STORY},
        {"id": "b", "date": "2021-03-02", "text": copy_b},
        {"id": "c", "date": "2021-03-03", "text": copy_c},
    ])
    with engine.connect() as conn:
        daily = conn.execute(select(store.dyad_daily.c.day, store.dyad_daily.c.articles)
                             .where(store.dyad_daily.c.source == "KOR")).all()
    assert rows["b"] is None and rows["c"] == ids["b"]  # the earliest copy is the original now
    assert {row.day for row in daily} == {date(2021, 3, 2)}
    assert all(row.articles == 1 for row in daily)


def test_runner_the_same_words_weeks_later_are_a_new_story(db_url, resources, tmp_path):
    """A syndicated copy runs within days of its original; the same text a month later (a recurring
    bulletin, a formulaic statement) is another story, counted on its own day."""
    from pipeline.dedupe import COPY_WINDOW_DAYS

    later = date(2021, 5, 3) + timedelta(days=COPY_WINDOW_DAYS + 1)
    source = wire(tmp_path / "a.jsonl", [
        {"id": "1", "date": "2021-05-03", "text": STORY},
        {"id": "2", "date": "2021-05-05", "text": "Asia wire - " + STORY},
        {"id": "3", "date": later.isoformat(), "text": "Gulf wire - " + STORY},
    ])
    engine = engine_for(db_url)
    summary = runner.run([source], engine, resources)
    assert summary.counts["stored"] == 2 and summary.counts["duplicate"] == 1
    with engine.connect() as conn:
        copies = dict(conn.execute(select(store.articles.c.record_key, store.articles.c.duplicate_of)).all())
        days = conn.execute(select(store.dyad_daily.c.day).distinct()).scalars().all()
    assert copies["2"] is not None and copies["3"] is None
    assert later in days and date(2021, 5, 3) in days


def test_runner_the_very_same_words_weeks_later_are_a_new_story_too(db_url, resources, tmp_path):
    """An agency re-running the very same text is one article on one day, a copy within the copy
    window, and a new story weeks later; running the same input again adds nothing."""
    from pipeline.dedupe import COPY_WINDOW_DAYS

    later = date(2021, 5, 3) + timedelta(days=COPY_WINDOW_DAYS + 1)
    source = wire(tmp_path / "a.jsonl", [
        {"id": "1", "date": "2021-05-03", "text": STORY},
        {"id": "2", "date": "2021-05-03", "text": STORY},
        {"id": "3", "date": "2021-05-05", "text": STORY},
        {"id": "4", "date": later.isoformat(), "text": STORY},
        {"id": "5", "text": STORY},
    ])
    engine = engine_for(db_url)
    first = runner.run([source], engine, resources)
    after_first = counts(engine)
    second = runner.run([source], engine, resources)
    assert (first.counts["stored"], first.counts["duplicate"], first.counts["unchanged"]) == (2, 2, 1)
    assert second.counts["unchanged"] == 5 and counts(engine) == after_first
    with engine.connect() as conn:
        stored = dict(conn.execute(select(store.articles.c.day, store.articles.c.duplicate_of)).all())
        days = conn.execute(select(store.dyad_daily.c.day).distinct()).scalars().all()
    assert stored[date(2021, 5, 3)] is None and stored[later] is None
    assert stored[date(2021, 5, 5)] is not None and stored[None] is not None  # copies of the first
    assert sorted(days) == [date(2021, 5, 3), later]


def stored_records(engine):
    with engine.connect() as conn:
        return sorted(conn.execute(select(store.articles.c.record_key, store.articles.c.day)).all())


@pytest.mark.parametrize("text", [STORY, "Published 09:10 GMT, 20 May 2021\n" + STORY])
def test_runner_the_same_text_given_no_day_is_stored_whether_or_not_its_dated_twin_was(
        resources, tmp_path, text):
    """A record that states no day takes its text's dateline, or none: another article than the
    same text stated on 3 May, stored whether that one came in the same run or an earlier one."""
    dated, undated = {"id": "1", "date": "2021-05-03", "text": text}, {"id": "2", "text": text}
    both = wire(tmp_path / "both.jsonl", [dated, undated])
    in_one, in_two = (engine_for(f"sqlite:///{tmp_path}/{name}.db") for name in ("one", "two"))
    runner.run([both], in_one, resources)
    runner.run([wire(tmp_path / "first.jsonl", [dated])], in_two, resources)
    runner.run([both], in_two, resources)
    assert stored_records(in_two) == stored_records(in_one)
    assert [key for key, _ in stored_records(in_one)] == ["1", "2"]


@pytest.mark.parametrize("twin_first, batch_size", [(True, 1), (True, 1024), (False, 1), (False, 1024)])
def test_runner_a_date_corrected_onto_a_day_holding_the_same_text_leaves_the_old_day(
        db_url, resources, tmp_path, twin_first, batch_size):
    """A record is moved onto a day where another record states its text. Its old day's article,
    which a third record states too (earlier in the run, or later in the same batch), is handed over
    to that record with its copy: the rows are those of one run of the corrected input into an empty
    database, and running it again changes nothing. (A third record in a later batch finds the
    article deleted and its copy promoted: it is stored again, as a copy of that copy.)"""
    first = {"id": "1", "date": "2021-05-03", "text": STORY}
    second = {"id": "2", "date": "2021-06-03", "text": STORY}
    twin = {"id": "3", "date": "2021-05-03", "text": STORY}  # shares the first's article
    copy = {"id": "4", "date": "2021-05-04", "text": "Asia wire - " + STORY}
    engine = engine_for(db_url)
    runner.run([wire(tmp_path / "a.jsonl", [first, second, twin, copy])], engine, resources)
    moved = [first | {"date": "2021-06-03"}, second]
    corrected = wire(tmp_path / "b.jsonl", [twin, *moved, copy] if twin_first else [*moved, twin, copy])
    summary = runner.run([corrected], engine, resources, batch_size=batch_size)
    after = stored_rows(engine)
    again = runner.run([corrected], engine, resources, batch_size=batch_size)
    clean = engine_for(f"sqlite:///{tmp_path}/clean.db")
    runner.run([corrected], clean, resources)
    assert summary.counts["replaced"] == 1 and again.counts["unchanged"] == 4
    assert stored_records(engine) == [("2", date(2021, 6, 3)), ("3", date(2021, 5, 3)),
                                      ("4", date(2021, 5, 4))]
    assert stored_rows(engine) == after
    assert without_provenance(after) == without_provenance(stored_rows(clean))


def without_provenance(rows):
    """stored_rows without which input each article was stored from (input hash, record key, title,
    outlet): an article two records state belongs to the one that stored it first, which differs
    between a run and a series of runs."""
    articles, *rest = rows
    return [(row.id, row.day, row.text, row.duplicate_of, row.minhash) for row in articles], *rest


def test_runner_copies_promoted_in_a_replaced_original_s_place_keep_the_window(db_url, resources, tmp_path):
    """Copies a week either side of an original that is replaced: the earliest takes its place, the
    other, two weeks from it, becomes an original too; an undated copy joins the earliest."""
    rows, ids = with_original_a_replaced(engine_for(db_url), resources, tmp_path, [
        {"id": "a", "date": "2021-03-10", "text": STORY},
        {"id": "b", "date": "2021-03-03", "text": "Asia wire - " + STORY},
        {"id": "c", "date": "2021-03-17", "text": "Gulf wire - " + STORY},
        {"id": "d", "text": "Pacific wire - " + STORY},
    ])
    assert rows["b"] is None and rows["c"] is None and rows["d"] == ids["b"]


def test_runner_boilerplate_only_record_is_rejected(sqlite_url, resources, tmp_path):
    source = wire(tmp_path / "a.jsonl", [{"id": "x", "text": "Advertisement"},
                                         {"id": "y", "date": "2021-05-03", "text": STORY}])
    engine = engine_for(sqlite_url)
    summary = runner.run([source], engine, resources)
    assert summary.rejects == {"no-text": 1} and summary.counts["stored"] == 1
    assert any("only boilerplate" in message for message in summary.messages)


def test_runner_syndicated_copy_is_linked_and_counted_once(db_url, resources, tmp_path):
    copy = "Asia wire - " + STORY.replace("on Monday", "on Monday morning") + " (Reporting by A. Writer)"
    source = wire(tmp_path / "a.jsonl", [
        {"id": "1", "date": "2021-05-03", "text": STORY},
        {"id": "2", "date": "2021-05-03", "text": copy, "source": "Other Outlet"},
    ])
    engine = engine_for(db_url)
    summary = runner.run([source], engine, resources)
    assert summary.counts["stored"] == 1 and summary.counts["duplicate"] == 1
    with engine.connect() as conn:
        linked = conn.execute(select(store.articles.c.duplicate_of).where(
            store.articles.c.duplicate_of.is_not(None))).scalars().all()
        daily = conn.execute(select(store.dyad_daily.c.articles, store.dyad_daily.c.day_articles)).all()
    assert len(linked) == 1
    assert all(row.articles == 1 and row.day_articles == 1 for row in daily)


def test_runner_rejects_are_counted_and_the_batch_goes_on(db_url, resources, tmp_path):
    source = tmp_path / "mixed.jsonl"
    source.write_text(json.dumps({"id": "1", "date": "2021-05-03", "text": STORY}) + "\n{broken\n")
    engine = engine_for(db_url)
    summary = runner.run([source], engine, resources)
    assert summary.counts["stored"] == 1 and summary.rejects == {"bad-json": 1}
    with engine.connect() as conn:
        run = conn.execute(select(store.runs)).one()
    assert run.status == "done" and run.rejects == {"bad-json": 1} and run.counts["stored"] == 1


def test_runner_cli_unreachable_database_is_one_line_exit_2(tmp_path, capsys):
    source = wire(tmp_path / "a.jsonl", [{"id": "1", "text": STORY}])
    assert main(["run", str(source), "--db", "postgresql://nobody:secret@127.0.0.1:1/none"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: cannot reach database postgresql://nobody:***@127.0.0.1:1/none")
    assert "\n" not in err and "secret" not in err


def test_runner_cli_sample_corpus_summary(sqlite_url, capsys):
    assert main(["run", str(REPO / "data" / "sample"), "--db", sqlite_url]) == 0
    err = capsys.readouterr().err
    assert "stored" in err and "daily rows rebuilt" in err
    assert counts(store.make_engine(sqlite_url))["statements"] > 100


def test_runner_sqlite_and_postgresql_store_the_same_rows(sqlite_url, pg_server, resources):
    name = "test_same_rows"
    pg_url = pg_server.create_database(name)
    try:
        results = []
        for url in (sqlite_url, pg_url):
            engine = engine_for(url)
            runner.run([REPO / "data" / "sample"], engine, resources)
            results.append((counts(engine), _snapshot_engine(engine)))
            engine.dispose()
        assert results[0] == results[1]
        assert results[0][0]["statements"] > 100
    finally:
        pg_server.drop_database(name)


def test_runner_two_workers_store_the_rows_of_one(tmp_path, resources):
    snapshots = []
    for workers in (1, 2):
        engine = engine_for(f"sqlite:///{tmp_path / f'w{workers}.db'}")
        summary = runner.run([REPO / "data" / "sample"], engine, resources, workers=workers)
        snapshots.append((dict(summary.counts), _snapshot_engine(engine)))
    assert snapshots[0] == snapshots[1]
    assert snapshots[0][0]["stored"] > 60


def test_runner_head_started_batches_drop_what_is_stored(tmp_path, resources):
    """The command line hands the first batches to the workers before it opens the database: their
    articles already stored are prepared but not stored again, and the rows are a plain run's."""
    sample = REPO / "data" / "sample"
    results = []
    for started in (False, True):
        engine = engine_for(f"sqlite:///{tmp_path / f'started-{started}.db'}")
        runner.run([sample / "wire.jsonl"], engine, resources)  # part of the input is stored already
        with preparing.preparer(resources, workers=2) as submit:
            # a head start of two batches of 16, then the rest
            head = preparing.head_start(read_paths([str(sample)]), submit, 2, 16) if started else None
            summary = runner.run([sample], engine, resources, workers=2, head=head, batch_size=16)
        assert not (head and head.batches)  # taken out as stored: no prepared batch held for the run
        results.append((dict(summary.counts), _snapshot_engine(engine)))
    assert results[0] == results[1]
    assert results[1][0]["unchanged"] > 16 and results[1][0]["stored"] > 10


def test_runner_batch_size_sets_the_articles_a_transaction_stores_not_the_rows(tmp_path, resources,
                                                                                stored_at_once):
    sample = REPO / "data" / "sample"
    whole = engine_for(f"sqlite:///{tmp_path / 'whole.db'}")
    runner.run([sample], whole, resources)  # one batch: the sample is smaller than the default
    for workers in (1, 2):
        stored_at_once.clear()
        engine = engine_for(f"sqlite:///{tmp_path / f'small-{workers}.db'}")
        runner.run([sample], engine, resources, workers=workers, batch_size=16)
        assert len(stored_at_once) > 2 and max(stored_at_once) <= 16
        assert _snapshot_engine(engine) == _snapshot_engine(whole)


def test_runner_cli_with_workers_stores_the_rows_of_one_worker(tmp_path, resources, capsys):
    sample = REPO / "data" / "sample"
    one = engine_for(f"sqlite:///{tmp_path / 'one.db'}")
    runner.run([sample], one, resources)
    url = f"sqlite:///{tmp_path / 'two.db'}"
    assert main(["run", str(sample), "--db", url, "--workers", "2"]) == 0
    assert _snapshot_engine(store.make_engine(url)) == _snapshot_engine(one)
    capsys.readouterr()


@pytest.mark.slow
def test_runner_demo_corpus_twice_gives_identical_rows(db_url, resources):
    demo = shared(SHARED_DATA / "news" / "demo_articles.jsonl.gz")
    engine = engine_for(db_url)
    runner.run([demo, shared(SEED_ARTICLE)], engine, resources)
    first = counts(engine)
    runner.run([demo, SEED_ARTICLE], engine, resources)
    assert counts(engine) == first
    assert first["articles"] > 1500 and first["statements"] > 1000
    with engine.connect() as conn:
        seed = conn.execute(select(store.articles.c.day, store.articles.c.published_at).where(
            store.articles.c.origin == str(SEED_ARTICLE))).one()
    assert seed.day == date(2019, 12, 21)
    assert seed.published_at.date() == date(2019, 12, 21)


@pytest.mark.slow
def test_runner_killed_run_then_rerun_equals_one_clean_run(tmp_path):
    demo = shared(SHARED_DATA / "news" / "demo_articles.jsonl.gz")
    killed, clean = f"sqlite:///{tmp_path / 'killed.db'}", f"sqlite:///{tmp_path / 'clean.db'}"
    command = [sys.executable, "-m", "pipeline", "run", str(demo), "--batch-size", "256", "--db"]
    child = subprocess.Popen([*command, killed], cwd=REPO, stderr=subprocess.DEVNULL)
    engine = store.make_engine(killed)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and _stored(engine) < 300:
        time.sleep(0.2)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    partial = _stored(engine)
    assert 0 < partial < 1600, "the run was not killed part-way"
    # exit 1: done, with the corpus's few empty records reported as rejects
    for url in (killed, clean):
        finished = subprocess.run([*command, url], cwd=REPO, stderr=subprocess.DEVNULL)
        assert finished.returncode == 1
    assert _snapshot(killed) == _snapshot(clean)


def _stored(engine):
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(store.articles)).scalar_one()
    except Exception:  # noqa: BLE001 - the schema may not exist yet in the first moments
        return 0


def _snapshot(url):
    return _snapshot_engine(store.make_engine(url))


def _snapshot_engine(engine):
    return stored_rows(engine)


def test_runner_nul_characters_and_overlong_ids_do_not_stop_the_batch(db_url, resources, tmp_path):
    source = wire(tmp_path / "a.jsonl", [
        {"id": "nul\u0000id", "date": "2021-05-03", "text": STORY.replace("Monday", "Mon\u0000day")},
        {"id": "x" * 600, "date": "2021-05-03", "text": "Tokyo protested to Beijing."},
    ])
    engine = engine_for(db_url)
    summary = runner.run([source], engine, resources)
    assert summary.counts["stored"] == 1 and summary.rejects == {"bad-id": 1}

"""`run` where a record's stored version may give way to a newer one: a changed text or a corrected
date replaces it; a record key reused in the same run or a later one is another article instead, and a
record without an id is never replaced; and copies of a replaced version are handed over to another
record, follow the new version, or are promoted in its place. After a killed run:
test_runner_replacing_killed."""

from datetime import date

import pytest
from sqlalchemy import select

from pipeline import recall, runner, store
from tests.conftest import stored_rows
from tests.runner_fixtures import STORY, counts, engine_for, stored_records, wire


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


def test_runner_claims_and_replacers_written_out_of_memory_are_read_back(db_url, resources, tmp_path,
                                                                         monkeypatch):
    """A run that imports stored articles again under other ids claims each, in a temporary database
    once more than a few are held: the old text of a record it changes is still handed over to the
    record that states it too, and counted as replaced."""
    monkeypatch.setattr(recall, "SPILL_EVERY", 2)
    day = "2021-05-03"
    fillers = [{"id": f"old-{n}", "date": day, "text": f"Story {n} of nothing at all."} for n in range(6)]
    engine = engine_for(db_url)
    runner.run([wire(tmp_path / "a.jsonl", [{"id": "K", "date": day, "text": STORY}, *fillers])],
               engine, resources)
    again = [filler | {"id": filler["id"].replace("old", "new")} for filler in fillers]
    changed = {"id": "K", "date": day, "text": "Tokyo protested to Beijing over coast guard ships."}
    second = wire(tmp_path / "b.jsonl", [{"id": "Y", "date": day, "text": STORY}, *again, changed])
    summary = runner.run([second], engine, resources, batch_size=2)
    assert (summary.counts["replaced"], summary.counts["unchanged"]) == (1, 7)
    with engine.connect() as conn:
        keys = conn.execute(select(store.articles.c.record_key).order_by(store.articles.c.record_key))
        assert keys.scalars().all() == ["K", "Y", *(f"old-{n}" for n in range(6))]

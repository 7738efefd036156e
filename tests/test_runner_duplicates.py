"""`run` folding copies: a syndicated near-copy is linked to its original and counted once; the same
words within the copy window are a copy, weeks later a new story counted on its own day; and a record
that states no day is another article than its dated twin, whether that came in the same run or an
earlier one."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from pipeline import runner, store
from tests.runner_fixtures import STORY, counts, engine_for, stored_records, wire


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

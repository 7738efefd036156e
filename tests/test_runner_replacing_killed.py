"""`run` after a run killed while it replaced records: the older versions it left marked, and the
newer ones it stored, are settled by the next run, however the input changed in between."""

import pytest
from sqlalchemy import select

from pipeline import replacing, runner, store
from tests.conftest import stored_rows
from tests.runner_fixtures import STORY, counts, engine_for, wire


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
        killed.setattr(replacing, "finish_replacing", lambda *args: None)  # as if killed just before
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
        killed.setattr(replacing, "finish_replacing", lambda *args: None)  # as if killed just before
        runner.run([changed], engine, resources)
    assert counts(engine)["articles"] == 2
    again = runner.run([old], engine, resources)
    assert again.counts["unchanged"] == 1 and again.counts["replaced"] == 0
    assert stored_rows(engine) == stored_rows(reference)


def test_runner_a_key_a_killed_run_reused_keeps_its_other_article_when_the_input_goes_back(
        db_url, resources, tmp_path, monkeypatch):
    """A killed run changed record 1 of a.jsonl and stored b.jsonl's record 1 too (the key reused:
    another article); a.jsonl then goes back to its old text: the old version stays, and b.jsonl's
    article, which nothing restated or replaced, is not taken for the killed run's change."""
    old = {"id": "1", "date": "2021-05-03", "text": STORY}
    other = {"id": "1", "date": "2021-05-03", "text": "Tokyo protested to Beijing over the patrol boats."}
    engine = engine_for(db_url)
    runner.run([wire(tmp_path / "a.jsonl", [old])], engine, resources)
    with monkeypatch.context() as killed:
        killed.setattr(replacing, "finish_replacing", lambda *args: None)  # as if killed just before
        runner.run([wire(tmp_path / "a2.jsonl", [old | {"text": STORY.replace("Monday", "Tuesday")}]),
                    wire(tmp_path / "b.jsonl", [other])], engine, resources)
    runner.run([wire(tmp_path / "a.jsonl", [old])], engine, resources)
    with engine.connect() as conn:
        texts = set(conn.execute(select(store.articles.c.text)).scalars())
    assert {STORY, other["text"]} <= texts


def test_runner_a_record_changed_again_after_a_killed_change_replaces_both(db_url, resources, tmp_path,
                                                                           monkeypatch):
    """A killed run stored a record's second text and marked its first; the input then changes a
    third time: the third replaces the second (the first goes as the killed run's mark is decided),
    leaving what the first and third texts in turn leave, and the third is no copy of a stale one."""
    first = {"id": "1", "date": "2021-05-03", "text": STORY}
    second = first | {"date": "2021-05-04", "text": STORY.replace("Monday", "Tuesday")}
    third = first | {"date": "2021-05-05", "text": STORY.replace("Monday", "Wednesday")}
    engine, reference = engine_for(db_url), engine_for(f"sqlite:///{tmp_path / 'reference.db'}")
    runner.run([wire(tmp_path / "1.jsonl", [first])], engine, resources)
    with monkeypatch.context() as killed:
        killed.setattr(replacing, "finish_replacing", lambda *args: None)  # as if killed just before
        runner.run([wire(tmp_path / "2.jsonl", [second])], engine, resources)
    summary = runner.run([wire(tmp_path / "3.jsonl", [third])], engine, resources)
    for records in ([first], [third]):
        runner.run([wire(tmp_path / "r.jsonl", records)], reference, resources)
    assert summary.counts["replaced"] == 1 and summary.counts["duplicate"] == 0
    assert stored_rows(engine) == stored_rows(reference)


@pytest.mark.parametrize("then", [[1], [1, 2], [1, 4]])
def test_runner_two_killed_changes_in_a_row_are_settled_by_the_next_run(db_url, resources, tmp_path,
                                                                        monkeypatch, then):
    """Two runs in a row killed after changing record 1 (the second marking the version the first
    stored); the input then goes back to the first or the second text, or changes once more: one
    version of the record is left, and the rows are those of the texts run in turn."""
    texts = {n: {"id": "1", "date": f"2021-05-0{n}", "text": STORY.replace("Monday", day)}
             for n, day in [(1, "Monday"), (2, "Tuesday"), (3, "Wednesday"), (4, "Thursday")]}
    engine, reference = engine_for(db_url), engine_for(f"sqlite:///{tmp_path / 'reference.db'}")
    runner.run([wire(tmp_path / "1.jsonl", [texts[1]])], engine, resources)
    for n in (2, 3):
        with monkeypatch.context() as killed:
            killed.setattr(replacing, "finish_replacing", lambda *args: None)  # as if killed just before
            runner.run([wire(tmp_path / f"{n}.jsonl", [texts[n]])], engine, resources)
    assert counts(engine)["articles"] == 3
    last = runner.run([wire(tmp_path / "last.jsonl", [texts[then[-1]]])], engine, resources)
    for n in then:
        runner.run([wire(tmp_path / f"r{n}.jsonl", [texts[n]])], reference, resources)
    assert last.counts["duplicate"] == 0 and counts(engine)["articles"] == 1
    assert stored_rows(engine) == stored_rows(reference)

"""What a run remembers beyond a batch: pairs held as hashes, before and after they are merged, and
maps held in a temporary database, before and after they are written out."""

from datetime import UTC, datetime

import pytest

from pipeline import recall


def test_recall_pairs_are_found_before_and_after_a_merge(monkeypatch):
    monkeypatch.setattr(recall, "MERGE_EVERY", 4)
    pairs = recall.PairSet()
    added = [(f"record-{n}", f"2021-05-{n:02d}") for n in range(1, 11)]
    for pair in added:
        pairs.add(pair)
    assert all(pair in pairs for pair in added)  # eight merged, two recent
    assert ("record-1", "2021-05-02") not in pairs and ("record-11", "2021-05-11") not in pairs
    assert len(pairs._merged) == 8 and len(pairs._recent) == 2


def test_recall_spilled_map_keeps_the_first_value_before_and_after_a_spill(monkeypatch):
    monkeypatch.setattr(recall, "SPILL_EVERY", 2)
    held = recall.SpilledMap()
    when = datetime(2021, 5, 3, 7, 30, tzinfo=UTC)
    for n in range(5):
        held.setdefault(f"article-{n}", {"url": f"https://example.org/{n}", "at": when})
    for n in range(5):
        held.setdefault(f"article-{n}", {"url": "a later record's", "at": None})
    assert len(held._recent) == 1  # four written out to the temporary database
    assert [held.get(f"article-{n}") for n in range(5)] == [
        {"url": f"https://example.org/{n}", "at": when} for n in range(5)]
    assert held["article-0"]["at"] == when and "article-4" in held and "article-5" not in held
    assert held.get("article-5", "none") == "none"
    with pytest.raises(KeyError):
        held["article-5"]
    held.close()

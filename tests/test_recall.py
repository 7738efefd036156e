"""What a run remembers beyond a batch: pairs held as hashes, before and after they are merged."""

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

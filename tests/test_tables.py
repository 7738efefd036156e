"""The tables the pages show (pipeline.tables), built from frames written by hand."""

from __future__ import annotations

import pandas as pd

from pipeline import tables


def flagged(*rows: tuple[str, str, str, bool, float]) -> pd.DataFrame:
    """Anomalous pair-days as queries.anomalous_days returns them: (day, source, target, directed, index)."""
    return pd.DataFrame({"day": pd.to_datetime([r[0] for r in rows]), "source": [r[1] for r in rows],
                         "target": [r[2] for r in rows], "directed": [r[3] for r in rows],
                         "tension_index": [r[4] for r in rows], "rolling_7d": [r[4] / 4 for r in rows],
                         "statements": [2] * len(rows), "anomaly": [True] * len(rows)})


def test_tables_anomalies_newest_first_then_highest_index():
    table = tables.anomalies_table(flagged(("1987-03-05", "IRN", "USA", False, 0.1),
                                           ("2024-05-02", "USA", "PRK", True, 1.5),
                                           ("2019-03-01", "PRK", "USA", True, 9.0),
                                           ("2024-05-02", "RUS", "UKR", True, 3.0),
                                           ("2024-05-02", "CHN", "JPN", True, 1.5)))
    assert list(table["pair"]) == ["RUS → UKR", "CHN → JPN", "USA → PRK", "PRK → USA", "IRN – USA"]
    assert list(table.columns) == ["day", "pair", "tension_index", "rolling_7d", "statements"]
    assert list(table.index) == [0, 1, 2, 3, 4]


def test_tables_anomalies_of_no_days_is_an_empty_table():
    table = tables.anomalies_table(flagged())
    assert table.empty
    assert list(table.columns) == ["day", "pair", "tension_index", "rolling_7d", "statements"]


def test_tables_ranking_spells_the_pair_out_first_and_drops_the_codes():
    ranked = pd.DataFrame({"source": ["PRK", "CHN"], "target": ["USA", "JPN"], "directed": [True, False],
                           "tension_index": [3.5, 1.25], "statements": [4, 2]})
    table = tables.ranking_table(ranked)
    assert list(table.columns) == ["pair", "tension_index", "statements"]
    assert list(table["pair"]) == ["PRK → USA", "CHN – JPN"]


def test_tables_statements_table_says_words_or_deeds():
    said = pd.DataFrame({"source": ["PRK", "RUS", "CHN"], "target": ["USA", "UKR", "JPN"],
                         "directed": [True, True, False], "category": ["THREATEN", "ATTACK", "NEUTRAL"],
                         "cues": [[{"term": "threat*", "weight": 0.8}], [], []], "rule": ["speaker"] * 3,
                         "confidence": [0.8] * 3, "hostility": [0.8, 0.9, 0.0], "cooperation": [0.0] * 3,
                         "tension": [0.8, 0.9, 0.0], "quote": [None] * 3, "sentence": ["s"] * 3})
    table = tables.statements_table(said)
    assert list(table["kind"]) == ["Words", "Deeds", "neither"]
    assert list(table["pair"]) == ["PRK → USA", "RUS → UKR", "CHN – JPN"]
    assert table.loc[0, "cues"] == "threat* (0.80)"


def test_tables_highlighted_text_merges_overlapping_cues_and_escapes_around_them():
    said = pd.DataFrame({"start": [5, 5], "cues": [[{"start": 0, "end": 7}], [{"start": 4, "end": 12},
                                                                            {"start": 90, "end": 99}]]})
    marked = tables.highlighted_text("<i>: threaten & warn", said)
    assert marked == "&lt;i&gt;: <mark>threaten &amp; w</mark>arn"

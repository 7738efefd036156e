from datetime import date, timedelta

import pandas as pd
import pytest

from pipeline.aggregate import DAILY_COLUMNS, daily_index, tension_index


def frame(rows, category="THREATEN"):
    """Statements by hand: (day, article, source, target, directed, hostility, cooperation, tension),
    optionally with a category last; otherwise `category`."""
    rows = [(*row, category)[:9] for row in rows]
    return pd.DataFrame(rows, columns=["day", "article_id", "source", "target", "directed",
                                       "hostility", "cooperation", "tension", "category"])


def index_of(statements, volume, kind="all"):
    daily = daily_index(statements, volume)
    return daily[daily["kind"] == kind].reset_index(drop=True)


def test_aggregate_index_formula_grows_with_intensity_and_volume_and_is_normalised():
    assert float(tension_index(0.5, 10)) == 5.0
    assert float(tension_index(1.0, 10)) > float(tension_index(0.5, 10))   # intensity
    assert float(tension_index(1.0, 10)) == float(tension_index(0.5 + 0.5, 10))  # volume
    assert float(tension_index(1.0, 20)) == float(tension_index(0.5, 10))  # normalised by the day
    assert float(tension_index(-0.4, 4)) == -10.0  # cooperative days are negative


def test_aggregate_daily_rows_by_hand():
    day = date(2022, 3, 1)
    statements = frame([
        (day, "a1", "RUS", "UKR", True, 0.9, 0.0, 0.9),
        (day, "a1", "RUS", "UKR", True, 0.5, 0.0, 0.5),
        (day, "a2", "RUS", "UKR", True, 0.6, 0.2, 0.4),
        (day, "a2", "UKR", "RUS", False, 0.2, 0.6, -0.4),
    ])
    assert list(daily_index(statements, pd.Series({day: 10})).columns) == DAILY_COLUMNS
    daily = index_of(statements, pd.Series({day: 10}))
    directed = daily[daily["directed"]].iloc[0]
    assert (directed["articles"], directed["statements"], directed["day_articles"]) == (2, 3, 10)
    assert directed["max_hostility"] == 0.9
    assert directed["mean_tension"] == pytest.approx(0.6)
    # article means: a1 = 0.7, a2 = 0.4 -> 100 * 1.1 / 10
    assert directed["tension_index"] == pytest.approx(11.0)
    undirected = daily[~daily["directed"]].iloc[0]
    assert (undirected["source"], undirected["target"]) == ("RUS", "UKR")  # kept in code order
    assert undirected["tension_index"] == pytest.approx(-4.0)


def test_aggregate_rolling_counts_quiet_days_as_zero():
    start = date(2022, 1, 1)
    statements = frame([
        (start, "a", "CHN", "TWN", True, 0.7, 0.0, 0.7),
        (start + timedelta(days=3), "b", "CHN", "TWN", True, 0.7, 0.0, 0.7),
    ])
    daily = index_of(statements, pd.Series({start: 1, start + timedelta(days=3): 1}))
    assert daily["tension_index"].tolist() == [70.0, 70.0]
    assert daily["rolling_7d"].tolist() == [10.0, 20.0]


def test_aggregate_anomaly_is_a_spike_against_the_pairs_own_baseline():
    start = date(2023, 1, 1)
    rows = [(start + timedelta(days=i), f"a{i}", "IND", "PAK", True, 0.3, 0.1, 0.2) for i in range(20)]
    rows.append((start + timedelta(days=20), "spike", "IND", "PAK", True, 1.0, 0.0, 1.0))
    rows += [(start + timedelta(days=20), f"s{i}", "IND", "PAK", True, 1.0, 0.0, 1.0) for i in range(4)]
    daily = index_of(frame(rows), pd.Series({start + timedelta(days=i): 5 for i in range(21)}))
    flags = daily.set_index("day")["anomaly"]
    assert flags[start + timedelta(days=20)]
    assert not flags[start : start + timedelta(days=19)].any()


def test_aggregate_no_statements_no_rows():
    assert daily_index(frame([]), pd.Series(dtype="int64")).empty


@pytest.mark.parametrize("active_days, flagged", [(2, False), (3, True)])
def test_aggregate_anomaly_needs_three_active_baseline_days(active_days, flagged):
    start = date(2023, 5, 1)
    rows = [(start + timedelta(days=i), f"a{i}", "IND", "PAK", True, 0.2, 0.0, 0.2)
            for i in range(active_days)]
    spike_day = start + timedelta(days=10)
    rows.append((spike_day, "spike", "IND", "PAK", True, 1.0, 0.0, 1.0))
    daily = index_of(frame(rows), pd.Series({row[0]: 1 for row in rows}))
    assert bool(daily.set_index("day")["anomaly"][spike_day]) is flagged


def test_aggregate_words_and_deeds_are_indexed_apart_and_together():
    day = date(2022, 2, 24)
    statements = frame([
        (day, "a1", "RUS", "UKR", True, 0.8, 0.0, 0.8, "THREATEN"),
        (day, "a1", "RUS", "UKR", True, 1.0, 0.0, 1.0, "ATTACK"),
        (day, "a2", "RUS", "UKR", True, 0.0, 0.4, -0.4, "CONSULT"),
        (day, "a3", "RUS", "UKR", True, 0.0, 0.0, 0.0, "NEUTRAL"),
    ])
    daily = daily_index(statements, pd.Series({day: 10})).set_index("kind")
    assert sorted(daily.index) == ["all", "deeds", "words"]
    statements = [daily.loc[kind, "statements"] for kind in ("all", "words", "deeds")]
    assert statements == [4, 2, 1]  # NEUTRAL is neither words nor deeds
    # words: a1 = 0.8, a2 = -0.4 -> 100 * 0.4 / 10; deeds: a1 = 1.0; all: a1 = 0.9, a2 = -0.4, a3 = 0
    assert daily.loc["words", "tension_index"] == pytest.approx(4.0)
    assert daily.loc["deeds", "tension_index"] == pytest.approx(10.0)
    assert daily.loc["all", "tension_index"] == pytest.approx(5.0)
    assert daily.loc["deeds", "articles"] == 1 and daily.loc["all", "articles"] == 3


def test_aggregate_each_kind_has_its_own_baseline():
    """Daily threats are the words' baseline; the first strike is a spike of the deeds' own series
    and, against a quiet week of words, not of the whole."""
    start = date(2023, 1, 1)
    day = [start + timedelta(days=i) for i in range(21)]
    rows = [(day[i], f"w{i}", "IND", "PAK", True, 0.6, 0.0, 0.6, "THREATEN") for i in range(20)]
    rows += [(day[i], f"d{i}", "IND", "PAK", True, 0.1, 0.0, 0.1, "MOBILIZE") for i in range(3)]
    strike = start + timedelta(days=20)
    rows += [(strike, f"s{i}", "IND", "PAK", True, 1.0, 0.0, 1.0, "ATTACK") for i in range(3)]
    rows.append((strike, "w20", "IND", "PAK", True, 0.6, 0.0, 0.6, "THREATEN"))
    volume = pd.Series({start + timedelta(days=i): 5 for i in range(21)})
    deeds = index_of(frame(rows), volume, "deeds").set_index("day")
    words = index_of(frame(rows), volume, "words").set_index("day")
    assert deeds["anomaly"][strike] and not words["anomaly"][strike]
    assert deeds["rolling_7d"][strike] == round(60.0 / 7, 4)  # stored to four decimals

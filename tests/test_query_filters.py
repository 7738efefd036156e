"""pipeline.query_filters: plain filters -> the WHERE conditions the queries share (no database)."""

import datetime as dt

import pytest
from sqlalchemy import column, false, true
from sqlalchemy.dialects import sqlite

from pipeline.query_filters import as_day, in_range, of_pairs

DAY, SOURCE, TARGET = column("day"), column("source"), column("target")


def sql(condition) -> str:
    return str(condition.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))


@pytest.mark.parametrize("value, expected", [
    (None, None),
    (dt.date(2024, 1, 5), dt.date(2024, 1, 5)),
    (dt.datetime(2024, 1, 5, 23, 30), dt.date(2024, 1, 5)),  # its date, not a datetime
    ("2024-01-05", dt.date(2024, 1, 5)),
])
def test_query_filters_as_day_reads_dates_datetimes_and_iso_strings(value, expected):
    day = as_day(value)
    assert day == expected and type(day) is type(expected)


def test_query_filters_in_range_bounds_only_the_ends_given():
    assert sql(in_range(DAY, "2024-01-01", dt.date(2024, 1, 5))) == (
        "day >= '2024-01-01' AND day <= '2024-01-05'")
    assert sql(in_range(DAY, None, "2024-01-05")) == "day <= '2024-01-05'"
    assert "day" not in sql(in_range(DAY, None, None))  # no bound: every day, none too


def test_query_filters_of_pairs_takes_a_list_or_one_bare_pair():
    listed = sql(of_pairs(SOURCE, TARGET, [("PRK", "USA"), ("USA", "PRK")]))
    assert listed == "source = 'PRK' AND target = 'USA' OR source = 'USA' AND target = 'PRK'"
    assert sql(of_pairs(SOURCE, TARGET, ("PRK", "USA"))) == sql(of_pairs(SOURCE, TARGET, [("PRK", "USA")]))
    assert sql(of_pairs(SOURCE, TARGET, None)) == sql(true())  # no filter: every pair
    assert sql(of_pairs(SOURCE, TARGET, [])) == sql(false())  # an empty list: no pair

"""The filters of pipeline.queries as SQL conditions: part of the query layer, which it serves alone.

A query takes plain filters, days as `datetime.date`, datetimes or ISO strings (None leaves that end
open) and country pairs as (source, target) tuples; these functions turn them into the WHERE
conditions the queries share, with every value a bound parameter. They build expressions and run
nothing, so that the app's SQL still lives in pipeline.queries.

Example::

    s = store.statements.c
    select(s.id).where(in_range(s.day, "2019-12-01", None), of_pairs(s.source, s.target, [("PRK", "USA")]))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import and_, false, or_, true

from pipeline.categories import ALL, categories_of, check_kind

Pair = tuple[str, str]
DayLike = dt.date | str | None


def in_range(column, start: DayLike, end: DayLike):
    """start <= column <= end; NULL days fail any bound that is given."""
    first, last = as_day(start), as_day(end)
    return and_(column >= first if first is not None else true(),
                column <= last if last is not None else true())


def of_pairs(source, target, pairs: Iterable[Pair] | None):
    """(source, target) is one of `pairs`; any pair when None, none when empty."""
    pairs = pair_list(pairs)
    if pairs is None:
        return true()
    if not pairs:
        return false()
    return or_(*(and_(source == a, target == b) for a, b in pairs))


def pair_list(pairs: Iterable[Pair] | None) -> list[Pair] | None:
    """The pairs as a list of (source, target), each once; None stays None (any pair).

    >>> pair_list(("PRK", "USA")), pair_list([("PRK", "USA"), ("USA", "PRK"), ("PRK", "USA")])
    ([('PRK', 'USA')], [('PRK', 'USA'), ('USA', 'PRK')])
    """
    if pairs is None:
        return None
    pairs = list(pairs)
    if len(pairs) == 2 and all(isinstance(code, str) for code in pairs):
        pairs = [tuple(pairs)]  # one pair given bare: ("PRK", "USA")
    return list(dict.fromkeys(tuple(pair) for pair in pairs))


def of_kind(column, kind: str):
    """The daily index's rows of one kind: "all", "words" or "deeds" (pipeline.categories)."""
    return column == check_kind(kind)


def of_categories(column, categories: Iterable[str] | str | None, kind: str = ALL):
    """A statement's category is one of `categories` (any when None) and of those of `kind`.

    >>> from pipeline.store import statements
    >>> condition = of_categories(statements.c.category, ["THREATEN", "ATTACK"], "deeds")
    >>> str(condition.compile(compile_kwargs={"literal_binds": True}))
    "statements.category IN ('ATTACK')"
    """
    wanted = categories_of(check_kind(kind))
    if categories is not None:
        chosen = {categories} if isinstance(categories, str) else set(categories)
        wanted = tuple(c for c in wanted if c in chosen)
    return true() if kind == ALL and categories is None else column.in_(wanted)


def as_day(value: DayLike) -> dt.date | None:
    """A date from a date, a datetime (its date) or an ISO string; None stays None."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(value)

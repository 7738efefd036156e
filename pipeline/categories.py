"""The statement categories and which are words and which are deeds (data/lexicon/categories.csv).

A threat is not a strike. Like CAMEO's quad classes and the Geopolitical Risk index's threats and
acts, each category is verbal (THREATEN, ACCUSE, CONSULT, ...) or material (SANCTION, MOBILIZE,
ATTACK, AID), so that the daily index can be read for what countries say of each other, for what
they do, or for both. NEUTRAL (no cue on the stronger side) is neither: it counts only in the whole.

    >>> kind_of("THREATEN"), kind_of("ATTACK"), kind_of("NEUTRAL")
    ('words', 'deeds', None)
    >>> categories_of("deeds")
    ('SANCTION', 'MOBILIZE', 'ATTACK', 'AID')
    >>> polarity_of("AID")
    'cooperative'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline.datafiles import DataFileError, read_rows

CATEGORIES_FILE = Path(__file__).resolve().parent.parent / "data" / "lexicon" / "categories.csv"
ALL = "all"
# The kinds of the daily index: the whole, then its two parts.
KINDS = (ALL, "words", "deeds")
KIND_LABELS = {ALL: "Words and deeds", "words": "Words", "deeds": "Deeds"}
POLARITIES = ("hostile", "cooperative")


class CategoryError(DataFileError):
    """A categories.csv row that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Category:
    name: str
    polarity: str | None  # hostile or cooperative; None for NEUTRAL
    kind: str | None  # words or deeds; None for NEUTRAL


@cache
def category_table(path: Path = CATEGORIES_FILE) -> dict[str, Category]:
    """Every category by name, in the file's order; read once (a mistake in the file is reported
    when it is first needed, as the lexicon's are: a one-line error, not a traceback)."""
    table: dict[str, Category] = {}
    for where, row in read_rows(path, columns=("category", "polarity", "kind")):
        name, polarity, kind = ((row.get(key) or "").strip() for key in ("category", "polarity", "kind"))
        if not name or name in table:
            raise CategoryError(f"{where}: category {name!r} is empty or listed twice")
        if kind and kind not in KINDS[1:]:
            raise CategoryError(f"{where}: category {name}: kind must be words, deeds or empty")
        if polarity and polarity not in POLARITIES:
            raise CategoryError(f"{where}: category {name}: polarity must be hostile, cooperative or empty")
        table[name] = Category(name, polarity or None, kind or None)
    return table


def all_categories() -> tuple[str, ...]:
    return tuple(category_table())


def kind_of(category: str) -> str | None:
    """"words", "deeds", or None for a category that is neither (or unknown)."""
    found = category_table().get(category)
    return found.kind if found else None


def polarity_of(category: str) -> str | None:
    found = category_table().get(category)
    return found.polarity if found else None


def categories_of(kind: str) -> tuple[str, ...]:
    """The categories a kind of the daily index counts: every one for ALL."""
    if kind == ALL:
        return all_categories()
    return tuple(c.name for c in category_table().values() if c.kind == kind)


def check_kind(kind: str) -> str:
    """`kind` if it is one of KINDS; ValueError naming them otherwise."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    return kind

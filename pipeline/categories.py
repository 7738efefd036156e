"""The statement categories and which are words and which are deeds (data/lexicon/categories.csv).

A threat is not a strike. Like CAMEO's quad classes and the Geopolitical Risk index's threats and
acts, each category is verbal (THREATEN, ACCUSE, CONSULT, ...) or material (SANCTION, MOBILIZE,
ATTACK, AID), so that the daily index can be read for what countries say of each other, for what
they do, or for both. NEUTRAL (no cue on the stronger side) is neither: it counts only in the whole.

    >>> kind_of("THREATEN"), kind_of("ATTACK"), kind_of("NEUTRAL")
    ('words', 'deeds', None)
    >>> categories_of("deeds")
    ('SANCTION', 'MOBILIZE', 'ATTACK', 'AID')
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pipeline.datafiles import read_rows

CATEGORIES_FILE = Path(__file__).resolve().parent.parent / "data" / "lexicon" / "categories.csv"
ALL = "all"
# The kinds of the daily index: the whole, then its two parts.
KINDS = (ALL, "words", "deeds")
KIND_LABELS = {ALL: "Words and deeds", "words": "Words", "deeds": "Deeds"}


class CategoryError(ValueError):
    """A categories.csv row that cannot be used; the message names the file and line."""


@cache
def kind_table(path: Path = CATEGORIES_FILE) -> dict[str, str | None]:
    """{category: "words", "deeds" or None}, in the file's order; read once (a mistake in the file
    is reported when it is first needed, as the lexicon's are: a one-line error, not a traceback)."""
    kinds: dict[str, str | None] = {}
    for where, row in read_rows(path):
        category, kind = (row.get("category") or "").strip(), (row.get("kind") or "").strip()
        if not category or category in kinds:
            raise CategoryError(f"{where}: category {category!r} is empty or listed twice")
        if kind and kind not in KINDS[1:]:
            raise CategoryError(f"{where}: category {category}: kind must be words, deeds or empty")
        kinds[category] = kind or None
    return kinds


def all_categories() -> tuple[str, ...]:
    return tuple(kind_table())


def kind_of(category: str) -> str | None:
    """"words", "deeds", or None for a category that is neither (or unknown)."""
    return kind_table().get(category)


def categories_of(kind: str) -> tuple[str, ...]:
    """The categories a kind of the daily index counts: every one for ALL."""
    return all_categories() if kind == ALL else tuple(c for c, k in kind_table().items() if k == kind)

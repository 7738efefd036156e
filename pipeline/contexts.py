"""Context rules: a match dropped when the words around it show it is not what it seems. The
gazetteer's (`data/gazetteer/ambiguity.csv`: "Washington state" is no capital) and the lexicon's
(`data/lexicon/contexts.csv`: "released a statement" is no release of detainees) are read and
applied alike.

    >>> rules = (Context("after", re.compile(r"\\s+state\\b")),)
    >>> vetoed("Washington state voted", 0, 10, rules), vetoed("Washington warned", 0, 10, rules)
    (True, False)
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from pipeline.datafiles import DataFileError, read_rows

# The characters around a match that its rules read: a few words each way.
CONTEXT_CHARS = 40
SIDES = ("before", "after")
# Between the keys of a row that gives one rule to several (no term or alias holds it).
KEY_SEPARATOR = ";"


@dataclass(frozen=True)
class Context:
    """Words before a match (`pattern` searched in the CONTEXT_CHARS before it, so anchor it with $)
    or after it (`pattern` matched from its end) in which it is dropped."""

    where: str  # "before" or "after"
    pattern: re.Pattern[str]


def vetoed(text: str, start: int, end: int, rules: tuple[Context, ...]) -> bool:
    """Whether any rule drops the match text[start:end]."""
    for rule in rules:
        if rule.where == "before":
            if rule.pattern.search(text[max(0, start - CONTEXT_CHARS) : start]):
                return True
        elif rule.pattern.match(text[end : end + CONTEXT_CHARS]):
            return True
    return False


def load_contexts(path: Path, key: str, known: Collection[str], error: type[DataFileError] = DataFileError,
                  flags: int = 0) -> dict[str, tuple[Context, ...]]:
    """The rules of a `key,where,pattern,note` file (optional) by key; a row may give one rule to
    several keys, separated by KEY_SEPARATOR ("killed; killing; killings"). A key that is not `known`
    (a typo would make its rule do nothing), a side other than before or after, an empty pattern (it
    would match everywhere) or one that is no regular expression is refused with its line."""
    rules: dict[str, list[Context]] = defaultdict(list)
    for where, row in read_rows(path, optional=True, columns=(key, "where", "pattern")):
        names = [name.strip() for name in (row[key] or "").split(KEY_SEPARATOR)]
        side, pattern = (row["where"] or "").strip(), row["pattern"] or ""
        if unknown := [name for name in names if name not in known]:
            raise error(f"{where}: {key} {unknown[0]!r} is not one the rules could apply to")
        if side not in SIDES:
            raise error(f"{where}: where must be before or after, not {side!r}")
        if not pattern:
            raise error(f"{where}: the pattern is empty (it would match everywhere)")
        try:
            rule = Context(side, re.compile(pattern, flags))
        except re.error as problem:
            raise error(f"{where}: pattern {pattern!r} is not a regular expression ({problem})") from None
        for name in names:
            rules[name].append(rule)
    return {name: tuple(found) for name, found in rules.items()}

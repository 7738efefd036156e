"""Actor recognition: gazetteer aliases -> Mention with an ISO 3166-1 alpha-3 (or organisation) code.

The gazetteer is data (data/gazetteer/*.csv, see its README): country names, demonyms and capitals
built from pycountry / country_converter / countryinfo, hand-curated metonyms, state media and
organisations, office holders with their dates of office, and context rules for ambiguous names.
All aliases go into one Aho-Corasick automaton, so an article is scanned once whatever the size of
the gazetteer.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import ahocorasick

from pipeline.contexts import Context, load_contexts, vetoed
from pipeline.datafiles import DataFileError, read_rows
from pipeline.models import Mention

GAZETTEER_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteer"
ALIAS_FILES = ("countries.csv", "entities.csv", "groups.csv")
OFFICE_FILE = "office_holders.csv"
OFFICE_COLUMNS = ("code", "aliases", "start", "end")
AMBIGUITY_FILE = "ambiguity.csv"
NON_STATE_FILE = "non_state_nouns.csv"
# A country's name or demonym right before one of these nouns (at most one word between: "US
# Olympic swimmer") describes a private person, a firm or a market, not the state acting.
NON_STATE_KINDS = {"name", "short", "demonym", "alt"}
# A wire dateline opening a paragraph names where the story was filed, not who acts:
# "GAZA CITY, Palestinian Territories: ...", "SEOUL, Dec 21 (Reuters) - ...".
DATELINE = re.compile(
    r"^[A-Z][A-Z.'’ -]{2,40}(?:,[^:\n(]{1,60}?\s*(?:\([^)\n]{1,40}\)\s*)?|\s*\([^)\n]{1,40}\)\s*)"
    r"(?::|\s?[-–—])\s",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Alias:
    """What one surface form can mean; office holders carry their dates of office."""

    code: str
    kind: str
    start: date | None = None
    end: date | None = None

    @property
    def dated(self) -> bool:
        return self.start is not None or self.end is not None

    def holds_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Gazetteer:
    automaton: Any  # ahocorasick.Automaton: surface -> (surface, tuple[Alias, ...], frozenset of codes)
    vetoes: Mapping[str, tuple[Context, ...]]  # by surface (contexts.py)
    non_state: re.Pattern[str]
    size: int


def load_gazetteer(folder: Path = GAZETTEER_DIR) -> Gazetteer:
    """Read every gazetteer CSV in `folder` into one matcher."""
    meanings: dict[str, list[Alias]] = defaultdict(list)
    for name in ALIAS_FILES:
        for _, row in read_rows(folder / name, optional=True, columns=("code", "alias", "kind")):
            meanings[row["alias"].strip()].append(Alias(row["code"].strip(), row["kind"].strip()))
    for where, row in read_rows(folder / OFFICE_FILE, optional=True, columns=OFFICE_COLUMNS):
        holder = _office_holder(row, where)
        for surface in row["aliases"].split("|"):
            meanings[surface.strip()].append(holder)
    automaton = ahocorasick.Automaton()
    for surface, aliases in meanings.items():
        if surface:
            unique = tuple(dict.fromkeys(aliases))
            automaton.add_word(surface, (surface, unique, frozenset(a.code for a in unique)))
    automaton.make_automaton()
    nouns = [row["noun"].strip() for _, row in read_rows(folder / NON_STATE_FILE, optional=True,
                                                          columns=("noun",))]
    nouns.sort(key=len, reverse=True)
    non_state = re.compile(
        r"\s+(?:[\w-]+\s+)?(?:" + "|".join(map(re.escape, nouns)) + r")\b" if nouns else r"(?!)"
    )
    vetoes = load_contexts(folder / AMBIGUITY_FILE, "alias", meanings, GazetteerError)
    return Gazetteer(automaton, vetoes, non_state, len(meanings))


def find_mentions(text: str, gazetteer: Gazetteer, on: date | None = None) -> tuple[Mention, ...]:
    """Every actor named in `text`, longest match first, resolved for the article's date `on`.

    >>> g = load_gazetteer()
    >>> [(m.surface, m.code) for m in find_mentions("Pyongyang warned Washington.", g)]
    [('Pyongyang', 'PRK'), ('Washington', 'USA')]
    """
    candidates = []
    for end_index, (surface, aliases, _) in gazetteer.automaton.iter(text):
        start, end = end_index - len(surface) + 1, end_index + 1
        if _is_whole_word(text, start, end):
            candidates.append((start, end, surface, aliases))
    mentions = []
    taken_until = -1
    datelines = [match.span() for match in DATELINE.finditer(text)] if candidates else []
    resolved: dict[str, Alias | None] = {}  # an article names the same actors again and again
    for start, end, surface, aliases in sorted(candidates, key=lambda c: (c[0], c[0] - c[1])):
        if datelines and any(a <= start < b for a, b in datelines):
            continue
        if start < taken_until:
            continue  # inside a longer name already taken ("New Mexico", "Papua New Guinea")
        taken_until = end
        if surface not in resolved:
            resolved[surface] = _resolve(aliases, on)
        alias = resolved[surface]
        if alias is None or vetoed(text, start, end, gazetteer.vetoes.get(surface, ())):
            continue
        if alias.kind in NON_STATE_KINDS and gazetteer.non_state.match(text, end):
            continue
        mentions.append(Mention(alias.code, start, end, surface, alias.kind))
    return tuple(mentions)


def may_name_two_actors(text: str, gazetteer: Gazetteer) -> bool:
    """A cheap upper bound: could `text` name two different actors on any date?

    Every meaning of every alias counts, dates and context rules ignored, so a False here is
    certain: such an article can yield no statement and need not be cleaned or split.
    """
    codes: set[str] = set()
    for end_index, (surface, _, surface_codes) in gazetteer.automaton.iter(text):
        if surface_codes <= codes:
            continue  # nothing new: skip the word-boundary check
        if _is_whole_word(text, end_index - len(surface) + 1, end_index + 1):
            codes |= surface_codes
            if len(codes) > 1:
                return True
    return False


def _is_whole_word(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not before.isalnum() and not after.isalnum() and before != "_"


def _resolve(aliases: tuple[Alias, ...], on: date | None) -> Alias | None:
    """The meaning of a surface form on a day; None when it names no actor then, or is ambiguous.

    An office holder counts only while in office. When the article's date is unknown, a name counts
    only if every office it ever held belongs to one country.
    """
    undated = [a for a in aliases if not a.dated]
    dated = [a for a in aliases if a.dated]
    if on is not None:
        dated = [a for a in dated if a.holds_on(on)]
    choices = undated or dated
    codes = {a.code for a in choices}
    return choices[0] if len(codes) == 1 else None


class GazetteerError(DataFileError):
    """A gazetteer row that cannot be used; the message names the file and line."""


def _office_holder(row: dict[str, str], where: str) -> Alias:
    try:
        return Alias(row["code"].strip(), "office", _day(row["start"]), _day(row["end"]))
    except (ValueError, AttributeError):
        raise GazetteerError(f"{where}: start and end must be dates YYYY-MM-DD (or end empty)") from None


def _day(value: str | None) -> date | None:
    value = (value or "").strip()
    return date.fromisoformat(value) if value else None

"""Loading the rhetoric lexicon (data/lexicon/*.csv) into a matcher.

Term syntax, kept simple so analysts can extend it without writing regexes:
  `condemn*`      a word starting with "condemn" (condemned, condemnation)
  `pay dearly`    words in sequence, any whitespace between
  `pay .. price`  up to three words may stand where `..` is ("pay a heavy price")
The first word of every term goes into an Aho-Corasick automaton, so a sentence is scanned once and
the full pattern is tried only where a term can start.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import ahocorasick

from pipeline import categories
from pipeline.categories import polarity_of
from pipeline.contexts import Context, load_contexts
from pipeline.datafiles import DataFileError, read_rows

LEXICON_DIR = Path(__file__).resolve().parent.parent / "data" / "lexicon"
GAP = r"(?:\s+\S+){0,3}?"
# "none" entries are blockers: idioms that contain a cue word but carry no rhetoric ("thanks to").
POLARITIES = (*categories.POLARITIES, "none")
# What modifiers.csv may say of a word: it negates a cue, stops a cooperative one ("halt talks"),
# hedges or intensifies it.
MODIFIER_KINDS = ("negation", "stop", "hedge", "intensifier")
RHETORIC_COLUMNS = ("term", "category", "polarity", "weight")


@dataclass(frozen=True)
class Entry:
    term: str
    category: str
    polarity: str
    weight: float
    pattern: re.Pattern[str]
    contexts: tuple[Context, ...] = ()  # where a match is no cue (contexts.csv)


@dataclass(frozen=True)
class Lexicon:
    starts: Any  # ahocorasick.Automaton: first-word stem -> tuple of Entry
    entries: tuple[Entry, ...]
    negation: re.Pattern[str]
    stoppers: re.Pattern[str]
    hedges: dict[str, float]
    intensifiers: dict[str, float]
    negation_factor: float
    hedge_words: re.Pattern[str]
    intensifier_words: re.Pattern[str]


def compile_term(term: str) -> re.Pattern[str]:
    """The regex for one lexicon term, anchored where it is tried.

    >>> bool(compile_term("pay .. price").match("pay a heavy price"))
    True
    """
    parts: list[str] = []
    for token in term.lower().split():
        if token == "..":
            parts.append(GAP)
            continue
        word = re.escape(token.rstrip("*")) + (r"[\w-]*" if token.endswith("*") else r"(?![\w])")
        parts.append((r"\s+" if parts else "") + word)
    return re.compile("".join(parts))


def load_lexicon(folder: Path = LEXICON_DIR) -> Lexicon:
    """Read rhetoric.csv, its terms' context rules (contexts.csv) and modifiers.csv from `folder`."""
    rows = read_rows(folder / "rhetoric.csv", columns=RHETORIC_COLUMNS)
    entries = tuple(_entry(row, where) for where, row in rows)
    terms = {entry.term for entry in entries}
    rules = load_contexts(folder / "contexts.csv", "term", terms, LexiconError, re.IGNORECASE)
    entries = tuple(replace(entry, contexts=rules.get(entry.term, ())) for entry in entries)
    by_stem: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_stem[entry.term.lower().split()[0].rstrip("*")].append(entry)
    starts = ahocorasick.Automaton()
    for stem, group in by_stem.items():
        starts.add_word(stem, (stem, tuple(group)))
    starts.make_automaton()
    modifiers: dict[str, dict[str, float]] = defaultdict(dict)
    for where, row in read_rows(folder / "modifiers.csv", columns=("term", "kind", "factor")):
        kind, term, factor = _modifier(row, where)
        modifiers[kind][term] = factor
    negators = modifiers["negation"]
    negation = re.compile(_any_word(negators) + r"|n't\b")
    factor = min(negators.values()) if negators else 1.0
    return Lexicon(
        starts, entries, negation, re.compile(_any_word(modifiers["stop"])),
        modifiers["hedge"], modifiers["intensifier"], factor,
        _word_pattern(modifiers["hedge"]), _word_pattern(modifiers["intensifier"]),
    )


def _word_pattern(terms) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(r"(?<![\w'])(?:" + alternatives + r")(?![\w'])" if terms else r"(?!)")


def _any_word(terms) -> str:
    """A pattern for any of `terms` as whole words in a space-padded window."""
    if not terms:
        return r"(?!)"
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return r"(?:^|\s)(?:" + alternatives + r")(?:\s|$)"


class LexiconError(DataFileError):
    """A lexicon row that cannot be used; the message names the file and line."""


def _entry(row: dict[str, str], where: str) -> Entry:
    term, polarity = (row.get("term") or "").strip(), (row.get("polarity") or "").strip()
    if polarity not in POLARITIES:
        raise LexiconError(f"{where}: term {term!r}: polarity must be one of {', '.join(POLARITIES)}")
    try:
        weight = float(row["weight"])
    except (TypeError, ValueError):
        raise LexiconError(f"{where}: term {term!r}: weight {row.get('weight')!r} is not a number") from None
    if not 0 <= weight <= 1:
        raise LexiconError(f"{where}: term {term!r}: weight must be between 0 and 1")
    category = (row.get("category") or "").strip()
    if polarity != "none" and polarity_of(category) != polarity:  # unknown categories have none
        raise LexiconError(f"{where}: term {term!r}: category {category!r} is not a {polarity} one of "
                           f"data/lexicon/categories.csv")
    return Entry(term, category, polarity, weight, compile_term(term))


def _modifier(row: dict[str, str], where: str) -> tuple[str, str, float]:
    """(kind, term, factor) of a modifiers.csv row; a kind this code does not apply (a typo would
    leave the word silently unused) or a factor that is no number is refused with its line."""
    term, kind = (row.get("term") or "").strip().lower(), (row.get("kind") or "").strip()
    if kind not in MODIFIER_KINDS:
        raise LexiconError(f"{where}: modifier {term!r}: kind must be one of {', '.join(MODIFIER_KINDS)}, "
                           f"not {kind!r}")
    try:
        factor = float(row["factor"])
    except (TypeError, ValueError):
        problem = f"{where}: modifier {term!r}: factor {row.get('factor')!r} is not a number"
        raise LexiconError(problem) from None
    if not term or not 0 <= factor < math.inf:
        raise LexiconError(f"{where}: modifier {term!r}: a term and a finite factor of at least 0 are needed")
    return kind, term, factor

"""Frozen records that flow through the pipeline.

Every stage is a pure function from one of these to another; nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Article:
    """One news article as read from a file, a record or a feed.

    `origin` names where it came from ("path:line" for record files, "path" otherwise) so that every
    error and every statement can be traced back to its input. `date` is the publication day as the
    outlet dated it (in its own time zone); `published_at` keeps the full timestamp when known.
    """

    id: str
    text: str
    title: str | None = None
    date: date | None = None
    source: str | None = None
    url: str | None = None
    origin: str = ""
    published_at: datetime | None = None  # time-zone aware when the input said which zone
    # The identity the input gives the article, under which a changed version replaces an older
    # one: a record's own `id`, or a .txt/.html file's path. None for a record known only by its
    # position in a file (its `id` is then "path:line"), which says nothing about which article it is.
    key: str | None = None


@dataclass(frozen=True)
class Reject:
    """An input that could not become an article, with the reason it was refused.

    `reason` is a short stable key for counting (e.g. "bad-json", "no-text", "undecodable");
    `message` is the one line shown to the user, naming the file and line.
    """

    path: str
    line: int | None
    reason: str
    message: str


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article's cleaned text; `start`/`end` are character offsets into it,
    `paragraph` the paragraph's number and `index` the sentence's number among those split from it
    (all of its sentences with split_sentences; with a `wanted` filter, only those returned)."""

    index: int
    text: str
    start: int
    end: int
    paragraph: int = 0


@dataclass(frozen=True)
class Mention:
    """An actor named in a sentence: `code` is ISO 3166-1 alpha-3 or an organisation code.

    `kind` says how it was named (name, demonym, capital, metonym, office, institution, media, ...),
    which attribution uses: a capital or an office holder is a speaker, a demonym may be an adjective.
    """

    code: str
    start: int
    end: int
    surface: str
    kind: str


@dataclass(frozen=True)
class Cue:
    """One matched lexicon entry in a sentence, with the modifiers that changed its weight."""

    term: str
    category: str
    polarity: str  # "hostile" or "cooperative"
    weight: float  # the lexicon weight after negation, hedges, intensifiers and quotes
    start: int
    end: int
    negated: bool = False
    hedged: bool = False
    intensified: bool = False
    quoted: bool = False
    # The lexicon's category of a cue the sentence turned: a cooperative one that negation or a stopper
    # made hostile ("refused to meet": CONSULT, now REJECT; "suspended aid": AID, now SANCTION), or
    # war games two sides hold together (MOBILIZE, now COOPERATE); None for any other.
    turned_from: str | None = None


@dataclass(frozen=True)
class Rhetoric:
    """The rhetoric of one sentence, before attribution to a pair."""

    hostility: float
    cooperation: float
    category: str
    cues: tuple[Cue, ...] = ()
    vader_compound: float | None = None  # run only where cues pull both ways
    quote: str | None = None


@dataclass(frozen=True)
class Statement:
    """One sentence in one article that expresses rhetoric between two different actors.

    `start`/`end` locate the sentence in the article's cleaned text: the evidence is exact.
    """

    article_id: str
    start: int
    end: int
    sentence: str
    source: str
    target: str
    directed: bool
    hostility: float
    cooperation: float
    category: str
    rule: str
    confidence: float
    cues: tuple[Cue, ...] = ()
    vader_compound: float | None = None  # run only where cues pull both ways
    quote: str | None = None
    date: date | None = None
    tension: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tension", round(self.hostility - self.cooperation, 4))

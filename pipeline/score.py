"""Scoring an article: sentences -> actor mentions -> rhetoric -> attribution -> statements.

Resources (gazetteer, lexicon, VADER) are loaded once and passed in. The cheap passes come first so
the expensive ones run only where they can matter: the gazetteer automaton scans the whole article
once, and a sentence naming no actor never reaches the lexicon or VADER.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from pipeline.actors import GAZETTEER_DIR, Gazetteer, find_mentions, load_gazetteer, may_name_two_actors
from pipeline.attribution import CONFIDENCE, Direction, attribute
from pipeline.clean import clean_article
from pipeline.coordination import (
    cue_owners,
    discussed,
    done_together,
    exercised_together,
    ties_co_subjects,
)
from pipeline.lexicon import LEXICON_DIR, Lexicon, load_lexicon
from pipeline.models import Article, Cue, Mention, Rhetoric, Sentence, Statement
from pipeline.rhetoric import find_cues, score_sentence, subordinate_clause_start
from pipeline.sentences import paragraph_sentences, paragraph_spans
from pipeline.stages import OFF

# An article's main pair needs each side named at least this often to stand in for a sentence that
# names only one of them.
MAIN_PAIR_MIN_MENTIONS = 2
ARTICLE_PAIR = "article-pair"  # the rule of a statement made by the main pair's fallback (_fallback)
# How near (in characters, about two paragraphs) a statement that pairs the main pair by itself must
# stand for the fallback to speak for it. Read by hand on seeded samples of 20 of the demo articles'
# fallback statements: about half right within 800 characters of one, under one in five farther.
FALLBACK_REACH = 800
# Quotes, stops and spaces that open or close a sentence without changing what it says.
SENTENCE_MARKS = " .!?…\"'“”‘’«»"


@dataclass(frozen=True)
class Resources:
    gazetteer: Gazetteer
    lexicon: Lexicon
    vader: Any  # vaderSentiment SentimentIntensityAnalyzer


def load_resources(gazetteer_dir: Path = GAZETTEER_DIR, lexicon_dir: Path = LEXICON_DIR) -> Resources:
    return Resources(load_gazetteer(gazetteer_dir), load_lexicon(lexicon_dir), SentimentIntensityAnalyzer())


def clean_and_score(raw: Article, resources: Resources) -> tuple[Statement, ...]:
    """Clean a raw article and score it. One that cannot name two actors on any date can yield
    no statement, so it is neither cleaned nor split (more than half of a typical news feed)."""
    if not may_name_two_actors(raw.text, resources.gazetteer):
        return ()
    return score_article(clean_article(raw), resources)


def score_article(article: Article, resources: Resources, clock=OFF) -> tuple[Statement, ...]:
    """All statements of one (cleaned) article, in sentence order; `clock` times the stages."""
    mentions = find_mentions(article.text, resources.gazetteer, article.date)
    clock.lap("actors")
    if not mentions:
        return ()
    main_pair = _main_pair(mentions)
    statements: list[Statement] = []
    said: set[str] = set()  # the sentences scored so far, by repeat_key
    for sentence in _sentences_naming_actors(article.text, mentions, main_pair):
        local = _mentions_in(sentence, mentions)
        clock.lap("split")
        if not _may_pair(local, main_pair) or _said_before(sentence.text, said):
            continue
        cues = find_cues(sentence.text, resources.lexicon)
        clock.lap("rhetoric")
        if not cues:
            continue
        directions = attribute(sentence.text, local, cues) or _fallback(local, main_pair)
        clock.lap("attribution")
        if not directions:
            continue  # VADER, the slowest step, runs only for sentences that become statements
        rhetoric = _rhetoric_by_direction(sentence.text, local, cues, resources)
        for direction in directions:
            if scored := rhetoric(direction):
                statements.append(_statement(article, sentence, scored, direction))
        clock.lap("rhetoric")
    clock.lap("split")  # the rest of the last paragraph's sentences
    return tuple(_without_unfounded_fallbacks(statements, main_pair))


def _sentences_naming_actors(
    text: str, mentions: tuple[Mention, ...], main_pair: tuple[str, str] | None
) -> Iterator[Sentence]:
    """Sentences of the paragraphs that could hold a pair: most paragraphs cannot, and splitting
    them would be wasted work."""
    starts = [m.start for m in mentions]
    for index, (offset, paragraph) in enumerate(paragraph_spans(text)):
        first, last = bisect_left(starts, offset), bisect_left(starts, offset + len(paragraph))
        if _may_pair(mentions[first:last], main_pair):
            yield from paragraph_sentences(paragraph, offset, index, starts[first:last])


def _rhetoric_by_direction(text: str, local: tuple[Mention, ...], cues: tuple[Cue, ...],
                           resources: Resources) -> Callable[[Direction], Rhetoric | None]:
    """The sentence's rhetoric for each direction, of the cues that bear on its pair; None when none
    does. Left out for a pair: a cue naming another actor's own act ("Peru granted asylum to Panamanian
    officers after the U.S. invasion": the invasion is no act of Peru's or Panama's; see
    coordination.cue_owners); what co-subjects do together (_as_borne_by); and, for a pair both
    first named before a subordinate clause that holds cues of its own and not both named again in
    it, the cues of the clause (rhetoric.subordinate_clause_start): "Norway will help defend Saudi
    Arabia if it is attacked" is help, not an attack; "Talks between Russia and Ukraine collapsed as
    Moscow shelled Kyiv" keeps the shelling."""
    # A cue's owner can leave out a pair only where a third actor is named (with two, every pair
    # holds the owner): most sentences are not read for owners at all.
    third = len({m.code for m in local}) > 2
    owners = cue_owners(text, local, cues) if third else [frozenset()] * len(cues)
    clause_at = subordinate_clause_start(text, cues)
    in_main = {m.code for m in local if clause_at is None or m.start < clause_at}
    in_clause = {m.code for m in local if clause_at is not None and m.start >= clause_at}
    scored: dict[tuple[Cue, ...], Rhetoric | None] = {}  # VADER may run: once for each set of cues

    def rhetoric(direction: Direction) -> Rhetoric | None:
        pair = {direction.source, direction.target}
        main_clause_only = clause_at is not None and pair <= in_main and not pair <= in_clause
        bearing: list[Cue] = []
        for cue, owner in zip(cues, owners, strict=True):
            if (owner and not owner & pair) or (main_clause_only and cue.start >= clause_at):
                continue
            if borne := _as_borne_by(text, local, cues, cue, direction):
                bearing.append(borne)
        kept = tuple(bearing)
        if kept not in scored:
            scored[kept] = score_sentence(text, resources.lexicon, resources.vader, kept) if kept else None
        return scored[kept]

    return rhetoric


def _as_borne_by(text: str, local: tuple[Mention, ...], cues: tuple[Cue, ...], cue: Cue,
                 direction: Direction) -> Cue | None:
    """`cue` as it bears on the direction's pair, or None where it tells of what co-subjects do
    together rather than to the pair: the force two sides acting jointly show (their "joint war games"
    are no threat to each other, and exercises held together are cooperation), what they discuss
    ("Zelensky, Macron discuss Russia's nuclear threats"), or the "joint" in "The US and Israel
    launched joint strikes on Iran" (no cooperation with Iran)."""
    if direction.rule == "mutual":
        if done_together(text, cue, cues):
            return exercised_together(cue)
        return None if discussed(text, cues, cue) else cue
    return None if ties_co_subjects(text, local, cue, direction.source, direction.target) else cue


def _may_pair(local: tuple[Mention, ...], main_pair: tuple[str, str] | None) -> bool:
    """Two actors, or one of the article's main pair: otherwise no rule can make a pair."""
    codes = {m.code for m in local}
    return len(codes) > 1 or bool(main_pair and codes & set(main_pair))


def _said_before(sentence: str, said: set[str]) -> bool:
    """Whether the article already had this sentence (a title repeated as the lead, a pull quote
    repeated in the body): said twice in one article, it is one statement, not two. Adds it."""
    key = repeat_key(sentence)
    if key in said:
        return True
    said.add(key)
    return False


def repeat_key(sentence: str) -> str:
    """A sentence as compared with the article's others: case, spacing, and the quotes and stops
    around it aside, as a headline repeated in the lead differs only in those.

    >>> repeat_key("Kyiv warns Moscow") == repeat_key('“Kyiv warns  Moscow.”')
    True
    """
    return " ".join(sentence.casefold().split()).strip(SENTENCE_MARKS)


def _mentions_in(sentence: Sentence, mentions: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """The mentions inside a sentence, with offsets into the sentence."""
    first = bisect_left(mentions, sentence.start, key=lambda m: m.start)
    local = []
    for m in mentions[first:]:
        if m.start >= sentence.end:
            break
        if m.end <= sentence.end:
            local.append(Mention(m.code, m.start - sentence.start, m.end - sentence.start, m.surface, m.kind))
    return tuple(local)


def _main_pair(mentions: tuple[Mention, ...]) -> tuple[str, str] | None:
    counts = Counter(m.code for m in mentions).most_common(2)
    if len(counts) < 2 or counts[1][1] < MAIN_PAIR_MIN_MENTIONS:
        return None
    return counts[0][0], counts[1][0]


def _fallback(local: tuple[Mention, ...], main_pair: tuple[str, str] | None) -> list[Direction]:
    """A sentence naming one actor of the article's main pair is about the other one too."""
    codes = {m.code for m in local}
    if main_pair is None or len(codes) != 1 or not codes <= set(main_pair):
        return []
    (named,) = codes
    other = main_pair[1] if named == main_pair[0] else main_pair[0]
    first, second = sorted((named, other))  # undirected pairs are kept in code order
    return [Direction(first, second, False, ARTICLE_PAIR, CONFIDENCE[ARTICLE_PAIR])]


def _without_unfounded_fallbacks(statements: list[Statement],
                                 main_pair: tuple[str, str] | None) -> list[Statement]:
    """The statements, without those of the article-pair fallback that no sentence near them
    founds: one that pairs the main pair by a rule of its own, within FALLBACK_REACH characters.
    Two countries each named twice are not yet set against each other, and far from where the
    article sets them against each other a sentence naming one of them is seldom about the other."""
    if main_pair is None or not any(s.rule == ARTICLE_PAIR for s in statements):
        return statements
    founding = [s.start for s in statements
                if {s.source, s.target} == set(main_pair) and s.rule != ARTICLE_PAIR]
    return [s for s in statements
            if s.rule != ARTICLE_PAIR or any(abs(s.start - at) <= FALLBACK_REACH for at in founding)]


def _statement(article: Article, sentence: Sentence, rhetoric: Rhetoric, d: Direction) -> Statement:
    return Statement(
        article_id=article.id, start=sentence.start, end=sentence.end, sentence=sentence.text,
        source=d.source, target=d.target, directed=d.directed,
        hostility=rhetoric.hostility, cooperation=rhetoric.cooperation,
        category=rhetoric.category, rule=d.rule, confidence=d.confidence,
        cues=rhetoric.cues, vader_compound=rhetoric.vader_compound,
        quote=rhetoric.quote, date=article.date,
    )

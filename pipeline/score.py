"""Scoring an article: sentences -> actor mentions -> rhetoric -> attribution -> statements.

Resources (gazetteer, lexicon, VADER) are loaded once and passed in. The cheap passes come first so
the expensive ones run only where they can matter: the gazetteer automaton scans the whole article
once, and a sentence naming no actor never reaches the lexicon or VADER.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from pipeline.actors import GAZETTEER_DIR, Gazetteer, find_mentions, load_gazetteer
from pipeline.attribution import CONFIDENCE, Direction, attribute
from pipeline.lexicon import LEXICON_DIR, Lexicon, load_lexicon
from pipeline.models import Article, Mention, Rhetoric, Sentence, Statement
from pipeline.rhetoric import score_sentence
from pipeline.sentences import split_sentences

# An article's main pair needs each side named at least this often to stand in for a sentence that
# names only one of them.
MAIN_PAIR_MIN_MENTIONS = 2


@dataclass(frozen=True)
class Resources:
    gazetteer: Gazetteer
    lexicon: Lexicon
    vader: Any  # vaderSentiment SentimentIntensityAnalyzer


def load_resources(gazetteer_dir: Path = GAZETTEER_DIR, lexicon_dir: Path = LEXICON_DIR) -> Resources:
    return Resources(load_gazetteer(gazetteer_dir), load_lexicon(lexicon_dir), SentimentIntensityAnalyzer())


def score_article(article: Article, resources: Resources) -> tuple[Statement, ...]:
    """All statements of one (cleaned) article, in sentence order."""
    mentions = find_mentions(article.text, resources.gazetteer, article.date)
    if not mentions:
        return ()
    main_pair = _main_pair(mentions)
    statements: list[Statement] = []
    for sentence in split_sentences(article.text):
        local = _mentions_in(sentence, mentions)
        if not local:
            continue
        rhetoric = score_sentence(sentence.text, resources.lexicon, resources.vader)
        if rhetoric is None:
            continue
        directions = attribute(sentence.text, local, rhetoric.cues) or _fallback(local, main_pair)
        statements.extend(_statement(article, sentence, rhetoric, d) for d in directions)
    return tuple(statements)


def _mentions_in(sentence: Sentence, mentions: tuple[Mention, ...]) -> tuple[Mention, ...]:
    return tuple(
        replace(m, start=m.start - sentence.start, end=m.end - sentence.start)
        for m in mentions
        if sentence.start <= m.start and m.end <= sentence.end
    )


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
    return [Direction(named, other, False, "article-pair", CONFIDENCE["article-pair"])]


def _statement(article: Article, sentence: Sentence, rhetoric: Rhetoric, d: Direction) -> Statement:
    return Statement(
        article_id=article.id, sentence_index=sentence.index, sentence=sentence.text,
        source=d.source, target=d.target, directed=d.directed,
        hostility=rhetoric.hostility, cooperation=rhetoric.cooperation,
        category=rhetoric.category, rule=d.rule, confidence=d.confidence,
        cues=rhetoric.cues, vader_compound=rhetoric.vader_compound,
        quote=rhetoric.quote, date=article.date,
    )

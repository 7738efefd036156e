"""Rhetoric of a sentence: lexicon cues with negation, hedges, intensifiers and quotes, plus VADER.

The lexicon carries the domain ("pay dearly" is a threat; VADER rates it mildly). VADER is one
signal, the arbiter of mixed sentences: where cues pull both ways ("condemned the strike but offered
talks"), its reading of the words around the strongest cue moves each side by up to VADER_SHARE.
Where all cues agree it could not change the verdict, so it is not run (four sentences in five: it
was the slowest step). A sentence with no cue gets no score at all: a number that cannot show its
cues does not exist.
"""

from __future__ import annotations

import re

from pipeline.contexts import vetoed
from pipeline.lexicon import Lexicon
from pipeline.models import Cue, Rhetoric

# Quoted words: straight or curly double quotes, and single quotes that are not apostrophes
# (a single quote opens only after a non-letter and closes only before one). Every branch starts
# with its quote character, which Python's re scans for fast; a leading look-behind would be tried
# at every position.
QUOTE_SPANS = re.compile(
    r"\"([^\"]{2,400})\"|“([^”]{2,400})”|‘([^’]{2,400})’|'(?<!\w')([^']{2,400}?)'(?![\w])"
)
# Modifiers are looked for among the few words before a cue, within its clause.
WINDOW_WORDS = 5
CLAUSE_BREAK = re.compile(r"[,;:()]|\b(?:but|while|whereas|although)\b")
QUOTE_BOOST = 1.15
VADER_SHARE = 0.15  # how much of a side's score VADER may move
VADER_WINDOW_WORDS = 12
NEGATED_COOPERATION = 0.8  # share of a cooperative cue's weight kept when it is negated
# A subordinate clause after the main one: where, if, while ... (as, when, after, since, before and
# until only after a comma: without one they are most often prepositions or comparisons, "described
# the visit as a provocation", "retaliated after the attack").
SUBORDINATE_CLAUSE = re.compile(
    r"(?:,\s+|\s)(?:where|whereas|if|unless|while|because|although|though)\s"
    r"|,\s+(?:as|when|after|since|before|until)\s",
    re.IGNORECASE,
)


def lower_same_length(text: str) -> str:
    """Lower-case without changing any offset (a few characters lengthen when lowered)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def find_cues(text: str, lexicon: Lexicon) -> tuple[Cue, ...]:
    """Every lexicon term in `text`, longest first, without overlaps, with its modifiers applied.

    >>> from pipeline.lexicon import load_lexicon
    >>> [(c.term, c.negated) for c in find_cues("Seoul did not threaten Tokyo.", load_lexicon())]
    [('threaten*', True)]
    """
    lowered = lower_same_length(text).replace("’", "'")
    matches = [m for m in _matches(lowered, lexicon) if m[2].polarity != "none"]
    quotes = quote_spans(text) if matches else []
    cues = []
    for start, end, entry in matches:
        window = _window_before(lowered, start)
        negated = bool(lexicon.negation.search(window))
        hedge = _factor(lexicon.hedge_words, window, 0, len(window), lexicon.hedges)
        boost = _factor(lexicon.intensifier_words, window, 0, len(window), lexicon.intensifiers)
        quoted = any(q_start <= start < q_end for q_start, q_end in quotes)
        weight = entry.weight * hedge * boost * (QUOTE_BOOST if quoted else 1.0)
        category, polarity, turned_from = entry.category, entry.polarity, None
        if polarity == "cooperative" and lexicon.stoppers.search(window):
            # "halted economic aid", "suspended talks": cooperation withdrawn is a sanction
            category, polarity, weight = "SANCTION", "hostile", weight * NEGATED_COOPERATION
            turned_from = entry.category
        elif negated and polarity == "cooperative":
            # "would not provide support", "refused to meet": a withheld cooperation is a rejection
            category, polarity, weight = "REJECT", "hostile", weight * NEGATED_COOPERATION
            turned_from = entry.category
        elif negated:
            weight *= lexicon.negation_factor
        cues.append(
            Cue(
                term=entry.term, category=category, polarity=polarity,
                weight=round(min(weight, 1.0), 4), start=start, end=end, negated=negated,
                hedged=hedge < 1.0, intensified=boost > 1.0, quoted=quoted, turned_from=turned_from,
            )
        )
    return tuple(cues)


def score_sentence(
    text: str, lexicon: Lexicon, vader, cues: tuple[Cue, ...] | None = None
) -> Rhetoric | None:
    """Hostility and cooperation of one sentence, or None when it holds no cue.

    Pass `cues` when they are already known (find_cues), so the sentence is not scanned twice.
    """
    cues = find_cues(text, lexicon) if cues is None else cues
    if not cues:
        return None
    hostile = _noisy_or(c.weight for c in cues if c.polarity == "hostile")
    cooperative = _noisy_or(c.weight for c in cues if c.polarity == "cooperative")
    compound = None
    if hostile and cooperative:
        # Cues pull both ways: VADER, reading the words around the strongest cue, arbitrates.
        compound = vader.polarity_scores(vader_window(text, cues))["compound"]
        hostile, cooperative = _blend(hostile, -compound), _blend(cooperative, compound)
    return Rhetoric(
        hostility=round(hostile, 4), cooperation=round(cooperative, 4),
        category=_category(cues, hostile, cooperative), cues=cues,
        vader_compound=compound, quote=_quote_for(text, cues),
    )


def subordinate_clause_start(text: str, cues: tuple[Cue, ...]) -> int | None:
    """Where a subordinate clause begins after the sentence's first cue, when cues stand on both
    sides of it; else None. The cues after it tell of another event ("Serbia lifted a curfew in
    Montenegro, where 28 people have been killed in riots"): the main clause's pair is scored
    without them (pipeline.score).

    >>> from pipeline.lexicon import load_lexicon
    >>> text = "Norway will help defend Saudi Arabia if it is attacked."
    >>> subordinate_clause_start(text, find_cues(text, load_lexicon()))
    36
    """
    first = min(cue.start for cue in cues)
    clause = SUBORDINATE_CLAUSE.search(text, first)
    if clause is None or not any(cue.start >= clause.start() for cue in cues):
        return None
    return clause.start()


def vader_window(text: str, cues: tuple[Cue, ...]) -> str:
    """At most VADER_WINDOW_WORDS words around the strongest cue.

    VADER's cost grows with the square of a sentence's length (it re-reads the word list for every
    word), and the sentiment that matters sits next to the cue, not forty words away.
    """
    words = text.split()
    if len(words) <= VADER_WINDOW_WORDS:
        return text
    strongest = max(cues, key=lambda c: c.weight)
    at = len(text[: strongest.start].split())
    start = max(0, min(at - VADER_WINDOW_WORDS // 2, len(words) - VADER_WINDOW_WORDS))
    return " ".join(words[start : start + VADER_WINDOW_WORDS])


def quote_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in QUOTE_SPANS.finditer(text):
        group = next(i for i in range(1, 5) if match.group(i) is not None)
        spans.append((match.start(group), match.end(group)))
    return spans


def _matches(lowered: str, lexicon: Lexicon):
    """Longest match of any term at each place a term's first word starts; overlaps dropped."""
    found = []
    for end_index, (stem, entries) in lexicon.starts.iter(lowered):
        start = end_index - len(stem) + 1
        if start > 0 and (lowered[start - 1].isalnum() or lowered[start - 1] == "-"):
            continue
        best = None
        for entry in entries:
            match = entry.pattern.match(lowered, start)
            if not match or (entry.contexts and vetoed(lowered, start, match.end(), entry.contexts)):
                continue  # "released a statement": no release of detainees
            if best is None or match.end() > best[1]:
                best = (start, match.end(), entry)
        if best:
            found.append(best)
    kept, taken_until = [], -1
    for start, end, entry in sorted(found, key=lambda m: (m[0], m[0] - m[1])):
        if start >= taken_until:
            kept.append((start, end, entry))
            taken_until = end
    return kept


def _window_before(lowered: str, start: int) -> str:
    before = lowered[max(0, start - 80) : start]
    clause = CLAUSE_BREAK.split(before)[-1]
    return " " + " ".join(clause.split()[-WINDOW_WORDS:]) + " "


def _factor(pattern: re.Pattern[str], text: str, start: int, end: int, values: dict[str, float]) -> float:
    """The product of the factors of the distinct modifier words found in text[start:end]."""
    factor = 1.0
    for term in sorted(set(pattern.findall(text, start, end))):  # sorted: the same float every run
        factor *= values[term]
    return factor


def _noisy_or(weights) -> float:
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - weight
    return 1.0 - remaining


def _blend(lexicon_score: float, vader_signal: float) -> float:
    """Let VADER move a side it agrees with by at most VADER_SHARE; never create a side."""
    if lexicon_score <= 0:
        return 0.0
    return (1 - VADER_SHARE) * lexicon_score + VADER_SHARE * max(0.0, vader_signal)


def _category(cues: tuple[Cue, ...], hostility: float, cooperation: float) -> str:
    polarity = "hostile" if hostility >= cooperation else "cooperative"
    # A negated threat names no category ("did not threaten"); a negated offer became a REJECT.
    side = [c for c in cues if c.polarity == polarity and (not c.negated or c.category == "REJECT")]
    if not side or max(hostility, cooperation) < 0.05:
        return "NEUTRAL"
    return max(side, key=lambda c: c.weight).category


def _quote_for(text: str, cues: tuple[Cue, ...]) -> str | None:
    spans = quote_spans(text)
    if not spans:
        return None
    strongest = max(cues, key=lambda c: c.weight)
    holding = [s for s in spans if s[0] <= strongest.start < s[1]]
    start, end = (holding or spans)[0]
    # A comma closing the quoted words is the reporting sentence's ("... pay dearly," he said).
    return text[start:end].rstrip(", ") or None

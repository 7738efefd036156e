"""How a statement is written out: JSON rows for `score --format jsonl`, columns for `table`."""

from __future__ import annotations

from dataclasses import fields

from pipeline.models import Cue, Statement

CUE_FIELDS = tuple(f.name for f in fields(Cue))


def statement_row(statement: Statement) -> dict:
    """The statement as the JSON object of the command-line contract (../shared/DESIGN.md)."""
    return {
        "article_id": statement.article_id,
        "start": statement.start,
        "end": statement.end,
        "date": statement.date.isoformat() if statement.date else None,
        "sentence": statement.sentence,
        "source": statement.source,
        "target": statement.target,
        "directed": statement.directed,
        "hostility": statement.hostility,
        "cooperation": statement.cooperation,
        "tension": statement.tension,
        "category": statement.category,
        "cues": [cue_row(cue) for cue in statement.cues],
        "vader_compound": statement.vader_compound,
        "rule": statement.rule,
        "quote": statement.quote,
        "confidence": statement.confidence,
    }


def cue_row(cue: Cue) -> dict:
    """A cue as a flat dict (dataclasses.asdict deep-copies every value and costs ten times more)."""
    return {name: getattr(cue, name) for name in CUE_FIELDS}


TABLE_HEADER = f"{'date':<11} {'source':<7}{'':<4}{'target':<7}{'category':<12}{'tension':>8}  sentence"


def table_row(s: Statement) -> str:
    """One aligned line: date, source -> target (-- when undirected), category, tension, sentence."""
    day = s.date.isoformat() if s.date else "-"
    arrow = "->" if s.directed else "--"
    sentence = " ".join(s.sentence.split())
    if len(sentence) > 90:
        sentence = sentence[:87] + "..."
    return f"{day:<11} {s.source:<7}{arrow:<4}{s.target:<7}{s.category:<12}{s.tension:>+8.2f}  {sentence}"

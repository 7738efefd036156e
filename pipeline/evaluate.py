"""Scoring the system against labelled sentences, exactly as ../shared/data/README.md prescribes.

For each item, the statements of its sentence whose {source, target} is the item's pair decide:
none -> neutral; otherwise the one with the largest |tension| gives the label by its sign and, when
directed, the direction. Per-label precision / recall / F1, their macro average, and directed
conflict F1 (conflict predicted, conflict gold, direction among the gold directions).

Beside the protocol, how well words are told from deeds: the PLOVER records name their event type
in their id, and each type is verbal or material by CAMEO's quad classes (PLOVER_KINDS); the share
of those items whose deciding statement is of the same kind (pipeline.categories) is reported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipeline.categories import kind_of
from pipeline.models import Article, Statement
from pipeline.score import Resources, score_article

LABELS = ("conflict", "cooperation", "neutral")
# PLOVER's event types by the CAMEO roots they code, and CAMEO's quad classes: verbal cooperation
# (01-05) and conflict (09-13) are words, material cooperation (06-08) and conflict (14-20) deeds.
# The gold set's records use some of PLOVER's earlier names (DEMAND, DISAPPROVE, INVESTIGATE, FIGHT).
PLOVER_KINDS = {
    **dict.fromkeys(("AGREE", "CONSULT", "SUPPORT", "REQUEST", "INVESTIGATE", "DEMAND", "DISAPPROVE",
                     "ACCUSE", "REJECT", "THREATEN"), "words"),
    **dict.fromkeys(("COOPERATE", "AID", "CONCEDE", "RETREAT", "PROTEST", "MOBILIZE", "SANCTION", "COERCE",
                     "ASSAULT", "FIGHT"), "deeds"),
}
PLOVER_ID = re.compile(r"^plover_gsr:PLOVER-[A-Z0-9]+-([A-Z]+)-\d+:")


@dataclass(frozen=True)
class Prediction:
    item: dict
    label: str
    direction: tuple[str, str] | None
    statement: Statement | None


class GoldError(ValueError):
    """A labelled item that cannot be used; the message names the file and line."""


def read_gold(path: Path) -> list[dict]:
    """The labelled items of a gold JSONL file, each checked: a bad line raises GoldError."""
    items = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                items.append(_gold_item(line, f"{path}:{number}"))
    return items


def _gold_item(line: str, where: str) -> dict:
    try:
        item = json.loads(line)
    except ValueError as error:
        raise GoldError(f"{where}: broken JSON ({error.msg})") from None
    if not isinstance(item, dict) or not {"text", "pair", "label"} <= item.keys():
        raise GoldError(f"{where}: an item needs text, pair and label")
    if item["label"] not in LABELS or len(item["pair"]) != 2:
        raise GoldError(f"{where}: label must be one of {', '.join(LABELS)} and pair two codes")
    if item.get("date"):
        try:
            date.fromisoformat(str(item["date"])[:10])
        except ValueError:
            raise GoldError(f"{where}: date {item['date']!r} is not YYYY-MM-DD") from None
    item.setdefault("directions", [])
    item.setdefault("id", where)
    return item


def predict(items: list[dict], resources: Resources) -> list[Prediction]:
    by_text: dict[tuple[str, str | None], tuple[Statement, ...]] = {}
    predictions = []
    for item in items:
        key = (item["text"], item.get("date"))
        if key not in by_text:
            day = date.fromisoformat(item["date"][:10]) if item.get("date") else None
            by_text[key] = score_article(Article(id=item["id"], text=item["text"], date=day), resources)
        predictions.append(_decide(item, by_text[key]))
    return predictions


def _decide(item: dict, statements: tuple[Statement, ...]) -> Prediction:
    pair = set(item["pair"])
    matching = [s for s in statements if {s.source, s.target} == pair]
    if not matching:
        return Prediction(item, "neutral", None, None)
    best = max(matching, key=lambda s: abs(s.tension))
    label = "conflict" if best.tension > 0 else "cooperation" if best.tension < 0 else "neutral"
    direction = (best.source, best.target) if best.directed else None
    return Prediction(item, label, direction, best)


def metrics(predictions: list[Prediction]) -> dict:
    """Per-label precision, recall, F1; macro F1; directed conflict F1."""
    report: dict = {"items": len(predictions)}
    for label in LABELS:
        tp = sum(p.label == label and p.item["label"] == label for p in predictions)
        predicted = sum(p.label == label for p in predictions)
        gold = sum(p.item["label"] == label for p in predictions)
        report[label] = _prf(tp, predicted, gold)
    report["macro_f1"] = round(sum(report[label]["f1"] for label in LABELS) / len(LABELS), 4)
    directed_tp = sum(
        p.label == "conflict" and p.item["label"] == "conflict" and p.direction is not None
        and list(p.direction) in p.item["directions"]
        for p in predictions
    )
    report["directed_conflict"] = _prf(
        directed_tp, report["conflict"]["predicted"], report["conflict"]["gold"]
    )
    report["words_and_deeds"] = kind_agreement(predictions)
    return report


def gold_kind(item: dict) -> str | None:
    """"words" or "deeds" for an item whose id names its PLOVER event type; None otherwise."""
    found = PLOVER_ID.match(str(item.get("id", "")))
    return PLOVER_KINDS.get(found.group(1)) if found else None


def kind_agreement(predictions: list[Prediction]) -> dict:
    """Of the items of a known kind (gold_kind) given a statement, how many it gives that kind."""
    typed = [p for p in predictions if gold_kind(p.item)]
    scored = [p for p in typed if p.statement is not None]
    agreed = sum(kind_of(p.statement.category) == gold_kind(p.item) for p in scored)
    return {"typed": len(typed), "scored": len(scored), "agreed": agreed,
            "share": round(agreed / len(scored), 4) if scored else 0.0}


def worst_misses(predictions: list[Prediction], count: int) -> list[Prediction]:
    """Wrong predictions, the most confident ones first: those are the rules to look at."""
    wrong = [p for p in predictions if p.label != p.item["label"] or _wrong_direction(p)]
    return sorted(wrong, key=lambda p: -(abs(p.statement.tension) if p.statement else 0))[:count]


def _wrong_direction(p: Prediction) -> bool:
    return p.label == p.item["label"] == "conflict" and (
        p.direction is None or list(p.direction) not in p.item["directions"]
    )


def _prf(tp: int, predicted: int, gold: int) -> dict:
    precision = tp / predicted if predicted else 0.0
    recall = tp / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "tp": tp, "predicted": predicted, "gold": gold}


def report_lines(report: dict) -> Iterator[str]:
    """The metrics as the `evaluate` command prints them: a table, then macro F1."""
    yield f"{report['items']} items"
    yield f"{'label':<18}{'precision':>10}{'recall':>8}{'f1':>8}{'gold':>6}{'pred':>6}"
    for label in (*LABELS, "directed_conflict"):
        m = report[label]
        yield (f"{label:<18}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}"
               f"{m['gold']:>6}{m['predicted']:>6}")
    yield f"{'macro_f1':<18}{report['macro_f1']:>26.3f}"
    kinds = report["words_and_deeds"]
    if kinds["scored"]:
        yield (f"{'words_and_deeds':<18}{kinds['share']:>26.3f}  ({kinds['agreed']} of the {kinds['scored']} "
               f"PLOVER-typed items given a statement are given its kind)")


def miss_line(prediction) -> str:
    """One miss: the gold label and directions, what was predicted and why, and the text."""
    item, statement = prediction.item, prediction.statement
    got = prediction.label + (f" {'->'.join(prediction.direction)}" if prediction.direction else "")
    why = f" [{statement.rule}: {', '.join(c.term for c in statement.cues)}]" if statement else ""
    gold = item["label"] + "".join(f" {'->'.join(d)}" for d in item["directions"][:2])
    return f"MISS {item['id']}: gold {gold}; got {got}{why}\n  {item['text'][:240]}"

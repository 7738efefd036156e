"""The tables the pages show, built from what pipeline.queries reads: rankings, anomalies, quotes and
one article's statements, and that article's text with its cues marked. Pure functions over
DataFrames; the pages only lay them out (pipeline.dashboard holds the filters they are read under).
"""

from __future__ import annotations

import html

import pandas as pd

from pipeline.categories import KIND_LABELS, kind_of
from pipeline.dashboard import pair_label


def ranking_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A ranking (top dyads or movers) with the pair spelt out first and the codes dropped."""
    table = frame.assign(pair=_pairs(frame))
    return table[["pair", *(c for c in frame.columns if c not in ("source", "target", "directed"))]]


def _pairs(frame: pd.DataFrame) -> list[str]:
    """Each row's pair spelt out ("PRK → USA", "CHN – JPN" when undirected)."""
    return [pair_label(a, b, d) for a, b, d in zip(frame["source"], frame["target"], frame["directed"],
                                                  strict=True)]


def anomalies_table(anomalies: pd.DataFrame) -> pd.DataFrame:
    """Anomalous pair-days as analysts read them: the newest first (what needs a look now; a long
    period holds hundreds), the highest index first within a day, then by pair; undated last.

    >>> days = pd.to_datetime(["2019-03-01", "2024-05-02", "2024-05-02"])
    >>> flagged = pd.DataFrame({"day": days, "source": ["PRK", "USA", "RUS"], "target": ["USA", "PRK", "UKR"],
    ...                         "directed": [True, True, False], "tension_index": [2.0, 1.5, 3.0],
    ...                         "rolling_7d": [0.4, 0.3, 0.5], "statements": [3, 2, 4]})
    >>> list(anomalies_table(flagged)["pair"])
    ['RUS – UKR', 'USA → PRK', 'PRK → USA']
    """
    newest = anomalies.sort_values(["day", "tension_index", "source", "target"],
                                   ascending=[False, False, True, True])
    table = ranking_table(newest)[["day", "pair", "tension_index", "rolling_7d", "statements"]]
    return table.reset_index(drop=True)


def quotes_table(quotes: pd.DataFrame) -> pd.DataFrame:
    """The columns analysts read: date, pair, category, hostility, how the pair was found (the rule
    and its confidence, so that a weak one can be discounted), quote, outlet, link."""
    table = quotes.assign(pair=_pairs(quotes))
    return table[["day", "pair", "category", "hostility", "rule", "confidence", "excerpt", "outlet", "url",
                  "article_id"]]


# --- Evidence: highlight cues in escaped text. ---


def highlighted_text(text: str, said: pd.DataFrame) -> str:
    """The article text, HTML-escaped, with every matched cue wrapped in <mark>.

    Cue offsets are relative to their statement's start; overlapping cues merge into one mark.
    Escaping happens piece by piece, so no character of the article ever reaches the page raw.

    >>> said = pd.DataFrame({"start": [4], "cues": [[{"start": 0, "end": 5, "term": "threat*"}]]})
    >>> highlighted_text("<b> threat here", said)
    '&lt;b&gt; <mark>threa</mark>t here'
    """
    spans = sorted(_cue_spans(text, said))
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        out += [html.escape(text[at:start]), "<mark>", html.escape(text[start:end]), "</mark>"]
        at = end
    out.append(html.escape(text[at:]))
    return "".join(out).replace("\n", "  \n")


def _cue_spans(text: str, said: pd.DataFrame):
    for start, cues in zip(said.get("start", []), said.get("cues", []), strict=False):
        for cue in cues or []:
            try:
                begin, end = int(start) + int(cue["start"]), int(start) + int(cue["end"])
            except (KeyError, TypeError, ValueError):
                continue
            if 0 <= begin < end <= len(text):
                yield begin, end


def statements_table(said: pd.DataFrame) -> pd.DataFrame:
    """One article's statements as analysts read them: cues spelt out, and whether each counts in
    the words or the deeds."""
    table = said.assign(pair=_pairs(said),
                        cues=said["cues"].map(cue_terms),
                        kind=[KIND_LABELS.get(kind_of(c), "neither") for c in said["category"]])
    return table[["pair", "rule", "confidence", "category", "kind", "hostility", "cooperation", "tension",
                  "cues", "quote", "sentence"]]


def day_text(day) -> str:
    return "undated" if pd.isna(day) else pd.Timestamp(day).date().isoformat()


def cue_terms(cues) -> str:
    """'pay dearly (0.85), warn* (0.6)': the cues of one statement for a table cell."""
    return ", ".join(f"{c.get('term', '?')} ({float(c.get('weight', 0)):.2f})" for c in cues or [])

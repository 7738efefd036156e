"""What a run remembers of its input beyond one batch, in little memory: which records it found
stored as they are, and which stored articles its records state too (runner decides with them
whether a record replaces its older version).
"""

from __future__ import annotations

import pickle
import sqlite3
from dataclasses import dataclass, field

import numpy as np

from pipeline.dedupe import article_key

# Hashes held in a set before they are merged into the sorted array: a merge costs a pass over it.
MERGE_EVERY = 65_536
# Entries a SpilledMap holds in memory before it writes them out, in one executemany.
SPILL_EVERY = 4096
_MISSING = object()


class PairSet:
    """A set of tuples (here: record key, day, input hash) that only grows, held as 64-bit hashes:
    8 bytes a tuple in a
    sorted array (a tuple in a Python set costs some 200), so that a rerun of a million records
    stays flat. A pair never added is found with a chance of n in 2^64 among n pairs (one in 10^12
    at ten million), and would only keep an older version that a record replaced.

    >>> pairs = PairSet()
    >>> pairs.add(("daily-page", "2021-05-03"))
    >>> ("daily-page", "2021-05-03") in pairs, ("daily-page", "2021-05-04") in pairs
    (True, False)
    """

    def __init__(self) -> None:
        self._merged = np.empty(0, dtype=np.int64)
        self._recent: set[int] = set()

    def add(self, pair: tuple) -> None:
        self._recent.add(_hash(pair))
        if len(self._recent) >= MERGE_EVERY:
            recent = np.fromiter(self._recent, dtype=np.int64, count=len(self._recent))
            self._merged, self._recent = np.union1d(self._merged, recent), set()

    def __contains__(self, pair: tuple) -> bool:
        found = _hash(pair)
        at = int(np.searchsorted(self._merged, found))
        return found in self._recent or (at < len(self._merged) and int(self._merged[at]) == found)


def _hash(pair: tuple) -> int:
    return article_key("\0".join(map(str, pair)))  # the same 64-bit BLAKE2b that names articles


class SpilledMap:
    """A map from article id to a value, each set once (setdefault: the first value stays), that
    only grows, held in a private temporary SQLite database: on disk, deleted when closed, with a
    page cache of 2 MB. A run that imports a million stored articles again under other inputs
    (new ids or links) claims each; a dict of their provenance grew by some 0.75 KB an article.
    Values are pickled: they are the run's own rows, read back by the run alone.

    >>> held = SpilledMap()
    >>> held.setdefault("a1", {"url": "first"}); held.setdefault("a1", {"url": "second"})
    >>> held.get("a1"), "a2" in held
    ({'url': 'first'}, False)
    """

    def __init__(self) -> None:
        self._db = sqlite3.connect("")  # "" is SQLite's private temporary database
        self._db.execute("CREATE TABLE held (id TEXT PRIMARY KEY, value BLOB NOT NULL)")
        self._recent: dict[str, object] = {}

    def setdefault(self, key: str, value) -> None:
        if key in self._recent or self._held(key):
            return
        if len(self._recent) >= SPILL_EVERY:
            self._spill()
        self._recent[key] = value

    def get(self, key: str, default=None):
        if key in self._recent:
            return self._recent[key]
        row = self._held(key)
        return pickle.loads(row[0]) if row else default

    def __getitem__(self, key: str):
        found = self.get(key, _MISSING)
        if found is _MISSING:
            raise KeyError(key)
        return found

    def __contains__(self, key: str) -> bool:
        return key in self._recent or self._held(key) is not None

    def close(self) -> None:
        self._db.close()

    def _held(self, key: str) -> tuple | None:
        return self._db.execute("SELECT value FROM held WHERE id = ?", (key,)).fetchone()

    def _spill(self) -> None:
        rows = [(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
                for key, value in self._recent.items()]
        with self._db:
            self._db.executemany("INSERT INTO held (id, value) VALUES (?, ?)", rows)
        self._recent = {}


@dataclass
class RunRecall:
    """Records found stored as they are, by (key, day, input hash): such an article is stated by
    the run, and the same key reused for another article is another article, not a change. And
    stored articles that a record states too (the same text and day, from another input), by id,
    with that record's provenance: should a record replace one, it is handed over instead."""

    stated: PairSet = field(default_factory=PairSet)
    claims: SpilledMap = field(default_factory=SpilledMap)
    # Older versions that records of the run replaced, by id, with how each such record was counted.
    replacers: SpilledMap = field(default_factory=SpilledMap)

    def close(self) -> None:
        self.claims.close()
        self.replacers.close()

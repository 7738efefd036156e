"""Near-duplicate detection, so that syndicated copies of one wire story count once.

Outlets re-run a wire story with a new headline, a few edits or a credit line. Each article gets a
MinHash signature of its word 5-grams; an LSH index over the signatures finds already indexed articles
whose estimated Jaccard similarity reaches THRESHOLD, and the earliest of them is the original that a
copy is linked to.

>>> story = "Valdoria and Kestria agreed on Monday to reopen talks on the shared river, officials said."
>>> index = NearDuplicateIndex()
>>> index.add("wire-1", signature(story), (1, "wire-1"))
>>> index.original_of(signature(story.upper() + "\\n(Reporting by A. Writer)"))
'wire-1'
>>> print(index.original_of(signature("Kestria recalled its ambassador from Valdoria after a border clash.")))
None
"""

from __future__ import annotations

import re

import numpy as np
from datasketch import MinHash, MinHashLSH

# Word 5-grams: long enough that two unrelated stories on the same dyad ("the foreign ministry said
# on") share few of them, short enough that one edited word disturbs only five.
SHINGLE_WORDS = 5
# Signatures stored in the database are only comparable with ones made with the same NUM_PERM, SEED
# and SCHEME; changing any of them means re-signing every stored article.
NUM_PERM = 64
SEED = 20240601
# Pinned because datasketch 2.0 changed its default scheme (legacy -> affine32) and may again. affine64
# keeps hash values as uint64, the storage format of to_bytes, so bytes round-trip without conversion.
SCHEME = "affine64"
# Estimated Jaccard at which two articles are one story. 0.8, usual for long web pages, is too strict for
# wire copy: a 150-word story with a new headline, three edited words and a credit line scores 0.74. Among
# the 40,000 stories over 300 characters in ../shared/data/news/benchmark.jsonl.gz, pairs at 0.7-0.8 were
# mostly (74%) filed within a day of each other (versions of one story), 12% over a week apart; at 0.6-0.7
# a third were over a week apart: recurring templated reports (monthly crop forecasts, weekly shipments).
# With 64 permutations an estimate is within about +-0.06 of the true value, so pairs near it can go
# either way.
THRESHOLD = 0.7
# MinHashLSH picks its bands by weighing false positives against false negatives. Every candidate is
# checked with MinHash.jaccard anyway, so a false positive costs one comparison while a false negative
# is a copy counted twice: favour recall (12 bands of 5 rows, which find a pair at Jaccard 0.7 89% of the
# time, instead of the balanced 8 of 8, which find it 38% of the time).
LSH_WEIGHTS = (0.1, 0.9)
# Wire credit lines ("(Reporting by A; Editing by B)") name different people on each copy of one story
# and say nothing about it, so they are dropped before shingling.
CREDIT_LINE = re.compile(r"^\s*\((?:additional )?(?:reporting|writing|editing)\b[^()\n]*\)\s*$", re.I | re.M)
# Any character that is not a letter or digit (underscore included) separates words; runs of them,
# whitespace included, collapse into one space.
NON_WORD = re.compile(r"[\W_]+")
# Generating the permutations costs as much as hashing a whole article, so it is done once and shared
# by every signature (datasketch shares them the same way in MinHash.copy).
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def normalise(text: str) -> str:
    """Lower-case words separated by single spaces: punctuation, line breaks and credit lines are gone.

    >>> normalise("  Kestria's  “red line” —\\n(Reporting by A. Writer; Editing by B. Editor)")
    'kestria s red line'
    """
    return NON_WORD.sub(" ", CREDIT_LINE.sub(" ", text).lower()).strip()


def shingles(text: str) -> set[bytes]:
    """The word 5-grams of the normalised text, utf-8 encoded; a shorter text is one shingle.

    >>> sorted(shingles("Talks resume, said the ministry today."))
    [b'resume said the ministry today', b'talks resume said the ministry']
    >>> shingles("Talks resume.")
    {b'talks resume'}
    """
    words = normalise(text).split(" ")
    if len(words) < SHINGLE_WORDS:
        # A headline-sized text still needs one shingle, or every short text would look the same.
        return {" ".join(words).encode("utf-8")}
    return {
        " ".join(words[i : i + SHINGLE_WORDS]).encode("utf-8") for i in range(len(words) - SHINGLE_WORDS + 1)
    }


def signature(text: str) -> MinHash:
    """A MinHash of the text's shingles, identical for the same text in any process or run."""
    # datasketch's default hash is SHA-1 based, not Python's salted hash(), so it is stable too.
    m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, permutations=_PERMUTATIONS)
    m.update_batch(shingles(text))
    return m


def to_bytes(m: MinHash) -> bytes:
    """The signature's hash values as little-endian uint64 (8 bytes per permutation)."""
    return m.hashvalues.astype("<u8").tobytes()


def from_bytes(b: bytes) -> MinHash:
    """The signature that to_bytes stored, ready to compare with new ones.

    >>> m = signature("Kestria recalled its ambassador.")
    >>> from_bytes(to_bytes(m)).jaccard(m)
    1.0
    """
    values = np.frombuffer(b, dtype="<u8")
    return MinHash(seed=SEED, scheme=SCHEME, hashvalues=values, permutations=_PERMUTATIONS)


class NearDuplicateIndex:
    """Indexed signatures, answering "which earlier article is this one a copy of?"."""

    def __init__(self) -> None:
        self._lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, weights=LSH_WEIGHTS)
        # LSH returns only keys; verifying a candidate and ranking originals needs its signature and order.
        self._entries: dict[str, tuple[tuple, MinHash]] = {}

    def add(self, key: str, m: MinHash, order: tuple) -> None:
        """Index an article; `order` sorts originals first, e.g. (publication day or date.max, key).

        Adding a key again is a no-op (the first signature and order are kept), so re-runs are safe.
        """
        if key in self._entries:
            return
        self._lsh.insert(key, m)
        self._entries[key] = (order, m)

    def discard(self, key: str) -> None:
        """Forget an article (e.g. replaced by a newer version of itself); unknown keys are ignored."""
        if self._entries.pop(key, None) is not None:
            self._lsh.remove(key)

    def original_of(self, m: MinHash) -> str | None:
        """The earliest-ordered indexed article whose estimated Jaccard with `m` reaches THRESHOLD."""
        # LSH candidates include pairs below the threshold (by design, see LSH_WEIGHTS): verify each.
        matches = [
            (self._entries[key][0], key)
            for key in self._lsh.query(m)
            if m.jaccard(self._entries[key][1]) >= THRESHOLD
        ]
        return min(matches)[1] if matches else None

    def __len__(self) -> int:
        return len(self._entries)

"""Near-duplicate detection, so that syndicated copies of one wire story count once.

Outlets re-run a wire story with a new headline, a few edits or a credit line. Each article gets a
MinHash signature of its word 5-grams; locality-sensitive hashing (LSH) turns a signature into BANDS
bucket numbers, and two articles sharing a bucket are candidates, kept when their estimated Jaccard
similarity reaches THRESHOLD. The earliest of the matches is the original a copy is linked to.

Buckets are plain integers so that the database can index them (`store.lsh_buckets`) and a run never
holds every stored signature in memory; NearDuplicateIndex is the same search in memory, for the
articles of one batch.

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
import zlib
from datetime import date
from hashlib import blake2b

import numpy as np

# Word 5-grams: long enough that two unrelated stories on the same dyad ("the foreign ministry said
# on") share few of them, short enough that one edited word disturbs only five.
SHINGLE_WORDS = 5
# Signatures stored in the database are only comparable with ones made by the same NUM_PERM, SEED and
# hashing below; changing any of them means re-signing every stored article (a migration, as 0002 did).
NUM_PERM = 64
SEED = 20240601
# Estimated Jaccard at which two articles are one story. 0.8, usual for long web pages, is too strict for
# wire copy: a 150-word story with a new headline, three edited words and a credit line scores 0.74. Among
# the 40,000 stories over 300 characters in ../shared/data/news/benchmark.jsonl.gz, pairs at 0.7-0.8 were
# mostly (74%) filed within a day of each other (versions of one story), 12% over a week apart; at 0.6-0.7
# a third were over a week apart: recurring templated reports (monthly crop forecasts, weekly shipments).
# With 64 permutations an estimate is within about +-0.06 of the true value, so pairs near it can go
# either way.
THRESHOLD = 0.7
# A copy is filed within this many days of its original. Syndication runs within days; the same words
# later are a new report: on the benchmark corpus 3,161 of 3,718 stored copies were over a week from
# their original, nearly all short formulaic items years apart ("Celebrations held abroad", "DPRK
# ambassador to Bulgaria appointed", 1998 and 2005), whose statements were folded out of the index.
# An undated article, or original, is matched at any distance.
COPY_WINDOW_DAYS = 7
# 12 bands of 5 rows: two articles at Jaccard 0.7 share a bucket with probability 1 - (1 - 0.7^5)^12 =
# 89%, at 0.5 with 32%. Every candidate is verified, so a false candidate costs one comparison while a
# missed one is a copy counted twice: recall is favoured (8 bands of 8 would find a pair at 0.7 38% of
# the time).
BANDS, ROWS = 12, 5
# Wire credit lines ("(Reporting by A; Editing by B)") name different people on each copy of one story
# and say nothing about it, so they are dropped before shingling.
CREDIT_LINE = re.compile(r"^\s*\((?:additional )?(?:reporting|writing|editing)\b[^()\n]*\)\s*$", re.I | re.M)
# Words are runs of letters and digits; anything else (underscore included) separates them. ASCII text,
# most of the news, takes a fast path with the same result: bytes other than [a-z0-9] become spaces.
WORD = re.compile(r"[^\W_]+")
_ASCII_SEPARATORS = bytes(c if chr(c).isascii() and chr(c).isalnum() else 32 for c in range(256))

# The hash family, drawn once from SEED so that every process and run agrees. A shingle's hash mixes
# its words' CRC-32s with one odd 64-bit multiplier per position, keeping the high 32 bits; permutation i
# maps a shingle hash x to the high 32 bits of A[i] x + B[i] (mod 2^64), multiply-shift hashing. As the
# shift keeps order, the minimum is taken before shifting. numpy's uint64 arithmetic wraps mod 2^64.
_RNG = np.random.default_rng(SEED)
_POSITION_MIX = _RNG.integers(1 << 62, 1 << 63, size=SHINGLE_WORDS, dtype=np.uint64) | np.uint64(1)
_A = _RNG.integers(1 << 62, 1 << 63, size=(NUM_PERM, 1), dtype=np.uint64) | np.uint64(1)
_B = _RNG.integers(0, 1 << 63, size=(NUM_PERM, 1), dtype=np.uint64)
_HIGH = np.uint64(32)
# Shingles hashed at once: bounds the (NUM_PERM x chunk) work array for a book-length text.
_CHUNK = 8192


def words(text: str) -> list[bytes]:
    """The text's lower-case words, utf-8 encoded, credit lines left out; an empty text is one
    empty word.

    >>> words("  Kestria's  “red line” —\\n(Reporting by A. Writer; Editing by B. Editor)")
    [b'kestria', b's', b'red', b'line']
    >>> words("Ölkrise_in Kestria") == words("ölkrise in KESTRIA")
    True
    """
    text = CREDIT_LINE.sub(" ", text).lower()
    if text.isascii():
        found = text.encode("ascii").translate(_ASCII_SEPARATORS).split()
    else:
        found = [word.encode("utf-8") for word in WORD.findall(text)]
    return found or [b""]


def shingle_hashes(text: str) -> np.ndarray:
    """One 32-bit hash per word 5-gram of the text; a shorter text is one shingle.

    >>> len(shingle_hashes("Talks resume, said the ministry today.")), len(shingle_hashes("Talks resume."))
    (2, 1)
    """
    found = words(text)
    crcs = np.fromiter(map(zlib.crc32, found), dtype=np.uint64, count=len(found))
    width = min(SHINGLE_WORDS, len(found))  # a headline-sized text is still one shingle, not none
    count = len(found) - width + 1
    mixed = np.zeros(count, dtype=np.uint64)
    for position in range(width):
        mixed += crcs[position : position + count] * _POSITION_MIX[position]  # wraps mod 2^64
    return mixed >> _HIGH


def signature(text: str) -> np.ndarray:
    """The MinHash signature of the text: NUM_PERM uint32 values, the same in any process or run."""
    hashes = shingle_hashes(text)
    minima = (_A * hashes[:_CHUNK] + _B).min(axis=1)
    for start in range(_CHUNK, len(hashes), _CHUNK):
        np.minimum(minima, (_A * hashes[start : start + _CHUNK] + _B).min(axis=1), out=minima)
    return (minima >> _HIGH).astype(np.uint32)


def within_copy_window(day: date | None, other: date | None) -> bool:
    """Two days within COPY_WINDOW_DAYS, or either unknown (date.max orders undated originals last)."""
    if day is None or other is None or other == date.max:
        return True
    return abs((day - other).days) <= COPY_WINDOW_DAYS


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """The Jaccard similarity of two texts, estimated from their signatures."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def to_bytes(m: np.ndarray) -> bytes:
    """The signature as little-endian uint32 (4 bytes per permutation), as the database stores it."""
    return m.astype("<u4").tobytes()


def from_bytes(b: bytes) -> np.ndarray:
    """The signature that to_bytes stored.

    >>> m = signature("Kestria recalled its ambassador.")
    >>> jaccard(from_bytes(to_bytes(m)), m)
    1.0
    """
    return np.frombuffer(b, dtype="<u4").astype(np.uint32)


def buckets(m: np.ndarray) -> list[int]:
    """The BANDS LSH buckets of a signature, as signed 64-bit integers: a 64-bit BLAKE2b of each band's
    ROWS values, with the band number in front so that equal values in different bands do not meet."""
    return stored_buckets(to_bytes(m))


def stored_buckets(stored: bytes) -> list[int]:
    """buckets() of a signature as to_bytes stored it (the bands are hashed in that form)."""
    width = 4 * ROWS
    return [
        int.from_bytes(blake2b(bytes((band,)) + stored[band * width : (band + 1) * width], digest_size=8)
                       .digest(), "little", signed=True)
        for band in range(BANDS)
    ]


def article_key(article_id: str) -> int:
    """An article's id as a signed 64-bit integer (BLAKE2b), the name the bucket index keeps of it."""
    return int.from_bytes(blake2b(article_id.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


class NearDuplicateIndex:
    """Indexed signatures in memory, answering "which earlier article is this one a copy of?"."""

    def __init__(self) -> None:
        self._buckets: dict[int, set[str]] = {}
        # Verifying a candidate and ranking originals needs its signature and order.
        self._entries: dict[str, tuple[tuple, np.ndarray]] = {}

    def add(self, key: str, m: np.ndarray, order: tuple, bands: list[int] | None = None) -> None:
        """Index an article; `order` sorts originals first, e.g. (publication day or date.max, key);
        `bands` are buckets(m) when the caller has them already.

        Adding a key again is a no-op (the first signature and order are kept), so re-runs are safe.
        """
        if key in self._entries:
            return
        self._entries[key] = (order, m)
        for bucket in bands or buckets(m):
            self._buckets.setdefault(bucket, set()).add(key)

    def discard(self, key: str) -> None:
        """Forget an article (e.g. replaced by a newer version of itself); unknown keys are ignored."""
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        for bucket in buckets(entry[1]):
            keys = self._buckets[bucket]
            keys.discard(key)
            if not keys:
                del self._buckets[bucket]

    def matches(self, m: np.ndarray, bands: list[int] | None = None) -> list[tuple[tuple, str]]:
        """(order, key) of every indexed article whose estimated Jaccard with `m` reaches THRESHOLD."""
        candidates = set().union(*(self._buckets.get(bucket, ()) for bucket in bands or buckets(m)))
        return [(self._entries[key][0], key) for key in candidates
                if jaccard(m, self._entries[key][1]) >= THRESHOLD]

    def original_of(self, m: np.ndarray, bands: list[int] | None = None,
                    day: date | None = None, excluding: str | None = None) -> str | None:
        """The earliest-ordered indexed article whose estimated Jaccard with `m` reaches THRESHOLD and
        which was filed within COPY_WINDOW_DAYS of `day` (an article of that day), but `excluding`
        (the older version of the same record, which a new version is no copy of)."""
        found = [(order, key) for order, key in self.matches(m, bands)
                 if key != excluding and within_copy_window(day, order[0])]
        return min(found)[1] if found else None

    def __len__(self) -> int:
        return len(self._entries)

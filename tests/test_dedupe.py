"""Near-duplicate detection: syndicated copies of one story are linked, separate stories are not.

The stories are fictional and written for these tests.
"""

import os
import subprocess
import sys
from datetime import date
from itertools import permutations
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.dedupe import (
    BANDS,
    CREDIT_LINE,
    NUM_PERM,
    ROWS,
    THRESHOLD,
    WORD,
    NearDuplicateIndex,
    buckets,
    from_bytes,
    jaccard,
    shingle_hashes,
    signature,
    to_bytes,
    words,
)

REPO = Path(__file__).resolve().parents[1]

ORIGINAL = """Valdoria warns Kestria over dam on shared river

MARESK, March 4 (Wire) - Valdoria's foreign ministry on Tuesday warned neighbouring Kestria that it
would "answer any provocation" if work continued on a hydroelectric dam on the Orsa river, the latest
sign of a dispute that has simmered since the winter floods.

In a statement read on state television, spokeswoman Ilena Varga said Kestria had ignored three
requests for a joint survey of the river and accused its government of "gambling with the water of
two million people." Kestrian engineers resumed pouring concrete at the Tessin site last week.

Kestria's prime minister, Aurel Dunca, told reporters in the capital Lorvik that the dam was a
domestic matter and that his country would not be threatened. He said Kestria remained open to
talks under the 1998 river commission, which has not met in two years.

Diplomats from both countries are due at a regional water forum in Geneva next month."""

# Another outlet's run of the same wire story: its own headline, three words edited, commas added,
# lines wrapped differently and a credit line at the end.
SYNDICATED = """Kestria dismisses threats as row over Orsa dam deepens

MARESK, March 4 (Wire) - Valdoria's foreign ministry on Tuesday warned neighbouring Kestria that it would
"answer any provocation" if work continued on a hydroelectric dam on the Orsa river, the latest sign of
a dispute that has simmered since the winter floods.

In a statement read on state television, spokeswoman Ilena Varga said Kestria had ignored repeated
requests for a joint survey of the river and accused its government of "gambling with the water of
two million people." Kestrian engineers resumed pouring concrete at the Tessin site last week.

Kestria's prime minister, Aurel Dunca, told reporters in the capital, Lorvik, that the dam was a
domestic matter and that his country would not be intimidated. He said Kestria remained open to
talks under the 1998 river commission, which has not met in two years.

Envoys from both countries are due at a regional water forum in Geneva next month.

(Reporting by Petra Holm; Editing by Simon Achterberg)"""

# Same countries, same river, same officials' titles: a different event three months later.
SAME_TOPIC = """Valdoria and Kestria sign border crossing deal

LORVIK, June 12 (Wire) - Valdoria and Kestria signed an agreement on Thursday to reopen two border
crossings closed during last year's trade dispute, officials from both governments said.

Kestria's trade minister, Mira Soltan, and her Valdorian counterpart, Teodor Brak, signed the deal at
a ceremony in Lorvik attended by business leaders from both countries. Trucks will be able to use the
Hessel and Arna crossings from July, cutting journeys between the two capitals by half a day.

Brak called the agreement "a first step back to normal neighbourly relations" but said differences
over the Orsa river dam had not been resolved. Soltan said Kestria was ready to discuss the dam at the
river commission once technical studies were complete.

Exporters on both sides welcomed the deal. Freight groups said they lost millions during the closure,
when goods had to travel through a third country.

Valdoria's foreign ministry said a joint committee would review the crossings after six months."""


def index_of(*articles: tuple[str, str, tuple]) -> NearDuplicateIndex:
    index = NearDuplicateIndex()
    for key, text, order in articles:
        index.add(key, signature(text), order)
    return index


def test_dedupe_finds_syndicated_copy():
    index = index_of(("wire", ORIGINAL, (date(2025, 3, 4), "wire")))
    assert jaccard(signature(SYNDICATED), signature(ORIGINAL)) >= THRESHOLD
    assert index.original_of(signature(SYNDICATED)) == "wire"


def test_dedupe_same_topic_different_story_is_not_a_copy():
    index = index_of(("wire", ORIGINAL, (date(2025, 3, 4), "wire")))
    assert jaccard(signature(SAME_TOPIC), signature(ORIGINAL)) < 0.2
    assert index.original_of(signature(SAME_TOPIC)) is None


@pytest.mark.parametrize(
    "copy",
    [
        ORIGINAL,
        ORIGINAL.upper(),
        "  ".join(ORIGINAL.split()),
        ORIGINAL.replace('"', "“"),
        ORIGINAL + "\n\n(Writing by Petra Holm; Editing by Simon Achterberg)\n",
    ],
    ids=["verbatim", "upper-case", "rewrapped", "curly-quotes", "credit-line"],
)
def test_dedupe_exact_copy_is_found(copy):
    assert jaccard(signature(copy), signature(ORIGINAL)) == 1.0
    assert index_of(("wire", ORIGINAL, (date(2025, 3, 4), "wire"))).original_of(signature(copy)) == "wire"


@pytest.mark.parametrize(
    "text",
    ["", " \n", "Talks.", "Kestria protests", "Valdoria recalls envoy.", "Valdoria recalls its envoy today"],
)
def test_dedupe_short_text_is_matched_only_when_identical(text):
    others = ["Kestria recalls envoy.", "Valdoria recalls envoys.", "Talks resume", ORIGINAL]
    index = index_of(*[(f"other-{i}", other, (i, "")) for i, other in enumerate(others)])
    assert len(shingle_hashes(text)) == 1
    assert index.original_of(signature(text)) is None
    index.add("short", signature(text), (len(others), ""))
    assert index.original_of(signature(text)) == "short"


def test_dedupe_bytes_round_trip():
    m = signature(ORIGINAL)
    stored = to_bytes(m)
    restored = from_bytes(stored)
    assert len(stored) == 4 * NUM_PERM
    assert list(restored) == list(m)
    assert to_bytes(restored) == stored
    assert jaccard(restored, signature(SYNDICATED)) == jaccard(m, signature(SYNDICATED))
    index = index_of(("wire", ORIGINAL, (date(2025, 3, 4), "wire")))
    assert index.original_of(restored) == "wire"


COPIES = [
    ("outlet-b", SYNDICATED, (date(2025, 3, 5), "outlet-b")),
    ("wire", ORIGINAL, (date(2025, 3, 4), "wire")),
    (
        "undated",
        ORIGINAL.replace("Valdoria warns Kestria", "Valdoria threatens Kestria"),
        (date.max, "undated"),
    ),
]


@pytest.mark.parametrize("articles", list(permutations(COPIES)), ids=lambda p: ">".join(a[0] for a in p))
def test_dedupe_returns_earliest_original_whatever_the_insertion_order(articles):
    index = index_of(*articles)
    assert len(index) == 3
    for _, text, _ in COPIES:
        assert index.original_of(signature(text)) == "wire"


def test_dedupe_add_is_idempotent():
    index = index_of(("wire", ORIGINAL, (date(2025, 3, 4), "wire")))
    index.add("wire", signature(ORIGINAL), (date(2025, 3, 4), "wire"))
    index.add("wire", signature(SAME_TOPIC), (date(2025, 6, 12), "wire"))
    assert len(index) == 1
    assert index.original_of(signature(SYNDICATED)) == "wire"
    assert index.original_of(signature(SAME_TOPIC)) is None


def test_dedupe_discard_forgets_an_article_and_ignores_unknown_keys():
    index = index_of(*COPIES)
    index.discard("wire")
    index.discard("never-added")
    assert len(index) == 2
    assert index.original_of(signature(ORIGINAL)) == "outlet-b"
    index.add("wire", signature(ORIGINAL), (date(2025, 3, 4), "wire"))
    assert index.original_of(signature(ORIGINAL)) == "wire"


def test_dedupe_empty_index_finds_nothing():
    assert len(NearDuplicateIndex()) == 0
    assert NearDuplicateIndex().original_of(signature(ORIGINAL)) is None


def test_dedupe_signature_is_identical_in_another_process():
    # A different hash seed proves the signature does not depend on Python's salted str hash.
    code = "import sys, pipeline.dedupe as d; print(d.to_bytes(d.signature(sys.argv[1])).hex())"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", code, ORIGINAL], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == to_bytes(signature(ORIGINAL)).hex()


def test_dedupe_buckets_are_one_per_band_and_shared_only_by_equal_bands():
    m, copy, other = signature(ORIGINAL), signature(SYNDICATED), signature(SAME_TOPIC)
    assert len(set(buckets(m))) == BANDS
    assert buckets(m) == buckets(from_bytes(to_bytes(m)))
    shared = set(buckets(m)) & set(buckets(copy))
    equal_bands = sum(list(m[i * ROWS:(i + 1) * ROWS]) == list(copy[i * ROWS:(i + 1) * ROWS])
                      for i in range(BANDS))
    assert len(shared) == equal_bands > 0
    assert not set(buckets(m)) & set(buckets(other))


def test_dedupe_signature_of_a_long_text_is_the_minimum_over_its_parts():
    # Longer than one hashing chunk: the minimum over all shingles must not depend on the chunking.
    words = [f"w{i % 977}x{i % 13}" for i in range(20_000)]
    whole, first, second = " ".join(words), " ".join(words[:12_000]), " ".join(words[11_996:])
    assert list(signature(whole)) == list(np.minimum(signature(first), signature(second)))


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=200))
def test_dedupe_ascii_fast_path_finds_the_words_of_the_general_one(text):
    general = [word.encode() for word in WORD.findall(CREDIT_LINE.sub(" ", text).lower())] or [b""]
    assert words(text) == general


def test_dedupe_a_copy_is_filed_within_days_of_its_original():
    from datetime import timedelta

    from pipeline.dedupe import COPY_WINDOW_DAYS

    filed = date(2025, 3, 4)
    index = index_of(("wire", ORIGINAL, (filed, "wire")))
    copy, window = signature(SYNDICATED), timedelta(days=COPY_WINDOW_DAYS)
    assert index.original_of(copy, day=filed + window) == "wire"
    assert index.original_of(copy, day=filed + window + timedelta(days=1)) is None
    assert index.original_of(copy, day=filed - window - timedelta(days=1)) is None  # before it, too
    assert index.original_of(copy) == "wire"  # an undated article: any distance
    assert index_of(("undated", ORIGINAL, (date.max, "undated"))).original_of(copy, day=filed) == "undated"

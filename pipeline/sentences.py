"""Paragraph and sentence splitting.

blingfire splits about 60 times faster than pysbd here, but it ignores newlines, so paragraphs are
split first and each is handed to blingfire on its own. Offsets are kept so that every sentence can be
found again in the article text it came from. blingfire's own offsets API maps bytes to characters in
a Python loop (slower than the split itself), so sentences are found again with str.find instead,
falling back to that API only if a sentence cannot be found verbatim.
"""

from __future__ import annotations

import re
from bisect import bisect_left

import blingfire

from pipeline.models import Sentence

# A blank line (possibly with spaces) separates paragraphs; so does a single newline in pasted text,
# where each paragraph usually sits on one line.
PARAGRAPH_BREAK = re.compile(r"\n\s*")
# Sentences longer than this are almost always a failed split (tables, lists); they are cut at
# semicolons so one runaway sentence cannot pair every actor of a paragraph.
MAX_SENTENCE_CHARS = 1200
# A sentence stop (with any closing quotes) followed by a space: a paragraph without one is a single
# sentence, and most short news paragraphs are.
INNER_STOP = re.compile(r"[.!?…][\"'”’)\]]*\s")
# A boundary no splitter would dispute: a lower-case word of three letters or more, a stop, space,
# then a capital ("said. The"). Abbreviations ("Mr.", "U.S.", "p.m.") never match it. Cutting there
# first lets blingfire read only the stretches of a paragraph that matter.
# (It starts with the stop, a character class Python's re scans for fast; the look-behind is only
# tried there.)
SAFE_BOUNDARY = re.compile(r"[.!?](?<=[a-z]{3}[.!?])([\"'”’)\]]*)\s+(?=[\"'“‘(]?[A-Z])")


def paragraph_spans(text: str) -> list[tuple[int, str]]:
    """(start offset, paragraph) of every non-blank paragraph of an article's cleaned text.

    (clean.split_paragraphs, by contrast, builds that text from a raw one.)"""
    paragraphs = []
    position = 0
    for match in PARAGRAPH_BREAK.finditer(text):
        paragraphs.append((position, text[position : match.start()]))
        position = match.end()
    paragraphs.append((position, text[position:]))
    return [(start, body) for start, body in paragraphs if body.strip()]


def split_sentences(text: str) -> tuple[Sentence, ...]:
    """Split an article's cleaned text into sentences with character offsets.

    >>> [(s.paragraph, s.index, s.text) for s in split_sentences("Seoul said so. Tokyo agreed.\\n\\nNo.")]
    [(0, 0, 'Seoul said so.'), (0, 1, 'Tokyo agreed.'), (1, 0, 'No.')]
    """
    sentences: list[Sentence] = []
    for paragraph_index, (offset, paragraph) in enumerate(paragraph_spans(text)):
        sentences.extend(paragraph_sentences(paragraph, offset, paragraph_index))
    return tuple(sentences)


def paragraph_sentences(
    paragraph: str, offset: int, paragraph_index: int, wanted: list[int] | None = None
) -> list[Sentence]:
    """The sentences of one paragraph that starts at `offset` in its article.

    With `wanted` (sorted offsets into the article), only the stretches between safe boundaries
    that hold one of those offsets are split: the sentences returned are the ones that hold them.
    """
    spans = []
    for chunk_start, chunk_end in _chunks(paragraph):
        if wanted is None or _holds(wanted, offset + chunk_start, offset + chunk_end):
            chunk = paragraph[chunk_start:chunk_end]
            spans.extend((chunk_start + a, chunk_start + b) for a, b in _sentence_spans(chunk))
    return [
        Sentence(index, paragraph[start:end], offset + start, offset + end, paragraph_index)
        for index, (start, end) in enumerate(spans)
    ]


def _chunks(paragraph: str) -> list[tuple[int, int]]:
    chunks, position = [], 0
    for boundary in SAFE_BOUNDARY.finditer(paragraph):
        chunks.append((position, boundary.end(1)))
        position = boundary.end()
    chunks.append((position, len(paragraph)))
    return chunks


def _holds(sorted_offsets: list[int], start: int, end: int) -> bool:
    at = bisect_left(sorted_offsets, start)
    return at < len(sorted_offsets) and sorted_offsets[at] < end


def _sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    offsets = _find_sentences(paragraph)
    if offsets is None:
        _, offsets = blingfire.text_to_sentences_and_offsets(paragraph)
    spans = []
    for start, end in offsets:
        while end > start and paragraph[end - 1].isspace():
            end -= 1
        if end > start:
            spans.extend(_cut_runaway(paragraph, start, end))
    return spans


def _find_sentences(paragraph: str) -> list[tuple[int, int]] | None:
    if not INNER_STOP.search(paragraph):
        return [(0, len(paragraph))]  # no stop before the end: one sentence, no need to ask blingfire
    offsets, position = [], 0
    for sentence in blingfire.text_to_sentences(paragraph).split("\n"):
        start = paragraph.find(sentence, position)
        if start < 0:
            return None
        position = start + len(sentence)
        offsets.append((start, position))
    return offsets


def _cut_runaway(paragraph: str, start: int, end: int) -> list[tuple[int, int]]:
    """A span over MAX_SENTENCE_CHARS cut at semicolons, and what is still too long at the last
    space before the limit (a table or a list without stops must not make one sentence)."""
    if end - start <= MAX_SENTENCE_CHARS:
        return [(start, end)]
    spans, position = [], start
    for match in re.finditer(r";\s+", paragraph[start:end]):
        cut = start + match.start() + 1
        if cut - position >= 40:
            spans.append((position, cut))
            position = start + match.end()
    spans.append((position, end))
    return [piece for span in spans for piece in _cut_at_spaces(paragraph, *span)]


def _cut_at_spaces(paragraph: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = paragraph.rfind(" ", start + 1, start + MAX_SENTENCE_CHARS)
        cut = cut if cut > start else start + MAX_SENTENCE_CHARS
        pieces.append((start, cut))
        start = cut + 1 if paragraph[cut : cut + 1] == " " else cut
    pieces.append((start, end))
    return pieces

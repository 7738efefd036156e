"""Cleaning: boilerplate removal, paragraphs, glued sentences, and the title, date and outlet that an
article's own text states when its record did not.

    >>> from pipeline.models import Article
    >>> raw = "Advertisement\\nPublished 09:10 GMT, 2 May 2019\\nKim warns Seoul over drills\\n" \\
    ...       "Pyongyang said the drills were a provocation.It warned of a response.\\nRead more: Other news"
    >>> article = clean_article(Article(id="a", text=raw))
    >>> article.title, str(article.date)
    ('Kim warns Seoul over drills', '2019-05-02')
    >>> print(article.text)
    Kim warns Seoul over drills
    <BLANKLINE>
    Pyongyang said the drills were a provocation. It warned of a response.

The patterns describe kinds of boilerplate (trackers, adverts, share widgets, captions, related links,
bylines, agency notes, timestamps, keyword tags), not the strings of one site. Each is matched against
a whole short paragraph: a long paragraph is news, whatever words it contains.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

from pipeline.boilerplate import is_boilerplate, without_page_residue
from pipeline.datelines import find_dateline
from pipeline.models import Article

# Characters that are invisible but split or glue words: zero-width spaces and joiners, BOM, soft hyphen.
INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
# Control characters other than tab and newline; they are residue of bad conversions.
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Any run of whitespace but newlines (tabs, NBSP, thin spaces), which pasted text is full of.
# Matching only what differs from one plain space (not every space between words) is 4x faster.
SPACES = re.compile(r"[^\S\n]{2,}|[^\S\n ]")
# The same for ASCII text: tab, vertical tab and form feed become spaces, then runs of spaces one.
ASCII_BLANKS = {9: 32, 11: 32, 12: 32}
RUN_OF_SPACES = re.compile(r" {2,}")
# Some scraped feeds join paragraphs with ", ," runs ("...treaty., ,  In the middle", KCNA's
# "...field., , That day"): a paragraph break. After a stop, two commas never stand in a sentence;
# one needs two spaces after it, so that "the U.S., Japan" is left alone.
# (Written to start with a character class, not a look-behind: Python's re scans for those fast.)
COMMA_RUN_BREAK = re.compile(r"([.!?:\"”])(?:(?:[ \t]*,){2,}[ \t]*|[ \t]*,[ \t]{2,})(?=[A-Z\"“])")
# A new paragraph in hard-wrapped text (Reuters 1987 style): a blank line or an indented line.
WRAPPED_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n(?=[ \t]{2,}\S)")
# The last character of a finished line (a sentence or a heading-free paragraph), to tell a wrapped
# line from a finished one.
TERMINAL_CHARACTERS = frozenset(".!?:;\"”’')]")
# Hard-wrapped text has lines cut at one width between these; most lines (WRAP_LINE_SHARE) come
# within WRAP_WIDTH_SHARE of the longest. Any longer line means one paragraph a line.
MIN_WRAP_WIDTH, MAX_WRAPPED_LINE = 40, 100
WRAP_WIDTH_SHARE, WRAP_LINE_SHARE = 0.6, 0.6
# "Source: Reuters" names the outlet.
SOURCE_LINE = re.compile(r"^sources?\s*:\s*([^\W\d_][\w .&'-]{1,58}?)\s*$", re.IGNORECASE)
# A wire dateline opening the story: "SEOUL, Dec 21 (Reuters) - ..." names the agency.
WIRE_CREDIT = re.compile(
    r"^[A-Z][\w .,'/-]{0,60}?\((Reuters|AFP|AP|Xinhua|Yonhap|KCNA|TASS|PTI|ANI|IANS|UPI|dpa|Bloomberg"
    r"|Anadolu)\)\s*[-–—]"
)
# Headlines: a few words, starting like a sentence, not ending like one (a final "?" or "!" is fine).
HEADLINE_WORDS = (3, 25)
MAX_HEADLINE_CHARS = 200
HEADLINE_START = re.compile(r"^[\"'“‘]?[A-Z0-9]")
HEADLINE_BAD_END = re.compile(r"[.,;:]$")
CLOSING_QUOTES = "\"'”’)]"
# How many leading paragraphs may hold the title or a wire dateline.
TITLE_SEARCH_PARAGRAPHS = 3

# Glued sentences: "century.The decision" -> "century. The decision". A candidate is a stop (with
# any closing quotes) between a letter, digit or % and a capital or a quote; `_glue_cut` then checks
# the words around it, which is much faster than one regex trying every position of a long text.
# A cheap test for a stop glued to a capital. It starts with a character class, which Python's re
# scans for quickly (a pattern starting with a look-behind is tried at every position, 10x slower);
# most paragraphs fail it, and the full GLUE_POINT pattern is then not run at all.
GLUE_HINT = re.compile(r"[.!?][\"'”’)\]]?[\"“]?[A-Z]")
GLUE_POINT = re.compile(r"(?<=[^\W_]|%)([\"'”’)\]]?[.!?])([\"'”’)\]]?)(?=[\"“]?[A-Z])")
# The token before the stop, from the last space or opening quote.
LAST_TOKEN = re.compile(r"[^\s\"'“‘(\[]*$")
# A plain number, possibly a decade or a share ("by 2030.The", "in the 1950s.When", "up 5%.Prices");
# "No.1" and "1.5" never qualify because the next character is not a capital.
NUMBER_TOKEN = re.compile(r"\d[\d,]*(?:%|s)?")
# The next word must end at a space or punctuation (so "john.Doe@mail" stays).
WORD_AFTER = re.compile(r"[\"“]?[A-Z][\w'’-]*(?=[\s,;:!?\"”’)]|$)")
# After a number or an acronym, only a capitalised word of two or more letters ("UK.Teenagers").
CAPITALISED_AFTER = re.compile(r"[\"“]?[A-Z][a-z]+\b")
# Longest token looked at before a stop; a longer one is a URL or code, not a word.
MAX_TOKEN_CHARS = 40
WORD_MARKS = "'’-"


def clean_article(article: Article) -> Article:
    """The article with boilerplate removed, paragraphs as "\\n\\n", glued sentences repaired, and a
    missing title, date or outlet filled in from its own text when the text states them."""
    paragraphs = split_paragraphs(normalise(article.text))
    whole = "\n".join(paragraphs).lower()
    kept = [kept for paragraph in paragraphs
            if not is_boilerplate(paragraph, whole) and (kept := without_page_residue(paragraph))]
    day, moment = record_day(article), article.published_at
    if day is None:
        day, moment = find_dateline(paragraphs) or (None, moment)
    return replace(
        article,
        text="\n\n".join(repair_glued(paragraph) for paragraph in kept),
        title=tidy(article.title) or find_title(kept),
        source=tidy(article.source) or find_source(paragraphs),
        date=day,
        published_at=moment,
    )


def record_day(article: Article) -> date | None:
    """The day the record itself states (its date, or its publication time's), before cleaning: a
    day found later in the text is the same for the same text."""
    if article.date is None and article.published_at is not None:
        return article.published_at.date()
    return article.date


def day_of(article: Article) -> date | None:
    """The day clean_article gives an article: its record's, or else the dateline's in its text."""
    day = record_day(article)
    if day is None:
        day, _ = find_dateline(split_paragraphs(normalise(article.text))) or (None, None)
    return day


def normalise(text: str) -> str:
    """Unix newlines, no invisible or control characters, single spaces, no trailing spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():  # the invisible characters are all outside ASCII
        text = INVISIBLE.sub("", text)
    text = CONTROLS.sub(" ", text)
    text = COMMA_RUN_BREAK.sub("\\1\n", text)
    if " \n" not in text and "\t\n" not in text and not text[-1:].isspace():
        return text  # most texts have no trailing spaces: skip rebuilding them line by line
    return "\n".join(line.rstrip() for line in text.split("\n"))


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs, single-spaced: one a line, or unwrapped when the text is hard-wrapped."""
    if is_hard_wrapped(text):
        blocks = [block.replace("\n", " ") for block in WRAPPED_PARAGRAPH_BREAK.split(text)]
    else:
        blocks = text.split("\n")
    joined = "\n".join(blocks)
    if joined.isascii():  # the common case, done with str.translate and a literal pattern: 2x faster
        joined = RUN_OF_SPACES.sub(" ", joined.translate(ASCII_BLANKS))
    else:
        joined = SPACES.sub(" ", joined)
    paragraphs = (block.strip() for block in joined.split("\n"))
    return [paragraph for paragraph in paragraphs if paragraph]


def is_hard_wrapped(text: str) -> bool:
    """True when lines were cut at a fixed width: most lines near one width, many ending mid-sentence.

    A paste with one short paragraph a line (headline, dateline, byline) is not hard-wrapped: its
    lengths vary widely.
    """
    lines = [line.strip() for line in text.split("\n")]
    lengths = [len(line) for line in lines if line]
    if len(lengths) < 4:
        return False
    widest = max(lengths)
    if not MIN_WRAP_WIDTH <= widest <= MAX_WRAPPED_LINE:
        return False
    near_width = sum(1 for length in lengths if length >= WRAP_WIDTH_SHARE * widest)
    if near_width < WRAP_LINE_SHARE * len(lengths):
        return False  # decided without looking at how lines end
    open_ends = sum(1 for line, following in zip(lines, lines[1:], strict=False)
                    if line and following and line[-1] not in TERMINAL_CHARACTERS)
    return open_ends * 3 >= len(lengths)


def find_title(paragraphs: list[str]) -> str | None:
    """The first headline-like paragraph among the first few, or None."""
    for paragraph in paragraphs[:TITLE_SEARCH_PARAGRAPHS]:
        if is_headline(paragraph):
            return paragraph
    return None


def is_headline(line: str) -> bool:
    """Short, starting like a sentence and not ending with a full stop, comma or colon."""
    words = len(line.split())
    return (
        HEADLINE_WORDS[0] <= words <= HEADLINE_WORDS[1]
        and len(line) <= MAX_HEADLINE_CHARS
        and HEADLINE_START.match(line) is not None
        and HEADLINE_BAD_END.search(line.rstrip(CLOSING_QUOTES)) is None
    )


def find_source(paragraphs: list[str]) -> str | None:
    """The outlet when the text states it: a "Source:" line, or a wire dateline "(Reuters) -"."""
    for paragraph in paragraphs:
        found = SOURCE_LINE.match(paragraph)
        if found:
            return found.group(1)
    for paragraph in paragraphs[:TITLE_SEARCH_PARAGRAPHS]:
        found = WIRE_CREDIT.match(paragraph)
        if found:
            return found.group(1)
    return None


def repair_glued(paragraph: str) -> str:
    """Put the missing space back between glued sentences ("century.The" -> "century. The").

    The word before the stop must end in two lower-case letters, or be an acronym or a number, so
    that "U.S.", "e.g.", "Mr.Smith", "No.1", "1.5" and "news.bbc.Co" stay as they are. A straight
    double quote after the stop closes a quotation when an odd number of them came before it.

    >>> repair_glued('It ended.The U.S. and e.g. Mr.Smith of No.1 saw example.com/Page by 2030.Then.')
    'It ended. The U.S. and e.g. Mr.Smith of No.1 saw example.com/Page by 2030. Then.'
    >>> repair_glued('He said "no."The BBC.It was done."Now," she said.')
    'He said "no." The BBC. It was done. "Now," she said.'
    """
    pieces, done = [], 0
    for stop in _glue_points(paragraph):
        cut = _glue_cut(paragraph, stop)
        if cut is not None:
            pieces += [paragraph[done:cut], " "]
            done = cut
    return "".join(pieces) + paragraph[done:] if pieces else paragraph


def _glue_points(paragraph: str) -> Iterator[re.Match[str]]:
    """GLUE_POINT matches, tried only where the fast GLUE_HINT found a stop glued to a capital."""
    for hint in GLUE_HINT.finditer(paragraph):
        at = hint.start()
        if at > 0 and paragraph[at - 1] in CLOSING_QUOTES:
            at -= 1  # a closing quote before the stop belongs to the candidate ('"no".The')
        stop = GLUE_POINT.match(paragraph, at)
        if stop:
            yield stop


def _glue_cut(paragraph: str, stop: re.Match[str]) -> int | None:
    """Where to insert the missing space at a candidate stop, or None when it is not glued."""
    window = paragraph[max(0, stop.start() - MAX_TOKEN_CHARS - 1) : stop.start()]
    token = LAST_TOKEN.search(window).group(0)  # type: ignore[union-attr]
    word = token.rstrip(CLOSING_QUOTES)
    if len(token) > MAX_TOKEN_CHARS or not word:
        return None
    if word[-2:].isalpha() and word[-2:].islower() and all(c.isalpha() or c in WORD_MARKS for c in word):
        follows = WORD_AFTER.match(paragraph, stop.end())
    elif (word.isalpha() and word.isupper() and len(word) > 1) or NUMBER_TOKEN.fullmatch(word):
        follows = CAPITALISED_AFTER.match(paragraph, stop.end())
    else:
        return None
    if follows is None:
        return None
    if stop.group(2) == '"' and paragraph.count('"', 0, stop.end(1)) % 2 == 0:
        return stop.end(1)  # the quote opens the next sentence: 'done."Now' -> 'done. "Now'
    return stop.end()


def tidy(value: str | None) -> str | None:
    """A metadata string on one line with single spaces and no control characters, or None if blank."""
    if value is None:
        return None
    return SPACES.sub(" ", CONTROLS.sub(" ", INVISIBLE.sub("", value))).strip() or None

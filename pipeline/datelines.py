"""Publication dates: from record fields ("2019-12-21T17:30:00+05:30") and from datelines in pasted text
("Published 17:30 IST, December 21st 2019").

A date is only ever read, never guessed: a missing or impossible date (2019-02-30) gives None, and a
time without a known zone stays naive rather than being assumed UTC. The day kept is the day in the
outlet's own zone (17:30 IST on 21 December is 21 December, although it is still 12:00 UTC).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

from dateutil import parser as dateutil_parser

# Zone abbreviations seen in news datelines, as offsets in seconds for dateutil's `tzinfos`. Fixed
# offsets are right here because a dateline names the offset it means: "EDT" is -4 whatever the day.
# Ambiguous names (CST: US central or China; AST: Arabia or Atlantic) take the reading common in
# English-language news; unknown names are ignored and leave the time naive.
HOUR = 3600
TZINFOS: dict[str, int] = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0,
    "BST": HOUR, "CET": HOUR, "WEST": HOUR, "WAT": HOUR,
    "CEST": 2 * HOUR, "EET": 2 * HOUR, "SAST": 2 * HOUR, "CAT": 2 * HOUR, "IST": 5 * HOUR + 1800,
    "EEST": 3 * HOUR, "MSK": 3 * HOUR, "AST": 3 * HOUR, "EAT": 3 * HOUR, "TRT": 3 * HOUR,
    "IRST": 3 * HOUR + 1800, "GST": 4 * HOUR, "AFT": 4 * HOUR + 1800, "PKT": 5 * HOUR,
    "NPT": 5 * HOUR + 2700, "BDT": 6 * HOUR, "ICT": 7 * HOUR, "WIB": 7 * HOUR,
    "HKT": 8 * HOUR, "SGT": 8 * HOUR, "PHT": 8 * HOUR, "AWST": 8 * HOUR, "BJT": 8 * HOUR,
    "JST": 9 * HOUR, "KST": 9 * HOUR, "PYT": 9 * HOUR, "AEST": 10 * HOUR, "AEDT": 11 * HOUR,
    "NZST": 12 * HOUR, "NZDT": 13 * HOUR,
    "EST": -5 * HOUR, "EDT": -4 * HOUR, "CST": -6 * HOUR, "CDT": -5 * HOUR,
    "MST": -7 * HOUR, "MDT": -6 * HOUR, "PST": -8 * HOUR, "PDT": -7 * HOUR,
}  # fmt: skip

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"[0-3]?\d(?:st|nd|rd|th)?"
# A wire dateline opening a sentence, in the shape that marks one: a place in capitals, then a date
# or the agency in brackets, then a dash ("SEOUL, Dec 21 (Reuters) - ", "YEREVAN/BAKU, Sept 29 - ",
# "KYIV, Ukraine (AP) — "). Capitals and a dash alone are no dateline: "U.S. - China talks", "NATO -
# the alliance ...", "KCNA, the North's news agency, said: ..." open with who acts or speaks. (Key
# quotes drop it from the sentences they show; actors.DATELINE, which keeps places from being taken
# for actors, is broader, as that job wants.)
WIRE_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’/ -]{1,40}?"
    rf"(?:,\s(?i:{_MONTH})\.?\s{_DAY}(?:\s\([^)\n]{{1,40}}\))?"  # a date, perhaps the agency
    r"|(?:,(?:\s[A-Z][\w.'’-]*){1,3})?\s\([^)\n]{1,40}\))"  # the agency, perhaps a region first
    r"\s?[-–—]\s"
)
_YEAR = r"(?:1[89]|20)\d{2}"
# A calendar date in the three shapes outlets print: "December 21st 2019" / "Dec. 21, 2019",
# "21 Dec 2019" / "21st of December, 2019", and ISO "2019-12-21".
DATE_PATTERN = re.compile(
    rf"\b(?:{_MONTH}\.?\s+{_DAY},?\s+{_YEAR}|{_DAY}\s+(?:of\s+)?{_MONTH}\.?,?\s+{_YEAR}"
    rf"|{_YEAR}-[01]\d-[0-3]\d)\b",
    re.IGNORECASE,
)
# A clock time with optional am/pm and zone: "17:30 IST", "9:10 a.m. EDT", "09:10:00 +0530",
# "10:00 (GMT)". Zone names are upper case so that a following word ("17:30 Pyongyang") is not one.
TIME_PATTERN = re.compile(
    r"\b([0-2]?\d:[0-5]\d(?::[0-5]\d)?)(?:\s*((?i:[ap]\.?m\.?)))?"
    r"(?:\s*\(?(?:(?:GMT|UTC)?\s*([+-](?:[01]\d|2[0-3]):?[0-5]\d)|\b([A-Z]{1,5})\b)\)?)?"
)
# Ordinals and "of" that dateutil reads poorly ("21st of December").
ORDINAL_NOISE = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b|\bof\b|(?<=[A-Za-z])\.", re.IGNORECASE)
# Words that may surround a dateline without making it prose; used to tell a dateline line
# ("Updated: Saturday, 21 Dec 2019, 09:10 GMT") from a sentence that merely contains a date.
DATELINE_WORDS = re.compile(
    r"\b(?:first|last|published|posted|updated|modified|edited|created|dated?|time|on|at|"
    r"mon|tue|wed|thu|fri|sat|sun)[a-z]*\b",
    re.IGNORECASE,
)
# Which of several datelines to trust: the original publication over a later update.
PUBLISHED_HINT = re.compile(r"\b(?:published|posted|dated?)\b", re.IGNORECASE)
UPDATED_HINT = re.compile(r"\b(?:updated|modified|edited)\b", re.IGNORECASE)
DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
ANY_WORD_OR_DIGIT = re.compile(r"[^\W_]")
# Datelines are short lines; a date inside a long paragraph is news content, not the dateline.
MAX_DATELINE_CHARS = 120
# Datelines sit near the top; counted in non-blank lines.
DATELINE_SEARCH_LINES = 15

DateAndMoment = tuple[date | None, datetime | None]


def parse_date_value(value: object) -> DateAndMoment:
    """A record's `date` field as (day, timestamp); (None, None) when absent or impossible.

    >>> parse_date_value("2019-12-21T17:30:00+05:30")[0]
    datetime.date(2019, 12, 21)
    >>> parse_date_value("2019-02-30")
    (None, None)
    """
    if not isinstance(value, str) or not value.strip():
        return None, None
    text = value.strip()
    if DATE_ONLY.fullmatch(text):
        try:
            return date.fromisoformat(text), None
        except ValueError:
            return None, None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return parse_dateline(text) or (None, None)
    # "20191221" is ISO too, but carries no time: keep no timestamp rather than an invented midnight.
    return moment.date(), moment if ":" in text else None


def parse_dateline(line: str) -> tuple[date, datetime | None] | None:
    """The date (and time, when given) written in one line of text, or None.

    >>> parse_dateline("Published 17:30 IST, December 21st 2019")[1].isoformat()
    '2019-12-21T17:30:00+05:30'
    """
    found = DATE_PATTERN.search(line)
    if found is None:
        return None
    day_text = ORDINAL_NOISE.sub(" ", found.group(0))
    clock = TIME_PATTERN.search(line)
    try:
        day = dateutil_parser.parse(day_text, default=datetime(2000, 1, 1)).date()
        if clock is None:
            return day, None
        stamp = " ".join(part for part in _clock_parts(clock) if part)
        moment = dateutil_parser.parse(f"{day.isoformat()} {stamp}", tzinfos=TZINFOS)
    except (ValueError, OverflowError):
        # dateutil raises ParserError (a ValueError) for impossible dates such as 30 February.
        return None
    return day, moment


def _clock_parts(clock: re.Match[str]) -> tuple[str, str, str]:
    time_text, meridiem, offset, zone = clock.groups()
    meridiem = (meridiem or "").replace(".", "")
    if zone and zone.upper() in TZINFOS:
        return time_text, meridiem, zone.upper()
    return time_text, meridiem, offset or ""


def is_dateline(line: str) -> bool:
    """True when a short line holds a date and nothing else but clock, zone and dateline words.

    >>> is_dateline("17:06 IST, December 21st 2019"), is_dateline("Talks resumed on 2 May 2019.")
    (True, False)
    """
    if len(line) > MAX_DATELINE_CHARS or not DATE_PATTERN.search(line):
        return False
    rest = DATE_PATTERN.sub(" ", line)
    rest = TIME_PATTERN.sub(" ", rest)
    rest = DATELINE_WORDS.sub(" ", rest)
    return ANY_WORD_OR_DIGIT.search(rest) is None


def find_dateline(lines: Iterable[str]) -> tuple[date, datetime | None] | None:
    """The publication date from the datelines near the top of an article's lines.

    A "Published"/"Posted" line wins over an undated-kind line, which wins over an "Updated" line.
    """
    best: tuple[int, tuple[date, datetime | None]] | None = None
    seen = 0
    for line in lines:
        if not line.strip():
            continue
        seen += 1
        if seen > DATELINE_SEARCH_LINES:
            break
        if not is_dateline(line):
            continue
        parsed = parse_dateline(line)
        if parsed is None:
            continue
        rank = 0 if PUBLISHED_HINT.search(line) else 2 if UPDATED_HINT.search(line) else 1
        if best is None or rank < best[0]:
            best = (rank, parsed)
    return best[1] if best else None

"""Checks on data/gazetteer/office_holders.csv: the people whose names stand for a country while in office.

A row says that each of its aliases names `code` from `start` to `end`, both days included (on a
handover day both holders count); an empty `end` means still in office. Aliases are matched
case-sensitively as whole words, so one alias must never point at two different codes on the same day.
"""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parents[1] / "data" / "gazetteer" / "office_holders.csv"
HEADER = ["code", "name", "aliases", "role", "start", "end", "note"]
ROLES = {
    "head_of_state",
    "head_of_government",
    "foreign_minister",
    "defence_minister",
    "supreme_leader",
    "org_head",
    "envoy",
}
ORGANISATIONS = {"UN", "NATO", "EU"}
OPEN_END = datetime.date.max
LAST_CHECKED_DAY = datetime.date(2026, 11, 30)  # "still in office" was judged as of this month
# ASCII spellings that would be common words: the accented alias has no ASCII twin on purpose.
NO_ASCII_TWIN = {"Store", "Ruhe"}


def read_rows() -> tuple[list[str], list[dict[str, str]]]:
    with PATH.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


HEADER_READ, ROWS = read_rows()


def parse_day(text: str) -> datetime.date:
    """A strict YYYY-MM-DD date (fromisoformat alone also accepts 20191220 and week dates)."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(f"not YYYY-MM-DD: {text!r}")
    return datetime.date.fromisoformat(text)


def span(row: dict[str, str]) -> tuple[datetime.date, datetime.date]:
    return parse_day(row["start"]), parse_day(row["end"]) if row["end"] else OPEN_END


def aliases(row: dict[str, str]) -> list[str]:
    return row["aliases"].split("|")


# Every non-ASCII letter used in the aliases, with its ASCII spelling (a test keeps this list complete).
ACCENTED = "ÁÇÉÖàáâãäåçèéêëìíñóôõöùúüăćčęğİńōőśŞşŠšũūűŽơưạảấầẩếễệịọồỗờởứĐđıłø"
PLAIN = "ACEOaaaaaaceeeeiinoooouuuaccegInoosSsSsuuuZouaaaaaeeeiooooouDdilo"
FOLD = dict(zip(ACCENTED, PLAIN, strict=True)) | {"æ": "ae"}


def ascii_fold(text: str) -> str:
    """The plain-ASCII spelling news copy uses for an accented name (Erdoğan -> Erdogan)."""
    return "".join(FOLD.get(char, char) for char in text.replace("’", "'"))


def codes_named(alias: str, day: datetime.date) -> set[str]:
    """Codes that `alias` stands for on `day`, as the matcher would resolve it."""
    found = set()
    for row in ROWS:
        start, end = span(row)
        if alias in aliases(row) and start <= day <= end:
            found.add(row["code"])
    return found


def test_header_is_exact():
    assert HEADER_READ == HEADER


def test_every_line_has_seven_fields():
    with PATH.open(encoding="utf-8", newline="") as handle:
        bad = [number for number, fields in enumerate(csv.reader(handle), 1) if len(fields) != len(HEADER)]
    assert bad == []


def test_file_is_not_trivially_small():
    assert len(ROWS) >= 500


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row['code']}-{row['name']}-{row['start']}")
def test_row_is_well_formed(row):
    assert row["role"] in ROLES
    code = row["code"]
    assert code in ORGANISATIONS or (len(code) == 3 and code.isascii() and code.isalpha() and code.isupper())
    start, end = span(row)
    assert start <= end
    assert start <= LAST_CHECKED_DAY
    assert all(value == value.strip() for value in row.values())
    names = aliases(row)
    assert all(names), "empty alias (doubled or trailing |)"
    assert all(name == name.strip() for name in names)
    assert len(names) == len(set(names)), "alias repeated in the row"
    assert row["name"] in names, "the full name must itself be an alias"
    assert row["note"], "every row says what the office is"
    assert row["role"] != "org_head" or code in ORGANISATIONS
    assert code not in ORGANISATIONS or row["role"] == "org_head"


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row['code']}-{row['name']}-{row['start']}")
def test_accented_and_apostrophe_aliases_have_their_twins(row):
    """As in the other gazetteer files: news copy drops accents and mixes straight and curly apostrophes."""
    names = set(aliases(row))
    for name in names:
        folded = ascii_fold(name)
        if folded != name and "’" not in name and folded not in NO_ASCII_TWIN:
            assert folded in names, f"{name!r} has no ASCII twin {folded!r}"
        if "'" in name:
            assert name.replace("'", "’") in names, f"{name!r} has no curly-apostrophe twin"


def test_fold_table_covers_every_accented_letter():
    letters = {char for row in ROWS for char in row["aliases"] if not char.isascii() and char != "’"}
    assert letters - set(FOLD) == set()


def test_no_alias_names_two_codes_on_the_same_day():
    spans: dict[str, list[tuple[datetime.date, datetime.date, str, str]]] = {}
    for row in ROWS:
        start, end = span(row)
        for alias in aliases(row):
            spans.setdefault(alias, []).append((start, end, row["code"], row["name"]))
    clashes = []
    for alias, entries in spans.items():
        for i, (start_a, end_a, code_a, name_a) in enumerate(entries):
            for start_b, end_b, code_b, name_b in entries[i + 1 :]:
                if code_a != code_b and start_a <= end_b and start_b <= end_a:
                    clashes.append(f"{alias}: {code_a} {name_a} / {code_b} {name_b}")
    assert clashes == []


def test_no_duplicate_or_overlapping_rows_for_one_office():
    by_office: dict[tuple[str, str, str], list[tuple[datetime.date, datetime.date]]] = {}
    for row in ROWS:
        by_office.setdefault((row["code"], row["name"], row["role"]), []).append(span(row))
    overlaps = []
    for office, terms in by_office.items():
        terms.sort()
        for (_, end), (next_start, _) in zip(terms, terms[1:], strict=False):
            if next_start < end:
                overlaps.append(office)
    assert overlaps == []


def test_at_least_forty_countries_have_a_head_of_state_or_government():
    codes = {row["code"] for row in ROWS if row["role"] in {"head_of_state", "head_of_government"}}
    assert len(codes - ORGANISATIONS) >= 40


@pytest.mark.parametrize(
    "code",
    ["USA", "RUS", "CHN", "UKR", "PRK", "KOR", "JPN", "IRN", "ISR", "PSE", "SYR", "TUR", "GBR", "FRA", "DEU"],
)
def test_big_actors_have_a_sitting_leader_and_foreign_minister(code):
    sitting = {row["role"] for row in ROWS if row["code"] == code and not row["end"]}
    assert sitting & {"head_of_state", "head_of_government", "supreme_leader"}
    assert "foreign_minister" in sitting


@pytest.mark.parametrize(
    ("alias", "day", "expected"),
    [
        ("Esper", "2019-12-20", {"USA"}),
        ("Esper", "2019-06-24", {"USA"}),
        ("Esper", "2021-06-01", set()),
        ("Trump", "2019-12-21", {"USA"}),
        ("Trump", "2025-06-01", {"USA"}),
        ("Trump", "2022-06-01", set()),
        ("Trump", "2016-11-09", set()),
        ("Zelensky", "2019-05-20", {"UKR"}),
        ("Zelenskyy", "2022-02-24", {"UKR"}),
        ("Zelensky", "2019-05-19", set()),
        ("Kim Jong Un", "2011-12-17", {"PRK"}),
        ("Kim Jong-un", "2018-06-12", {"PRK"}),
        ("Kim Jong Un", "2011-12-16", set()),
        ("Kim Jong Il", "2011-12-16", {"PRK"}),
        ("Kim Il Sung", "1987-05-01", {"PRK"}),
        ("Biegun", "2019-01-01", {"USA"}),
        ("Beigun", "2019-01-01", {"USA"}),
        ("Bush", "1990-08-02", {"USA"}),
        ("Bush", "1997-01-01", set()),
        ("Bush", "2003-03-20", {"USA"}),
        ("Clinton", "2011-01-01", {"USA"}),
        ("Putin", "1999-12-31", {"RUS"}),
        ("Gorbachev", "1987-12-08", {"RUS"}),
        ("Khamenei", "1987-01-01", {"IRN"}),
        ("Khamenei", "2020-01-08", {"IRN"}),
        ("Netanyahu", "2021-12-01", set()),
        ("Netanyahu", "2023-10-07", {"ISR"}),
        ("Assad", "2015-09-30", {"SYR"}),
        ("Assad", "2025-03-01", set()),
        ("Stoltenberg", "2010-01-01", {"NOR"}),
        ("Stoltenberg", "2020-01-01", {"NATO"}),
        ("Solana", "1997-07-08", {"NATO"}),
        ("Solana", "2003-01-01", {"EU"}),
        ("Borrell", "2019-06-01", {"ESP"}),
        ("Borrell", "2022-03-01", {"EU"}),
        ("Tusk", "2016-06-24", {"EU"}),
        ("Tusk", "2024-06-01", {"POL"}),
        ("von der Leyen", "2015-01-01", {"DEU"}),
        ("von der Leyen", "2022-03-01", {"EU"}),
        ("Ban Ki-moon", "2005-01-01", {"KOR"}),
        ("Ban Ki-moon", "2010-01-01", {"UN"}),
        ("Lavrov", "2022-02-24", {"RUS"}),
        ("Xi", "2020-01-01", {"CHN"}),
        ("Erdogan", "2010-01-01", {"TUR"}),
        ("Erdoğan", "2020-01-01", {"TUR"}),
        ("Saddam", "1990-08-02", {"IRQ"}),
        ("Arafat", "1987-12-09", {"PSE"}),
        ("Modi", "2019-02-26", {"IND"}),
    ],
)
def test_spot_checks(alias, day, expected):
    assert codes_named(alias, parse_day(day)) == expected


@pytest.mark.parametrize(
    ("alias", "code", "first_day"),
    [("Putin", "RUS", "2000-01-01"), ("Zelensky", "UKR", "2019-05-20"), ("Kim Jong Un", "PRK", "2011-12-17")],
)
def test_in_office_every_day_since(alias, code, first_day):
    terms = [span(row) for row in ROWS if alias in aliases(row) and row["code"] == code]
    day = parse_day(first_day)
    gaps = []
    while day <= LAST_CHECKED_DAY:
        if not any(start <= day <= end for start, end in terms):
            gaps.append(day)
        day += datetime.timedelta(days=1)
    assert gaps == []

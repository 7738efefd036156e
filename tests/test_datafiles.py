"""Reading the data files (pipeline.datafiles): rows named by file and line, and the mistakes of a
hand-edited CSV refused where they are, from the command line in one line."""

from __future__ import annotations

import pytest

from pipeline import actors, score
from pipeline.cli import main
from pipeline.datafiles import DataFileError, read_rows

HEADER = "code,alias,kind,note\n"


def test_datafiles_rows_are_named_by_line_and_blank_rows_skipped(tmp_path):
    path = tmp_path / "entities.csv"
    path.write_text(HEADER + "FRA,Paris,capital,\n\n,,,\nDEU,Berlin,capital,\"seat, since 1999\"\n")
    rows = read_rows(path, columns=("code", "alias"))
    lines = [(where.rsplit(":", 1)[1], row["alias"]) for where, row in rows]
    assert lines == [("2", "Paris"), ("5", "Berlin")]
    assert rows[1][1]["note"] == "seat, since 1999"


COLUMNS = ("code", "alias", "kind")


@pytest.mark.parametrize(("row", "message"), [
    ("DEU,Berlin,capital,seat, since 1999", r"entities\.csv:3: 5 fields, but the header names 4 columns"),
    ("DEU,Berlin", r"entities\.csv:3: 2 fields, but the header names 4 columns"),
    ("DEU", r"entities\.csv:3: 1 field, but the header names 4 columns"),
])
def test_datafiles_a_row_of_another_width_names_file_and_line(tmp_path, row, message):
    path = tmp_path / "entities.csv"
    path.write_text(f"{HEADER}FRA,Paris,capital,\n{row}\n")
    with pytest.raises(DataFileError, match=message):
        read_rows(path, columns=COLUMNS)


def test_datafiles_what_spreadsheets_write_is_read(tmp_path):
    """A byte-order mark, a note left out, empty padding, and rows of only commas are no mistakes."""
    path = tmp_path / "entities.csv"
    path.write_text(f"\ufeff{HEADER}FRA,Paris,capital\nDEU,Berlin,capital,,,\n,,,,,,\n", encoding="utf-8")
    rows = [row for _, row in read_rows(path, columns=COLUMNS)]
    assert [(row["code"], row["alias"], row["note"]) for row in rows] == [("FRA", "Paris", None),
                                                                          ("DEU", "Berlin", "")]


def test_datafiles_a_header_without_a_needed_column_is_refused(tmp_path):
    path = tmp_path / "entities.csv"
    path.write_text("code,alias,knd,note\nFRA,Paris,capital,\n")
    with pytest.raises(DataFileError, match=r"entities\.csv:1: the header names no column kind"):
        read_rows(path, columns=("code", "alias", "kind"))


def test_datafiles_a_bad_gazetteer_row_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    gazetteer = tmp_path / "gazetteer"
    gazetteer.mkdir()
    countries = f"{HEADER}FRA,France,name,\nDEU,Germany,name,a note, with a comma\n"
    (gazetteer / "countries.csv").write_text(countries)
    monkeypatch.setattr(score, "load_gazetteer", lambda _folder: actors.load_gazetteer(gazetteer))
    story = tmp_path / "story.txt"
    story.write_text("France warned Germany over the border.")
    assert main(["score", str(story)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {gazetteer / 'countries.csv'}:3: 5 fields, but the header names 4 columns\n"

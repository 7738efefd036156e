import pytest

from pipeline.boilerplate import without_page_residue


@pytest.mark.parametrize(("paragraph", "expected"), [
    # a title's stamp, its page suffix, and the stamp opening the summary
    ("Kyiv defiant (18.01.22 18:23) « War in Ukraine | Censor.NET. 18.01.22 18:23 - Kyiv is ready.",
     "Kyiv defiant. Kyiv is ready."),
    # a title ending with its own mark keeps it, without the suffix's stop after it
    ("Who runs the bank? (26.01.22 11:26) « Economics | Site. 26.01.22 11:26 - Nobody knows.",
     "Who runs the bank? Nobody knows."),
    # four-digit years, slashes, a comma before the time, a long dash
    ("Talks resume (03/05/2022, 9:05). 03/05/2022, 9:05 — Both sides met.", "Talks resume. Both sides met."),
    # a stamp opening the paragraph
    ("12.01.22 14:57 - Washington demanded de-escalation.", "Washington demanded de-escalation."),
])
def test_boilerplate_date_time_stamps_are_removed(paragraph, expected):
    assert without_page_residue(paragraph) == expected


@pytest.mark.parametrize("paragraph", [
    "The deadline passed on 18.01.22 at 18:23 and talks ended.",  # a date the sentence states
    "The vote on 12.01.22 14:57 - a late hour - was close.",  # not opening a sentence
    "Version 1.2.3 ran at 10:30 without fault.",  # numbers that are no date
    "Officials met at 10:30 (local time) in Geneva.",
])
def test_boilerplate_dates_and_times_in_sentences_stay(paragraph):
    assert without_page_residue(paragraph) == paragraph


@pytest.mark.parametrize(("paragraph", "expected"), [
    ("Kyiv's professionals ready to take up arms again View article",
     "Kyiv's professionals ready to take up arms again"),
    ("Moscow recalled its envoy. Read more", "Moscow recalled its envoy."),
    ("Moscow recalled its envoy. Continue reading…", "Moscow recalled its envoy."),
    ("Talks failed. Read the full story »", "Talks failed."),
])
def test_boilerplate_closing_link_labels_are_removed(paragraph, expected):
    assert without_page_residue(paragraph) == expected


@pytest.mark.parametrize("paragraph", [
    "The minister urged citizens to read more",  # a sentence may end with these words
    "View article 5 of the treaty before signing.",  # not at the end
    "Readers who see more of the report will agree. It was long.",
])
def test_boilerplate_words_like_link_labels_in_sentences_stay(paragraph):
    assert without_page_residue(paragraph) == paragraph

import pytest

from pipeline.boilerplate import without_page_residue


@pytest.mark.parametrize(
    ("pasted", "kept"),
    [
        ("Envoys meet in Geneva (18.01.22 18:23) « World | Example.NET. 18.01.22 18:23 - Talks began.",
         "Envoys meet in Geneva. Talks began."),  # and the date-time stamps
        ("Seoul warns Pyongyang « Politics | The Daily Example", "Seoul warns Pyongyang"),
        # French quotation marks close with », so a quotation is not a title's section
        ("Il a dit « non | jamais » hier.", "Il a dit « non | jamais » hier."),
        ("Markets | Seoul shares fell 3% on Monday.", "Markets | Seoul shares fell 3% on Monday."),
        # A site is one to three words ending a sentence: a pipe in the news takes no sentence with it
        ("Talks stall « World | Site Russia fired missiles at Kyiv. More follows.",
         "Talks stall « World | Site Russia fired missiles at Kyiv. More follows."),
    ],
)
def test_boilerplate_a_page_title_s_section_and_site_are_removed(pasted, kept):
    """A feed that pastes a page's <title> into its text: "Headline « Section | Site" loses the
    section and site, which are no part of the news (a section called "War in Ukraine" read as a cue)."""
    assert without_page_residue(pasted) == kept


@pytest.mark.parametrize(("paragraph", "expected"), [
    # a title's stamp, its page suffix, and the stamp opening the summary
    ("Kyiv defiant (18.01.22 18:23) « War in Ukraine | Censor.NET. 18.01.22 18:23 - Kyiv is ready.",
     "Kyiv defiant. Kyiv is ready."),
    # a title ending with its own mark keeps it, without the suffix's stop after it
    ("Who runs the bank? (26.01.22 11:26) « Economics | Site. 26.01.22 11:26 - Nobody knows.",
     "Who runs the bank? Nobody knows."),
    # only the stop a removed suffix left: "!." elsewhere in the paragraph stays
    ("Yahoo!. Il a dit « non » hier.", "Yahoo!. Il a dit « non » hier."),
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
    # a sentence's own words, not capitalised as a link's label is
    "Lawmakers have yet to read the full report.",
    "The public can view the report.",
    "Journalists were allowed to view the article",
    "He told students to continue reading.",
])
def test_boilerplate_words_like_link_labels_in_sentences_stay(paragraph):
    assert without_page_residue(paragraph) == paragraph

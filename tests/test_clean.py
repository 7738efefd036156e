"""Cleaning: boilerplate of every kind goes, real paragraphs stay, titles / dates / outlets are found."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.boilerplate import is_boilerplate
from pipeline.clean import clean_article, is_hard_wrapped, repair_glued
from pipeline.ingest import read_paths
from pipeline.models import Article

SHARED_DATA = Path(__file__).parents[2] / "shared" / "data"
SEED = SHARED_DATA / "seed" / "north-korea-us-pay-dearly-2019-12-21.txt"

FIRST = (
    "The harbour authority in Valletta said on Tuesday that the new quota rules would be enforced from "
    "the spring, despite protests by fishermen's unions."
)
SECOND = (
    "Union leaders warned that boats would block the ferry port if the ministry refused to meet them, "
    "and said talks could resume next week."
)


def article(text: str, **fields: object) -> Article:
    return Article(id="t", text=text, **fields)


def cleaned_text(*lines: str) -> str:
    return clean_article(article("\n\n".join(lines))).text


@pytest.mark.parametrize(
    "line",
    [
        "px.trackingpixel.example/doubleclick",
        "sb.scorecardresearch",
        "www.googletagmanager.com/ns.html?id=GTM-XXXX",
        "Advertisement",
        "ADVERTISEMENT",
        "Story continues below advertisement",
        "• share",
        "Share",
        "Tweet",
        "Facebook Twitter WhatsApp Email",
        "Share on Facebook",
        "Follow: Google News Icon",
        "Follow us on Telegram",
        "Google News Icon",
        "null | Image: self",
        "Image: Reuters",
        "(Photo: AP)",
        "Photo credit: Harbour Authority",
        "File photo",
        "File photo of the harbour master in 2018",
        "(Representative image)",
        "AFP via Getty Images",
        "Read - Ferry Operators Warn Of Delays",
        "Read more: Quota talks collapse in Malta",
        "Also read | Fishermen block port",
        "READ MORE",
        "Related: Harbour strike enters second week",
        "Reported by: Maria Vella",
        "Written by Joe Borg",
        "By Maria Vella",
        "By Maria Vella and Joe Borg, Harbour Times",
        "Reporting by Maria Vella; Editing by Joe Borg",
        "(With agency inputs)",
        "(With inputs from PTI)",
        "(This story has not been edited by our staff and is auto-generated from a syndicated feed.)",
        "Source: Harbour Times",
        "Tags: fishing, Malta, quotas",
        "© 2021 Harbour Times",
        "17:06 IST, December 21st 2019",
        "Published 09:10 GMT, 4 March 2021",
        "Updated: Thursday, 4 Mar 2021, 09:10 GMT",
        "Last updated on March 4, 2021 at 10:15 a.m. EST",
        "2021-03-04",
        "Subscribe to our newsletter",
    ],
)
def test_clean_removes_each_kind_of_boilerplate(line):
    assert cleaned_text(FIRST, line, SECOND) == f"{FIRST}\n\n{SECOND}"


def test_clean_removes_a_bare_keyword_tag_repeated_from_the_text():
    assert (
        cleaned_text("Fishing quotas", FIRST.replace("quota rules", "fishing quotas"), SECOND).count("\n\n")
        == 1
    )
    assert "Background" in cleaned_text("Background", FIRST)  # a subheading, not repeated in the text


@pytest.mark.parametrize(
    "line",
    [
        "By Friday, Pyongyang had still not answered the envoy's letter.",
        "Follow the money, investigators said.",
        "Google bought DoubleClick in 2007 for $3.1bn, a deal regulators later reviewed.",
        "Read the full statement, the ministry urged reporters.",
        "Share prices fell 3% in Seoul on Monday.",
        "Image rights are a matter of law, the court said.",
        "Sources said the envoy would travel to Tokyo.",
        "Advertisement spending rose sharply in 2020.",
        "North Korea-US relations",
        "Talks resumed on 2 May 2019 in Geneva after a long pause.",
        "The minister said: 'We will not be intimidated.'",
        "Tensions rise in the strait",
    ],
)
def test_clean_keeps_real_paragraphs_that_look_like_boilerplate(line):
    assert line in cleaned_text(FIRST, line, SECOND)


def test_clean_a_paragraph_that_was_only_a_title_s_section_and_site_is_gone():
    assert cleaned_text(FIRST, "« War in Ukraine | Example.NET", SECOND) == f"{FIRST}\n\n{SECOND}"


def test_clean_keeps_long_paragraphs_whatever_they_contain():
    long_paragraph = "Advertisement: " + FIRST + " " + SECOND
    assert not is_boilerplate(long_paragraph)


@pytest.mark.parametrize(
    ("glued", "repaired"),
    [
        ("since the start of the century.The decision", "since the start of the century. The decision"),
        ("he said it.Earlier this year", "he said it. Earlier this year"),
        ("could 'pay dearly'.The warning", "could 'pay dearly'. The warning"),
        ('"lovely country".The couple', '"lovely country". The couple'),
        ('he was "furious."The minister', 'he was "furious." The minister'),
        ('the talks were over."We will return," he said', 'the talks were over. "We will return," he said'),
        ("Is it over?Nobody knows.", "Is it over? Nobody knows."),
        ("told the BBC.He added", "told the BBC. He added"),
        ("by 2030.The plan", "by 2030. The plan"),
        ("in the 1950s.When", "in the 1950s. When"),
        ("déclaré.Ensuite", "déclaré. Ensuite"),
    ],
)
def test_clean_repairs_glued_sentences(glued, repaired):
    assert repair_glued(glued) == repaired


@pytest.mark.parametrize(
    "text",
    [
        "the U.S. and U.K. envoys",
        "the U.S.Navy",
        "e.g. Japan, i.e.Korea",
        "Mr.Smith and Dr.Jones",
        "ranked No.1 at 1.5 per cent",
        "see https://news.example.com/World.Html or example.org/Page",
        "write to john.Doe@example.com",
        "version 2.A was released",
        "it rose to 3.5bn",
    ],
)
def test_clean_leaves_abbreviations_urls_and_numbers_alone(text):
    assert repair_glued(text) == text


def test_clean_finds_a_missing_title_and_keeps_a_given_one():
    text = "Advertisement\n\nFishermen threaten to block ferry port\n\n" + FIRST
    assert clean_article(article(text)).title == "Fishermen threaten to block ferry port"
    assert clean_article(article(text, title="Given")).title == "Given"
    assert clean_article(article(FIRST + "\n\n" + SECOND)).title is None


@pytest.mark.parametrize(
    ("dateline", "expected_date", "offset_hours", "clock"),
    [
        ("Published 17:30 IST, December 21st 2019", date(2019, 12, 21), 5.5, (17, 30)),
        ("Updated: 21 Dec 2019, 09:10 GMT", date(2019, 12, 21), 0, (9, 10)),
        ("Dec. 21, 2019 9:10 p.m. EDT", date(2019, 12, 21), -4, (21, 10)),
        ("Posted 23:45 KST, 31 December 2019", date(2019, 12, 31), 9, (23, 45)),
        ("21st of December, 2019 at 10:00 (CET)", date(2019, 12, 21), 1, (10, 0)),
        ("Saturday 21 December 2019 08:00 MSK", date(2019, 12, 21), 3, (8, 0)),
        ("December 21, 2019", date(2019, 12, 21), None, None),
        ("2019-12-21", date(2019, 12, 21), None, None),
        ("Published 17:30, December 21, 2019", date(2019, 12, 21), None, (17, 30)),
    ],
)
def test_clean_reads_the_date_from_a_dateline(dateline, expected_date, offset_hours, clock):
    result = clean_article(article(f"Harbour talks resume\n\n{dateline}\n\n{FIRST}"))
    assert result.date == expected_date
    assert dateline not in result.text
    if clock is None:
        assert result.published_at is None
        return
    assert (result.published_at.hour, result.published_at.minute) == clock
    if offset_hours is None:
        assert result.published_at.tzinfo is None
    else:
        assert result.published_at.utcoffset() == timedelta(hours=offset_hours)


def test_clean_dates_a_late_evening_story_by_the_outlets_own_day():
    result = clean_article(article(f"Published 01:30 IST, January 1st 2020\n\n{FIRST}"))
    assert result.date == date(2020, 1, 1)
    assert result.published_at.astimezone(UTC).date() == date(2019, 12, 31)


@pytest.mark.parametrize(
    "text",
    [
        f"{FIRST}\n\n{SECOND}",
        f"Published 10:00 GMT, February 30th 2019\n\n{FIRST}",
        f"{FIRST} Talks resumed on 2 May 2019 in Geneva after a long pause, officials said.\n\n{SECOND}",
        "\n\n".join([FIRST] * 16 + ["Published 10:00 GMT, 4 March 2021"]),
    ],
)
def test_clean_never_invents_a_date(text):
    result = clean_article(article(text))
    assert result.date is None and result.published_at is None


def test_clean_prefers_the_published_dateline_and_keeps_a_given_date():
    text = f"Updated 08:00 GMT, 5 March 2021\n\nPublished 22:00 GMT, 4 March 2021\n\n{FIRST}"
    assert clean_article(article(text)).date == date(2021, 3, 4)
    given = datetime(2021, 3, 1, 12, tzinfo=UTC)
    kept = clean_article(article(text, date=date(2021, 3, 1), published_at=given))
    assert (kept.date, kept.published_at) == (date(2021, 3, 1), given)
    assert clean_article(article(FIRST, published_at=given)).date == date(2021, 3, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Source: Harbour Times\n\n{FIRST}", "Harbour Times"),
        (f"VALLETTA, March 4 (Reuters) - {FIRST}", "Reuters"),
        (FIRST, None),
    ],
)
def test_clean_finds_the_outlet_when_the_text_states_it(text, expected):
    assert clean_article(article(text)).source == expected
    assert clean_article(article(text, source="Given")).source == "Given"


def test_clean_normalises_whitespace_and_paragraph_breaks():
    raw = f"\ufeff  {FIRST}\u00a0 \r\n\r\n\r\n\t{SECOND}  \u200b\n\n\n"
    assert clean_article(article(raw)).text == f"{FIRST}\n\n{SECOND}"
    assert clean_article(article(f"{FIRST}\n{SECOND}")).text == f"{FIRST}\n\n{SECOND}"


def test_clean_splits_comma_runs_left_by_scrapers_into_paragraphs():
    assert cleaned_text(f"{FIRST}, ,  {SECOND}") == f"{FIRST}\n\n{SECOND}"
    assert cleaned_text(f"{FIRST}, , , {SECOND}") == f"{FIRST}\n\n{SECOND}"  # KCNA's, single spaces
    assert cleaned_text(f"The commentary said:, , {SECOND}") == f"The commentary said:\n\n{SECOND}"
    assert "the U.S., Japan" in cleaned_text("Envoys from the U.S., Japan and Korea met on Monday.")


def test_clean_unwraps_hard_wrapped_text():
    wrapped = (
        "The harbour authority said on Tuesday that the new quota\n"
        "rules would be enforced from the spring, despite protests\n"
        "by the fishermen's unions of the island.\n"
        "    Union leaders warned that boats would block the ferry\n"
        "port if the ministry refused to meet them next week.\n"
    )
    assert is_hard_wrapped(wrapped)
    assert clean_article(article(wrapped)).text == (
        "The harbour authority said on Tuesday that the new quota rules would be enforced from the spring, "
        "despite protests by the fishermen's unions of the island.\n\n"
        "Union leaders warned that boats would block the ferry port if the ministry refused to meet them "
        "next week."
    )
    assert not is_hard_wrapped("Advertisement\nPublished 09:10 GMT, 2 May 2019\nKim warns Seoul\n" + FIRST)


def test_clean_is_pure_and_idempotent():
    original = article(f"Advertisement\n\nHarbour talks resume\n\n{FIRST}.The end.\n\nRead more: X")
    once = clean_article(original)
    assert clean_article(original) == once
    assert clean_article(once) == once
    assert original.text.startswith("Advertisement")


def test_clean_cleans_the_shared_seed_article():
    if not SEED.exists():
        pytest.skip(f"shared data not found at {SEED}")
    [raw] = list(read_paths([SEED]))
    result = clean_article(raw)
    assert result.title == "North Korea says US could 'pay dearly' over Human Rights criticism"
    assert result.date == date(2019, 12, 21)
    assert result.published_at.utcoffset() == timedelta(hours=5, minutes=30)
    lines = result.text.split("\n\n")
    assert not any(line.startswith("Read -") for line in lines)
    for residue in (
        "Advertisement",
        "scorecardresearch",
        "Reported by",
        "Follow:",
        "Image:",
        "agency inputs",
    ):
        assert residue not in result.text
    assert not any(line.endswith("2019") for line in lines)
    long_paragraphs = [line for line in raw.text.split("\n") if len(line) > 100]
    assert len(long_paragraphs) >= 9
    for paragraph in long_paragraphs:
        assert " ".join(paragraph.split()) in result.text

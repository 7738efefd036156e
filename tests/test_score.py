from datetime import date

import pytest

from pipeline.actors import find_mentions
from pipeline.attribution import attribute
from pipeline.clean import clean_article
from pipeline.ingest import read_paths
from pipeline.models import Article, Reject
from pipeline.rhetoric import find_cues
from pipeline.score import score_article
from tests.conftest import SEED_ARTICLE, shared


@pytest.fixture(scope="module")
def seed_statements(resources):
    (article,) = [a for a in read_paths([shared(SEED_ARTICLE)]) if not isinstance(a, Reject)]
    return clean_article(article), score_article(clean_article(article), resources)


def test_score_seed_threat_is_north_korea_to_united_states(seed_statements):
    article, statements = seed_statements
    assert article.date == date(2019, 12, 21)
    threats = [
        s for s in statements
        if (s.source, s.target) == ("PRK", "USA") and s.directed and s.category == "THREATEN"
        and any(c.term == "pay dearly" for c in s.cues) and s.quote == "pay dearly"
    ]
    assert threats, "no directed PRK -> USA threat quoting 'pay dearly'"
    assert all(s.tension > 0 and s.date == date(2019, 12, 21) for s in threats)


def test_score_seed_general_assembly_condemns_north_korea(seed_statements):
    _, statements = seed_statements
    condemned = [s for s in statements if s.target == "PRK" and s.source == "UN" and s.tension > 0]
    assert condemned and any("condemned" in s.sentence for s in condemned)


def test_score_seed_has_cooperative_us_north_korea_statement(seed_statements):
    _, statements = seed_statements
    assert any({s.source, s.target} == {"USA", "PRK"} and s.tension < 0 for s in statements)


def test_score_seed_read_links_make_no_statements(seed_statements):
    article, statements = seed_statements
    assert "Read -" not in article.text
    assert not any(s.sentence.startswith("Read") for s in statements)


def test_score_every_statement_shows_its_cues(seed_statements):
    _, statements = seed_statements
    assert statements
    for s in statements:
        assert s.cues and s.source != s.target and s.rule
        assert s.sentence and 0 <= s.hostility <= 1 and 0 <= s.cooperation <= 1
        assert s.tension == pytest.approx(s.hostility - s.cooperation, abs=1e-4)


def test_score_office_holder_counts_only_in_office(resources):
    text = "Esper warned Tehran of a decisive response."
    in_office = score_article(Article("a", text, date=date(2019, 12, 20)), resources)
    after = score_article(Article("b", text, date=date(2022, 6, 1)), resources)
    assert [(s.source, s.target) for s in in_office][:1] == [("USA", "IRN")]
    assert not any(s.source == "USA" for s in after)


def test_score_single_actor_sentence_falls_back_to_the_main_pair(resources):
    text = (
        "Seoul accused Pyongyang of firing artillery. Pyongyang denied it and blamed Seoul.\n\n"
        "The spokesman warned that Seoul would regret it."
    )
    statements = score_article(Article("c", text), resources)
    fallback = [s for s in statements if s.rule == "article-pair"]
    assert fallback and not fallback[0].directed
    assert {fallback[0].source, fallback[0].target} == {"KOR", "PRK"}
    assert fallback[0].confidence < min(s.confidence for s in statements if s.rule != "article-pair")


def test_score_main_pair_stands_in_only_where_a_sentence_pairs_it(resources):
    """Two countries each named twice, never set against each other by a sentence of their own:
    a warning naming one of them is not taken to be about the other."""
    text = (
        "Seoul hosted a trade fair. Seoul said exports rose.\n\n"
        "Pyongyang held a parade. Pyongyang said the harvest was good.\n\n"
        "The spokesman warned that Seoul would regret it."
    )
    assert score_article(Article("c2", text), resources) == ()
    paired = text + "\n\nPyongyang accused Seoul of spying."
    rules = {s.rule for s in score_article(Article("c3", paired), resources)}
    assert "article-pair" in rules and rules - {"article-pair"}


@pytest.mark.parametrize(("filler_paragraphs", "falls_back"), [(1, True), (12, False)])
def test_score_main_pair_stands_in_only_near_a_sentence_that_pairs_it(resources, filler_paragraphs,
                                                                       falls_back):
    """Far (over FALLBACK_REACH characters) from where the article sets the two against each other,
    a sentence naming one of them is not taken to be about the other."""
    filler = "The weather was mild and the markets were calm all that week.\n\n" * filler_paragraphs
    text = ("Pyongyang accused Seoul of spying. Pyongyang held a parade.\n\n" + filler
            + "The spokesman warned that Seoul would regret it.")
    rules = [s.rule for s in score_article(Article("c4", text), resources)]
    assert ("article-pair" in rules) is falls_back and rules[0] != "article-pair"


def test_score_article_without_actors_is_skipped_early(resources):
    assert score_article(Article("d", "The weather was mild and markets rose."), resources) == ()


def test_score_sentence_repeated_in_one_article_is_one_statement(resources):
    threat = "Pyongyang warned Washington it would pay dearly"
    text = f"{threat}\n\n{threat.title()}.\n\nSeoul said it was calm. “{threat}.”"
    statements = score_article(Article("e", text), resources)
    assert [(s.source, s.target, s.start) for s in statements] == [("PRK", "USA", 0)]


def test_score_same_sentence_in_two_articles_counts_in_each(resources):
    text = "Pyongyang warned Washington it would pay dearly."
    twice = [score_article(Article(name, text), resources) for name in ("f", "g")]
    assert [len(statements) for statements in twice] == [1, 1]


def test_score_sentences_differing_in_words_are_both_kept(resources):
    text = ("Pyongyang warned Washington it would pay dearly. "
            "Pyongyang warned Washington it would pay dearly again.")
    statements = score_article(Article("h", text), resources)
    assert len(statements) == 2


@pytest.mark.parametrize(("text", "pair", "terms", "hostile"), [
    ("Norway pledged to help defend Saudi Arabia if it is attacked.", ("NOR", "SAU"),
     ["help", "defend"], False),
    ("Washington imposed tariffs on Ottawa, while pausing all aid to Kyiv.", ("USA", "CAN"),
     ["tariff*"], True),
    ("Serbia lifted a curfew in Montenegro, where 28 people were killed in riots.", ("SRB", "MNE"),
     ["lift* .. curfew"], False),
])
def test_score_a_pair_named_before_a_subordinate_clause_is_scored_without_its_cues(
        resources, text, pair, terms, hostile):
    (statement,) = score_article(Article("s", text), resources)[:1]
    assert (statement.source, statement.target) == pair
    assert [cue.term for cue in statement.cues] == terms and (statement.tension > 0) is hostile


@pytest.mark.parametrize(("text", "terms"), [
    ("Seoul welcomed the talks, while Pyongyang threatened Tokyo.", {"welcom*", "threaten*"}),
    # the pair named again in the clause
    ("Talks between Russia and Ukraine collapsed as Moscow shelled Kyiv.", {"talks", "shelled"}),
    # "as" without a comma is no clause
    ("China described Japan's visit to Taiwan as a provocation.", {"visit*", "provocat*"}),
])
def test_score_a_pair_named_in_the_subordinate_clause_keeps_every_cue(resources, text, terms):
    statement = score_article(Article("t", text), resources)[0]
    assert terms <= {cue.term for cue in statement.cues} and statement.tension > 0


@pytest.mark.parametrize(("text", "pair", "terms", "hostile"), [
    # the invasion is the US's own act: no cue of Peru's or Panama's
    ("Peru granted asylum to Panamanian officers who fled after the U.S. invasion.", ("PER", "PAN"),
     ["grant* .. asylum"], False),
    ("Germany sent aid to Ukraine after Russia's invasion.", ("DEU", "UKR"), ["aid"], False),
    # an act of one side of the pair is kept
    ("Ukraine thanked Germany for its help against the Russian invasion.", ("UKR", "DEU"),
     ["thank*", "help"], False),
])
def test_score_a_cue_naming_a_third_actors_act_is_left_out_of_the_pair(resources, text, pair, terms, hostile):
    (statement,) = score_article(Article("o", text), resources)
    assert (statement.source, statement.target) == pair
    assert [cue.term for cue in statement.cues] == terms and (statement.tension > 0) is hostile


def test_score_a_pair_with_only_a_third_actors_acts_is_no_statement(resources):
    text = "Peru sent Panama an envoy over the U.S. invasion."
    local = find_mentions(text, resources.gazetteer, None)
    # attribution pairs Peru with Panama; the only cue is the US's
    assert ("PER", "PAN") in {(d.source, d.target)
                              for d in attribute(text, local, find_cues(text, resources.lexicon))}
    statements = score_article(Article("n", text), resources)
    assert not [s for s in statements if {s.source, s.target} == {"PER", "PAN"}]


def test_score_what_two_sides_discuss_ends_with_its_clause(resources):
    text = "Russia and Ukraine discussed a prisoner swap but clashed again on Monday."
    statements = score_article(Article("c", text), resources)
    assert statements and all("clash*" in {c.term for c in s.cues} and s.tension > 0 for s in statements)
    text = "Jordan and Egypt discussed the situation after the attack."
    statements = score_article(Article("c", text), resources)
    assert statements and all(s.category == "CONSULT" for s in statements)


def test_score_an_act_of_a_pair_member_is_kept(resources):
    statement = score_article(Article("k", "Iran condemned the Israeli strikes on Syria."), resources)[0]
    assert (statement.source, statement.target) == ("IRN", "ISR")
    assert {"condemn*", "strikes"} <= {cue.term for cue in statement.cues}


def test_score_force_shown_jointly_is_cooperation_between_the_partners(resources):
    text = "French and Egyptian warships launched joint war games in the Mediterranean."
    statements = score_article(Article("j", text), resources)
    assert {(s.source, s.target) for s in statements} == {("FRA", "EGY"), ("EGY", "FRA")}
    assert all(s.tension < 0 and s.category == "COOPERATE" for s in statements)


def test_score_a_joint_deed_on_a_third_is_no_cooperation_with_it(resources):
    statements = score_article(Article("i", "The US and Israel launched joint strikes on Iran."), resources)
    assert {(s.source, s.target) for s in statements} == {("USA", "IRN"), ("ISR", "IRN")}
    assert all([c.term for c in s.cues] == ["strikes"] and s.tension > 0 for s in statements)


def test_score_what_two_sides_discuss_is_no_hostility_between_them(resources):
    text = "Zelensky, Macron discuss Russia's nuclear blackmail."
    statements = score_article(Article("d", text), resources)
    assert {(s.source, s.target) for s in statements} == {("UKR", "FRA"), ("FRA", "UKR")}
    assert all([c.term for c in s.cues] == ["discuss*"] and s.tension < 0 for s in statements)


def test_score_exercises_two_sides_hold_are_cooperation_between_them(resources):
    text = "Russian and Chinese warships held war games near Japan."
    statements = score_article(Article("w", text), resources)
    assert {(s.source, s.target) for s in statements} == {("RUS", "CHN"), ("CHN", "RUS")}
    assert all(s.category == "COOPERATE" and [c.turned_from for c in s.cues] == ["MOBILIZE"]
               for s in statements)

import re

import pytest

from pipeline.attribution import attribute
from pipeline.coordination import EXERCISES, RECIPROCAL_ATTACKS, TOPIC_CUES
from pipeline.lexicon import load_lexicon
from pipeline.models import Mention
from pipeline.rhetoric import find_cues

# Hand-built mentions: each actor's surface form and the code it stands for, found in the sentence by
# position, so these tests exercise attribution alone, not the gazetteer.
ACTORS = {
    "Pyongyang": "PRK", "North Korea": "PRK", "Washington": "USA", "the US": "USA", "Seoul": "KOR",
    "Tokyo": "JPN", "Iran": "IRN", "Iraq": "IRQ", "Baghdad": "IRQ", "China": "CHN", "Jordan": "JOR",
    "Britain": "GBR", "Norway": "NOR", "Saudi Arabia": "SAU", "NATO": "NATO", "Moscow": "RUS",
}


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def mentions_in(text):
    found = []
    for surface, code in ACTORS.items():
        for match in re.finditer(re.escape(surface) + r"\b", text):
            found.append(Mention(code, match.start(), match.end(), surface, "name"))
    found.sort(key=lambda m: m.start)
    return tuple(m for i, m in enumerate(found) if not any(o.start <= m.start < o.end for o in found[:i]))


def main_direction(text, lexicon):
    directions = attribute(text, mentions_in(text), find_cues(text, lexicon))
    return directions[0] if directions else None


@pytest.mark.parametrize(
    "text, source, target, rule",
    [
        ("Pyongyang has said that Washington could 'pay dearly'.", "PRK", "USA", "speaker"),
        ("North Korea's foreign ministry warned Seoul of retaliation.", "PRK", "KOR", "speaker"),
        ("China was accused by the US of hacking.", "USA", "CHN", "passive"),
        # the passive's subject is the cue's own phrase, which names the target
        ("Sanctions on Iran were imposed by the US on Monday.", "USA", "IRN", "passive"),
        ("A warning to Tokyo was issued by China.", "CHN", "JPN", "passive"),
        ("Evidence against Moscow was presented by Washington.", "USA", "RUS", "passive"),
        # a cue's noun phrase names object and agent
        ("The invasion of Iraq by the Iran forces went on.", "IRN", "IRQ", "passive"),
        ("Iran launched a new offensive against Iraq.", "IRN", "IRQ", "subject"),
        ("Norway is willing to help defend Saudi Arabia, Norway's foreign minister said.",
         "NOR", "SAU", "subject"),
        ('"Any provocation will meet a decisive response against Seoul," Pyongyang said.',
         "PRK", "KOR", "trailing"),
        ("Iran offered talks to Iraq, a newspaper in Moscow reported.", "IRN", "IRQ", "subject"),
        ("Jordan and Britain have agreed to hold joint exercises.", "JOR", "GBR", "mutual"),
        # the subject follows an opening phrase of time or cause; without an actor after it, it is in it
        ("After talks in Moscow ended, Iran attacked Iraq.", "IRN", "IRQ", "subject"),
        ("While Tokyo watched, China sanctioned Seoul.", "CHN", "KOR", "subject"),
        ("As Iran's ally, the ministry attacked Baghdad.", "IRN", "IRQ", "subject"),
        ("Under the Moscow-led plan, Iran attacked Iraq.", "IRN", "IRQ", "subject"),
        # an actor leading others acts through them ("a US-based group" is only where a group is)
        ("Moscow-led forces in Iraq shelled Iran.", "RUS", "IRN", "subject"),
        # what the subject received is the giver's act; one received after the cue is not the cue's
        ("Seoul received a message of thanks from Tokyo.", "JPN", "KOR", "subject"),
        ("Iran attacked Iraq after receiving weapons from Jordan.", "IRN", "IRQ", "subject"),
        ("Iran receives revenues from oil sales that pay for its war against Iraq.", "IRN", "IRQ", "subject"),
    ],
)
def test_attribution_rules(lexicon, text, source, target, rule):
    direction = main_direction(text, lexicon)
    assert (direction.source, direction.target, direction.rule) == (source, target, rule)
    assert direction.directed


def test_attribution_needs_two_actors_and_a_cue(lexicon):
    assert main_direction("Pyongyang threatened everyone.", lexicon) is None
    assert main_direction("Seoul and Tokyo are capitals.", lexicon) is None


def test_attribution_no_self_pairs(lexicon):
    text = "Pyongyang said North Korea would retaliate."
    assert attribute(text, mentions_in(text), find_cues(text, lexicon)) == []


def test_attribution_without_an_actor_before_the_cue_is_undirected(lexicon):
    direction = main_direction("Condemnation followed from Seoul and Tokyo.", lexicon)
    assert not direction.directed
    assert direction.rule == "undirected"
    assert {direction.source, direction.target} == {"KOR", "JPN"}


def test_attribution_fans_out_to_every_target(lexicon):
    text = "Washington imposed sanctions on Iran, Iraq and China."
    directions = attribute(text, mentions_in(text), find_cues(text, lexicon))
    assert [(d.source, d.target) for d in directions] == [("USA", "IRN"), ("USA", "IRQ"), ("USA", "CHN")]
    assert directions[0].confidence > directions[1].confidence


def test_attribution_mutual_acts_run_both_ways(lexicon):
    text = "Jordan and Britain have agreed to hold joint exercises."
    directions = attribute(text, mentions_in(text), find_cues(text, lexicon))
    assert {(d.source, d.target) for d in directions} == {("JOR", "GBR"), ("GBR", "JOR")}
    assert all(d.directed and d.rule == "mutual" for d in directions)


def test_attribution_undirected_pairs_are_in_code_order(lexicon):
    direction = main_direction("Condemnation followed from Tokyo and Seoul.", lexicon)
    assert (direction.source, direction.target, direction.directed) == ("JPN", "KOR", False)


def directions_of(text, lexicon):
    """(source, target, rule) of every direction the sentence is given."""
    directions = attribute(text, mentions_in(text), find_cues(text, lexicon))
    return {(d.source, d.target, d.rule) for d in directions}


@pytest.mark.parametrize("text", [
    "Jordan and Britain have called for a ceasefire between the rebels and the army.",
    "Norway and Britain warned that the fighting could spread.",
    "China and the US condemned the attack on the convoy.",
])
def test_attribution_actors_appealing_as_one_subject_are_no_pair(lexicon, text):
    """They address a third party, not each other: no statement between them."""
    assert directions_of(text, lexicon) == set()


def test_attribution_actors_appealing_as_one_subject_to_a_third_act_on_it(lexicon):
    directions = directions_of("Norway and Britain urged Iran to halt the strikes.", lexicon)
    assert ("GBR", "IRN", "speaker") in directions


def test_attribution_actors_saying_what_they_do_together_stay_mutual(lexicon):
    directions = directions_of("Iran and Iraq said they would sign a border agreement.", lexicon)
    assert directions == {("IRN", "IRQ", "mutual"), ("IRQ", "IRN", "mutual")}


@pytest.mark.parametrize(("text", "pair"), [
    ("Moscow and Washington accused each other of breaking the truce.", ("RUS", "USA")),
    ("Iran and Iraq have condemned one another over the shelling.", ("IRN", "IRQ")),
])
def test_attribution_each_other_runs_both_ways_whatever_the_act(lexicon, text, pair):
    assert directions_of(text, lexicon) == {(*pair, "mutual"), (*pair[::-1], "mutual")}


@pytest.mark.parametrize(("text", "expected"), [
    ("Washington's War Moves Denounced in Norway", {("NOR", "USA", "passive")}),
    ("the US and Seoul's drills denounced in Norway", {("NOR", "USA", "passive"), ("NOR", "KOR", "passive")}),
    ("Withdrawal of the US Forces from Seoul Demanded", set()),
    ("Agreement between Pyongyang and Moscow Signed", {("PRK", "RUS", "mutual"), ("RUS", "PRK", "mutual")}),
])
def test_attribution_headline_in_the_passive_is_aimed_at_what_precedes_it(lexicon, text, expected):
    """In a headline ending in words in the passive, the actors before them are what they are aimed at,
    and the place after "in" is where they were said; with no place, who spoke is not said. What two
    sides do together (signing) is read by the other rules."""
    assert directions_of(text, lexicon) == expected


def test_attribution_headline_passive_needs_a_headline_and_words(lexicon):
    """A sentence with its full stop is read by the other rules, as is a deed in the passive (the
    place names where, not who)."""
    assert directions_of("Two Norway Soldiers Killed in Iraq", lexicon) == {("NOR", "IRQ", "subject")}
    assert ("NOR", "USA", "passive") not in directions_of("Washington's plan denounced in Norway.", lexicon)


@pytest.mark.parametrize(("text", "expected"), [
    ("Tokyo Accused of Toeing Washington's Line", set()),
    ("Tokyo was criticised for siding with Washington.", set()),
    ("Tokyo was criticised for siding with Washington, Pyongyang said.", {("PRK", "JPN", "trailing")}),
    ("Pyongyang accused Tokyo of toeing Washington's line.", {("PRK", "JPN", "speaker")}),
])
def test_attribution_words_aimed_at_what_precedes_them_say_not_who_spoke(lexicon, text, expected):
    """"X Accused of ...", "X was criticised for ...": X is the target and the speaker unnamed, unless
    a closing attribution names one; in the active voice the subject speaks."""
    assert directions_of(text, lexicon) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # Only words spoken at a target make a headline passive, and only "in" a place.
    ("Seoul Protested at Tokyo", {("KOR", "JPN", "subject")}),
    ("Washington's War Moves Denounced In Norway", {("NOR", "USA", "passive")}),
    ("Washington's plan to leave Tokyo denounced in Washington", {("USA", "JPN", "passive")}),
    # A deed reported beside the words is read by the other rules.
    ("Iran's attack on Iraq slammed", {("IRN", "IRQ", "subject")}),
    ("Tokyo was accused of an attack on Seoul.", {("JPN", "KOR", "subject")}),
    # A sentence, not a headline (a closing stop, no "was"), or a clause's words, are read as before.
    ("Tokyo Accused of Toeing Washington's Line.", {("JPN", "USA", "subject")}),
    ("A court in the north of Iraq convicts two Britain soldiers accused of spying",
     {("IRQ", "GBR", "subject-first")}),
    ("Pyongyang said that Tokyo should be blamed for the tension.", {("PRK", "JPN", "speaker")}),
    # An agent named later speaks; "by" after another participle names that one's.
    ("Tokyo was criticised over the visit by Seoul and Pyongyang.", {("KOR", "JPN", "passive"),
                                                                     ("PRK", "JPN", "passive")}),
    ("Tokyo Accused of Defending Crimes Committed by Washington", set()),
    # A closing attribution names the speaker, in a headline's capitals too; co-subjects stay no pair.
    ("Tokyo Blamed for Tension with Pyongyang, Seoul Says", {("KOR", "JPN", "trailing")}),
    ("Britain and Norway urged restraint, Iran said.", set()),
])
def test_attribution_passive_rules_reach_no_further_than_they_should(lexicon, text, expected):
    assert directions_of(text, lexicon) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # co-subjects act on the object, each of them
    ("Moscow and Iran attacked Iraq.", {("RUS", "IRQ", "subject"), ("IRN", "IRQ", "subject")}),
    ("Britain and Norway condemned Iran.", {("NOR", "IRN", "speaker"), ("GBR", "IRN", "speaker")}),
    ("Britain, Norway and Jordan denounced Iran.",
     {("JOR", "IRN", "speaker"), ("GBR", "IRN", "speaker"), ("NOR", "IRN", "speaker")}),
    ("Iran and Iraq held talks with Jordan.", {("IRN", "JOR", "subject"), ("IRQ", "JOR", "subject")}),
    # a hostile deed done together to no one named is no pair; a clash is theirs on each other
    ("Moscow and Iran launched air strikes.", set()),
    ("Moscow and Iran clashed near the border.", {("RUS", "IRN", "mutual"), ("IRN", "RUS", "mutual")}),
    ("Iran and Iraq failed to reach a deal.", {("IRN", "IRQ", "mutual"), ("IRQ", "IRN", "mutual")}),
    ("Iran and Iraq traded accusations.", {("IRN", "IRQ", "mutual"), ("IRQ", "IRN", "mutual")}),
    # talks about a third are the co-subjects' own
    ("Iran and Iraq held talks on Jordan.", {("IRN", "IRQ", "mutual"), ("IRQ", "IRN", "mutual")}),
    # actors named only as places are no pair
    ("Troops in Iran and Iraq were killed.", set()),
])
def test_attribution_actors_named_together(lexicon, text, expected):
    assert directions_of(text, lexicon) == expected


def test_attribution_actors_acting_as_one_on_each_other_pair_each_with_each(lexicon):
    text = "Jordan, Britain and Norway held joint exercises."
    directions = attribute(text, mentions_in(text), find_cues(text, lexicon))
    assert {(d.source, d.target) for d in directions} == {
        (a, b) for a in ("JOR", "GBR", "NOR") for b in ("JOR", "GBR", "NOR") if a != b}
    # one pair, both ways, with the rule's confidence, first; the others with less
    assert [d.confidence for d in directions] == [0.75, 0.75] + [0.525] * 4


def test_attribution_the_terms_rules_name_are_lexicon_terms(lexicon):
    terms = {entry.term for entry in lexicon.entries}
    assert terms >= RECIPROCAL_ATTACKS | EXERCISES | TOPIC_CUES


@pytest.mark.parametrize(("text", "expected"), [
    # a deed done to the actor named first: the agent is the actor whose deed it names after it
    ("Two Norway soldiers were killed in an Iraq air strike.", {("IRQ", "NOR", "victim")}),
    ("Three Norway nationals have been expelled from Iran.", {("IRN", "NOR", "victim")}),
    # a country named only as where it happened is no agent: no pair
    ("There were ten Norway soldiers killed in Iraq today.", set()),
    ("Two Norway soldiers were killed in Iraq.", set()),
    # an active deed after an auxiliary of another clause, or in a cleft; an object that is no place
    ("Many were injured while Norway forces attacked Iraq.", {("NOR", "IRQ", "subject")}),
    ("It was Norway jets that bombed targets in Iraq.", {("NOR", "IRQ", "subject")}),
    ("Norway soldiers were prohibited from traveling to Iraq.", {("NOR", "IRQ", "subject")}),
])
def test_attribution_a_victim_in_the_passive_is_the_target(lexicon, text, expected):
    assert directions_of(text, lexicon) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # two actors opening a headline, joined by a comma, act as one subject
    ("Seoul, Tokyo hold talks in Norway.", {("KOR", "JPN", "mutual"), ("JPN", "KOR", "mutual")}),
    ("Seoul, Tokyo blame each other for the clash.", {("KOR", "JPN", "mutual"), ("JPN", "KOR", "mutual")}),
    # not an apposition, nor a list that goes on
    ("Seoul, Tokyo's neighbour, attacked Pyongyang.", {("KOR", "PRK", "subject")}),
    ("Washington, Tokyo and Seoul waged war against Pyongyang.",
     {("USA", "PRK", "subject"), ("JPN", "PRK", "subject"), ("KOR", "PRK", "subject")}),
    # what they discuss is no act of theirs on a third
    ("Seoul and Tokyo discussed the war against Pyongyang.",
     {("KOR", "JPN", "mutual"), ("JPN", "KOR", "mutual")}),
])
def test_attribution_actors_opening_a_headline_or_discussing(lexicon, text, expected):
    assert directions_of(text, lexicon) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # a verb of exchange between the subjects and the act, in any case, or "each other"
    ("Tokyo and Seoul trade accusations.", {("JPN", "KOR", "mutual"), ("KOR", "JPN", "mutual")}),
    ("Tokyo, Seoul Blame Each Other For Attack", {("JPN", "KOR", "mutual"), ("KOR", "JPN", "mutual")}),
    # one elsewhere in the sentence makes no act mutual
    ("Tokyo and Seoul sanctioned Iran's largest currency exchange.",
     {("JPN", "IRN", "subject"), ("KOR", "IRN", "subject")}),
    # after the subjects' nouns and a time; "mutual" anywhere
    ("Tokyo and Seoul troops on Monday exchanged accusations.",
     {("JPN", "KOR", "mutual"), ("KOR", "JPN", "mutual")}),
    ("Tokyo and Seoul agreed to expand mutual trade.",
     {("JPN", "KOR", "mutual"), ("KOR", "JPN", "mutual")}),
    # exercises held apart are no joint act
    ("Tokyo and Seoul held rival military exercises.", set()),
])
def test_attribution_acts_on_each_other_and_apart(lexicon, text, expected):
    assert directions_of(text, lexicon) == expected


@pytest.mark.parametrize("text", ["Iran, the Iraq ally, agreed to the plan.",
                                  "Iran, the Iraq ally, struck Jordan."])
def test_attribution_an_apposition_is_neither_a_headline_pair_nor_a_list(lexicon, text):
    directions = directions_of(text, lexicon)
    assert not any(rule == "mutual" for _, _, rule in directions)
    assert not any(source == "IRQ" for source, _, _ in directions)


@pytest.mark.parametrize(("text", "expected"), [
    # a killing whose agent is not said makes no pair, not even by a closing speaker ...
    ("A Norway soldier was killed in Iraq, Norway said.", set()),
    ("A Norway drone was shot down near Iraq.", set()),
    ("Ten Norway soldiers were killed in eastern Iraq.", set()),
    # ... nor by the sentence's other cues, whose rules would take the victim for the subject
    ("Two Norway soldiers were killed in Iraq while fighting Iran.", set()),
])
def test_attribution_a_killing_with_no_agent_said(lexicon, text, expected):
    assert directions_of(text, lexicon) == expected


def test_attribution_another_clauses_deed_is_not_the_places_own(lexicon):
    directions = directions_of("Ten Norway soldiers were killed in Iraq as Iran shelled Jordan.", lexicon)
    assert ("IRQ", "NOR", "victim") not in directions


@pytest.mark.parametrize(("text", "expected"), [
    # a clause's own subject just before its cue acts, on its object or else on the main clause's actor
    ("Iran's economy suffered as Washington sanctioned Moscow.", {("USA", "RUS", "subject")}),
    ("Ten civilians were wounded in Iraq since the Iran invasion began - Jordan.",
     {("IRN", "IRQ", "subject")}),
    # "as well as" opens no clause
    ("Norway as well as Britain attacked Iraq.", {("NOR", "IRQ", "subject")}),
])
def test_attribution_a_clause_has_its_own_subject(lexicon, text, expected):
    assert directions_of(text, lexicon) == expected

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from pipeline.lexicon import load_lexicon
from pipeline.rhetoric import find_cues, lower_same_length, quote_spans, score_sentence


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


@pytest.fixture(scope="module")
def vader():
    return SentimentIntensityAnalyzer()


def test_rhetoric_pay_dearly_is_a_quoted_threat(lexicon, vader):
    result = score_sentence("Tehran said Riyadh could 'pay dearly' for the move.", lexicon, vader)
    assert result.category == "THREATEN"
    assert result.quote == "pay dearly"
    assert result.hostility > 0.7 > result.cooperation
    cue = next(c for c in result.cues if c.term == "pay dearly")
    assert cue.quoted


def test_rhetoric_quote_leaves_the_comma_of_the_reporting_sentence(lexicon, vader):
    result = score_sentence('"Washington will pay dearly for it," the ministry warned.', lexicon, vader)
    assert result.quote == "Washington will pay dearly for it"
    said = score_sentence("Iran said the US would 'pay dearly, and soon'.", lexicon, vader)
    assert said.quote == "pay dearly, and soon"


def test_rhetoric_negation_lowers_a_threat(lexicon, vader):
    plain = score_sentence("Seoul threatened Tokyo.", lexicon, vader)
    negated = score_sentence("Seoul did not threaten Tokyo.", lexicon, vader)
    assert negated.hostility < plain.hostility / 3
    assert negated.cues[0].negated


def test_rhetoric_negated_cooperation_is_a_rejection(lexicon, vader):
    result = score_sentence("Ankara refused to hold talks with Athens.", lexicon, vader)
    assert result.category == "REJECT"
    assert result.hostility > result.cooperation


def test_rhetoric_negation_does_not_cross_a_clause(lexicon, vader):
    result = score_sentence("Oslo did not comment, but warned Moscow.", lexicon, vader)
    warn = next(c for c in result.cues if c.term == "warn*")
    assert not warn.negated


def test_rhetoric_intensifier_and_hedge(lexicon, vader):
    strong = find_cues("Paris strongly condemned the strike.", lexicon)[0]
    hedged = find_cues("Paris reportedly condemned the strike.", lexicon)[0]
    plain = find_cues("Paris condemned the strike.", lexicon)[0]
    assert strong.weight > plain.weight > hedged.weight
    assert strong.intensified and hedged.hedged


def test_rhetoric_no_cue_means_no_score(lexicon, vader):
    assert score_sentence("Seoul and Tokyo are two capitals in Asia.", lexicon, vader) is None


@pytest.mark.parametrize(
    "text, category",
    [
        ("The minister agreed to lift sanctions on the neighbour.", "AID"),
        ("The government halted economic aid to the region.", "SANCTION"),
        ("Both sides signed a treaty.", "AGREE"),
        ("Troops shelled the border town.", "ATTACK"),
        ("Ottawa warned that new tariffs would start a trade war.", "SANCTION"),
        ("China issued a trade warning to Australia.", "THREATEN"),  # no trade war
        ("The situation requires the country to bolster its war deterrent.", "MOBILIZE"),
        ("Forces launched rocket fire against guerrilla camps.", "ATTACK"),
        ("The town came under artillery fire overnight.", "ATTACK"),
    ],
)
def test_rhetoric_longest_phrase_decides_the_category(lexicon, vader, text, category):
    assert score_sentence(text, lexicon, vader).category == category


@pytest.mark.parametrize("text", ["a significant bank background", "the investigation", "thanks to rain",
                                  "a bombshell report", "bombastic remarks", "flights to Bombay"])
def test_rhetoric_words_that_only_look_like_cues(lexicon, text):
    assert find_cues(text, lexicon) == ()


def test_rhetoric_apostrophes_are_not_quotes():
    text = "The US' envoy said Iran's 'verbal abuse' must end."
    assert [text[a:b] for a, b in quote_spans(text)] == ["verbal abuse"]


def test_rhetoric_lowering_keeps_offsets():
    text = "İstanbul said NO"
    assert len(lower_same_length(text)) == len(text)


def test_rhetoric_the_month_may_is_not_a_hedge_and_hedges_stay_in_their_clause(lexicon):
    plain = find_cues("Iran threatened Iraq.", lexicon)[0]
    assert find_cues("In May, Iran threatened Iraq.", lexicon)[0].weight == plain.weight
    far = find_cues("The agency reportedly said so; after a long week Iran threatened Iraq.", lexicon)
    assert not far[-1].hedged


@pytest.mark.parametrize(("term", "text", "is_cue"), [
    # Publishing something is no release of detainees.
    ("released", "A statement released by the court said the trial was fair.", False),
    ("released", "The army released a video of the strike.", False),
    ("released", "Footage was released showing the convoy.", False),
    ("released", "Hamas released three hostages on Saturday.", True),
    # a name
    ("ban", "UN chief Ban Ki-moon visited Seoul.", False),
    ("ban", "The UN chief urged Seoul to ban the tests.", True),
    ("released", "More detainees are set to be released on Monday.", True),
    # A war of the past named as an event, or a noun about war, is no attack now; a new one is.
    ("war", "The US felt the defeat it sustained in the Korean War in 1953.", False),
    ("war", "An anti-Japanese war hero was honoured in Pyongyang.", False),
    ("war", "Moscow warned of a new Cold War with the West.", True),
    ("war", "Pyongyang said the drills rehearse a second Korean War.", True),
    ("war", "Russia's war against Ukraine entered its third year.", True),
    ("war", "Kyiv and Moscow exchanged 200 prisoners of war on Friday.", False),
    # An organisation's name is no act of friendship or solidarity.
    ("friendship", "The Sweden-Korea Friendship Association held a seminar in Stockholm.", False),
    ("friendship", "He met the chairman of the Committee of Friendship and Solidarity with Cuba.", False),
    ("friendship", "Putin praised the friendship between Russia and China.", True),
    ("solidarity", "The Peruvian Committee for Solidarity with Peoples issued a statement.", False),
    ("solidarity", "Cuba expressed solidarity with Venezuela.", True),
    # A joint statement carries other words or names a document; joint action is cooperation.
    ("joint", "Seoul marked the anniversary of the June 15 Joint Declaration.", False),
    ("joint", "Britain and France issued a joint statement on Syria.", False),
    ("joint", "India and Japan began joint patrols in the Bay of Bengal.", True),
    # A peace activist, prize or committee is no peace made.
    ("peace", "The Nobel Peace Prize went to a Japanese group.", False),
    ("peace", "A peace activist was among the hostages freed by Hamas.", False),
    ("peace", "The Philippines Solidarity Committee for Peace and Reunification met.", False),
    ("peace", "Armenia and Azerbaijan signed a peace deal in Washington.", True),
    # An illness is no attack.
    ("attack*", "The former envoy died of a heart attack in Seoul.", False),
    ("attack*", "Gunmen attacked the embassy in Kabul.", True),
    # "To deal with" someone is to handle them; a deal is an agreement.
    ("deal", "Macron knows how to deal with Trump.", False),
    ("deal", "Kinshasa failed to deal with the rebels, Kigali said.", False),
    ("deal", "The strikes will deal a heavy blow to Tehran.", False),
    ("deal", "Kyiv and Washington signed a deal on minerals.", True),
    ("deal", "Israel and Hamas are close to a deal on hostages.", True),
    # (not after "may": cues are matched in lower case, where the month is the modal)
    ("deal", "Kyiv and Washington signed the May deal on minerals.", True),
    # A poll's support rate is no state's support.
    ("support*", "Yoon's support rate fell to 19% after the row with Tokyo.", False),
    ("support*", "Zelensky's support ratings rose as Russia attacked.", False),
    ("support*", "Germany pledged support for Ukraine.", True),
    ("support*", "Paris supports Kyiv's bid to join the EU.", True),
    ("support*", "NATO raised support levels for Kyiv.", True),
    # Killed by a disaster is no attack.
    ("killed", "Two Britons were killed in a car crash in France.", False),
    ("killed", "An earthquake that killed 40 people struck Turkey.", False),
    ("killed", "Heavy rains killed 12 people in Brazil and the U.S.", False),
    ("killed", "Rains killed 20 people in India and Bangladesh.", False),
    ("killed", "Ten Israelis were killed in a fresh eruption of violence in Gaza.", True),
    ("killed", "Five people were killed in a volcanic eruption in Indonesia.", False),
    ("killed", "Three soldiers were killed by gunmen near the border.", True),
    ("killed", "Troops killed six civilians in a raid.", True),
    ("killing", "An earthquake killing 40 people struck Turkey.", False),
    ("killing", "Israel launched a campaign, killing at least 48 Palestinians.", True),
    ("killing", "The flu strain killing hundreds in China alarmed Japan.", False),
    ("killing", "A killing spree by a gunman in Texas shocked Mexico.", False),
    ("killing", "Investors in Japan made a killing on Chinese stocks.", False),
    ("killings", "The killings of two Turkish soldiers angered Ankara.", True),
    ("gunfire", "Celebratory gunfire greeted the deal in Tehran.", False),
    ("gunfire", "Gunfire from across the border hit a Turkish post.", True),
])
def test_rhetoric_a_term_is_no_cue_where_its_context_rules_say(lexicon, term, text, is_cue):
    """data/lexicon/contexts.csv, read with the lexicon."""
    assert (term in [cue.term for cue in find_cues(text, lexicon)]) is is_cue


def test_rhetoric_context_rules_are_read_with_the_lexicon_and_checked(tmp_path):
    rhetoric = "term,category,polarity,weight,note\nreleased,AGREE,cooperative,0.4,\n"
    (tmp_path / "rhetoric.csv").write_text(rhetoric)
    (tmp_path / "modifiers.csv").write_text("term,kind,factor,note\nnot,negation,0.2,\n")
    (tmp_path / "contexts.csv").write_text("term,where,pattern,note\nreleased,after,\\s+a\\s+REPORT\\b,\n")
    lexicon = load_lexicon(tmp_path)
    text = "Iran released a report; Iraq released hostages."
    assert [(c.term, c.start) for c in find_cues(text, lexicon)] == [("released", text.rindex("released"))]
    (tmp_path / "contexts.csv").write_text("term,where,pattern,note\nfreed,after,\\s+a\\s+report\\b,\n")
    with pytest.raises(ValueError, match=r"contexts\.csv:2: term 'freed' is not one the rules could"):
        load_lexicon(tmp_path)

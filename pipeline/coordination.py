"""Actors named together, for attribution and scoring: a list ("Britain, France and Germany
condemned Russia"), two or more acting as one subject on each other ("Russia and Ukraine clashed")
or on a third ("The US and Israel launched strikes on Iran"), and the actors whose own act a cue
names ("the U.S. invasion", "Russia's sanctions").

    >>> from pipeline.models import Mention
    >>> text = "Britain, France and Germany condemned Russia."
    >>> mentions = (Mention("GBR", 0, 7, "Britain", "name"), Mention("FRA", 9, 15, "France", "name"),
    ...             Mention("DEU", 20, 27, "Germany", "name"), Mention("RUS", 38, 44, "Russia", "name"))
    >>> listed_with(text, mentions, "DEU", exclude={"RUS"})
    ['GBR', 'FRA']
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace

from pipeline.models import Cue, Mention
from pipeline.passives import NO_PAIR

# What attribution's rules return for actors who act as one subject on a third party left unnamed
# ("The AU and the UN called for a ceasefire", "The US and Britain launched air strikes"): no pair.
JOINT = ("", "", "joint")
# Acts that actors joined as one subject may do to each other ("Jordan and Britain agreed").
MUTUAL_CATEGORIES = {"CONSULT", "AGREE", "COOPERATE", "ATTACK"}

# Two actors who appeal or warn as one subject and name no other ("The AU and the UN called for a
# ceasefire") address a third party, not each other: no pair (JOINT), even where a closing ", Iran
# said" names a reporter. Verbs of saying are left out ("Iran and Iraq said they would sign a deal"
# is about the two), as is "each other".
APPEAL_VERBS = re.compile(r"\b(?:called|calls|urged|urges|appealed|appeals|demanded|demands|warned|warns|"
                          r"condemned|condemns|denounced|criticised|criticized|blamed)\b", re.IGNORECASE)
EACH_OTHER = re.compile(r"\b(?:each other|one another)\b", re.IGNORECASE)
# What makes an act of two sides named as one subject an act on each other, whatever it is: "each
# other" or "mutual" anywhere, the two named after "between" ("Tensions between Russia and Ukraine
# rose"), or a verb of exchange right after them, past only their nouns, an auxiliary or a day
# ("Israel, Iran Trade Strikes", "Indian and Pakistani troops on Monday exchanged fire"). The words
# between are a closed list, so that "trade" or "exchange" as a noun ("sanctioned Iran's currency
# exchange", "tensions over trade") does not count.
RECIPROCAL_VERB_AFTER = re.compile(
    r"(?:\s+(?:have|has|had|also|again|now|then|today|yesterday|overnight|reportedly|\w+ly|troops|forces|"
    r"officials|diplomats|leaders|sides|militaries|armies|delegations|ministers|governments|"
    r"(?:on|last)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|night)))*"
    r"\s+(?:exchang(?:e|es|ed|ing)|trad(?:e|es|ed|ing))\b", re.IGNORECASE)
MUTUAL_WORD = re.compile(r"\bmutual(?:ly)?\b", re.IGNORECASE)
BETWEEN_BEFORE = re.compile(r"\bbetween\s+(?:the\s+)?$", re.IGNORECASE)
# Actors joined after a preposition are a place or an object, not one subject: "a campaign in
# Bangladesh, India and Nepal", "visits to France and Germany". ("of" is left out: "the leaders of the
# UK and US agreed" are the subject.)
PREPOSITION_BEFORE = re.compile(r"\b(?:in|at|from|to|across|into|with|for|by|near|on|over|against|"
                                r"towards?|throughout|among)\s+(?:the\s+)?$", re.IGNORECASE)
# Hostile acts that two sides named as one subject do to each other ("Russia and Ukraine clashed"):
# the lexicon's terms (tests/test_attribution checks they are). Other hostile acts of two sides named
# as one subject are done together, to a third ("The US and Britain launched air strikes").
RECIPROCAL_ATTACKS = frozenset({"at war", "battl*", "clash*", "fighting", "firefight*", "hostilities",
                                "skirmish*", "war"})
# Words that make what actors named as one subject do a joint act, theirs together: "French and
# Egyptian warships launched joint war games", "patrolled the strait together".
JOINT_ACTION = re.compile(r"\b(?:joint|jointly|together)\b", re.IGNORECASE)
JOINT_REACH = 25  # characters around a cue: a few words
# Lexicon terms of exercises: held by two sides as one subject, they are held together, unless the
# sentence says they are apart ("NATO and Russia held rival military exercises").
EXERCISES = frozenset({"war games", "military exercise*"})
APART = re.compile(r"\b(?:rival|separate|own|competing|parallel|respective|simultaneous)\b", re.IGNORECASE)
# Lexicon terms whose object is a topic: what follows them in their clause is talked about, not done.
TOPIC_CUES = frozenset({"discuss*"})
TOPIC_ENDS = re.compile(r";|\b(?:but|while|then|yet)\b", re.IGNORECASE)
# Two actors joined as one subject: "Jordan and Britain", "the US and the UK".
MUTUAL_JOIN = re.compile(r"^(?:'s)?\s*(?:and|&)\s+(?:the\s+)?$", re.IGNORECASE)
# Or, opening a headline, a comma: "Turkey, Russia reach deal", "Ukraine, Russia blame each other".
HEADLINE_JOIN = re.compile(r"\s*,\s*(?:the\s+)?", re.IGNORECASE)
SENTENCE_OPENING = re.compile(r"[\W_]*(?:the\s+)?", re.IGNORECASE)
# "The US, Japan and South Korea ...": a list that goes on, not two subjects of a headline.
LIST_GOES_ON = re.compile(r"\s*,|\s+(?:and|&)\s")
POSSESSIVE_AFTER = re.compile(r"['’]s\b")
APPOSITION_END = re.compile(r"\s+[\w-]+\s*,")
# Between a title and a name of one actor: a few capitalised words ("Secretary of State Antony").
SAME_ACTOR_GAP = re.compile(r"(?:['’]s)?(?:\s+(?:[A-Z][\w.'’-]*|of|the)){0,5}\s+")
# Any link of a list: a comma, "and", or both.
LIST_JOIN = re.compile(r"^(?:'s)?\s*(?:,\s*(?:and\s+)?|and\s+|&\s+)(?:the\s+)?$", re.IGNORECASE)
# The link that closes a list: "A and B", "A, B and C", "A, B, and C". A list is read back from its
# last actor only through one: a bare comma before an actor more often closes an opening phrase
# ("In Iraq, Iran threatened ...") than it links a list.
CLOSING_JOIN = re.compile(r"^(?:'s)?\s*,?\s*(?:and|&)\s+(?:the\s+)?$", re.IGNORECASE)
# Actors hyphenated into one modifier act together in what it modifies: "the Russia-Ukraine war",
# "US-China trade tensions".
COMPOUND_JOIN = re.compile(r"^\s*[-–/]\s*$")
# What may stand between a cue and the actor that is its object: a few words, no clause break, and
# none of the words that make the actor after them a setting or an agent rather than an object
# ("clashed near the Polish border", "held talks in Qatar", "agreed a truce brokered by Turkey"; but
# "resisting moves by the US": the agent of the object).
OBJECT_GAP = re.compile(
    r"^(?:\s+(?!(?:in|near|at|from|during|inside|outside|across|within|along|off|over|above|around|through|"
    r"that|which|who|as|while|when|after|before|since|amid)\b)[\w'’‘\"“”-]+){0,6}?\s+(?:the\s+)?$",
    re.IGNORECASE,
)
PARTICIPLE_BY = re.compile(r"(?:ed|en|wn)\s+by\b", re.IGNORECASE)
# An act two sides share has a third side only when it says so (in the cue's own words too: "talks
# with"): "signed a deal with Turkey", "offered help to Kyiv", "waged war against Iran"; not "agreed a
# ceasefire for Syria", "agreed Assad's regime had ...", "clashed near the border".
PARTNER_LEAD = re.compile(r"\b(?:with|to|against)\s+(?:the\s+)?$", re.IGNORECASE)
# What joins an actor to a cue that names its own act: nothing ("the U.S. invasion", "Russia
# attacked"), a possessive ("Russia's sanctions"), or a group it leads ("the US-led invasion").
OWN_ACT_GAP = re.compile(r"(?:['’]s|-led)?\s+")


def joined_as_one(text: str, left: Mention, right: Mention) -> bool:
    """Whether two actors named one after the other are joined as one subject: "Jordan and
    Britain", or two that open a headline, "Turkey, Russia reach deal"."""
    if MUTUAL_JOIN.match(text[left.end : right.start]):
        return True
    return (SENTENCE_OPENING.fullmatch(text, 0, left.start) is not None
            and HEADLINE_JOIN.fullmatch(text, left.end, right.start) is not None
            and LIST_GOES_ON.match(text, right.end) is None
            and not _apposition(text, text[left.end : right.start], right))


def speaks_jointly(text: str, mentions: tuple[Mention, ...], index: int, gap_end: int) -> bool:
    """Whether mentions[index], a speaker naming no one after it, is the second of two actors joined
    as one subject by an appeal or warning (JOINT)."""
    speaker = mentions[index]
    return (index > 0 and MUTUAL_JOIN.match(text[mentions[index - 1].end : speaker.start]) is not None
            and mentions[index - 1].code != speaker.code
            and APPEAL_VERBS.search(text, speaker.end, gap_end) is not None
            and EACH_OTHER.search(text) is None)


def listed_with(text: str, mentions: tuple[Mention, ...], code: str, exclude: set[str],
                at: int | None = None) -> list[str]:
    """Actors in one list with mentions[at] (by default the first mention of `code`), in order: those
    before it when the list closes on it ("Britain, France and Germany condemned": Germany's), then
    those after it."""
    first = at if at is not None else next((i for i, m in enumerate(mentions) if m.code == code), None)
    if first is None:  # an article-pair fallback's other side, not named here
        return []
    opening = first  # a title before a name is one actor: "U.S. Secretary of State Antony Blinken"
    while opening > 0 and mentions[opening - 1].code == code and SAME_ACTOR_GAP.fullmatch(
            text, mentions[opening - 1].end, mentions[opening].start):
        opening -= 1
    listed = [m.code for m in _listed_before(text, mentions, opening)]
    for left, right in zip(mentions[first:], mentions[first + 1 :], strict=False):
        join = text[left.end : right.start]
        if not LIST_JOIN.match(join) or _apposition(text, join, right):
            break
        listed.append(right.code)
    return [c for c in dict.fromkeys(listed) if c != code and c not in exclude]


def _apposition(text: str, join: str, right: Mention) -> bool:
    """Whether `right`, after a comma (`join`), opens an aside on the actor before it, not a list or
    a second subject: "Seoul, Tokyo's neighbour, ...", "Israel, the US ally, ..."."""
    if "and" in join:
        return False
    return (POSSESSIVE_AFTER.match(text, right.end) is not None
            or (join.rstrip().lower().endswith("the") and APPOSITION_END.match(text, right.end) is not None))


def in_one_list(text: str, mentions: tuple[Mention, ...], one: int, other: int) -> bool:
    """Whether mentions[one] and mentions[other] stand in one list: "Turkey, Syria, Russia and the US"."""
    low, high = sorted((one, other))
    return all(LIST_JOIN.match(text[left.end : right.start])
               for left, right in zip(mentions[low:high], mentions[low + 1 : high + 1], strict=False))


def _listed_before(text: str, mentions: tuple[Mention, ...], index: int,
                   last_link: re.Pattern[str] = CLOSING_JOIN,
                   link: re.Pattern[str] = LIST_JOIN) -> list[Mention]:
    """The mentions of the list that mentions[index] closes, before it, in order."""
    before: list[Mention] = []
    join = last_link
    while index > 0 and join.match(text[mentions[index - 1].end : mentions[index].start]):
        index -= 1
        before.append(mentions[index])
        join = link
    return before[::-1]


def list_opening(text: str, mentions: tuple[Mention, ...], index: int) -> Mention:
    """The first actor of the list that mentions[index] closes (itself when it closes none)."""
    return next(iter(_listed_before(text, mentions, index)), mentions[index])


def joint_act(text: str, mentions: tuple[Mention, ...], anchor: Cue, first: Mention, last: Mention,
              clause_start: int = 0, cues: tuple[Cue, ...] = ()):
    """The direction of the actors from `first` to `last`, joined as one subject of the cue `anchor`
    (attribution's `mutual` rule), JOINT or NO_PAIR when they are no pair, or None when other rules
    must read the sentence. `clause_start` ends any opening phrase ("After the talks, ...")."""
    reciprocal = (EACH_OTHER.search(text) is not None or MUTUAL_WORD.search(text) is not None
                  or RECIPROCAL_VERB_AFTER.match(text, last.end) is not None
                  or BETWEEN_BEFORE.search(text, 0, first.start) is not None)
    listed = {first.code, last.code, *listed_with(text, mentions, last.code, set(), mentions.index(last))}
    if not reciprocal and PREPOSITION_BEFORE.search(text, 0, first.start):
        # Named only as places ("fighters swept into towns across Iraq and Syria"): no pair of theirs.
        return NO_PAIR if all(m.code in listed for m in mentions) else None
    category = anchor.turned_from or anchor.category  # "failed to reach a deal" is still shared
    shared = category in MUTUAL_CATEGORIES and (category != "ATTACK" or anchor.term in RECIPROCAL_ATTACKS)
    # "joint" alone names no act: in "launched joint strikes on Iran" the strikes' object is Iran's.
    marker = JOINT_ACTION.fullmatch(text, anchor.start, anchor.end) is not None
    topic = anchor.term in TOPIC_CUES  # "discussed Russia's war against Ukraine": what, not with whom
    if not (reciprocal or topic) and acts_on_another(text, mentions, anchor, listed, shared and not marker):
        return None
    if reciprocal or shared or done_together(text, anchor, cues):
        return first, last, "mutual"
    # Actors named before them may make them objects ("Guinea tortured Liberian and Sierra Leonean
    # refugees"): only as the clause's first actors do they act together.
    first_named = not any(clause_start <= m.start and m.end <= first.start for m in mentions)
    if anchor.polarity == "hostile" and first_named:
        return JOINT
    return None


def done_together(text: str, cue: Cue, cues: tuple[Cue, ...] = ()) -> bool:
    """Whether `cue` is a show or use of force that actors acting jointly on each other (attribution's
    `mutual` rule) do together, not to each other: the warships and war games in "French and Egyptian
    warships launched joint war games", or in any sentence where they hold exercises (EXERCISES);
    not the clash in "Russia and Ukraine clashed"."""
    force = cue.category == "MOBILIZE" or (cue.category == "ATTACK" and cue.term not in RECIPROCAL_ATTACKS)
    near = text[max(0, cue.start - JOINT_REACH) : cue.end + JOINT_REACH]  # "joint naval war games"
    jointly = JOINT_ACTION.search(near) is not None or (
        any(c.term in EXERCISES for c in cues) and APART.search(text) is None)
    return force and jointly and EACH_OTHER.search(text) is None


def exercised_together(cue: Cue) -> Cue | None:
    """Force two sides show together (done_together) as it bears on the two: an exercise they hold
    is their cooperation ("French and Egyptian warships launched war games": the lexicon's "joint ..
    exercise*"); any other show of force (the warships) is none of theirs on each other: None."""
    if cue.term not in EXERCISES:
        return None
    return replace(cue, category="COOPERATE", polarity="cooperative", turned_from=cue.category)


def discussed(text: str, cues: tuple[Cue, ...], cue: Cue) -> bool:
    """Whether `cue` is what two sides discussed, not an act between them: the threats in "Zelensky,
    Macron discuss Russia's nuclear threats" (a hostile cue after "discuss" in its clause; not the
    clash in "... discussed a prisoner swap but clashed again")."""
    return cue.polarity == "hostile" and any(
        c.term in TOPIC_CUES and c.end <= cue.start and TOPIC_ENDS.search(text, c.end, cue.start) is None
        for c in cues)


def ties_co_subjects(text: str, mentions: tuple[Mention, ...], cue: Cue, source: str, target: str) -> bool:
    """Whether `cue` is a bare "joint" that ties `source` to the actors named with it, not to `target`:
    in "The US and Israel launched joint strikes on Iran" it is no cooperation with Iran."""
    return (JOINT_ACTION.fullmatch(text, cue.start, cue.end) is not None
            and bool(listed_with(text, mentions, source, exclude={target})))


def acts_on_another(text: str, mentions: tuple[Mention, ...], anchor: Cue, subjects: set[str],
                    shared: bool = False) -> bool:
    """Whether the first actor after the cue, other than `subjects`, is its object: "Russia and China
    attacked Ukraine", "... launched strikes on Iran", not "... clashed near the Polish border". An
    act the subjects `shared` needs its third side introduced (PARTNER_LEAD)."""
    other = next((m for m in mentions if m.start >= anchor.end and m.code not in subjects), None)
    if other is None:
        return False
    gap = text[anchor.end : other.start]
    return (OBJECT_GAP.match(gap) is not None and PARTICIPLE_BY.search(gap) is None
            and (not shared or PARTNER_LEAD.search(text, anchor.start, other.start) is not None))


def cue_owners(text: str, mentions: tuple[Mention, ...], cues: tuple[Cue, ...]) -> list[frozenset[str]]:
    """For each cue, the actors whose own act it names (see OWN_ACT_GAP), with those listed or
    hyphenated with them ("the US and British strikes", "the Russia-Ukraine war"); empty when no
    actor stands just before it. `mentions` are in order."""
    ends = [m.end for m in mentions]
    owners = []
    for cue in cues:
        index = _actor_of(text, mentions, ends, cue)
        if index is None:
            owners.append(frozenset())
            continue
        hyphenated = _listed_before(text, mentions, index, COMPOUND_JOIN, COMPOUND_JOIN)
        listed = _listed_before(text, mentions, index)
        owners.append(frozenset(m.code for m in [*listed, *hyphenated, mentions[index]]))
    return owners


def actor_of(text: str, mentions: tuple[Mention, ...], cue: Cue) -> Mention | None:
    """The actor whose own act `cue` names: "Japan's visit", "the U.S. invasion"; else None."""
    index = _actor_of(text, mentions, [m.end for m in mentions], cue)
    return None if index is None else mentions[index]


def _actor_of(text: str, mentions: tuple[Mention, ...], ends: list[int], cue: Cue) -> int | None:
    index = bisect_right(ends, cue.start) - 1
    if index < 0 or not OWN_ACT_GAP.fullmatch(text, mentions[index].end, cue.start):
        return None
    return index

"""Who -> whom for a scored sentence.

Rules are tried from the most to the least specific; each names itself in the statement (`rule`) so
an analyst can see why a direction was chosen:
  passive    "China was accused by the US"            the agent after "by" is the source;
             "U.S. Drills Denounced in Norway"        in a headline, the place words were said in
  speaker    "Pyongyang has said that Washington..."  the actor before a speech verb speaks
  trailing   "..., Norway's foreign minister said."   the speaker stands at the end
  mutual     "Jordan and Britain agreed ...",         two actors joined as one subject act together,
             "Kyiv and Moscow accused each other"     or on each other
  subject    "Iran threatened Iraq"                   the actor before the first cue acts on the next
  subject-first  "Moscow's envoy to Kyiv protested"     all actors precede the cue: the first acts
When no actor stands before a cue, the pair is kept but marked undirected. Two actors who appeal or
warn as one subject and name no one else ("The AU and the UN called for a ceasefire") are no pair,
nor are those of words in the passive that say not who spoke ("U.S.-S. Korea Drills Denounced",
"Japan was criticised for siding with the US"; pipeline.passives).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial

from pipeline import passives
from pipeline.coordination import (
    JOINT,
    POSSESSIVE_AFTER,
    actor_of,
    in_one_list,
    joined_as_one,
    joint_act,
    list_opening,
    listed_with,
    speaks_jointly,
)
from pipeline.models import Cue, Mention
from pipeline.passives import NO_AGENT, NO_PAIR

SPEECH_VERBS = (
    r"said|says|say|told|tells|stated|states|warned|warns|announced|announces|claimed|claims|"
    r"declared|declares|added|insisted|insists|argued|argues|noted|stressed|vowed|accused|"
    r"charged|alleged|reported|reports|quoted|urged|urges|called|demanded|threatened|"
    r"condemned|denounced|blamed|criticised|criticized|responded|replied|retorted"
)
# A speaker: an actor, then at most a few words (a title, a ministry, a name), then a speech verb.
SPEAKER_GAP = re.compile(
    r"(?:'s)?(?:\s+(?:[\w.'’-]+\s+){0,6}?)?\s*(?:has |have |had |was |were |is |on \w+ )?"
    r"(?:" + SPEECH_VERBS + r")\b"
)
# A closing attribution reports: only verbs of saying, not of accusing ("..., alleged by ...").
REPORTING_VERBS = r"said|says|told|stated|added|announced|reported|noted|quoted|confirmed|claimed"
TRAILING_SPEECH = re.compile(  # headlines capitalise it: ", Seoul Says"
    r",\s*(?:[^,]{0,90}?)\b(?:" + REPORTING_VERBS + r")\b[^,]{0,60}[.!?\"”']*\s*$", re.IGNORECASE
)
# The agent of a passive: "was demolished by a Ukrainian protestor", "accused by the U.S.".
# The words between "by" and the actor may be modifiers, not a gerund ("by calling Pakistan ...").
AGENT_LEAD = r"by\s+(?:(?:the|a|an)\s+)?(?:(?![\w-]+ing\s)[\w-]+\s+){0,2}?"
PASSIVE_BY = re.compile(
    passives.AUXILIARY + r"\w+(?:ed|en|wn|ght)\s+" + AGENT_LEAD + "$"
)
# "condemned by the UN", "attacked repeatedly by": the agent follows the cue itself; in "resisting
# moves by the US" the "by" belongs to another noun.
BY_AGENT = re.compile(r"^\s*(?:\w+ly\s+)?" + AGENT_LEAD + "$")
# What joins a cue to its object in a noun phrase: "sanctions on", "evidence against the".
# (The preposition may be the cue's own last word: "evidence against".)
CUE_OBJECT_LEAD = re.compile(r"\b(?:against|on|upon|over|toward|towards|to)\s+(?:the\s+)?$", re.IGNORECASE)
# A speech verb used as a passive ("is accused by") does not make a speaker.
PASSIVE_AFTER = re.compile(r"\s+by\b")
# A sentence opening with a phrase of time, cause, comparison or backing before a comma: its actors
# are not the main clause's subject ("After talks in Moscow, Iran threatened Iraq"). Not "In X,":
# there the place is most often the subject's own ("In the US, two lawmakers asked ...").
LEADING_PHRASE = re.compile(r"^(?:within|after|following|despite|amid|as|while|when|since|before|during|"
                            r"in the wake of|unlike|like|under|according to|backed by|supported by|"
                            r"led by)\b[^,]*,\s*", re.IGNORECASE)
# Where a clause opens after the main one, and how near its subject stands to its verb.
CLAUSE_OPENER = re.compile(r"(?:,\s*|\s)(?:(?<!\bwell\s)as|while|when|whereas|because|since|after|before|but)"
                           r"\s+(?:the\s+)?$|;\s*(?:the\s+)?$", re.IGNORECASE)
CLAUSE_SUBJECT_GAP = re.compile(r"(?:['’]s)?(?:\s+[\w-]+)?\s+")  # "the US sanctioned", "Iran's army shelled"
CLAUSE_END = re.compile(r"[,;:]|\s[-–—]\s")
HYPHEN_COMPOUND = re.compile(r"-(?!led\b)[a-z]")
CONFIDENCE = {
    "passive": 0.8, "speaker": 0.8, "trailing": 0.75, "mutual": 0.75, "subject": 0.7,
    "subject-first": 0.5, "victim": 0.5, "undirected": 0.4, "article-pair": 0.35,
}


@dataclass(frozen=True)
class Direction:
    source: str
    target: str
    directed: bool
    rule: str
    confidence: float


def attribute(text: str, mentions: tuple[Mention, ...], cues: tuple[Cue, ...]) -> list[Direction]:
    """Directions for every pair the sentence expresses, the main one first.

    `mentions` and `cues` carry offsets into `text` (the sentence). In wire copy a closing
    ", officials said" only reports: the clause before it is analysed first, and the reporter is the
    source only when that clause names no actor who acts.
    """
    if len({m.code for m in mentions}) < 2 or not cues:
        return []
    tail = TRAILING_SPEECH.search(text)
    if tail:
        body = tuple(m for m in mentions if m.start < tail.start())
        body_cues = tuple(c for c in cues if c.start < tail.start())
        found = _body_direction(text, body, body_cues) if body_cues else None
        if found in (JOINT, NO_AGENT):
            return []
        if found and found != NO_PAIR:  # words whose speaker is not said may name them last
            return _fan_out(text, body, *found)
        found = _trailing(text, mentions, _anchor(cues), tail.start())
        if found:
            return _fan_out(text, mentions, *found)
    found = _body_direction(text, mentions, cues)
    if found in (NO_PAIR, JOINT, NO_AGENT):
        return []
    if found:
        return _fan_out(text, mentions, *found)
    first, second = sorted(_first_two_codes(mentions))  # an undirected pair is kept in code order
    return [Direction(first, second, False, "undirected", CONFIDENCE["undirected"])]


def _anchor(cues: tuple[Cue, ...]) -> Cue:
    """The cue the rules read the sentence around first: the earliest, which in English news
    usually follows the subject ("Iran threatened ...")."""
    return min(cues, key=lambda c: c.start)


def _anchors(cues: tuple[Cue, ...]) -> list[Cue]:
    """The earliest cue, then the others strongest first, for sentences that open with a cue."""
    first = _anchor(cues)
    return [first] + sorted((c for c in cues if c is not first), key=lambda c: -c.weight)


def _body_direction(text, mentions, cues) -> tuple | None:
    """(source mention, target mention, rule), a sentinel that ends the reading (NO_PAIR, JOINT,
    NO_AGENT), or None."""
    if len({m.code for m in mentions}) < 2:
        return None
    if headline := passives.headline_passive(text, mentions, cues):
        return headline
    aimed_at = partial(passives.words_aimed_at, cues=cues)  # rules read around each anchor, too
    mutual, victim_of = partial(_mutual, cues=cues), partial(passives.victim_of, cues=cues)
    for anchor in _anchors(cues):
        for rule in (_speaker, aimed_at, _passive, victim_of, mutual, _subject):
            found = rule(text, mentions, anchor)
            if found:  # NO_AGENT too: the other cues' rules would read the victim as the subject
                return found
    return None


def _fan_out(text, mentions, source_at: Mention, target_at: Mention, rule: str) -> list[Direction]:
    """The main pair, read at the mentions `source_at` and `target_at`, then the actors listed with
    either of those mentions, with less confidence: "Britain, France and Germany condemned Russia",
    "US and British activists protested in Beijing" (co-subjects), "sanctions on Iran, Iraq and
    Syria" (co-targets). Actors acting as one on each other ("The US, Japan and South Korea held joint
    drills") pair each with each. Other actors in the sentence are context, not parties."""
    source, target = source_at.code, target_at.code
    if source == target:
        return []
    strong, weaker = CONFIDENCE[rule], round(CONFIDENCE[rule] * 0.7, 3)
    source_index, target_index = mentions.index(source_at), mentions.index(target_at)
    with_target = listed_with(text, mentions, target, set(), target_index)
    if rule == "mutual":  # "Jordan and Britain agreed": each acts towards the other
        members = list(dict.fromkeys([source, target, *with_target]))
        pairs = sorted(((one, other) for one in members for other in members if one != other),
                       key=lambda pair: set(pair) != {source, target})  # the main pair first
        return [Direction(one, other, True, rule, strong if set((one, other)) == {source, target} else weaker)
                for one, other in pairs]
    directions = [Direction(source, target, True, rule, strong)]
    if rule != "trailing" and in_one_list(text, mentions, source_index, target_index):
        return directions  # a list of peers or places ("four countries, Turkey, Syria, Russia and the US")
    with_source = listed_with(text, mentions, source, set(), source_index)
    directions += [Direction(code, target, True, rule, weaker) for code in with_source if code != target]
    directions += [Direction(source, code, True, rule, weaker) for code in with_target if code != source]
    return directions


def _passive(text, mentions, anchor):
    if nominal := passives.nominal_passive(text, mentions, anchor):
        return nominal
    for mention in mentions:
        lead = text[max(0, mention.start - 60) : mention.start]
        if PASSIVE_BY.search(lead) or (
            anchor.end <= mention.start and BY_AGENT.match(text[anchor.end : mention.start])
        ):
            target = (_nearest_before(mentions, anchor.start, exclude=mention.code)
                      or _object_of(text, mentions, anchor, mention))
            if target:
                return mention, target, "passive"
    return None


def _object_of(text, mentions, anchor, agent) -> Mention | None:
    """The actor the cue's own phrase names as its object, when that phrase is the passive's subject:
    "Evidence against Russia was presented by the US", "Sanctions on Iran were imposed by the EU"."""
    after = next((m for m in mentions if anchor.end <= m.start < agent.start and m.code != agent.code), None)
    if after is None or len(text[anchor.end : after.start].split()) > 2:
        return None  # the cue, then at most a preposition and "the" before the actor
    return after if CUE_OBJECT_LEAD.search(text, anchor.start, after.start) else None


def _speaker(text, mentions, anchor):
    for index, mention in enumerate(mentions):
        if mention.start > anchor.end:
            break
        gap = SPEAKER_GAP.match(text, mention.end)
        spoken_to = gap and passives.aimed_before(text, mention.end, gap.end())
        if gap and (PASSIVE_AFTER.match(text, gap.end()) or spoken_to):
            continue  # "China is accused by the US", "Japan denounced for ...": neither is speaking
        if gap and not _mention_between(mentions, mention.end, gap.end()):
            target = _first_after(mentions, gap.end(), exclude=mention.code)
            if target:
                return mention, target, "speaker"
            if speaks_jointly(text, mentions, index, gap.end()):
                return JOINT
    return None


def _trailing(text, mentions, anchor, tail_start: int):
    speakers = [m for m in mentions if m.start >= tail_start]
    if not speakers:
        return None
    speaker = speakers[0]
    body = [m for m in mentions if m.start < tail_start and m.code != speaker.code]
    # "Tokyo was criticised for siding with Washington, Pyongyang said": at Tokyo.
    before = [m for m in body if m.end <= anchor.start]
    aimed = passives.aimed_before(text, anchor.start, anchor.end) and before
    after_cue = [m for m in body if m.start >= anchor.start]
    target = (aimed or after_cue or body or [None])[0]
    return (speaker, target, "trailing") if target else None


def _mutual(text, mentions, anchor, cues=()):
    """Actors joined as one subject act on each other when the act is one two sides share (talks,
    a deal, a clash) and its object is no third actor: "Russia and Ukraine clashed", not "Russia and
    China attacked Ukraine" (the subject rule's). A hostile act of theirs with no object is done
    together, to someone unnamed: no pair (JOINT), "The US and Britain launched air strikes"."""
    before = [m for m in mentions if m.end <= anchor.start]  # a prefix of mentions: same indexes
    for index, (left, right) in enumerate(zip(before, before[1:], strict=False)):
        joined = joined_as_one(text, left, right)
        if joined and left.code != right.code and not _mention_between(mentions, right.end, anchor.start):
            # the list `right` closes ("The US, Japan and South Korea"), or the headline pair
            first = min(list_opening(text, mentions, index + 1), left, key=lambda m: m.start)
            opening = LEADING_PHRASE.match(text, 0, first.start)
            return joint_act(text, mentions, anchor, first, right, opening.end() if opening else 0, cues)
    return None


def _subject(text, mentions, anchor):
    before = [m for m in mentions if m.end <= anchor.start]
    opening = LEADING_PHRASE.match(text, 0, anchor.start)
    # "Within minutes of Obama arriving, a Chinese delegate screamed at ...": the subject is after it.
    # (Its comma may instead close an aside of the subject's, "When Russia's minister, speaking in
    # Beijing, criticised the US": rarer in the news read, where skipping all after a first comma
    # undid more than it mended.)
    if opening:
        before = [m for m in before if m.start >= opening.end()] or before
    if not before:
        return None
    # A clause's own subject just before the cue: "Russia's economy suffered as the US sanctioned
    # Moscow" (the US acts, not Russia); its target after it in the clause, or else the main clause's
    # actor ("civilians killed in Ukraine since the Russian invasion began - UN").
    if CLAUSE_OPENER.search(text, 0, before[-1].start) and CLAUSE_SUBJECT_GAP.fullmatch(
            text, before[-1].end, anchor.start):
        source = before[-1]
        target = _first_after(mentions, anchor.start, exclude=source.code)
        if target is None or CLAUSE_END.search(text, anchor.end, target.start):
            target = next((m for m in reversed(before[:-1]) if m.code != source.code), None)
        return (source, target, "subject") if target else None
    # An actor in a hyphenated compound modifies another noun ("NATO-member Norway", "a US-based
    # group"): prefer an actor that stands on its own as the subject. Not one leading the noun ("the
    # US-led coalition", "Hamas-led gunmen"): it acts through it.
    free = [m for m in before if not HYPHEN_COMPOUND.match(text, m.end)]
    source = (free or before)[0]
    # A cue naming another actor's own act, in the possessive, is aimed at that actor: "China
    # described Japan's visit to Taiwan as a provocation". (Not "Russia and Iran attacked": there the
    # actor before the cue is its subject. "The US joined Israel's strikes on Iran" is read so too: in
    # the news read, "comments on Russia's war against Ukraine" are far more often about the actor.)
    actor = actor_of(text, mentions, anchor)
    if actor is not None and actor.code != source.code and POSSESSIVE_AFTER.match(text, actor.end):
        return source, actor, "subject"
    target = _first_after(mentions, anchor.start, exclude=source.code)
    if target and passives.received_from(text, source, anchor, target):
        return target, source, "subject"
    if target:
        return source, target, "subject"
    target = next((m for m in before if m.code != source.code), None)
    # Every actor stands before the cue: the first is most often the grammatical subject.
    return (source, target, "subject-first") if target else None


def _first_after(mentions, position: int, exclude: str) -> Mention | None:
    return next((m for m in mentions if m.start >= position and m.code != exclude), None)


def _nearest_before(mentions, position: int, exclude: str) -> Mention | None:
    before = [m for m in mentions if m.end <= position and m.code != exclude]
    return before[-1] if before else None


def _mention_between(mentions, start: int, end: int) -> bool:
    return any(start <= m.start < end for m in mentions)


def _first_two_codes(mentions) -> tuple[str, str]:
    codes = list(dict.fromkeys(m.code for m in mentions))
    return codes[0], codes[1]

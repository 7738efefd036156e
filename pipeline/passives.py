"""Words in the passive: the rules of attribution (pipeline.attribution) for sentences whose actors are
what the words are aimed at, not who spoke them.

A headline ending in words in the passive names their target before them and, at most, the place
they were said in: "U.S. War of Aggression Denounced in S. Korea" (KOR -> USA, rule `passive`);
"U.S.-S. Korea Joint Military Drill Denounced" says not who denounced it, and its actors are no
pair. So with words aimed at what precedes them, saying what for: "Japan Accused of Toeing U.S. Line",
"Japan was criticised for siding with the US", unless an agent follows ("... by China"). A deed
reported beside them ("Israel's attack on Gaza slammed") is left to the other rules, as is what two
sides do together ("Agreement ... Signed").
"""

from __future__ import annotations

import re

from pipeline.categories import kind_of
from pipeline.models import Cue, Mention

# What a rule returns for a sentence whose actors are no pair because who spoke is not said; a
# closing ", Pyongyang said" may still name the speaker (pipeline.attribution reads it then).
NO_PAIR = ("", "", "none")
# What the victim rule returns for a killing whose agent is not said ("Two NATO soldiers were killed
# in Afghanistan"): no pair, not even by a closing ", NATO said". The sentence's other cues are not
# read either: the other rules would take the victim, named first, for their subject.
NO_AGENT = ("", "", "no agent")
# Words that take their target as the subject of the passive (a list, not any "-ed": "South Korea
# Outraged at Japan" and "US-China Ties Strained" are no passives aimed at what precedes them).
SPOKEN_AT = (r"denounced|condemned|criticised|criticized|slammed|blasted|rejected|protested|demanded|"
             r"urged|praised|supported|backed|hailed|lauded|censured|rapped|rebuked|rebuffed|refuted|"
             r"dismissed|lambasted|castigated|assailed|flayed|ridiculed|deplored|opposed|decried|"
             r"accused|blamed|charged|pressed|warned|congratulated|greeted|thanked|honou?red|acclaimed|"
             r"extolled|admired")
# A headline ends in them, or in them and where they were said: "... Denounced in S. Korea".
HEADLINE_VERB = re.compile(r"(?:" + SPOKEN_AT + r")$", re.IGNORECASE)
HEADLINE_END = re.compile(r"[\s\"”'’)]*$")
# A sentence's closing stop; a headline has none ("... Siding with U.S." ends in an abbreviation).
CLOSING_STOP = re.compile(r"(?<!\b[A-Z])[.!?][\"”'’)]*\s*$")
PLACE_LEAD = re.compile(r"\s+in\s+(?:the\s+)?$", re.IGNORECASE)
# ... but for what two sides do together ("Agreement between DPRK and Russia Signed"): the other rules.
JOINT_ACTS = {"AGREE", "CONSULT"}
# Or they say what for: "Japan Accused of ...", "Japan was criticised for ..." (of the verbs only those
# never followed so in the active: "Seoul protested to Tokyo", "Iran pressed for talks" are active).
AIMED_AT = re.compile(r"(?:accused|charged|blamed|denounced|condemned|criticised|criticized|censured|"
                      r"slammed|blasted|rapped|lambasted|castigated|assailed|urged|praised|hailed|lauded)$",
                      re.IGNORECASE)
REASON_AFTER = re.compile(r"\s+(?:of|for|over|to)\b", re.IGNORECASE)
# A passive's auxiliary, and an adverb: "was", "has been strongly" (pipeline.attribution's too).
AUXILIARY = r"\b(?:was|were|been|being|is|are|be)\s+(?:\w+ly\s+)?"
PASSIVE_BEFORE = re.compile(AUXILIARY + "$", re.IGNORECASE)
# A headline's subject is short; after a longer stretch the words are most often a clause's ("Court in
# eastern Ukraine convicts two Britons accused of ..."). In a sentence, a passive after a comma or a
# subordinate word is a clause's too ("North Korea said that Japan should be blamed for ...").
HEADLINE_SUBJECT_WORDS = 6
CLAUSE_BEFORE = re.compile(r",|\b(?:that|who|which|after|having|when|while|as|because|since|though|"
                           r"although|if|said|says)\b", re.IGNORECASE)
# A deed done to the first actor named, in the passive: "Palestinians were killed in Israeli
# strikes", "Three Norwegians were expelled from Iran". The actor harmed is the target, and the agent
# the actor whose deed it names after it (rule `victim`, trusted less than an agent after "by").
# A country named only as where it happened is no agent ("An American journalist was killed in
# Ukraine": by whom is not said; event coders that read the place as the actor misattribute): the
# sentence then makes no pair.
VICTIM_DEEDS = {"ATTACK", "SANCTION"}
PARTICIPLE = re.compile(r"(?:ed|en|wn|shot|struck|hit|overrun)$", re.IGNORECASE)
# The victim, then at most a few words (its noun: "soldiers", "nationals") and the auxiliary.
VICTIM_GAP = re.compile(r"(?:['’]s)?(?:\s+[\w'-]+){0,3}?\s+(?:was|were|have been|has been|had been|are|is)"
                        r"\s+(?:\w+ly\s+)?", re.IGNORECASE)
# Or "There were 10 Russian soldiers killed": the auxiliary before the victim, its number between.
AUXILIARY_BEFORE = re.compile(r"\b(?:was|were)\s+(?:(?:\d[\d,.]*|a|an|the|some|several|many|dozens|hundreds|"
                              r"thousands|of|at|least|more|than|about|two|three|four|five|six|seven|"
                              r"eight|nine|ten)\s+){0,3}$", re.IGNORECASE)
# The agent's deed: "in Israeli strikes", "in a U.S. drone strike", "expelled from Russia"; not
# "prohibited from traveling to Cuba".
AGENT_OF_DEED = re.compile(r"\b(?:in|by|from|near|at)\s+"
                           r"(?:(?!to\b|into\b|for\b|with\b|[\w-]*ing\b)[\w,-]+\s+){0,3}$", re.IGNORECASE)
# A place: "in Ukraine", "in the West Bank"; an agent there names its deed: "in Israel's offensive".
WHERE_LEAD = re.compile(r"\b(?:in|at|near|inside)\s+(?:the\s+)?(?:(?!an?\b)[a-z][\w-]*\s+)?$")  # "in eastern"
# "Israel's offensive", "Russian air strikes"; not "Ukraine as Russia shelled": another clause's deed.
OWN_DEED = re.compile(r"(?:['’]s)?\s+(?:(?!as\b|when\b|while\b|after\b|before\b|and\b|where\b)"
                      r"[\w-]+\s+){0,2}", re.IGNORECASE)
NOUN_GAP = re.compile(r"(?:\s+(?!that\b|which\b|who\b)[\w'-]+){0,2}\s+")  # not "Israeli jets that bombed"
# A cue's noun phrase naming its object and its agent: "invasion of Ukraine by the Russian forces".
OF_OBJECT = re.compile(r"\s+of\s+(?:the\s+)?", re.IGNORECASE)
BY_AFTER_OBJECT = re.compile(r"\s+by\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?", re.IGNORECASE)
# What the subject received is the giver's: "Kim Jong Un received a message ... from Kenya's president".
RECEIVED = re.compile(r"\breceiv(?:e|es|ed|ing)\b", re.IGNORECASE)
FROM = re.compile(r"\bfrom\b", re.IGNORECASE)
# An agent named after the reason: "Japan was criticised over the shrine visit by China"; not one of
# another participle's ("Accused of Defending Sexual Slavery Enforced by Japan").
AGENT_LEAD = re.compile(r"(?<!ed)(?<!en)\s+by\s+(?:the\s+)?$", re.IGNORECASE)


def headline_passive(text, mentions, cues):
    """(place, first actor before the cue, "passive") for a headline ending in words in the passive
    and the place they were said in; NO_PAIR for one ending in them alone (who spoke is not said),
    unless it reports a deed too ("Israel's attack on Gaza slammed": the other rules); else None."""
    last = max(cues, key=lambda c: c.end)
    if last.category in JOINT_ACTS or not HEADLINE_VERB.search(text, last.start, last.end):
        return None
    place = next((m for m in mentions if m.start >= last.end), None)
    if HEADLINE_END.fullmatch(text, last.end):
        place = None
    elif not (place and PLACE_LEAD.fullmatch(text, last.end, place.start)
              and HEADLINE_END.fullmatch(text, place.end)):
        return None
    aimed_at = next((m for m in mentions if m.end <= last.start and m.code != (place and place.code)), None)
    if place and aimed_at:
        return place, aimed_at, "passive"
    return None if _reports_a_deed(cues) else NO_PAIR


def aimed_before(text, start: int, end: int) -> bool:
    """Whether the word at text[start:end] is one aimed at what precedes it, then saying what for."""
    return bool(AIMED_AT.search(text, start, end) and REASON_AFTER.match(text, end))


def words_aimed_at(text, mentions, cue, cues):
    """For words in the passive that open the sentence's main clause, aimed at what precedes them and
    saying what for ("Japan Accused of Toeing U.S. Line"; in a sentence, after "was": "Japan was
    accused of ..."): (agent, target, "passive") when "by" names the agent later, else NO_PAIR. None
    for anything else, and where a deed is reported. (What for may be an act of the target's own,
    "Trump Slammed for Praising Putin", but the words in the passive would name its category.)"""
    if not aimed_before(text, cue.start, cue.end):
        return None
    before = text[: cue.start]
    headline = not CLOSING_STOP.search(text) and len(before.split()) <= HEADLINE_SUBJECT_WORDS
    if not headline and not (PASSIVE_BEFORE.search(before) and not CLAUSE_BEFORE.search(before)):
        return None
    target = next((m for m in mentions if m.end <= cue.start), None)
    agent = next((m for m in mentions if m.start >= cue.end and m.code != (target and target.code)
                  and AGENT_LEAD.search(text, cue.end, m.start)), None)
    if target and agent:
        return agent, target, "passive"
    return None if _reports_a_deed(cues) else NO_PAIR


def victim_of(text, mentions, cue, cues=()):
    """(actor named after the deed, victim, "victim") for a deed in the passive done to the first
    actor named, with no agent said; else None. The victim must be the clause's first actor with no
    other before the deed ("An Iranian bus traveling to Syria was attacked" names two)."""
    if cue.category not in VICTIM_DEEDS or not PARTICIPLE.search(text, cue.start, cue.end):
        return None
    before = [m for m in mentions if m.end <= cue.start]
    if not before or any(m.code != before[0].code for m in before):
        return None
    victim = before[-1]
    passive = VICTIM_GAP.fullmatch(text, victim.end, cue.start) or (
        AUXILIARY_BEFORE.search(text, 0, before[0].start) and NOUN_GAP.fullmatch(text, victim.end, cue.start))
    agent = next((m for m in mentions if m.start >= cue.end and m.code != victim.code), None)
    if not (passive and agent and AGENT_OF_DEED.search(text, cue.end, agent.start)):
        return None
    # Arrests, bans and expulsions in a country are its authorities' ("banned in the UK"); a killing
    # there is by whoever's deed is named ("in Israel's offensive", "in Israeli strikes") or no one's.
    where = WHERE_LEAD.search(text, cue.end, agent.start)
    if where and cue.category == "ATTACK" and not any(OWN_DEED.fullmatch(text, agent.end, c.start)
                                                      for c in cues):
        return NO_AGENT
    return agent, victim, "victim"


def nominal_passive(text, mentions, anchor):
    """(agent, object, "passive") for a cue's noun phrase naming both: "the invasion of Ukraine by
    Russian forces"."""
    if not OF_OBJECT.match(text, anchor.end):  # most cues: no "of" after them
        return None
    after = [m for m in mentions if m.start >= anchor.end]
    if len(after) < 2 or not OF_OBJECT.fullmatch(text, anchor.end, after[0].start):
        return None
    agent = after[1]
    if agent.code == after[0].code or not BY_AFTER_OBJECT.fullmatch(text, after[0].end, agent.start):
        return None
    return agent, after[0], "passive"


def received_from(text, source: Mention, anchor: Cue, target: Mention) -> bool:
    """Whether the subject received what the cue names from the actor after it: "Kim Jong Un
    received a message of condolences from the president of Kenya" is Kenya's act. (Not a cue after
    "from": "Russia receives revenues from energy sales that pay for the war against Ukraine".)"""
    receipt = RECEIVED.search(text, source.end, anchor.start)
    return receipt is not None and FROM.search(text, anchor.end, target.start) is not None


def _reports_a_deed(cues) -> bool:
    return any(kind_of(c.category) == "deeds" for c in cues)

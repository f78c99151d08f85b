"""The kind of a statement (goal, pain point, behaviour, motivation) decided from the sentence itself.

A survey's column names say what was asked, not what was answered: people put a complaint under
"What would you like to do?". So each sentence is read on its own, and the column only decides a
sentence that says nothing of its kind. The signals are English grammar, not a file's vocabulary:

- a motivation states a value ("is important to me", "gives me peace of mind"), or gives a reason
  ("because", "so that") in a sentence that is neither a complaint nor a habit;
- a goal is said with a modal of wish, need or ability ("I want to", "I'd love to", "ideally",
  "be able to", "would help"), or as a request put as a question or a condition ("I keep meaning
  to ask if we could", "if I could ... I'd be happy", "that's all I ask");
- a pain point is negative: VADER's sentiment lexicon (Hutto and Gilbert 2014, MIT, the
  ``vadersentiment`` package) with its handling of negation and intensifiers, or the marks of a
  failure that carry no sentiment word ("for the third time", "nobody explains");
- a behaviour is a habit: a frequency or routine adverbial ("usually", "every payday", "twice a
  month", "on Sundays"), or a first-person present statement ("I top up the key").

In that order: a value or a wish decides before sentiment does ("I want it to stop crashing" is
a goal), and sentiment before habit ("I usually give up" is a pain point).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

GOALS, PAINS, BEHAVIOURS, MOTIVATIONS = "goals", "pain_points", "behaviours", "motivations"
KINDS = (GOALS, PAINS, BEHAVIOURS, MOTIVATIONS)

# A first-person subject with whatever auxiliaries, adverbs and contractions English puts between it
# and its verb: "I", "we're really", "I've always", "I'd just".
# (Not a past tense: "I was hoping to get a refund" is more often a disappointment than a goal.)
_SUBJECT = (
    r"\b(?:i|we)(?:'m|'re|'d|'ve|'ll| am| are| would| will| have| been| do| really| just| also| still|"
    r" always| only| mostly| mainly| often| usually| even)*"
)

_VALUE = re.compile(
    r"\b(the reason|for the sake of|(is|are|'s) why|matters?|important|what counts|counts most|"
    r"all about|peace of mind|care (about|for|that)|i value|worth it|proud|keeps? me going|means a lot|"
    r"i do it for|we do it for|makes? (me|us) feel|(i|we) (like|love|enjoy) (knowing|feeling|being)|"
    r"(nice|good|reassuring|comforting|a relief) to know|comes? first|a big deal|"
    r"(is|are|'s) everything|the main thing|what (drives|motivates|matters to)|motivates (me|us)|"
    # "what keeps me at it is...": what sustains someone, not a failure that keeps happening
    r"what keeps (me|us)|(put|putting) up with (it|this|that|them)( all)? for|"
    # "..., at the end of the day.": "ultimately", said after what matters (a comma before it;
    # "I'm shattered at the end of the day" is the literal one)
    r", at the end of the day(?=[.!]*$)|"
    r"part of who|means (i|we) can|feel(ing)? (safe|secure|in control|independent|confident|free|valued|"
    r"respected|trusted)|i believe in|passionate about)\b"
)
# A causal connective gives a motive only in a sentence that is not a complaint or a habit: "I book
# by phone because the form is hidden" is a workaround, not what drives the person.
_BECAUSE = re.compile(r"\b(because|cos|so that|so i can|so we can)\b")
# A wish, a need, an intention, an ideal or a request (English modality, not a study's words).
_WISH = re.compile(
    _SUBJECT
    + r" (want|need|wish|hope|'d like|would like|'d love|would love|'d prefer|would prefer)\b|"
    # "we plan the week on Sundays" is a habit; "we plan to" an intention
    + _SUBJECT
    + r" (wanting|needing|wishing|hoping|planning|plan|aiming|aim|intending|intend|meaning|mean|looking|"
    r"trying) to\b|"
    r"\b(would|'d) (like|love|prefer) to\b|\b(i|we)'?d (like|love|prefer)\b|"
    r"\b(keen|eager|determined|desperate|dying) to\b|"
    r"\b(ideally|hopefully|if only|in an ideal world|the dream|my goal|our goal|my plan|our plan|my aim|"
    r"my hope|my wish|what i'?m after|be able to|would (really |also )?help|could (you )?let|"
    r"make it possible|trying to|looking for|i wish|"
    r"(it|that|this|which)('d| would) (be|make)|would be (so |really |very |much )?(great|good|nice|"
    r"ideal|brilliant|amazing|handy|useful|helpful|lovely|perfect|better|easier|a (big |huge |real )?help)|"
    r"(there|it|they|this|the app|the site) (should|ought to|needs to)(?! have)|"
    r"what (i|we) (really )?(want|need)|"
    # a request put as a question or a condition: "I keep meaning to ask if we could...",
    # "If I could see the results online I'd be happy", "... - that's all I ask"
    r"(ask|asking|wonder|wondering) (if|whether) (i|we|you|they) (could|can|might)|^if (only )?(i|we) could|"
    r"(i|we)('d| would) be (so |really |very )?(happy|glad|grateful|delighted)|all (i|we) ask)\b|"
    r"^(please|pls|let me|let us|allow me|give me|add|bring back|make it)\b"
)
_FAILURE = re.compile(
    r"\b(nobody|no one|never|can'?t|cannot|couldn'?t|won'?t|doesn'?t|didn'?t|isn'?t|wasn'?t|"
    r"don'?t (always )?(work|agree|show)|fails?|failed|broken|declined|blocked|missing|wrong|"
    r"too (many|much|long|slow|late|hard|complicated|expensive|small)|far too|"
    r"for the (second|third|fourth|fifth|nth) time|again|ugh|not impressed|gave up|give up|"
    r"takes? (ages|forever|hours|days|weeks)|took (ages|forever|hours|days|weeks)|on hold|"
    r"keeps? (on )?(?!getting|improving|growing|meaning|thinking|hoping|wondering|planning)\w+ing|"
    r"end(ed)? up|no way to|there'?s no|there is no|"
    r"without (warning|notice|explanation|asking)|"
    r"(?<!not )(?<!n't )(?<!never )(hard|difficult|impossible|tricky|a pain|a nightmare|a hassle) to|"
    r"impossible|makes? no sense|waste of|have to (keep|chase|ring|phone|call|re-?\w+))\b"
)
_FROWN = re.compile(r"[:;]-?[(\[/]|\U0001f620|\U0001f621|\U0001f61e|\U0001f622|\U0001f62d|\U0001f92c")
_HABIT = re.compile(
    r"\b(usually|normally|always|often|sometimes|generally|typically|regularly|rarely|tend to|"
    r"whenever|every|each (day|week|morning|evening|night|month|time|shift|visit)|"
    # (not "at the end of the day": an idiom for "ultimately")
    r"twice|once a|at the (end|start) of (each|every) (day|week|month|shift)|"
    r"at the (end|start) of the (week|month|shift)|"
    r"most (days|weeks|mornings|evenings|nights|months|weekends)|"
    r"(daily|weekly|monthly|yearly)|now and then|from time to time|first thing|"
    r"on (mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays|weekends)|at weekends|"
    r"on (my|the) (commute|way (to|home)|lunch break|break)|"
    r"in the (morning|evening|afternoon)s?|per (day|week|month|year)|times a|"
    r"(i|we)('ve| have) been \w+ing)\b"
)
# "I check ...", "We top up ...": a first-person subject and a plain present verb (not a
# past form, not a modal, not a state of mind).
_NOT_HABIT = (
    r"was|were|had|did|am|'m|have|'ve|think|feel|would|could|should|will|'ll|might|may|must|can|"
    r"just|really|never|don'?t|do not|"
    # English's common irregular past tenses ("I bought it for Christmas" tells of once, not a habit)
    r"bought|got|went|took|made|said|came|gave|told|found|thought|felt|left|kept|sent|spent|paid|"
    r"ran|saw|knew|began|brought|caught|chose|drove|fell|forgot|heard|held|lost|met|rang|sold|"
    r"spoke|stood|stuck|taught|understood|woke|won|wrote"
)
_PRESENT = re.compile(
    rf"^(?:\w+,? |first,? |then |(?:at the moment|right now|these days|at present),? |"
    rf"(?:whenever|when|once|if|after|before) [^,]{{1,60}},? )?(i|we)"
    rf"(?: (?:still|also|mostly|mainly|always|often|usually|normally|just|only))? (?!({_NOT_HABIT})\b)"
    r"[a-z]+(?<!ed) "
)


@lru_cache(maxsize=1)
def _sentiment() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def negative(sentence: str) -> bool:
    """VADER's compound score at or below -0.05 (the threshold its authors give for negative),
    with at least one word of clearly negative valence (-1 or less on its -4..4 scale): a faintly
    negative word alone ("pay" is -0.4) does not make "my pay lands a day early" a complaint.
    A negated positive ("not helpful") is caught by the failure marks instead."""
    return _negative_word(sentence) is not None


def _negative_word(sentence: str) -> str | None:
    """The most negative word of a sentence VADER scores negative (see ``negative``)."""
    lexicon = _sentiment().lexicon
    words = [(lexicon.get(word, 0.0), word) for word in re.findall(r"[a-z']+", sentence.lower())]
    worst = min(words, default=(0.0, ""))
    if worst[0] > -1.0:
        return None  # checked first: a dictionary look-up per word, where the full score is not
    return worst[1] if _compound(sentence) <= -0.05 else None


def _compound(sentence: str) -> float:
    return float(_sentiment().polarity_scores(sentence)["compound"])


@dataclass(frozen=True)
class Cue:
    kind: str
    rule: str  #: which of the module's signals said it
    said: str  #: the words that said it ("every", "keeps logging", "negative: useless")


def kind_of(sentence: str) -> str | None:
    """The kind the sentence itself states, or ``None`` when it says nothing of its kind."""
    found = cue(sentence)
    return found.kind if found else None


@lru_cache(maxsize=65_536)  # surveys repeat themselves
def cue(sentence: str) -> Cue | None:
    """What in the sentence states its kind (``kind_of``), or ``None``."""
    lowered = " ".join(sentence.lower().replace("\u2019", "'").split())
    if match := _VALUE.search(lowered):
        return Cue(MOTIVATIONS, "value", match.group(0))
    if match := _WISH.search(lowered):
        return Cue(GOALS, "wish", match.group(0))
    # a failure mark in a clearly positive sentence is praise ("nobody does it better")
    word = _negative_word(sentence)
    complaint = (
        Cue(PAINS, "sentiment", f"negative: {word}")
        if word
        else _matched(PAINS, "frown", _FROWN.search(lowered))
        or (_compound(sentence) <= 0.3 and _matched(PAINS, "failure", _FAILURE.search(lowered)))
        or None
    )
    habit = _matched(BEHAVIOURS, "habit", _HABIT.search(lowered)) or _matched(
        BEHAVIOURS, "present", _PRESENT.search(lowered)
    )
    if (match := _BECAUSE.search(lowered)) and not complaint and not habit:
        return Cue(MOTIVATIONS, "because", match.group(0))
    return complaint or habit


def _matched(kind: str, rule: str, match: re.Match[str] | None) -> Cue | None:
    return Cue(kind, rule, match.group(0).strip()) if match else None


#: a cue whose kind agrees with the column it was answered in less often than this is one the
#: study's people use for something else ("the lift is always out of order" under "What gets in your way?")
RELIABLE = 0.35
#: answers with a column hint a cue needs before its agreement is judged (else its rule's, with RULE_SEEN)
CUE_SEEN, RULE_SEEN = 8, 20


def settle(sentences: Sequence[str], hints: Sequence[str | None]) -> list[str | None]:
    """The kind of each sentence of a study: its own cue, or, where it states none, the column
    it was answered in (``hints``, None for a column that says nothing of a kind).

    A cue that this study's people use for another kind is not trusted. Under a column of a
    kind, that is a cue whose answers agree with their column less often than RELIABLE (a column
    is right for most of its answers; a cue that fires on the wrong kind agrees about as often as
    chance): the column decides those sentences. Elsewhere (one notes column, a transcript) it is
    a frequency adverb or present tense whose sentences are about what the study's other cues
    call another kind (``_topics``): those sentences take the kind their topic says where it is
    clear, and keep their cue's kind where it is not. Judged per cue where it fired often enough,
    else (under columns) per rule."""
    cues = [cue(sentence) for sentence in sentences]
    hinted = set(hints)  # a cue of a kind no column asks for cannot agree with one
    seen: Counter[tuple[str, ...]] = Counter()
    agreed: Counter[tuple[str, ...]] = Counter()
    for found, hint in zip(cues, hints, strict=True):
        if found and hint and found.kind in hinted:
            for key in ((found.kind, found.rule, found.said), (found.kind, found.rule)):
                seen[key] += 1
                agreed[key] += found.kind == hint

    def trusted(found: Cue) -> bool:
        if found.kind not in hinted:
            return True
        for key, least in (
            ((found.kind, found.rule, found.said), CUE_SEEN),
            ((found.kind, found.rule), RULE_SEEN),
        ):
            if seen[key] >= least:
                return agreed[key] / seen[key] >= RELIABLE
        return True

    unhinted = [i for i, (found, hint) in enumerate(zip(cues, hints, strict=True)) if found and hint is None]
    topic = _topics(sentences, cues, unhinted) if len(unhinted) >= CUE_SEEN else {}
    out: list[str | None] = []
    for i, (found, hint) in enumerate(zip(cues, hints, strict=True)):
        if found is None:
            out.append(hint)
        elif hint is not None:
            out.append(found.kind if trusted(found) else hint)
        else:
            out.append(topic.get(i, found.kind))
    return out


def _topics(sentences: Sequence[str], cues: Sequence[Cue | None], judged: Sequence[int]) -> dict[int, str]:
    """The kind of each sentence in ``judged`` whose cue is one this study uses for another kind.

    A naive Bayes model over content words (``features.tokens``, the cue's own words left out)
    learns from every cued sentence what each kind is said about; each cue of a WEAK rule fired
    often enough is judged by the model trained without it (leave-one-cue-out): if fewer than
    RELIABLE of its sentences are about its own kind, those sentences take the model's kind where
    its posterior is at least CONFIDENT (the others keep their cue). A study whose cues are right
    keeps them all. Only the weak rules are judged: a frequency adverb or a present tense says
    less about a sentence than a sentiment word, a failure mark, a wish or a value, and two cues
    that disagree about the same topic would otherwise condemn each other."""
    import numpy as np
    from scipy.sparse import csr_array

    from persona.grouping.features import tokens

    labelled = [i for i, found in enumerate(cues) if found]
    position = {kind: n for n, kind in enumerate(KINDS)}
    index: dict[str, int] = {}
    rows, cols = [], []
    for row, i in enumerate(labelled):
        found = cues[i]
        assert found is not None
        own = set(found.said.split())
        for word in set(tokens(sentences[i])) - own:
            rows.append(row)
            cols.append(index.setdefault(word, len(index)))
    if not index:
        return {}
    x = csr_array((np.ones(len(rows)), (rows, cols)), shape=(len(labelled), len(index)))
    y = np.zeros((len(labelled), len(KINDS)))
    keys: dict[tuple[str, str, str], list[int]] = {}
    for row, i in enumerate(labelled):
        found = cues[i]
        assert found is not None
        y[row, position[found.kind]] = 1.0
        keys.setdefault((found.kind, found.rule, found.said), []).append(row)
    counts = np.asarray(x.T @ y)  # word x kind
    totals = y.sum(axis=0)
    row_of = {i: row for row, i in enumerate(labelled)}
    wanted = {row_of[i] for i in judged}
    out: dict[int, str] = {}
    for (kind, rule, _), members in keys.items():
        if rule not in WEAK or len(members) < CUE_SEEN or not wanted.intersection(members):
            continue
        own_x = x[members]
        own_y = y[members]
        rest = counts - np.asarray(own_x.T @ own_y)
        rest_totals = totals - own_y.sum(axis=0)
        if rest_totals[position[kind]] == 0:
            continue  # no other cue of its kind to compare with
        words = rest.sum(axis=0) + len(index)
        log_likelihood = np.log((rest + 1.0) / words)
        prior = np.log((rest_totals + 1.0) / (rest_totals.sum() + len(KINDS)))
        scores = np.asarray(own_x @ log_likelihood) + prior
        scores -= scores.max(axis=1, keepdims=True)
        posterior = np.exp(scores)
        posterior /= posterior.sum(axis=1, keepdims=True)
        best = posterior.argmax(axis=1)
        if np.mean(best == position[kind]) >= RELIABLE:
            continue
        for n, row in enumerate(members):
            if row in wanted and posterior[n, best[n]] >= CONFIDENT:
                out[labelled[row]] = KINDS[best[n]]
    return out


#: the posterior the topic model needs before it gives a sentence a kind its cue did not
CONFIDENT = 0.9
#: the rules whose cues the topic model may overrule (``_topics``)
WEAK = frozenset({"habit", "present"})

"""The kind of a statement (goal, pain point, behaviour, motivation) decided from the sentence itself.

A survey's column names say what was asked, not what was answered: people put a complaint under
"What would you like to do?". So each sentence is read on its own, and the column only decides a
sentence that says nothing of its kind. The signals are English grammar, not a file's vocabulary:

- a motivation states a value ("is important to me", "gives me peace of mind"), or gives a reason
  ("because", "so that") in a sentence that is neither a complaint nor a habit;
- a goal is said with a modal of wish, need or ability ("I want to", "I'd love to", "ideally",
  "be able to", "would help");
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
from functools import lru_cache
from typing import Any

GOALS, PAINS, BEHAVIOURS, MOTIVATIONS = "goals", "pain_points", "behaviours", "motivations"

_VALUE = re.compile(
    r"\b(the reason|for the sake of|(is|are|'s) why|matters?|important|what counts|counts most|"
    r"all about|peace of mind|care (about|for)|i value|worth it|proud|keeps? me going|means a lot|"
    r"i do it for|we do it for)\b"
)
# A causal connective gives a motive only in a sentence that is not a complaint or a habit: "I book
# by phone because the form is hidden" is a workaround, not what drives the person.
_BECAUSE = re.compile(r"\b(because|cos|so that|so i can|so we can)\b")
_WISH = re.compile(
    r"\b(i|we) (really |just |would |'d )?(want|need|wish|hope|hoping|plan|aim|intend|mean) to\b|"
    r"\b(would|'d) (like|love|prefer) to\b|\bi'?d (like|love)\b|\b(i|we) (want|need|wish)\b|"
    r"\b(ideally|hopefully|if only|the dream|my goal|our goal|my plan|my aim|what i'?m after|"
    r"be able to|would (really |also )?help|could (you )?let|make it possible|trying to|looking for|"
    r"(it|that) would be (great|good|nice|better|helpful))\b"
)
_FAILURE = re.compile(
    r"\b(nobody|no one|never|can'?t|cannot|couldn'?t|won'?t|doesn'?t|didn'?t|isn'?t|wasn'?t|"
    r"don'?t (always )?(work|agree|show)|fails?|failed|broken|declined|blocked|missing|wrong|"
    r"too (many|much|long|slow|late)|"
    r"for the (second|third|fourth|fifth|nth) time|again|ugh|not impressed|gave up|give up)\b|:\("
)
_HABIT = re.compile(
    r"\b(usually|normally|always|often|sometimes|generally|typically|regularly|rarely|tend to|"
    r"every|each (day|week|morning|evening|night|month|time)|twice|once a|"
    r"most (days|weeks|mornings|evenings|nights|months|weekends)|"
    r"(daily|weekly|monthly|yearly)|now and then|from time to time|first thing|"
    r"on (mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays|weekends)|at weekends|"
    r"in the (morning|evening|afternoon)s?|per (day|week|month|year)|times a)\b"
)
# "I check ...", "We top up ...": a first-person subject and a plain present verb (not a
# past form, not a modal, not a state of mind).
_NOT_HABIT = (
    r"was|were|had|did|am|'m|have|'ve|think|feel|would|could|should|will|'ll|might|may|must|can|"
    r"just|really|never|don'?t|do not"
)
_PRESENT = re.compile(rf"^(?:\w+ )?(i|we) (?!({_NOT_HABIT})\b)[a-z]+(?<!ed) ")


@lru_cache(maxsize=1)
def _sentiment() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def negative(sentence: str) -> bool:
    """VADER's compound score at or below -0.05 (the threshold its authors give for negative),
    with at least one word of clearly negative valence (-1 or less on its -4..4 scale): a faintly
    negative word alone ("pay" is -0.4) does not make "my pay lands a day early" a complaint.
    A negated positive ("not helpful") is caught by the failure marks instead."""
    analyser = _sentiment()
    words = re.findall(r"[a-z']+", sentence.lower())
    if not any(analyser.lexicon.get(word, 0.0) <= -1.0 for word in words):
        return False  # checked first: a dictionary look-up per word, where the full score is not
    return bool(analyser.polarity_scores(sentence)["compound"] <= -0.05)


@lru_cache(maxsize=65_536)  # surveys repeat themselves
def kind_of(sentence: str) -> str | None:
    """The kind the sentence itself states, or ``None`` when it says nothing of its kind."""
    lowered = " ".join(sentence.lower().replace("\u2019", "'").split())
    if _VALUE.search(lowered):
        return MOTIVATIONS
    if _WISH.search(lowered):
        return GOALS
    complaint = negative(sentence) or _FAILURE.search(lowered)
    habit = _HABIT.search(lowered) or _PRESENT.search(lowered)
    if _BECAUSE.search(lowered) and not complaint and not habit:
        return MOTIVATIONS
    if complaint:
        return PAINS
    if habit:
        return BEHAVIOURS
    return None

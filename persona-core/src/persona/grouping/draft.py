"""A persona from a group of units: verbatim sentences of its members, ranked by how central they
are to the group and how many members say something like them, sorted into goals, pain points,
behaviours and motivations by what each sentence states (kinds.py), the column's name as a hint."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from persona.grouping.features import TermSpace, tokens
from persona.grouping.kinds import KINDS, kind_of, settle
from persona.grouping.units import Columns, Unit, dominant
from persona.records import Record
from persona.schema import Demographics, Persona, Quote
from persona.text import REMOVED, about_removed, age_band

if TYPE_CHECKING:
    import numpy as np

CATEGORIES = KINDS  # the persona's lists, in the order they are shown
_COLUMN_CUES = {
    "pain_points": r"frustrat|pain|problem|difficult|annoy|dislike|hate|worst|issue|challenge|barrier|"
    r"complain|hard|struggl|obstacle|in (your|the) way|go(es)? wrong|stops? you",
    # a question asking what to improve or add asks for wishes ("What would you improve?")
    "goals": r"goal|want|need|hope|wish|achiev|trying|aim|ideal|improve|suggest|request|"
    r"would you (change|add|fix)|missing|make\b.*\bbetter",
    "motivations": r"why|motivat|reason|value|matter|important|love|like_most|best",
    "behaviours": r"how|often|usage|use|habit|routine|frequen|behaviou?r|channel|device|when",
}
# A sentence ends at . ! ? or an ellipsis (a closing quote or bracket may follow), or at an
# emoticon or emoji, which people end sentences with in place of a full stop ("... again :( Then").
_SENTENCE_END = re.compile(
    r"(?:(?<=[.!?\u2026])|(?<=[.!?\u2026][\"'\u201d\u2019)])|(?<=[:;][()DPp/\\|])|(?<=[:;]-[()DPp/\\|])"
    r"|(?<=[\u2600-\u27bf\U0001f300-\U0001faff]))\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])"
)
_TAG = re.compile(r"^\s*(?:\*\*)?[A-Za-z][A-Za-z0-9 .'\-]{0,30}(?:\*\*)?\s*:\s+")
_INTERVIEWER = re.compile(r"^\s*(?:\*\*)?(interviewer|moderator|facilitator|researcher|q\d*)\b", re.I)
NAMES = (
    "Alex Morgan",
    "Sam Patel",
    "Jordan Reid",
    "Casey Okafor",
    "Robin Walsh",
    "Taylor Nguyen",
    "Jamie Cohen",
    "Morgan Ellis",
    "Riley Adeyemi",
    "Avery Lindqvist",
    "Quinn Harper",
    "Drew Kowalski",
    "Rowan Bianchi",
    "Sasha Mensah",
    "Charlie Novak",
    "Frankie Duarte",
)


@dataclass
class Sentence:
    text: str
    record: Record
    unit: int
    category: str | None
    words: list[str]


def sentences(units: Sequence[Unit], columns: Columns) -> list[Sentence]:
    """Every quotable sentence of the units: verbatim, 4 to 30 words, at most 160 characters, not
    the interviewer's."""
    found = []
    for index, unit in enumerate(units):
        for record in unit.records:
            pieces: list[tuple[str, str | None]] = [
                (value, _column_category(name))
                for name, value in record.fields.items()
                if name in columns.free
            ]
            if record.text:
                pieces.append((record.text, None))
            for text, category in pieces:
                for turn in _turns(text):
                    if _INTERVIEWER.match(turn):
                        continue
                    body = _TAG.sub("", turn, count=1)
                    for piece in _SENTENCE_END.split(body):
                        sentence = piece.strip(" -*\"'")
                        words = sentence.split()
                        if not 4 <= len(words) <= 30 or len(sentence) > 160 or sentence.endswith("?"):
                            continue
                        if about_removed(sentence):
                            continue  # "my email is [EMAIL_ADDRESS_7]": no statement about the person
                        found.append(Sentence(sentence, record, index, category, tokens(sentence)))
    for each, kind in zip(found, settle([s.text for s in found], [s.category for s in found]), strict=True):
        each.category = kind
    return found


def _turns(text: str) -> list[str]:
    """Speaker turns and paragraphs, with the line breaks inside them joined (a sentence may wrap)."""
    turns: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            turns.append("")
        elif _TAG.match(stripped) or stripped.startswith(("#", "- ", "* ")) or not turns or not turns[-1]:
            turns.append(stripped.lstrip("#-* ").strip() if not _TAG.match(stripped) else stripped)
        else:
            turns[-1] += " " + stripped
    return [turn for turn in turns if turn]


def _column_category(name: str) -> str | None:
    """The kind of answer a column asks for, from its name: a survey question's own words ("What
    gets in your way?"), or, failing those, the kind the question itself states ("What would you
    like to be able to do?" is a wish)."""
    spaced = re.sub(r"[_\-]+", " ", name)  # an export's field name: what_would_you_improve
    lowered = spaced.lower()
    for category, pattern in _COLUMN_CUES.items():
        if re.search(pattern, lowered):
            return category
    return kind_of(spaced) if len(spaced.split()) >= 3 else None


def compose(
    number: int,
    members: Sequence[int],
    units: Sequence[Unit],
    columns: Columns,
    candidates: Sequence[Sentence],
    space: TermSpace,
    total_units: int,
    seed: int,
    texts: Sequence[list[str]],
) -> Persona:
    import numpy as np

    member_set = set(members)
    own = [s for s in candidates if s.unit in member_set]
    unit_words = {i: set(texts[i]) for i in members}
    centroid = np.asarray(space.vectors([texts[i] for i in members]).mean(axis=0)).ravel() if own else None
    backers: dict[str, set[int]] = {}  # sentence -> the members who say something like it
    ranked = _rank(own, centroid, space, unit_words, backers) if own else []
    lists: dict[str, list[str]] = {c: [] for c in CATEGORIES}
    support: dict[str, str] = {}
    quotes: list[Quote] = []
    used: list[tuple[set[str], str]] = []  # (words, listed item)
    unit_label = "participants" if any(u.key.startswith("participant:") for u in units) else "records"
    # A statement a persona stands for is said by a fair share of its members; rarer ones only
    # fill a list that would otherwise be empty (below).
    floor = max(2, round(0.1 * len(members))) if len(members) >= 10 else 1
    merged: dict[str, set[int]] = {}
    for sentence, supporters in ranked:
        words = set(sentence.words)
        twin = next((item for other, item in used if _similar(words, other)), None)
        if twin is not None:  # a near-duplicate: its members back the item already listed
            merged[twin] |= backers.get(sentence.text, {sentence.unit})
            support[twin] = f"{len(merged[twin])} of {len(members)} {unit_label}"
            continue
        category = sentence.category
        if category is None or len(lists[category]) >= 5 or supporters < floor:
            continue
        used.append((words, sentence.text))
        merged[sentence.text] = set(backers.get(sentence.text, {sentence.unit}))
        lists[category].append(sentence.text)
        support[sentence.text] = f"{len(merged[sentence.text])} of {len(members)} {unit_label}"
    for sentence, supporters in ranked:
        if len(quotes) >= 3:
            break
        if len(sentence.text) >= 30 and not any(q.text == sentence.text for q in quotes):
            quotes.append(Quote(text=sentence.text, record_id=sentence.record.id))
            support.setdefault(sentence.text, f"{supporters} of {len(members)} {unit_label}")
    # A list no sentence fell into takes the next most central sentence of no stated kind, or the
    # group's dominant structured answers ("column: value", as in the data), or says there is none.
    # Only a sentence that states no kind of its own may fill a list, and never a near-duplicate of
    # one listed: a pain point shown again as a goal would be in the wrong place twice.
    listed = {item for items in lists.values() for item in items}
    spare = []
    for sentence, supporters in ranked:
        words = set(sentence.words)
        fresh = not any(_similar(words, other) for other, _ in used)
        if sentence.category is None and sentence.text not in listed and fresh:
            used.append((words, sentence.text))
            spare.append((sentence, supporters))
    structured = _structured_items(members, units, columns)
    for category in CATEGORIES:
        if lists[category]:
            continue
        if spare:
            sentence, supporters = spare.pop(0)
            item, backing = sentence.text, supporters
        elif structured:
            item, backing = structured.pop(0)
        else:
            item, backing = "(no statement in the data)", 0
        lists[category].append(item)
        support[item] = f"{backing} of {len(members)} {unit_label}"
    records = [r for i in members for r in units[i].records]
    evidence = _evidence(records, ranked)
    demographics = _demographics(members, units, columns)
    name = (
        NAMES[(number + seed) % len(NAMES)]
        if number < len(NAMES)
        else f"{NAMES[(number + seed) % len(NAMES)]} {number}"
    )
    everyone: Counter[str] = Counter(w for ws in texts for w in ws)
    top = distinctive_terms(Counter(w for i in members for w in texts[i]), everyone)
    role = demographics.occupation or (
        f"People who talk about {' and '.join(top[:2])}" if top else f"Group {number + 1}"
    )
    share = len(members) / total_units
    summary = (
        f"{len(members)} of {total_units} {unit_label} ({share:.0%}). "
        + (f"What sets them apart: {', '.join(top[:5])}. " if top else "")
        + "Every statement below is a sentence from their own records."
    )
    return Persona(
        id=re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40],
        name=name,
        role=role[:80],
        summary=summary[:600],
        demographics=demographics,
        quotes=quotes,
        evidence=evidence,
        support=support,
        **lists,
    )


def _rank(
    own: Sequence[Sentence],
    centroid: np.ndarray | None,
    space: TermSpace,
    unit_words: dict[int, set[str]],
    backing: dict[str, set[int]] | None = None,
) -> list[tuple[Sentence, int]]:
    """Sentences by centrality to the group times the share of members who say something like
    them (at least two of the sentence's three most distinctive words). Repeated sentences are
    ranked once; only the most central few hundred are scored for support."""
    unique: dict[str, Sentence] = {}
    for sentence in own:
        unique.setdefault(" ".join(sentence.text.casefold().split()), sentence)
    candidates = list(unique.values())
    vectors = space.vectors([s.words for s in candidates])
    centrality = vectors @ centroid if centroid is not None else [0.0] * len(candidates)
    order = sorted(range(len(candidates)), key=lambda i: (-float(centrality[i]), candidates[i].text))[:300]
    holders: dict[str, set[int]] = {}
    for unit, words in unit_words.items():
        for word in words:
            holders.setdefault(word, set()).add(unit)
    scored = []
    for i in order:
        sentence = candidates[i]
        key = sorted(_key_terms(sentence.words, centroid, space))
        sets = [holders.get(word, set()) for word in key]
        if len(sets) >= 2:
            supporting = set().union(*(a & b for n, a in enumerate(sets) for b in sets[n + 1 :]))
        else:
            supporting = sets[0] if sets else set()
        supporting = supporting | {sentence.unit}  # who said it backs it, whatever its key words
        if backing is not None:
            backing[sentence.text] = supporting
        supporters = len(supporting)
        share = supporters / max(1, len(unit_words))
        scored.append((float(centrality[i]) * (1 + share), sentence.text, sentence, supporters))
    # a sentence with a removed value in passing ("... before [ORGANIZATION_1]") comes after every
    # sentence without one: a persona reads without placeholders where its group gave it the words
    scored.sort(key=lambda item: (REMOVED.search(item[1]) is not None, -item[0], item[1]))
    return [(sentence, supporters) for _, _, sentence, supporters in scored]


def _key_terms(words: Sequence[str], centroid: np.ndarray | None, space: TermSpace) -> set[str]:
    known = [w for w in set(words) if w in space.index]
    if centroid is None:
        return set(known[:3])
    known.sort(key=lambda w: (-centroid[space.index[w]], w))
    return set(known[:3])


def _similar(a: set[str], b: set[str]) -> bool:
    return bool(a and b) and len(a & b) / len(a | b) >= 0.6


def _evidence(records: Sequence[Record], ranked: Sequence[tuple[Sentence, int]]) -> list[str]:
    first = list(dict.fromkeys(s.record.id for s, _ in ranked))
    rest = [r.id for r in records if r.id not in set(first)]
    return (first + rest)[:60]


def _structured_items(
    members: Sequence[int], units: Sequence[Unit], columns: Columns
) -> list[tuple[str, int]]:
    items = []
    for name in sorted(columns.categorical):
        values = [r.fields[name] for i in members for r in units[i].records if name in r.fields]
        top = dominant(values)
        if top and len(f"{name}: {top[0]}") <= 160 and not REMOVED.search(top[0]):
            items.append((f"{name}: {top[0]}", top[1]))
    items.sort(key=lambda item: -item[1])
    return items


def _demographics(members: Sequence[int], units: Sequence[Unit], columns: Columns) -> Demographics:
    """What the group's members answered, summarised over all of them: the answers that together
    cover most members with how many ("Nurse, Teacher (12 of 20)"), and the middle half of their
    ages ("25-44"). One member's answer never stands for the group unless it is a group of one."""

    def column_value(pattern: str) -> str | None:
        for name in sorted(columns.categorical):
            if re.search(pattern, name.lower()):
                answers = [_first(units[i], name) for i in members]
                summary = summarise([a for a in answers if a and not REMOVED.search(a)], len(members))
                if summary:
                    return summary
        return None

    bands = [age_band(a) for i in members for n in sorted(columns.ages) if (a := _first(units[i], n))]
    occupation = column_value(r"occupation|job|role|profession|title|position")
    location = column_value(r"region|location|area|city|country|town")
    return Demographics(age_range=age_span([b for b in bands if b]), occupation=occupation, location=location)


def _first(unit: Unit, name: str) -> str | None:
    return next((r.fields[name] for r in unit.records if r.fields.get(name)), None)


def summarise(answers: Sequence[str], members: int) -> str | None:
    """The most common answers, in order, until they cover half the members (three at most), with
    how many members gave them: "Nurse, Teacher (12 of 20)"; the answer alone when all gave it."""
    counted = Counter(answers)
    if not counted:
        return None
    ranked = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
    chosen, covered = [], 0
    for value, count in ranked[:3]:
        chosen.append(value)
        covered += count
        if covered * 2 >= members:
            break
    if covered == members and len(chosen) == 1:
        return chosen[0][:80]
    tail = f" ({covered} of {members})"
    text = ", ".join(chosen)
    return (text[: 80 - len(tail) - 1] + "…" if len(text) + len(tail) > 80 else text) + tail


def age_span(bands: Sequence[str]) -> str | None:
    """The middle half of the members' age bands as one range: from the lower quartile of their
    lower bounds to the upper quartile of their upper bounds ("25-44"; "65+" when open-ended)."""
    lows, highs = [], []
    for band in bands:
        numbers = [int(n) for n in re.findall(r"\d+", band)]
        if not numbers:
            continue
        lows.append(numbers[0])
        highs.append(numbers[1] if len(numbers) > 1 else None)
    if not lows:
        return None
    lows.sort()
    low = lows[(len(lows) - 1) // 4]
    closed = sorted(h for h in highs if h is not None)
    if len(closed) * 4 < len(highs) * 3 or not closed:  # a quarter or more open-ended ("65+")
        return f"{low}+"
    high = closed[min(len(closed) - 1, (3 * len(closed)) // 4)]
    return f"{low}-{high}" if high > low else f"{low}+"


def distinctive_terms(group: Counter[str], everyone: Counter[str], limit: int = 8) -> list[str]:
    """The words that set a group apart from the rest of the study: weighted log-odds with an
    informative Dirichlet prior (Monroe, Colaresi and Quinn 2008, "Fightin' Words"), the prior being
    the whole study's counts, ranked by z-score. Unlike raw frequency, a word every group uses
    ("app") does not rank; unlike a plain ratio, a word one member said twice does not either."""
    import math

    total = sum(everyone.values())
    in_group = sum(group.values())
    rest_total = total - in_group
    if not in_group or not rest_total:
        return [w for w, _ in group.most_common(limit)]
    scored = []
    for word, count in group.items():
        prior = everyone[word]  # alpha_w; alpha_0 is the study's token count
        rest = everyone[word] - count
        a = math.log((count + prior) / (in_group + total - count - prior))
        b = math.log((rest + prior) / (rest_total + total - rest - prior))
        z = (a - b) / math.sqrt(1 / (count + prior) + 1 / (rest + prior))
        scored.append((-z, word))
    scored.sort()
    return [word for z, word in scored[:limit] if z < 0]

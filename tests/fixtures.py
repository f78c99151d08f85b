"""What tests and benchmarks share: planted-type studies, the schemas Persona sends, the ARI.

One home for each: the unit tests, the end-to-end tests and the scripts under ``bench/`` build their
studies here (bench adds the repository root to ``sys.path``), so a change to how a study is written
reaches all of them. The sentences are written for these studies; no benchmark's values are drawn on.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from pathlib import Path

from persona.records import Provenance, Record
from persona.schema import FindingSet, PersonaSet, answer_schema

# -- the answer schemas every model answer is decoded under (llama.cpp grammar tests, schema lint) --

SCHEMAS = {
    "personas": answer_schema(PersonaSet),
    "personas-3": answer_schema(PersonaSet, max_items=3),
    "personas-ids": answer_schema(PersonaSet, max_items=2, record_ids=["a-1", "b-2"]),
    "findings": answer_schema(FindingSet),
    "findings-ids": answer_schema(FindingSet, record_ids=[f"f1-r{n}" for n in range(50)]),
}

# -- planted-type rail surveys -----------------------------------------------------------------------

TYPES = {
    "commuter": {
        "role": ["Nurse", "Teacher", "Office manager"],
        "freq": ["Daily"],
        "said": [
            "The 07:42 is late most mornings and I miss the start of my shift.",
            "I check live departures before I leave and again on the platform.",
            "A season ticket that renews itself would save me a morning every month.",
            "Platform changes are announced too late for anyone to get there.",
            "Delay repay takes weeks and I have given up claiming.",
            "I want the app to warn me before I leave the house.",
        ],
    },
    "family": {
        "role": ["Parent", "Carer"],
        "freq": ["Monthly", "Weekends"],
        "said": [
            "Booking for two adults and three children takes forever in the app.",
            "Family railcard discounts should be applied without me hunting for them.",
            "Getting a pushchair and luggage through the barriers is exhausting.",
            "We plan day trips to the seaside during school holidays.",
            "Seat reservations for a group never put us together.",
            "The kids love the train so we try to make a day of it.",
        ],
    },
    "student": {
        "role": ["Student"],
        "freq": ["Weekly"],
        "said": [
            "My railcard renewal was confusing and I paid full fare twice.",
            "I hunt for the cheapest advance fare on my laptop every time.",
            "Split ticketing saves me a lot on the journey home from university.",
            "Money is tight so every pound saved on fares really matters.",
            "I travel late at night and worry when the last train is cancelled.",
            "I would use an app that shows the cheapest time to travel.",
        ],
    },
    "business": {
        "role": ["Consultant", "Sales director"],
        "freq": ["Weekly", "Daily"],
        "said": [
            "I need receipts in a format my expenses system accepts.",
            "First class wifi drops out between stations so I cannot work.",
            "Changing a booked ticket at short notice costs far too much.",
            "I book through our corporate portal and it never shows all the fares.",
            "Quiet coach rules are ignored and I cannot take calls anywhere.",
            "Being productive on the train is the whole point of not driving.",
        ],
    },
    "accessibility": {
        "role": ["Retired", "Volunteer"],
        "freq": ["Monthly"],
        "said": [
            "Booking passenger assistance through the app is impossible to find.",
            "The ramp did not turn up at my destination and I waited forty minutes.",
            "Step-free routes are not shown when I plan a journey.",
            "Staff at the station are kind but nobody knows if the lift works.",
            "I need large text and a simple screen to use the app at all.",
            "Travelling independently matters to me more than anything.",
        ],
    },
}
COMMON = [
    "The app is fine most of the time.",
    "Prices keep going up every year.",
    "I use the app on my phone.",
    "The trains are often crowded.",
]
STRUCTURED = ("occupation", "age_band", "travel_frequency")
AGES = {
    "commuter": ["25-34", "35-44"],
    "family": ["35-44"],
    "student": ["18-24"],
    "business": ["45-54"],
    "accessibility": ["65+"],
}


def study(
    counts: dict[str, int], cross_talk: float = 0.0, seed: int = 1, said: int = 3, common: int = 1
) -> list[dict[str, str]]:
    """Survey rows, shuffled: per type ``counts[type]`` respondents, each saying ``said`` of their
    type's sentences and ``common`` generic ones, and with probability ``cross_talk`` one sentence
    of another type. The planted type is in the hidden ``_type`` column."""
    rng = random.Random(seed)
    rows = []
    number = 0
    for kind, count in counts.items():
        for _ in range(count):
            number += 1
            own = TYPES[kind]
            spoken = rng.sample(own["said"], said) + rng.sample(COMMON, common)
            if rng.random() < cross_talk:
                other = rng.choice([k for k in TYPES if k != kind])
                spoken.append(rng.choice(TYPES[other]["said"]))
            rng.shuffle(spoken)
            rows.append(
                {
                    "participant_id": f"R-{number:04d}",
                    "occupation": rng.choice(own["role"]),
                    "age_band": rng.choice(AGES[kind]),
                    "travel_frequency": rng.choice(own["freq"]),
                    "tell_us_about_your_journeys": " ".join(spoken),
                    "_type": kind,
                }
            )
    rng.shuffle(rows)
    return rows


def write_study(rows: list[dict[str, str]], path: Path, text_only: bool = False) -> list[str]:
    """The study as a CSV, without its hidden ``_type`` column (and, text only, without the
    structured answers that would give the type away: only what people wrote)."""
    columns = [c for c in rows[0] if c != "_type" and not (text_only and c in STRUCTURED)]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return columns


def truth_of(rows: list[dict[str, str]], stem: str) -> dict[str, str]:
    """Planted type per record id of the CSV ``write_study`` wrote as ``<stem>.csv``: record ids are
    ``<stem>-<line>``, and line n+2 holds rows[n] (the header is line 1)."""
    return {f"{stem}-{n + 2}": row["_type"] for n, row in enumerate(rows)}


def records_of(rows: list[dict[str, str]], stem: str = "survey") -> list[Record]:
    """The rows as loaded records, without the hidden column (for engine unit tests)."""
    return [
        Record(
            f"{stem}-{n + 2}",
            Provenance(f"{stem}.csv", row=n + 2),
            fields={k: v for k, v in row.items() if k != "_type"},
        )
        for n, row in enumerate(rows)
    ]


def ari(truth: list[str], found: list[str]) -> float:
    """Adjusted Rand index of two labelings of the same items (1 same partition, ~0 chance)."""
    import numpy as np
    from persona.grouping.clustering import adjusted_rand

    return adjusted_rand(np.array(truth, dtype=object), np.array(found, dtype=object))


# -- a rail survey with no personal data at all ------------------------------------------------------
# Every answer is made of ordinary words, places, weekdays, products and job titles, many of them
# also somebody's name in some language ("fares", "will", "grace", "bill", "mark", "hope", "sunday").
# Nothing in it identifies anyone, so every change an anonymiser makes to it is damage.

PLAIN_OPENERS = ["", "Honestly, ", "Sorry but ", "Right, so ", "Hope so: ", "To be fair, ", "Mostly "]
PLAIN_CLAUSES = [
    "advance fares drop too late to plan a trip to {city}",
    "give us an alert when advance fares drop",
    "the Wi-Fi cuts out mid-journey between {city} and {city2}",
    "a mid-journey seat change is impossible when the train is full",
    "I will pay more for a quiet coach on {day}",
    "the grace period on a delayed connection should be longer",
    "bill payments for the season ticket go out on {day}",
    "I book on {product} because the operator's own site times out",
    "the {product} app lets me mark as read every delay alert",
    "my manager lets me work from home on {day} when the trains strike",
    "as a {job} I travel before six and the first train is always packed",
    "the ticket office at {city} closes before the last train",
    "we use {product} to split the cost of family tickets",
    "the refund took three weeks and nobody answered my emails",
    "fares went up again in January while the service got worse",
    "the timetable changes every {day} without any warning",
    "the guard was helpful when my connection at {city} was cancelled",
    "contactless should work on every route, not just in {city}",
    "a railcard that renews itself would save me a trip to the station",
    "I would pay for a fold-up bike space if I could reserve it",
    "the {time} to {city} is always packed",  # a clock time alone is no date of anyone's
]
PLAIN_TIMES = ["7:42", "06:15", "18:05", "17:30"]
PLAIN_CITIES = ["London", "Manchester", "Leeds", "Cardiff", "Glasgow", "Bristol", "York", "Reading"]
PLAIN_DAYS = ["Monday", "Friday", "Sunday", "Saturday", "weekends", "bank holidays"]
PLAIN_PRODUCTS = ["Trainline", "Uber", "Zoom", "Slack", "Teams", "Citymapper", "Apple Pay", "Monzo"]
PLAIN_JOBS = ["Staff Nurse", "teacher", "site engineer", "Head of Operations", "care worker"]


def plain_survey(rows: int, seed: int = 1) -> list[dict[str, str]]:
    """Survey rows with no personal data: an opaque respondent number, categories, free text."""
    rng = random.Random(seed)

    def answer() -> str:
        clauses = rng.sample(PLAIN_CLAUSES, rng.randint(1, 2))
        text = "; ".join(
            clause.format(
                city=rng.choice(PLAIN_CITIES),
                city2=rng.choice(PLAIN_CITIES),
                day=rng.choice(PLAIN_DAYS),
                product=rng.choice(PLAIN_PRODUCTS),
                job=rng.choice(PLAIN_JOBS),
                time=rng.choice(PLAIN_TIMES),
            )
            for clause in clauses
        )
        opener = rng.choice(PLAIN_OPENERS)
        return opener + (text[0].lower() if opener else text[0].upper()) + text[1:] + "."

    return [
        {
            "respondent": str(1000 + n),
            "region": rng.choice(["North West", "Wales", "Scotland", "London", "Yorkshire"]),
            "travel_day": rng.choice(PLAIN_DAYS),
            "booking_app": rng.choice(PLAIN_PRODUCTS),
            "what_would_you_improve": answer(),
            "anything_else": answer(),
        }
        for n in range(rows)
    ]


def changed_words(before: list[dict[str, str]], after: list[dict[str, str]]) -> tuple[int, int, Counter[str]]:
    """Words of ``before`` that are not in the same cell of ``after``: (changed, total, which)."""
    changed, total, which = 0, 0, Counter[str]()
    for old, new in zip(before, after, strict=True):
        for column, value in old.items():
            kept = Counter((new.get(column) or "").split())
            for word in value.split():
                total += 1
                if kept[word]:
                    kept[word] -= 1
                else:
                    changed += 1
                    which[word] += 1
    return changed, total, which

"""Records linked into units: one per participant where the data says who is who, else one per
record (a transcript without speaker ids is one unit per file: one interview)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from persona.participants import participant_of
from persona.records import Record
from persona.text import is_age_band

_NUMBER = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*$")


@dataclass
class Unit:
    key: str
    records: list[Record] = field(default_factory=list)

    def text(self, free: set[str]) -> str:
        parts: list[str] = []
        for record in self.records:
            parts.extend(value for name, value in record.fields.items() if name in free)
            if record.text:
                parts.append(record.text)
        return "\n".join(parts)


def make_units(records: Sequence[Record]) -> list[Unit]:
    units: dict[str, Unit] = {}
    for record in records:
        who = participant_of(record)
        if who is not None:
            key = f"participant:{who}"
        elif record.fields:
            key = f"record:{record.id}"
        else:
            key = f"file:{record.source.file}"
        units.setdefault(key, Unit(key)).records.append(record)
    return sorted(units.values(), key=lambda unit: unit.key)


def unit_kind(units: Sequence[Unit]) -> str:
    """``participants`` when records were linked to people, else ``records``."""
    return "participants" if any(unit.key.startswith("participant:") for unit in units) else "records"


@dataclass(frozen=True)
class Columns:
    free: set[str]  #: free-text answers: sentences to cluster and to quote
    categorical: set[str]  #: short answers from a small set: structured features and demographics
    ages: set[str]  #: exact ages or age bands


def classify_columns(records: Sequence[Record]) -> Columns:
    values: dict[str, list[str]] = {}
    for record in records:
        for name, value in record.fields.items():
            values.setdefault(name, []).append(value)
    free, categorical, ages = set(), set(), set()
    for name, items in values.items():
        lowered = name.lower()
        distinct = len(set(items))
        average = sum(len(v) for v in items) / len(items)
        if re.search(r"\bage\b|age[_ ]?(band|group|range)", lowered) and all(
            _NUMBER.match(v) or is_age_band(v) for v in items
        ):
            ages.add(name)
        elif all(_NUMBER.match(v) for v in items):
            continue
        elif average >= 40 or (average >= 20 and distinct > 0.6 * len(items)):
            free.add(name)
        elif distinct <= max(12, len(items) // 3) and average < 40:
            categorical.add(name)
    return Columns(free, categorical, ages)


def dominant(values: Sequence[str]) -> tuple[str, int] | None:
    counted = Counter(v for v in values if v)
    if not counted:
        return None
    value, count = sorted(counted.items(), key=lambda item: (-item[1], item[0]))[0]
    return value, count

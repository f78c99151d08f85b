"""Answers checked against the records: ids that exist, quotes that occur word for word, and the
quality gate (no duplicate items, no persona without evidence or without content).

Pure functions over the answer: each returns what it kept and a ``Tally`` of what it dropped, so
nothing is counted from several threads at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from persona.records import Record
from persona.schema import FindingSet, Persona
from persona.text import normalise

_PLACEHOLDER = re.compile(
    r"^\W*(?:\[[A-Z][A-Z0-9_]*\]|n/?a|none|unknown|null|tbd|todo|-+|\.+|\?+)?\W*$", re.I
)


@dataclass
class Tally:
    quotes_dropped: int = 0
    evidence_dropped: int = 0
    items_deduplicated: int = 0

    def add(self, other: Tally) -> None:
        self.quotes_dropped += other.quotes_dropped
        self.evidence_dropped += other.evidence_dropped
        self.items_deduplicated += other.items_deduplicated


class Sources:
    """The records' text, normalised, for checking quotes and ids."""

    def __init__(self, records: Iterable[Record]) -> None:
        self.texts = {record.id: normalise(record_text(record)) for record in records}

    def __contains__(self, record_id: object) -> bool:
        return record_id in self.texts

    def quote_source(self, text: str, record_id: str) -> str | None:
        """The id of the record that holds ``text`` word for word: the cited one, else any."""
        needle = normalise(text).strip(" .,;:!?\"'")
        if not needle:
            return None
        if needle in self.texts.get(record_id, ""):
            return record_id
        for rid, source in self.texts.items():
            if needle in source:
                return rid
        return None

    def findings(self, answer: FindingSet, known: set[str]) -> tuple[list[dict[str, Any]], Tally]:
        """The findings that cite at least one of the ``known`` ids, with only those ids."""
        tally = Tally()
        kept = []
        for finding in answer.findings:
            ids = [rid for rid in dict.fromkeys(finding.record_ids) if rid in known]
            tally.evidence_dropped += len(set(finding.record_ids)) - len(ids)
            if not ids:
                continue
            quotes = [q.model_dump() for q in finding.quotes if self.quote_source(q.text, q.record_id)]
            tally.quotes_dropped += len(finding.quotes) - len(quotes)
            kept.append(
                {"kind": finding.kind, "statement": finding.statement, "record_ids": ids, "quotes": quotes}
            )
        return kept, tally

    def personas(self, personas: Sequence[Persona], count: int) -> tuple[list[Persona], Tally, list[str]]:
        """Personas with only real evidence and verbatim quotes, duplicates removed, unique ids;
        and the problems of those that fail the quality gate (they are left out)."""
        tally = Tally()
        checked: list[Persona] = []
        problems: list[str] = []
        used: set[str] = set()
        for number, persona in enumerate(personas[:count], start=1):
            evidence = [rid for rid in dict.fromkeys(persona.evidence) if rid in self.texts]
            tally.evidence_dropped += len(set(persona.evidence)) - len(evidence)
            quotes = []
            for quote in persona.quotes:
                source = self.quote_source(quote.text, quote.record_id)
                if source is None:
                    tally.quotes_dropped += 1
                else:
                    quotes.append(quote.model_copy(update={"record_id": source}))
            lists = {}
            for name in ("goals", "pain_points", "behaviours", "motivations"):
                items = distinct(getattr(persona, name))
                tally.items_deduplicated += len(getattr(persona, name)) - len(items)
                lists[name] = [item for item in items if not _PLACEHOLDER.match(item)]
            reasons = []
            if not evidence:
                reasons.append("no evidence id names a record of the data")
            empty = [name.replace("_", " ") for name, items in lists.items() if not items]
            if empty or _PLACEHOLDER.match(persona.summary) or _PLACEHOLDER.match(persona.name):
                reasons.append(f"empty or placeholder-only content ({', '.join(empty) or 'name or summary'})")
            if reasons:
                problems.append(f"personas[{number - 1}] ({persona.name}): {'; '.join(reasons)}")
                continue
            slug, suffix = persona.id, 2
            while slug in used:
                slug, suffix = f"{persona.id}-{suffix}", suffix + 1
            used.add(slug)
            checked.append(
                persona.model_copy(update={"id": slug, "evidence": evidence, "quotes": quotes, **lists})
            )
        return checked, tally, problems


def distinct(items: Iterable[str]) -> list[str]:
    """Items in order with repeats (ignoring case, spacing and punctuation) removed."""
    seen: set[str] = set()
    kept = []
    for item in items:
        key = re.sub(r"\W+", " ", normalise(item)).strip()
        if key and key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def record_text(record: Record) -> str:
    return "\n".join([*record.fields.values(), record.text])

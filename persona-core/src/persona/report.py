"""``report.html``: one self-contained page a researcher can hand on. Persona cards, a link from
every statement and quote to the record behind it (shown as the engine saw it: anonymised when
anonymisation was on), coverage of records by persona, and the run's facts.

Jinja2 with autoescaping: every value from data or model is escaped. Styles are inline; the page
loads nothing from anywhere (no scripts, fonts or images), so it reads offline and prints to PDF.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from persona.participants import label, participant_of
from persona.records import Record
from persona.schema import Persona

MAX_TEXT = 2000  # characters of one value shown in the report; the rest is cut, with a note
MAX_RECORDS = 2000  # records shown in the appendix


def render_report(
    personas: Sequence[Persona], manifest: Mapping[str, Any], records: Mapping[str, Record]
) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("persona", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cut"] = cut
    assignments: Mapping[str, str] = manifest.get("assignments") or {}
    texts = _Texts(records)
    # The records each persona draws on: its evidence and quotes (always shown and linked), then
    # the records assigned to it; a study larger than the appendix shows only the first of those.
    own_of: dict[str, list[str]] = {}
    for rid, pid in assignments.items():
        own_of.setdefault(pid, []).append(rid)
    room = max(MAX_RECORDS, sum(len(p.evidence) + len(p.quotes) for p in personas))
    cited: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    cards: list[dict[str, Any]] = []
    for index, persona in enumerate(personas):
        anchor = f"persona-{index + 1}"
        own = sorted(own_of.get(persona.id, []))
        linked = list(dict.fromkeys([*persona.evidence, *(q.record_id for q in persona.quotes)]))
        drawn = list(dict.fromkeys([*linked, *own]))
        counts[anchor] = len(drawn)
        for rid in linked:
            cited.setdefault(rid, []).append(anchor)
        for rid in own:
            if len(cited) >= room and rid not in cited:
                break
            cited.setdefault(rid, []).append(anchor)
        cards.append(
            {
                "anchor": anchor,
                "persona": persona,
                "sections": [
                    (
                        title,
                        [
                            (item, persona.support.get(item), texts.first_source(item, drawn))
                            for item in items
                        ],
                    )
                    for title, items in (
                        ("Goals", persona.goals),
                        ("Pain points", persona.pain_points),
                        ("Behaviours", persona.behaviours),
                        ("Motivations", persona.motivations),
                    )
                ],
                "quotes": [(q, _who(q.record_id, records)) for q in persona.quotes],
                "evidence": [(rid, _who(rid, records)) for rid in persona.evidence if rid in records],
                "records": len(own) if own else len(persona.evidence),
            }
        )
    # Every record a link points to is shown; the others up to the limit.
    shown = list(dict.fromkeys([*(rid for rid in cited if rid in records), *records]))[
        : max(MAX_RECORDS, len(cited))
    ]
    anchors = {persona.id: f"persona-{index + 1}" for index, persona in enumerate(personas)}
    uncovered = [rid for rid in records if rid not in cited and assignments.get(rid) not in anchors]
    appendix = [
        {
            "id": rid,
            "who": label(records[rid]),
            "where": _where(records[rid], manifest),
            "fields": list(records[rid].fields.items()),
            "text": records[rid].text,
            "personas": cited.get(rid, []),
        }
        for rid in shown
    ]
    coverage = [
        {
            "anchor": card["anchor"],
            "name": card["persona"].name,
            "count": counts[card["anchor"]],
        }
        for card in cards
    ]
    template = env.get_template("report.html.j2")
    return template.render(
        cards=cards,
        manifest=manifest,
        appendix=appendix,
        hidden_records=max(0, len(records) - len(shown)),
        coverage=coverage,
        uncovered=uncovered,
        total=len(records),
        participants=len({participant_of(r) for r in records.values() if participant_of(r)}),
        note=manifest.get("note"),
    )


def cut(text: str, limit: int = MAX_TEXT) -> str:
    text = str(text)
    if len(text) <= limit:
        return text
    return text[:limit] + f" … [cut: {len(text) - limit:,} more characters]"


def _who(record_id: str, records: Mapping[str, Record]) -> str:
    record = records.get(record_id)
    return label(record) if record is not None else record_id


def _flat(text: str) -> str:
    return " ".join(text.split()).casefold()


class _Texts:
    """Records' texts as an item is looked for in them (flattened, case folded), each flattened
    the first time it is looked at."""

    SEARCHED = 5000  # records of a persona searched for an item's words, at most

    def __init__(self, records: Mapping[str, Record]) -> None:
        self.records = records
        self.flat: dict[str, str] = {}

    def __getitem__(self, rid: str) -> str:
        if rid not in self.flat:
            r = self.records.get(rid)
            self.flat[rid] = (
                "" if r is None else _flat("\n".join([*(f"{k}: {v}" for k, v in r.fields.items()), r.text]))
            )
        return self.flat[rid]

    def first_source(self, item: str, drawn: Sequence[str]) -> str | None:
        """The record an item's words come from, looking first at the records the persona draws on
        (then at every record, in a study small enough to show whole)."""
        needle = _flat(item)
        rest: list[str] = list(self.records) if len(self.records) <= MAX_RECORDS else []
        for rid in [*drawn[: self.SEARCHED], *rest]:
            if needle and needle in self[rid]:
                return rid
        first: str | None = drawn[0] if drawn and drawn[0] in self.records else None
        return first


def _where(record: Record, manifest: Mapping[str, Any]) -> str:
    """Row or lines only: the file is named by its place in the manifest's inputs, never by a path."""
    files = [entry.get("path") for entry in manifest.get("inputs", [])]
    number = files.index(record.source.file) + 1 if record.source.file in files else None
    place = record.source.where().removeprefix(record.source.file).lstrip(", ")
    return f"input {number}" + (f", {place}" if place else "") if number else place

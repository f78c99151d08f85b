"""The words sent to the model: how records and findings are shown, and what is asked of it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from persona.providers import Message
from persona.records import Record
from persona.schema import Persona

SYSTEM = (
    "You are a careful UX research analyst. You build user personas strictly from the research "
    "data you are given: every statement must be supported by the data, and you never invent facts, "
    "people or quotes. Personal details in the data may have been replaced by placeholders such as "
    "[PERSON_1]; keep placeholders exactly as written and never try to guess what they hide. "
    "You answer with JSON only."
)

_PERSONA_RULES = """\
{task}
Rules:
- Each persona is a composite archetype, not one participant; give it a fictional name.
- "evidence" lists the ids of the records that support the persona: the text in square brackets
  that starts each record, copied exactly.
- "quotes" are copied word for word from a single record, with that record's id; do not paraphrase.
- Keep list items short and concrete. Leave demographics null when the data does not say.
Answer with one JSON object that follows this JSON schema:
{schema}"""

_FINDINGS_RULES = """\
Extract the findings a UX researcher would note from these records: goals, pain points, behaviours,
motivations, demographics and context. Merge findings that say the same thing.
Rules:
- "record_ids" lists the ids of every record that supports the finding: the text in square
  brackets that starts each record, copied exactly.
- "quotes" are copied word for word from a single record, with that record's id.
Answer with one JSON object that follows this JSON schema:
{schema}"""


_MANY = "Write {count} distinct personas that together cover the main patterns in the data."
_ONE = (
    "These participants were grouped together because they said similar things. Write one persona "
    "that represents them."
)


def render_draft(draft: Persona) -> str:
    """A group's extractive persona, as grounding for the model: its verbatim sentences with their
    support, its demographics and its central quotes."""
    lines = ["Draft (sentences taken word for word from this group's records, with how many say so):"]
    lines.append(f"group: {draft.summary}")
    if draft.role:
        lines.append(f"role: {draft.role}")
    demographics = draft.demographics.model_dump(exclude_none=True)
    if demographics:
        lines.append("demographics: " + "; ".join(f"{k}: {v}" for k, v in demographics.items()))
    for name in ("goals", "pain_points", "behaviours", "motivations"):
        items = getattr(draft, name)
        lines.append(f"{name}:")
        lines.extend(
            f"- {item}" + (f" ({draft.support[item]})" if item in draft.support else "") for item in items
        )
    for quote in draft.quotes:
        lines.append(f'quote [{quote.record_id}]: "{quote.text}"')
    return "\n".join(lines)


def render_record(record: Record) -> str:
    lines = [f"[{record.id}]"]
    lines.extend(f"{name}: {value}" for name, value in record.fields.items())
    if record.text:
        lines.append(record.text)
    return "\n".join(lines)


def render_records(records: Iterable[Record]) -> str:
    return "\n\n".join(render_record(record) for record in records)


def render_findings(findings: Iterable[Mapping[str, Any]]) -> str:
    """Findings as compact lines; their record ids travel with them so evidence survives."""
    lines = []
    for finding in findings:
        ids = ", ".join(finding["record_ids"])
        line = f"- ({finding['kind']}) {finding['statement']} [records: {ids}]"
        for quote in finding.get("quotes", []):
            line += f'\n  quote [{quote["record_id"]}]: "{quote["text"]}"'
        lines.append(line)
    return "\n".join(lines)


def compact(schema: Mapping[str, Any]) -> str:
    return json.dumps(schema, separators=(",", ":"))


def persona_messages(
    data: str,
    *,
    count: int,
    schema: Mapping[str, Any],
    from_findings: bool = False,
    draft: str | None = None,
) -> tuple[Message, ...]:
    """Instructions and schema first, the data last: every request of a run then starts with the
    same tokens, which the server can reuse from its cache. With ``draft`` (one persona per group),
    the group's extractive draft comes before its data."""
    what = "findings extracted from research records" if from_findings else "research records"
    task = _ONE if draft is not None else _MANY.format(count=count)
    rules = _PERSONA_RULES.format(task=task, schema=compact(schema))
    grounding = (
        f"{draft}\n\nCorrect the draft where the data says otherwise; keep only what the data supports.\n\n"
        if draft
        else ""
    )
    return (
        Message("system", f"{SYSTEM}\n\n{rules}"),
        Message("user", f"{grounding}Here are the {what}:\n\n{data}"),
    )


def findings_messages(
    data: str, *, schema: Mapping[str, Any], from_findings: bool = False
) -> tuple[Message, ...]:
    what = "findings to merge" if from_findings else "research records"
    rules = _FINDINGS_RULES.format(schema=compact(schema))
    return (
        Message("system", f"{SYSTEM}\n\n{rules}"),
        Message("user", f"Here are the {what}:\n\n{data}"),
    )


def repair_messages(original: tuple[Message, ...], answer: str, problems: str) -> tuple[Message, ...]:
    return (
        *original,
        Message("assistant", answer),
        Message(
            "user",
            "Your answer does not follow the schema: "
            f"{problems}\nAnswer again with the corrected JSON object only.",
        ),
    )

"""The persona data model. The JSON schema sent to the model is generated from these classes, and the
same classes validate the answer, so the two can never disagree.

Bounds (item counts, string lengths) are deliberately tight: they keep small local models on track
and make a rambling answer a validation error instead of a bad persona.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=160)]
_RECORD_ID = "x-persona-record-id"
RecordId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=80),
    Field(json_schema_extra={_RECORD_ID: True}),
]
# Grammar engines (llama.cpp's converter behind Ollama's ``format``) compile only anchored patterns
# without ``(?`` groups or lookaround: keep every pattern in that subset (a test lints them).
SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
MAX_ENUM_IDS = 400


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Demographics(_Strict):
    age_range: str | None = Field(None, max_length=20, description="e.g. '30-39'; null if unknown")
    occupation: str | None = Field(None, max_length=80)
    location: str | None = Field(None, max_length=80, description="region or kind of place")


class Quote(_Strict):
    text: str = Field(min_length=3, max_length=300, description="verbatim words from one record")
    record_id: RecordId = Field(description="id of the record the words come from")


class Persona(_Strict):
    id: str = Field(pattern=SLUG, max_length=40, description="kebab-case slug")
    name: str = Field(min_length=1, max_length=60, description="a fictional first name and surname")
    role: str = Field(min_length=1, max_length=80, description="short role or title")
    summary: str = Field(min_length=1, max_length=600)
    demographics: Demographics
    goals: list[Short] = Field(min_length=1, max_length=6)
    pain_points: list[Short] = Field(min_length=1, max_length=6)
    behaviours: list[Short] = Field(min_length=1, max_length=6)
    motivations: list[Short] = Field(min_length=1, max_length=6)
    quotes: list[Quote] = Field(default_factory=list, max_length=5)
    evidence: list[RecordId] = Field(min_length=1, max_length=60, description="ids of supporting records")
    # Set by Persona, never asked of a model (left out of the schema it is sent).
    kind: SkipJsonSchema[str | None] = Field(None, max_length=40)  #: the engine that made it
    support: SkipJsonSchema[dict[str, str]] = Field(default_factory=dict)


class PersonaSet(_Strict):
    personas: list[Persona] = Field(min_length=1, max_length=12)


FindingKind = Literal["goal", "pain_point", "behaviour", "motivation", "demographic", "context"]


class Finding(_Strict):
    kind: FindingKind
    statement: str = Field(min_length=1, max_length=240, description="one observation, in plain words")
    quotes: list[Quote] = Field(default_factory=list, max_length=3)
    record_ids: list[RecordId] = Field(min_length=1, max_length=30)


class FindingSet(_Strict):
    findings: list[Finding] = Field(min_length=1, max_length=40)


def answer_schema(
    model: type[BaseModel], *, max_items: int | None = None, record_ids: Sequence[str] | None = None
) -> dict[str, Any]:
    """The JSON schema for ``model`` with references inlined (small models and grammar-based
    structured outputs handle a flat schema best), and the top list capped at ``max_items``.

    With ``record_ids`` (at most ``MAX_ENUM_IDS``), every record-id field is an ``enum`` of them, so
    a model under grammar-constrained decoding cannot cite a record that does not exist."""
    schema = copy.deepcopy(_generated(model))
    definitions = schema.pop("$defs", {})
    ids = list(dict.fromkeys(record_ids)) if record_ids and len(set(record_ids)) <= MAX_ENUM_IDS else None
    inlined: dict[str, Any] = _inline(schema, definitions, ids)
    if max_items is not None:
        (top,) = inlined["properties"].values()
        top["maxItems"] = max_items
        top["minItems"] = min(top.get("minItems", 1), max_items)
    return inlined


@functools.cache
def _generated(model: type[BaseModel]) -> dict[str, Any]:
    """pydantic's schema for ``model``, made once per process (it costs milliseconds)."""
    return model.model_json_schema()


def _inline(node: Any, definitions: dict[str, Any], ids: list[str] | None) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return _inline(copy.deepcopy(definitions[name]), definitions, ids)
        if node.pop(_RECORD_ID, False) and ids:
            return {
                "type": "string",
                "enum": ids,
                **({"description": node["description"]} if "description" in node else {}),
            }
        inlined = {key: _inline(value, definitions, ids) for key, value in node.items() if key != "title"}
        items = inlined.get("items")
        if ids and isinstance(items, dict) and items.get("enum") is ids and "maxItems" in inlined:
            # a list of distinct records cannot be longer than the records there are: a small model
            # that loops on the ids under a grammar stops there instead of at 60
            inlined["maxItems"] = min(inlined["maxItems"], len(items["enum"]))
        return inlined
    if isinstance(node, list):
        return [_inline(item, definitions, ids) for item in node]
    return node

"""Fitting the data to the model's context: one prompt when it fits, else chunks for map-reduce.

Nothing is ever cut to fit. Records that fit together go into one prompt; when they do not, they are
packed in order into chunks that each leave room for the answer. A single record too large for any
prompt is an error naming the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from persona.errors import InputError, UsageError
from persona.records import Record
from persona.tokens import estimate_tokens

DEFAULT_CONTEXT = 8192
MIN_DATA_TOKENS = 256


@dataclass(frozen=True)
class Budget:
    """Token arithmetic for one model: what is left for data once instructions and answer fit."""

    context_length: int
    context_source: Literal["provider", "setting", "assumed"]
    answer_tokens: int
    overhead_tokens: int
    answer_ceiling: int = 0  #: the answer_tokens setting, before it was fitted to the context

    @property
    def data_tokens(self) -> int:
        return self.context_length - self.answer_tokens - self.overhead_tokens


@dataclass
class FitPlan:
    """How records reach the model: ``single`` (one prompt), ``map-reduce`` (``chunks``), or
    ``per-group`` (one persona per group of similar records, each group with a plan of its own)."""

    strategy: Literal["single", "map-reduce", "per-group"]
    budget: Budget
    data_tokens: int
    chunks: list[list[Record]] = field(default_factory=list)
    grouping: str = "order"  #: how the chunks were made: ``order`` or ``similar``
    groups: list[FitPlan] = field(default_factory=list)

    @property
    def records(self) -> list[Record]:
        return [record for chunk in self.chunks for record in chunk]

    def describe(self) -> dict[str, object]:
        if self.strategy == "per-group":
            return {
                "strategy": self.strategy,
                "context_length": self.budget.context_length,
                "context_source": self.budget.context_source,
                "answer_tokens": self.budget.answer_tokens,
                "prompt_overhead_tokens": self.budget.overhead_tokens,
                "estimated_data_tokens": self.data_tokens,
                "groups": [
                    {"records": len(group.records), "strategy": group.strategy, "chunks": len(group.chunks)}
                    for group in self.groups
                ],
            }
        return {
            "strategy": self.strategy,
            "context_length": self.budget.context_length,
            "context_source": self.budget.context_source,
            "answer_tokens": self.budget.answer_tokens,
            "prompt_overhead_tokens": self.budget.overhead_tokens,
            "data_tokens_per_prompt": self.budget.data_tokens,
            "estimated_data_tokens": self.data_tokens,
            "chunks": [len(chunk) for chunk in self.chunks],
            **({"grouping": self.grouping} if self.strategy == "map-reduce" else {}),
        }


ANSWER_SHARE = 0.4  #: of a context smaller than the answer ceiling needs, what the answer may take
MIN_ANSWER_TOKENS = 1024  #: below this, one persona does not fit in an answer


def answer_budget(context_length: int, ceiling: int) -> int:
    """The room kept for each answer: ``ceiling`` (the setting), lowered to a share of a small
    context, so a 4k or 8k model still leaves room for data; never below what one persona needs
    (unless the setting asks for less)."""
    return min(ceiling, max(MIN_ANSWER_TOKENS, int(context_length * ANSWER_SHARE)))


def smallest_context(ceiling: int, overhead_tokens: int, data_tokens: int = MIN_DATA_TOKENS) -> int:
    """The smallest context that leaves room for instructions, an answer and ``data_tokens``."""
    low, high = 1, 1 << 24
    while low < high:  # what is left for data grows with the context: the first that is enough
        middle = (low + high) // 2
        if middle - answer_budget(middle, ceiling) - overhead_tokens >= data_tokens:
            high = middle
        else:
            low = middle + 1
    return low


def make_budget(
    context_length: int | None,
    context_source: Literal["provider", "setting", "assumed"],
    answer_ceiling: int,
    overhead_tokens: int,
) -> Budget:
    """The token budget of one prompt; a context too small for any data is refused, naming the
    smallest that would do."""
    if context_length is None:
        context_length, context_source = DEFAULT_CONTEXT, "assumed"
    answer = answer_budget(context_length, answer_ceiling)
    budget = Budget(context_length, context_source, answer, overhead_tokens, answer_ceiling)
    if budget.data_tokens < MIN_DATA_TOKENS:
        raise UsageError(
            f"the model's context of {context_length} tokens leaves no room for data once the "
            f"instructions ({overhead_tokens}) and the answer ({answer}) fit; use a model with a "
            f"context of at least {smallest_context(answer_ceiling, overhead_tokens)} tokens"
        )
    return budget


def record_tokens(record: Record) -> int:
    """``estimate_tokens(render_record(record))`` plus the id's place in the schema's enums,
    without building the rendered text."""
    fields = record.fields
    joined = "".join([record.id, record.text, *fields, *fields.values()])
    size = len(joined) if joined.isascii() else len(joined.encode("utf-8"))
    size += 2 + 3 * len(fields) + (1 if record.text else 0)
    # The id is also listed twice in the answer schema's enums (evidence, quotes).
    size += 2 * (len(record.id) + 3)
    return -(-size // 3) + 1


def plan(records: Sequence[Record], budget: Budget, sizes: Sequence[int] | None = None) -> FitPlan:
    """One prompt if everything fits, else chunks that each fit, in input order."""
    sizes = list(sizes) if sizes is not None else [record_tokens(record) for record in records]
    total = sum(sizes)
    limit = budget.data_tokens
    if total <= limit:
        return FitPlan("single", budget, total, [list(records)])
    ceiling = budget.answer_ceiling or budget.answer_tokens
    for record, size in zip(records, sizes, strict=True):
        if size > limit:
            raise InputError(
                f"{record.source.where()}: record {record.id} needs about {size} tokens, more than "
                f"the {limit} a prompt can hold with this model; split it, or use a model with a "
                f"context of at least {smallest_context(ceiling, budget.overhead_tokens, size)} tokens"
            )
    chunks = [[records[i] for i in group] for group in pack(sizes, limit)]
    return FitPlan("map-reduce", budget, total, chunks)


def plan_similar(groups: Sequence[Sequence[Record]], budget: Budget) -> FitPlan:
    """Map-reduce chunks that never mix groups: each group of similar records is packed on its own,
    so the map step sees one kind of user at a time."""
    chunks: list[list[Record]] = []
    total = 0
    for group in groups:
        fit = plan(group, budget)
        chunks.extend(fit.chunks)
        total += fit.data_tokens
    return FitPlan("map-reduce", budget, total, chunks, grouping="similar")


def pack(sizes: Sequence[int], limit: int) -> list[list[int]]:
    """Indices grouped in order into runs whose sizes add up to at most ``limit`` (an item larger
    than the limit gets a run of its own)."""
    groups: list[list[int]] = []
    current: list[int] = []
    used = 0
    for index, size in enumerate(sizes):
        if current and used + size > limit:
            groups.append(current)
            current, used = [], 0
        current.append(index)
        used += size
    if current:
        groups.append(current)
    return groups


def pack_texts(texts: Sequence[str], limit: int) -> list[list[int]]:
    """Group texts (by index) into runs whose estimated size stays within ``limit``."""
    return pack([estimate_tokens(text) + 1 for text in texts], limit)

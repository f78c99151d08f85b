"""The ``llm`` engine's options: the ``[engines.llm]`` settings table (``PERSONA_ENGINES__LLM__*``,
``--set engines.llm.KEY=VALUE``), declared here and validated by the plugin host like any engine's."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

#: How data that does not fit one prompt is split: ``per-group`` writes one persona per group of
#: similar participants, grounded by that group's draft; ``similar`` makes the map-reduce chunks from
#: groups of similar records; ``order`` packs records in file order. ``bench/llm_grouping.py``
#: measured per-group best, so it is the default.
Grouping = Literal["per-group", "similar", "order"]
GROUPINGS: tuple[str, ...] = get_args(Grouping)


class LlmOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer_tokens: int = Field(
        4096,
        ge=256,
        description="most tokens an answer may take; lowered to a share of a smaller model's context",
    )
    context_tokens: int | None = Field(
        None, ge=1024, description="context to assume when the provider does not report one"
    )
    concurrency: int = Field(2, ge=1, le=16, description="requests run at once when data is split")
    max_requests: int = Field(500, ge=1, description="a run that needs more model requests stops first")
    grouping: Grouping = Field(
        "per-group", description="data larger than one prompt: per-group, similar or order"
    )

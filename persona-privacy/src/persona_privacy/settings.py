"""The ``[privacy]`` settings table (``PERSONA_PRIVACY__*`` in the environment)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal, get_args

from persona import UsageError
from pydantic import BaseModel, ConfigDict, Field, field_validator

Strategy = Literal["redact", "replace", "hash"]


class CustomPattern(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entity: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$", description="entity type, e.g. STUDENT_ID")
    regex: str
    score: float = Field(0.8, gt=0, le=1)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {value!r}: {exc}") from None
        return value


class PrivacySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(None, description="spaCy pipeline; default: best installed (lg, md, sm)")
    strategy: Strategy = "redact"
    score_threshold: float = Field(0.4, ge=0, le=1, description="weaker detections are ignored")
    date_time: bool = Field(True, description="treat specific dates and times as personal data")
    organisations: bool = Field(True, description="treat organisation names as personal data")
    ages: Literal["band", "remove"] = Field("band", description="exact ages: ten-year band, or removed")
    dates: Literal["month", "remove"] = Field("month", description="full dates: month and year, or removed")
    places: Literal["region", "remove"] = Field(
        "region", description="a place under 100,000 people: its region (England, a US state...), or removed"
    )
    keep_content: bool = Field(
        True,
        description="keep products, job titles, days and roles that NER takes for names (false: remove them)",
    )
    deny_list: dict[str, list[str]] = Field(
        default_factory=dict, description="entity type -> exact words always removed"
    )
    patterns: list[CustomPattern] = Field(default_factory=list, description="extra regex recognizers")
    allow_list: list[str] = Field(
        default_factory=list, description="exact words never removed (besides speaker tags)"
    )
    phone_regions: list[str] = Field(
        default_factory=lambda: ["GB", "US"], description="countries whose national phone formats are known"
    )
    locale: str = Field("en_GB", description="Faker locale for --strategy replace")
    seed: int | None = Field(None, description="seed for replacement values (default: random)")
    hash_key: str | None = Field(None, description="HMAC key for --strategy hash (default: stored key)")
    save_mapping: str | None = Field(None, description="file to save the value mapping to (re-identifies!)")
    skip_refused: bool = Field(
        False, description="go on without a file that cannot be anonymised safely (listed in the manifest)"
    )
    batch_size: int = Field(
        128, ge=1, le=10_000, description="values per partition: one spaCy batch, one task of a worker"
    )

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> PrivacySettings:
        from persona import validate_section

        return validate_section(cls, section, "privacy")


def check_strategy(value: str | None) -> Strategy | None:
    """The ``--strategy`` flag, checked; ``None`` means the configured strategy."""
    if value is not None and value not in get_args(Strategy):
        raise UsageError(f"--strategy must be one of {', '.join(get_args(Strategy))}, not '{value}'")
    return value  # type: ignore[return-value]

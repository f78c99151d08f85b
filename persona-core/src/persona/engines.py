"""The engine interface: what turns (preprocessed) records into personas.

An engine plugin registers a factory under a name (see ``hookspecs.register_engines``). Persona
ships two: ``llm``, which writes personas with a model through a provider, and ``extractive``,
which needs no model and builds them from the records' own sentences. The pipeline calls an engine
in three steps, so that a server that is down is found before any data is read:

1. ``start()``: get ready (reach the server, choose the model); raise a ``PersonaError`` when the
   engine cannot run. Must not read data.
2. ``plan(records)``: what ``run`` would do, for ``--dry-run``; must not call a model.
3. ``run(records)``: the personas, as an ``EngineResult``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, get_args, runtime_checkable

from persona.records import Record

if TYPE_CHECKING:
    from persona.providers import Provider
    from persona.reporting import Reporter
    from persona.schema import Persona


#: How the ``llm`` engine splits data that does not fit one prompt: ``per-group`` writes one persona
#: per group of similar participants, grounded by that group's extractive draft; ``similar`` makes
#: the map-reduce chunks from groups of similar records; ``order`` packs records in file order.
#: ``bench/llm_grouping.py`` measured per-group best, so it is the default.
Grouping = Literal["per-group", "similar", "order"]
GROUPINGS: tuple[str, ...] = get_args(Grouping)


@dataclass(frozen=True)
class GenerateConfig:
    """What every engine is asked for. Engines ignore what does not apply to them."""

    count: int = 3
    seed: int | None = None
    model: str | None = None
    temperature: float | None = None
    answer_tokens: int = 4096
    context_tokens: int | None = None
    concurrency: int = 2
    reasoning: bool | None = None
    max_requests: int = 500
    grouping: Grouping = "per-group"


@dataclass
class EngineContext:
    """What an engine factory receives."""

    config: GenerateConfig
    reporter: Reporter
    options: Mapping[str, Any] = field(default_factory=dict)  #: the engine plugin's settings table
    provider: Callable[[], Provider] | None = None  #: the chosen provider, made on first call
    provider_name: str | None = None


@dataclass
class EngineResult:
    """An engine's answer. ``assignments`` maps record ids to the id of the persona they belong to
    (engines that group records fill it); ``details`` goes into the run manifest under the engine's
    name, and must never hold raw input values."""

    personas: list[Persona]
    engine: str
    model: dict[str, Any] = field(default_factory=dict)
    assignments: dict[str, str] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    thinking: list[str] = field(default_factory=list)


@runtime_checkable
class Engine(Protocol):
    """Turns records into personas. Raise ``persona.errors`` types for every failure."""

    name: str

    def start(self) -> None:
        """Get ready to run (reach a server, choose a model). Reads no data."""
        ...

    def plan(self, records: Sequence[Record]) -> dict[str, Any]:
        """What ``run`` would do, as plain data for ``--dry-run``. Calls no model."""
        ...

    def run(self, records: Sequence[Record]) -> EngineResult:
        """The personas, built from ``records`` (already preprocessed: anonymised, say)."""
        ...


EngineFactory = Callable[[EngineContext], Engine]

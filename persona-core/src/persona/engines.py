"""The engine interface: what turns (preprocessed) records into personas.

An engine plugin registers a factory under a name, and optionally the pydantic model of its options
(see ``hookspecs.register_engines``). Persona ships two, registered the same way: ``llm``, which
writes personas with a model through a provider, and ``extractive``, which needs no model. The
pipeline knows an engine only through this module, and calls it in three steps, so that a server
that is down is found before any data is read:

1. ``start()``: get ready (reach the server, choose the model); raise a ``PersonaError`` when the
   engine cannot run. Must not read data.
2. ``plan(records)``: what ``run`` would do, as an ``EnginePlan``, for ``--dry-run``; calls no model.
3. ``run(records)``: the personas, as an ``EngineResult``. A failure that leaves something worth
   inspecting attaches it to the error (``persona.errors.Kept``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from persona.records import Record

if TYPE_CHECKING:
    from persona.providers import Provider
    from persona.reporting import Reporter
    from persona.schema import Persona


@dataclass(frozen=True)
class GenerateConfig:
    """What every engine is asked for; the one place these defaults are written (the settings
    take theirs from here). An engine's own options come in ``EngineContext.options``."""

    count: int = 3
    seed: int | None = None
    model: str | None = None  #: for engines that use a model: its name (None: the provider's choice)
    temperature: float | None = None
    save_thinking: bool = False  #: keep the engine's reasoning traces (an engine that has none ignores it)


@dataclass
class EngineContext:
    """What an engine factory receives."""

    config: GenerateConfig
    reporter: Reporter
    #: the engine's options: an instance of the options model it registered, validated from the
    #: ``[engines.NAME]`` settings table (the raw table, a mapping, when it registered none)
    options: Any = None
    provider: Callable[[], Provider] | None = None  #: the chosen provider, made on first call
    provider_name: str | None = None


@dataclass
class EnginePlan:
    """What ``run`` would do, for ``--dry-run``: ``lines`` are printed as they are, ``details`` (plain
    data, never raw input values unless the engine shows its first prompt) go into ``--json``."""

    lines: list[str]
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class EngineResult:
    """An engine's answer.

    ``model`` describes what wrote the personas (``name``, ``provider``, anything else), ``details``
    how (both go into ``manifest.json``, and must never hold raw input values). ``assignments`` maps
    record ids to the id of the persona they belong to (engines that group records fill it).
    ``requests`` are the model requests made, each a mapping whose ``prompt_tokens`` and
    ``output_tokens`` add up to the run's usage. ``files`` are extra files for the run folder by
    name (``thinking.md``); ``note`` is one line shown above every persona (how it was made).
    """

    personas: list[Persona]
    model: dict[str, Any] = field(default_factory=dict)
    assignments: dict[str, str] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    note: str | None = None


@runtime_checkable
class Engine(Protocol):
    """Turns records into personas. Raise ``persona.errors`` types for every failure."""

    name: str

    def start(self) -> None:
        """Get ready to run (reach a server, choose a model). Reads no data."""
        ...

    def plan(self, records: Sequence[Record]) -> EnginePlan:
        """What ``run`` would do, for ``--dry-run``. Calls no model. Works unstarted too (a dry
        run plans with an engine whose server is down, and the plan says what it assumed)."""
        ...

    def run(self, records: Sequence[Record]) -> EngineResult:
        """The personas, built from ``records`` (already preprocessed: anonymised, say)."""
        ...


EngineFactory = Callable[[EngineContext], Engine]

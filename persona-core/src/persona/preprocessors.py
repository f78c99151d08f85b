"""The preprocessor interface: transformations of records before any prompt is built."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

from persona.records import Record

StepCallback = Callable[[int, int], None]
"""``callback(done, total)``: how a preprocessor reports progress; Persona shows it with its rate."""


@runtime_checkable
class Preprocessor(Protocol):
    """A transformation of records applied before any prompt is built (anonymisation, say)."""

    name: str
    #: True when what the preprocessor does makes paths unsafe to show: the run folder then names
    #: inputs ``input 1``, ``input 2``... (anonymisation sets it: file names can name participants)
    hides_paths: bool

    def process(self, records: Iterable[Record]) -> Iterator[Record]:
        """Yield the transformed records, in order. May stream: records arrive one at a time."""
        ...

    def summary(self) -> Mapping[str, Any]:
        """What was done, for the run manifest. Never include raw input values.

        A list of strings under ``"warnings"`` is also shown to the user.
        """
        ...

    def set_progress(self, callback: StepCallback) -> None:
        """Called before ``process`` with a callback to report ``(done, total)`` through; a
        preprocessor that is always quick may ignore it."""
        ...


PreprocessorFactory = Callable[[Mapping[str, Any]], Preprocessor]

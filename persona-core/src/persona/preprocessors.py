"""The preprocessor interface: transformations of records before any prompt is built."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

from persona.records import Record


@runtime_checkable
class Preprocessor(Protocol):
    """A transformation of records applied before any prompt is built (anonymisation, say)."""

    name: str

    def process(self, records: Iterable[Record]) -> Iterator[Record]:
        """Yield the transformed records, in order. May stream: records arrive one at a time."""
        ...

    def summary(self) -> Mapping[str, Any]:
        """What was done, for the run manifest. Never include raw input values.

        A list of strings under ``"warnings"`` is also shown to the user.
        """
        ...


ProgressCallback = Callable[[int, int], None]
"""``callback(done, total)``: a preprocessor that defines ``set_progress(callback)`` gets one, and
reports its progress through it (Persona shows the rate); the method is optional."""

PreprocessorFactory = Callable[[Mapping[str, Any]], Preprocessor]

"""A preprocessor that drops interviewer turns, so only participants' words reach the model."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from persona import Record, StepCallback


class DropInterviewer:
    name = "drop-interviewer"
    hides_paths = False  # what it removes says nothing about the files' names

    def __init__(self, labels: Iterable[str] = ("Interviewer", "Moderator", "Q")) -> None:
        self.prefixes = tuple(f"{label.lower()}:" for label in labels)
        self.dropped = 0

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> DropInterviewer:
        labels = options.get("labels")
        return cls(labels) if labels else cls()

    def process(self, records: Iterable[Record]) -> Iterator[Record]:
        for record in records:
            kept = []
            for line in record.text.splitlines():
                if line.strip().lower().startswith(self.prefixes):
                    self.dropped += 1
                else:
                    kept.append(line)
            yield record.replace(text="\n".join(kept))

    def summary(self) -> Mapping[str, Any]:
        return {"interviewer_lines_dropped": self.dropped}

    def set_progress(self, callback: StepCallback) -> None:
        """Dropping lines is quick: nothing to report."""

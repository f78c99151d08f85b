"""Input records: what loaders produce and preprocessors transform.

A record is one unit of research data: a table row, or a passage of a document. ``text`` holds free
text, ``fields`` the named values of a row. Every record knows where it came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a record came from: a file and either a row (tables) or a line range (text)."""

    file: str
    row: int | None = None
    line_start: int | None = None
    line_end: int | None = None

    def where(self) -> str:
        if self.row is not None:
            return f"{self.file}, row {self.row}"
        if self.line_start is not None:
            if self.line_end is not None and self.line_end != self.line_start:
                return f"{self.file}, lines {self.line_start}-{self.line_end}"
            return f"{self.file}, line {self.line_start}"
        return self.file


@dataclass(frozen=True, slots=True)
class Record:
    """One unit of input. ``id`` is stable: the same file content gives the same ids."""

    id: str
    source: Provenance
    text: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)

    def replace(
        self,
        *,
        text: str | None = None,
        fields: Mapping[str, str] | None = None,
        id: str | None = None,
        source: Provenance | None = None,
    ) -> Record:
        return Record(
            id=self.id if id is None else id,
            source=self.source if source is None else source,
            text=self.text if text is None else text,
            fields=self.fields if fields is None else fields,
        )

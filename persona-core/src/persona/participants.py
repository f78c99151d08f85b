"""Who a record is about: the participant id of the data, where the data has one.

Used to link records of one participant (the extractive engine's units) and to name evidence the way
researchers do (P07, R-107) instead of by record id or file. With anonymisation on, records carry the
anonymised values, so what this returns is anonymised too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from persona.records import Record
from persona.speakers import speaker_turns

_ID_COLUMN = re.compile(
    r"^(participant|respondent|interviewee|user|customer|member|subject|person)?[\s_\-]*(id|no|number|code|ref)?$"
    r"|^(pid|uid|rid)$",
    re.I,
)
_ID_VALUE = re.compile(r"^[A-Za-z]{0,4}[-_ ]?\d{1,6}$")


def id_column(fields: Mapping[str, str]) -> str | None:
    """The column that holds a participant id, judged by its name and a short id-like value."""
    for name, value in fields.items():
        key = name.strip()
        if not key or not _ID_COLUMN.match(key) or key.lower() in {"", "no", "number"}:
            continue
        if _ID_VALUE.match(value.strip()):
            return name
    return None


def participant_of(record: Record) -> str | None:
    column = id_column(record.fields)
    if column is not None:
        return record.fields[column].strip()
    if record.text:
        speakers = {turn.code for turn in speaker_turns(record.text) if turn.code}
        if len(speakers) == 1:
            return speakers.pop()
    return None


def label(record: Record) -> str:
    """How evidence names a record: its participant where known, with the record id."""
    who = participant_of(record)
    return f"{who} ({record.id})" if who else record.id

"""Speaker turns in transcripts: the one place that knows what a speaker tag looks like.

A turn starts a line with a label and a colon, with optional Markdown around the label and an
optional bracketed part after it: ``P07: ...``, ``**Interviewer:** ...``, ``Interviewer (Haf): ...``,
``Q3: ...``, ``Harriet Oduya: ...``. The codec splits transcripts at turns, participants are named by
the code in their turns, and the privacy plugin keeps codes and roles (structure) while it judges
names in tags and brackets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: the roles a transcript names its speakers by (structure, never personal data)
ROLES = (
    "interviewer",
    "moderator",
    "facilitator",
    "researcher",
    "participant",
    "respondent",
    "interviewee",
    "speaker",
    "note taker",
    "notetaker",
    "observer",
)
#: a participant or speaker code: P07, R-107, U_3, ID 12
CODE = r"(?:[A-Z]{1,3}|ID)[-_ ]?\d{1,4}"
_ROLE = "(?:" + "|".join(role.replace(" ", "[ ]?") for role in ROLES) + r")(?:[ \t]*\d{1,3})?"
_LABEL = (
    rf"(?:{CODE}|[QA]\d{{0,3}}|(?i:{_ROLE})"
    # a name or another label: up to four capitalised words ("Harriet Oduya", "Dr. Rhys Pritchard")
    r"|[A-ZÀ-Ý][\w.'’-]*(?:[ \t]+[A-Za-zÀ-ÿ][\w.'’-]*){0,3})"
)
TURN = re.compile(
    r"^(?P<lead>[ \t>*_-]*(?:\*\*|__)?)"
    rf"(?P<label>{_LABEL})"
    r"(?:[ \t]*[(\[](?P<inner>[^)\]\n]{1,40})[)\]])?"
    r"(?:\*\*|__)?[ \t]*(?:\*\*|__)?[:：](?=\s|$)",
    re.M,
)
_STRUCTURE = re.compile(rf"{CODE}|(?i:{_ROLE})")


@dataclass(frozen=True)
class SpeakerTurn:
    """A speaker tag found at the start of a line: its label, the bracketed part after it (if
    any), and where each stands in the text (``label_span``, ``inner_span``)."""

    label: str
    inner: str | None
    label_span: tuple[int, int]
    inner_span: tuple[int, int] | None

    @property
    def code(self) -> str | None:
        """The participant code the label is, normalised (``p 07`` -> ``P07``), else ``None``."""
        return self.label.upper().replace(" ", "") if re.fullmatch(CODE, self.label, re.I) else None


def speaker_turns(text: str) -> list[SpeakerTurn]:
    """Every speaker turn in ``text``, in order."""
    found = []
    for match in TURN.finditer(text):
        inner = match.group("inner")
        found.append(
            SpeakerTurn(
                match.group("label").strip(),
                inner.strip() if inner else None,
                match.span("label"),
                match.span("inner") if inner else None,
            )
        )
    return found


def starts_turn(line: str) -> bool:
    """Whether a line starts a speaker turn."""
    return TURN.match(line) is not None


def is_structure_label(label: str) -> bool:
    """Whether a speaker label is structure (a participant code or a role, ``Interviewer 2``),
    not something that may name a person."""
    return _STRUCTURE.fullmatch(label.strip()) is not None

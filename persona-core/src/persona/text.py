"""Small facts about text that several parts of Persona and its plugins need the same way."""

from __future__ import annotations

import re
import unicodedata

_QUOTE_MARKS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)
_AGE_BAND = re.compile(r"^\s*(\d{1,3})\s*(?:-|–|to)\s*(\d{1,3})\s*$|^\s*(\d{1,3})\s*\+\s*$")
_AGE = re.compile(r"(?<![\d.,])(\d{1,3})(?![\d.,]*\d)")


def normalise(text: str) -> str:
    """Text as Persona compares it: NFKC, typographic quotes and dashes made plain, case folded,
    white space collapsed (``“Café”  Nero`` and ``"café" nero`` are the same)."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTE_MARKS).casefold()
    return " ".join(text.split())


def is_age_band(value: str) -> bool:
    """``30-39``, ``45 to 54``, ``65+``: an age band as surveys write them."""
    return _AGE_BAND.match(value) is not None


def age_band(value: str) -> str | None:
    """The ten-year band of an age: ``34``, ``aged 34`` -> ``30-39``; a band passes through as it is;
    ``None`` when the value holds no age (no number, or none from 1 to 119)."""
    if is_age_band(value):
        return value.strip()
    found = _AGE.search(value)
    if found is None:
        return None
    age = int(found.group(1))
    if not 0 < age < 120:
        return None
    low = age // 10 * 10
    return f"{low}-{low + 9}"


# How an anonymiser marks what it removed, so that every part of Persona can tell a statement about
# a removed identifier: ``[EMAIL_ADDRESS_7]`` (a numbered placeholder) or ``PERSON_1a2b3c4d`` (a
# keyed hash). The plugin guide states it as the contract for preprocessors; persona-privacy's tests
# check that its strategies write these shapes.
REMOVED = re.compile(r"\[(?P<entity>[A-Z][A-Z0-9_]*?)_\d+\]|\b(?P<hashed>[A-Z][A-Z0-9_]*?)_[0-9a-f]{8}\b")
# What a persona may still say with one of them in it: "I asked [PERSON_2] about the van".
_NAMED = frozenset({"PERSON", "ORGANIZATION", "LOCATION", "NRP"})


def about_removed(sentence: str) -> bool:
    """Whether a sentence is about a removed identifier and so no statement for a persona: it holds
    a removed contact detail or number ("my email is [EMAIL_ADDRESS_7]"), two removed values, or a
    removed name in a sentence of fewer than eight words."""
    found = [m.group("entity") or m.group("hashed") for m in REMOVED.finditer(sentence)]
    if not found:
        return False
    if len(found) > 1 or found[0] not in _NAMED:
        return True
    return len(REMOVED.sub(" ", sentence).split()) < 8

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

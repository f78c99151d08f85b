"""Facts several privacy modules share, in a module that imports none of them (no import circles)."""

from __future__ import annotations

import functools
import re
from importlib import resources

# A month's name or its abbreviation (group 1: its first three letters), for every date rule.
MONTH_WORD = r"(?i:(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?)"


def header_words(header: str) -> str:
    """A header as words: ``what_frustrates-you`` -> ``what frustrates you``."""
    return " ".join(re.split(r"[\s_.\-]+", header.strip()))


def data_words(name: str, language: str = "en") -> list[str]:
    """The words of a file in ``data/<language>/``, lines starting with ``#`` left out."""
    text = resources.files("persona_privacy").joinpath("data", language, name).read_text(encoding="utf-8")
    return [word for line in text.splitlines() if not line.startswith("#") for word in line.split()]


@functools.cache
def surname_particles(language: str = "en") -> frozenset[str]:
    """Words that begin a surname before its capitalised part ("Ní Bhraonáin", "van der Berg")."""
    return frozenset(word.casefold() for word in data_words("surname_particles.txt", language))

"""Facts several privacy modules share, in a module that imports none of them (no import circles)."""

from __future__ import annotations

import re

# A month's name or its abbreviation (group 1: its first three letters), for every date rule.
MONTH_WORD = r"(?i:(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?)"


def header_words(header: str) -> str:
    """A header as words: ``what_frustrates-you`` -> ``what frustrates you``."""
    return " ".join(re.split(r"[\s_.\-]+", header.strip()))

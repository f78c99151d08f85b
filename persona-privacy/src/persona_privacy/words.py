"""Facts several privacy modules share, in a module that imports none of them (no import circles)."""

from __future__ import annotations

import functools
import re
from importlib import resources

# Words that begin a noun phrase: a person's name does not follow one ("the long way", "a grace period").
DETERMINERS = frozenset(
    "the a an my our your his her their this that these those some any every each no".split()
)

# A month's name or its abbreviation (group 1: its first three letters), for every date rule.
MONTH_WORD = r"(?i:(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?)"


def header_words(header: str) -> str:
    """A header as words: ``what_frustrates-you`` -> ``what frustrates you``."""
    return " ".join(re.split(r"[\s_.\-]+", header.strip()))


def data_words(name: str, language: str = "en") -> list[str]:
    """The words of a file in ``data/<language>/``, lines starting with ``#`` left out."""
    return [word for line in data_lines(name, language) for word in line.split()]


@functools.cache
def data_lines(name: str, language: str = "en") -> tuple[str, ...]:
    """The lines of a file in ``data/<language>/`` (a word or phrase each), blank lines and lines
    starting with ``#`` left out."""
    text = resources.files("persona_privacy").joinpath("data", language, name).read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@functools.cache
def alternation(name: str, language: str = "en", space: str = r"\s+") -> str:
    """A data file's phrases as a regular-expression alternation, longest first so "kind regards"
    is tried before "regards"; the characters of each phrase are literal and a space in it matches
    ``space``. ``name`` may join several files with "+" ("a.txt+b.txt"): their phrases together."""
    lines = {line for part in name.split("+") for line in data_lines(part, language)}
    phrases = sorted(lines, key=lambda phrase: (-len(phrase), phrase))
    return "|".join(space.join(re.escape(word) for word in phrase.split()) for phrase in phrases)


@functools.cache
def surname_particles(language: str = "en") -> frozenset[str]:
    """Words that begin a surname before its capitalised part ("Ní Bhraonáin", "van der Berg")."""
    return frozenset(word.casefold() for word in data_words("surname_particles.txt", language))


# The possessives a word for someone in a person's life follows ("my nan", "their eldest son").
_POSSESSIVES = r"my|our|your|his|her|their"
_POSSESSIVE_BEFORE = re.compile(rf"\b(?:{_POSSESSIVES})\s+\Z", re.I)


@functools.cache
def kin_phrase(language: str = "en") -> str:
    """A possessive, a modifier and a word for someone in a person's life, as a regular expression
    with no groups ("my daughter", "our eldest son's"): a name often follows one."""
    return (
        rf"\b(?:{_POSSESSIVES})\s+(?:(?:{alternation('kinship_modifiers.txt', language)})\s+)?"
        rf"(?:{alternation('kinship.txt', language)})(?:'s|’s)?"
    )


@functools.cache
def _kinship(language: str = "en") -> frozenset[str]:
    return frozenset(line.casefold() for line in data_lines("kinship.txt", language))


def kin(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a word for someone in a person's life, not their name ("my
    nan", "her Gran"; kinship.txt): some are first names too (Nan, Nana). Lower case, or
    capitalised after a possessive; "Nan came round" may be a name and is left to the rules."""
    word = text[start:end]
    if word.casefold() not in _kinship():
        return False
    return word.islower() or bool(_POSSESSIVE_BEFORE.search(text, 0, start))

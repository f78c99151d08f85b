"""A gazetteer of people's names, from two sources: Faker's per-locale first-name and surname lists,
and the US Census Bureau's 1990 name frequencies (88,799 surnames, 5,494 first names of people living
in the US, of every origin) that the ``names`` package carries.

Faker ships first names and surnames for 80-odd locales (Nigerian, Welsh, Polish, Indian...). The
census adds what people are called rather than what a locale's writers chose; a census name that is
a common English word ("bus", "cook") is left out of it, so the census never makes one a name. Persona
uses them as evidence, not as a detector of its own: a proper noun that spaCy calls a person is kept as
one when a word of it is a known name or its context says so, and a lower-case word after "my
daughter" or "I asked" is a name when it is a known first name. Brands and job titles (Trainline,
Staff Nurse) are in no such list, which is how they survive.

Building the sets takes about two seconds (it imports every locale), so they are written once per
version of the two packages to Persona's cache folder; the lists are public data, never anything read
from input. ``bench/unlisted_names.py`` prints what each source adds.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import os
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path

# Bumped whenever what is read from Faker changes, so an old cache is never used.
_FORMAT = 3
# Latin-script names only: the detector's patterns and spaCy's English pipeline read Latin script.
_LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ][A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ'’-]+")


@dataclass(frozen=True)
class Names:
    first: frozenset[str]  # case-folded
    last: frozenset[str]

    def is_first(self, word: str) -> bool:
        return word.casefold() in self.first

    def is_last(self, word: str) -> bool:
        return word.casefold() in self.last

    def is_name(self, word: str) -> bool:
        key = word.casefold()
        return key in self.first or key in self.last


def _cache_file() -> Path:
    from persona import user_cache_dir

    faker, census = importlib.metadata.version("faker"), importlib.metadata.version("names")
    return user_cache_dir() / f"names-v{_FORMAT}-faker-{faker}-census-{census}.txt"


def _from_faker() -> Names:
    from faker.providers import person

    first: set[str] = set()
    last: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = getattr(importlib.import_module(f"{person.__name__}.{module.name}"), "Provider", None)
        for attribute in dir(provider):
            # first_names_female, last_names, and the locales' own: unisex_last_names, male_last_names
            if "first_name" in attribute:
                target = first
            elif "last_name" in attribute:
                target = last
            else:
                continue
            values = getattr(provider, attribute)
            if isinstance(values, dict):  # weighted lists: name -> frequency
                values = list(values)
            if not isinstance(values, (list, tuple)):
                continue
            for value in values:
                if isinstance(value, str):
                    target.update(word.casefold() for word in _LATIN.findall(value) if len(word) > 1)
    return Names(frozenset(first), frozenset(last))


def _from_census() -> Names:
    """The census lists (``NAME  frequency  cumulative  rank`` a line), common English words left out."""
    from importlib import resources

    def read(*files: str) -> frozenset[str]:
        found = set()
        for file in files:
            for line in resources.files("names").joinpath(file).read_text(encoding="utf-8").splitlines():
                word = line.split(maxsplit=1)[0].casefold() if line.strip() else ""
                if len(word) > 1 and _LATIN.fullmatch(word) and not common_word(word):
                    found.add(word)
        return frozenset(found)

    return Names(read("dist.female.first", "dist.male.first"), read("dist.all.last"))


SOURCES = {"faker": _from_faker, "census": _from_census}


def _build() -> Names:
    parts = [source() for source in SOURCES.values()]
    return Names(frozenset().union(*(p.first for p in parts)), frozenset().union(*(p.last for p in parts)))


@functools.cache
def names() -> Names:
    """The gazetteer, from the cache when this Faker version has been read before."""
    path = _cache_file()
    try:
        first, last = path.read_text(encoding="utf-8").split("\n\n", 1)
        return Names(frozenset(first.split("\n")), frozenset(last.split("\n")))
    except (OSError, ValueError):
        pass
    built = _build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text("\n".join(sorted(built.first)) + "\n\n" + "\n".join(sorted(built.last)), "utf-8")
        partial.replace(path)
    except OSError:
        pass  # a read-only home: build it again next time
    return built


# Lower-case words that are first names somewhere but ordinary English after "with" or "and".
ORDINARY = frozenset(
    """
    a an the and or but so if to of in on at by for with from up out me him her them us you it
    all any some more most many much few little lot lots one two three four five six seven eight
    nine ten well will may can much very just still even also then than that this these those
    there here when where what who why how not no yes ok okay too again ever never always often
    sometimes van car bus train bike job work home money time day night week weekend morning
    evening kids kid family friends people everyone everybody someone somebody anyone nobody
    bill mark rose grace joy hope faith summer autumn dawn amber ruby jade holly ivy lily pearl
    iris violet sunny rich frank art guy sky river rain storm august june april star love honey
    angel king prince
    """.split()
)


def ordinary(word: str) -> bool:
    """A first name somewhere that is also an ordinary English word or a function word."""
    from spacy.lang.en.stop_words import STOP_WORDS

    key = word.casefold()
    return key in ORDINARY or key in STOP_WORDS


# Zipf frequency (log10 of uses per billion words, wordfreq's scale) at which a word is common in the
# language's text: "fares" 3.6, "journey" 4.7, "hope" 5.4; most names people are called sit lower
# ("priyanka" 2.7, "chiamaka" 0), though the commonest English names are higher.
COMMON = 3.0


def common_word(word: str, language: str = "en", zipf: float = COMMON) -> bool:
    """Whether every word of ``word`` is at least that common in the language (wordfreq)."""
    from wordfreq import zipf_frequency

    parts = [part for part in re.split(r"[\s-]+", word.casefold()) if part]
    return bool(parts) and all(zipf_frequency(part, language) >= zipf for part in parts)


def inflected(word: str) -> bool:
    """A plural or third-person form of a common word ("fares", "travels", "buses"), by English's
    own -s and -es rules; "charles", "rhys" and "jules" are no such form (the tagger calls them NNS)."""
    word = word.casefold()
    if not word.endswith("s") or len(word) < 4:
        return False
    stems = [word[:-1]]
    if re.search(r"(?:s|x|z|ch|sh|o)es$", word):
        stems.append(word[:-2])
    return any(common_word(stem, zipf=3.5) for stem in stems)


def distinctive(word: str) -> bool:
    """A known name that is not also an ordinary word: "Harriet", "oduya"; not "Mark", "van"."""
    return names().is_name(word) and not ordinary(word)

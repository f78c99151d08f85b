"""Well-known brands and services, from the simple-icons project's names (the ``simpleicons``
package, MIT): a maintained list of about 2,400 products, apps and companies people mention.

A brand is content by the keep-rule "known brand" (rules/en.yaml) unless the text says it is a
person; a brand that is also a first name (Ruby, Ray, Max) counts as a name when nothing else
says which it is. Imported only when the detector judges a span.
"""

from __future__ import annotations

import functools


@functools.cache
def _brands() -> frozenset[str]:
    from simpleicons.all import icons  # type: ignore[import-untyped]  # the package ships no types

    return frozenset(icon.title.casefold() for icon in icons.values())


def known_brand(value: str) -> bool:
    """Whether a span is the name of a well-known brand or service ("Deliveroo", "Just Eat")."""
    return value.strip().casefold() in _brands()

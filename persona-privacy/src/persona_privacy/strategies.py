"""What detected values become: numbered placeholders, realistic surrogates, or keyed hashes.

Every strategy maps the same original value (compared without case or spacing differences) to the
same replacement for the whole run, so the model can still tell participants apart. The mapping
lives in memory only, unless the user asks for it to be saved.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from persona import OutputError, SettingsError, age_band, normalise

from persona_privacy.settings import PrivacySettings, Strategy
from persona_privacy.words import MONTH_WORD

KEY_FILE = "hash.key"


_MONTH_NAMES = "January February March April May June July August September October November December".split()
_MONTH = re.compile(rf"\b{MONTH_WORD}(?!\w)")
_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")
_NUMERIC = re.compile(r"\b(\d{1,4})[/.-](\d{1,2})[/.-](\d{2,4})\b")


def month_and_year(value: str) -> str | None:
    """A full date becomes its month and year ("14 March 2024", "14/03/2024" -> "March 2024"); a
    day without a year becomes its month; ``None`` where there is no month to keep (a time)."""
    numeric = _NUMERIC.search(value)
    if numeric:
        first, second, third = (int(group) for group in numeric.groups())
        if first > 31:  # 2024-03-14
            year, month = first, second
        else:  # 14/03/2024, read day first as in the UK; 03/14/2024 where the day cannot be second
            month = first if second > 12 else second
            year = third + (2000 if third < 50 else 1900) if third < 100 else third
        if 1 <= month <= 12:
            return f"{_MONTH_NAMES[month - 1]} {year}"
        return None
    named = _MONTH.search(value)
    if named is None:
        year_only = _YEAR.fullmatch(value.strip())
        return year_only.group() if year_only else None
    month_name = next(name for name in _MONTH_NAMES if name.lower().startswith(named.group(1).lower()))
    year_found = _YEAR.search(value)
    return f"{month_name} {year_found.group()}" if year_found else month_name


# Quasi-identifiers generalised rather than removed (unless privacy.ages / privacy.dates say remove).
GENERALISED = frozenset({"AGE", "DATE_TIME", "DATE_OF_BIRTH", "LOCATION"})


def generalised(entity: str, value: str, general: frozenset[str]) -> str | None:
    """What a quasi-identifier becomes under every strategy, or ``None`` when it is removed."""
    if entity not in general:
        return None
    if entity == "AGE":
        return age_band(value)
    if entity == "DATE_TIME":
        return month_and_year(value)
    if entity == "LOCATION":  # a smaller place: its region, as Safe Harbor keeps the state (places.py)
        from persona_privacy.places import region_of

        return region_of(value)
    if entity == "DATE_OF_BIRTH":  # the year at most, as HIPAA Safe Harbor keeps
        year = _YEAR.search(value)
        return year.group() if year else None
    return None


class Pseudonymiser:
    """Base of the three strategies: a consistent value -> replacement mapping for one run."""

    strategy: Strategy
    general: frozenset[str] = GENERALISED  # narrowed by make_pseudonymiser from the settings

    def __init__(self) -> None:
        self.mapping: dict[str, tuple[str, str]] = {}  # normalised original -> (entity, replacement)
        self.issued: set[str] = set()
        self.reserved: set[str] = set()
        self.reserved_words: set[str] = set()
        self.mentions: Counter[str] = Counter()

    def reserve(self, originals: Iterable[str]) -> None:
        """Values found in the data: no replacement may equal one of them."""
        originals = list(originals)
        self.reserved.update(normalise(value) for value in originals)
        # a surrogate "Steven Holt" would give away a real "Steven" elsewhere in the data
        self.reserved_words.update(
            word
            for value in originals
            for word in re.findall(r"[^\W\d_]+", normalise(value))
            if len(word) >= 3
        )

    def replace(self, entity: str, value: str) -> str:
        general = generalised(entity, value, self.general)
        if general is not None:
            if general != value:  # "January" as a month stays "January": nothing was replaced
                self.mentions[entity] += 1
            self.issued.add(normalise(general))
            return general
        self.mentions[entity] += 1
        key = normalise(value)
        known = self.mapping.get(key)
        if known is not None:
            return known[1]
        replacement = self._new(entity, value)
        self.mapping[key] = (entity, replacement)
        self.issued.add(normalise(replacement))
        return replacement

    def lookup(self, entity: str, value: str) -> str:
        """The replacement already given to ``value`` (without counting a mention)."""
        general = generalised(entity, value, self.general)
        if general is not None:
            return general
        known = self.mapping.get(normalise(value))
        return known[1] if known is not None else self.replace(entity, value)

    def _new(self, entity: str, value: str) -> str:
        raise NotImplementedError

    def distinct(self) -> Counter[str]:
        return Counter(entity for entity, _ in self.mapping.values())

    def is_replacement(self, text: str) -> bool:
        return normalise(text) in self.issued

    def save(self, path: Path, originals: dict[str, str]) -> None:
        """Write the mapping (it re-identifies people) to a file only its owner can read."""
        rows = [
            {"entity": entity, "original": originals.get(key, key), "replacement": replacement}
            for key, (entity, replacement) in self.mapping.items()
        ]
        from persona import artefact_json

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # O_EXCL: never over an existing file (an input, say); marked, so it is never read as data.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(
                    artefact_json("re-identification mapping", {"strategy": self.strategy, "mapping": rows})
                )
        except FileExistsError:
            raise OutputError(f"{path}: exists; the mapping is never written over a file") from None
        except OSError as exc:
            raise OutputError(f"{path}: cannot save the mapping: {exc.strerror}") from None


class Redactor(Pseudonymiser):
    """``[PERSON_1]``, ``[EMAIL_ADDRESS_2]``: typed, numbered per type in order of appearance."""

    strategy: Strategy = "redact"

    def __init__(self) -> None:
        super().__init__()
        self.numbers: Counter[str] = Counter()

    def _new(self, entity: str, value: str) -> str:
        self.numbers[entity] += 1
        return f"[{entity}_{self.numbers[entity]}]"


class Hasher(Pseudonymiser):
    """``PERSON_3f9a2c1b``: HMAC-SHA256 of the value under a secret key, stable across runs."""

    strategy: Strategy = "hash"

    def __init__(self, key: bytes) -> None:
        super().__init__()
        self.key = key

    def _new(self, entity: str, value: str) -> str:
        digest = hmac.new(self.key, normalise(value).encode("utf-8"), hashlib.sha256).hexdigest()
        return f"{entity}_{digest[:8]}"


class Replacer(Pseudonymiser):
    """Realistic surrogates from Faker, in the configured locale, seeded for reproducibility."""

    strategy: Strategy = "replace"

    def __init__(self, locale: str, seed: int | None) -> None:
        super().__init__()
        from faker import Faker

        try:
            self.faker = Faker(locale)
        except AttributeError:
            raise SettingsError(f"invalid setting 'privacy.locale': Faker has no locale '{locale}'") from None
        self.faker.seed_instance(seed if seed is not None else secrets.randbits(64))
        self.numbers: Counter[str] = Counter()
        faker = self.faker
        self.makers: dict[str, Callable[[], str]] = {
            "PERSON": faker.name,
            "EMAIL_ADDRESS": lambda: (
                f"{faker.user_name()}@example.{faker.random_element(('org', 'com', 'net'))}"
            ),
            "PHONE_NUMBER": faker.phone_number,
            "LOCATION": faker.city,
            "STREET_ADDRESS": faker.street_address,
            "UK_POSTCODE": faker.postcode,
            "ZIP_CODE": faker.postcode,
            "CREDIT_CARD": faker.credit_card_number,
            "IBAN_CODE": faker.iban,
            "IP_ADDRESS": faker.ipv4_private,
            "URL": lambda: f"https://{faker.domain_word()}.example/",
            "ORGANIZATION": faker.company,
            "HANDLE": lambda: f"@{faker.user_name()}",
            "DATE_TIME": lambda: faker.date(pattern="%d %B %Y"),
            "DATE_OF_BIRTH": lambda: faker.date(pattern="%d %B %Y"),
            # Numbers that can never belong to anyone: the invalid SSN area 000, the NHS's own
            # test range 999, and the NINO prefix ZZ, which is never issued.
            "US_SSN": lambda: f"000-{faker.random_int(10, 99)}-{faker.random_int(1000, 9999)}",
            "UK_NHS": lambda: _nhs_test_number(faker.random_int(0, 999_999)),
            "UK_NINO": lambda: f"ZZ{faker.random_int(100000, 999999)}{faker.random_element('ABCD')}",
        }

    def _new(self, entity: str, value: str) -> str:
        maker = self.makers.get(entity)
        if maker is None:  # no realistic surrogate exists (NRP, custom types): a placeholder
            self.numbers[entity] += 1
            return f"[{entity}_{self.numbers[entity]}]"
        for _ in range(50):
            candidate = maker()
            key = normalise(candidate)
            if (
                key not in self.reserved
                and key not in self.issued
                and not any(word in self.reserved_words for word in re.findall(r"[^\W\d_]+", key))
            ):
                return candidate
        self.numbers[entity] += 1
        return f"[{entity}_{self.numbers[entity]}]"


def _nhs_test_number(serial: int) -> str:
    """A number in the NHS test range (999 ...) with a valid check digit."""
    while True:
        body = f"999{serial:06d}"
        total = sum(int(digit) * weight for digit, weight in zip(body, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return f"{body[:3]} {body[3:6]} {body[6:]}{check}"
        serial = (serial + 1) % 1_000_000


def hash_key(settings: PrivacySettings, key_dir: Path | None = None) -> bytes:
    """The HMAC key: from settings (or PERSONA_PRIVACY__HASH_KEY), else the stored one, else a new
    one stored with owner-only permissions."""
    if settings.hash_key:
        if len(settings.hash_key) < 16:
            raise SettingsError("invalid setting 'privacy.hash_key': use at least 16 characters")
        return settings.hash_key.encode("utf-8")
    if key_dir is None:
        from persona import user_config_dir

        key_dir = user_config_dir()
    path = key_dir / KEY_FILE
    if path.exists():
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise SettingsError(
                f"{path}: the hash key is readable by others (mode {mode:o}); run `chmod 600 {path}`"
            )
        return bytes.fromhex(path.read_text().strip())
    key = secrets.token_bytes(32)
    key_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key.hex() + "\n")
    return key


def make_pseudonymiser(strategy: Strategy, settings: PrivacySettings) -> Pseudonymiser:
    made: Pseudonymiser
    if strategy == "redact":
        made = Redactor()
    elif strategy == "hash":
        made = Hasher(hash_key(settings))
    else:
        made = Replacer(settings.locale, settings.seed)
    made.general = frozenset(
        {
            entity
            for entity, keep in (
                ("AGE", settings.ages == "band"),
                ("DATE_TIME", settings.dates == "month"),
                ("DATE_OF_BIRTH", settings.dates == "month"),
                ("LOCATION", settings.places == "region"),
            )
            if keep
        }
    )
    return made


def apply(text: str, detections: Iterable[Any], pseudonymiser: Pseudonymiser) -> str:
    """``text`` with every detection replaced, using presidio-anonymizer for the text surgery."""
    detections = list(detections)
    if not detections:
        return text
    from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

    # Numbers are handed out in reading order; presidio-anonymizer then works from the end of the
    # text backwards and only looks the replacements up.
    for detection in sorted(detections, key=lambda d: d.start):
        pseudonymiser.replace(detection.entity, text[detection.start : detection.end])
    operators = {
        entity: OperatorConfig("custom", {"lambda": (lambda value, e=entity: pseudonymiser.lookup(e, value))})
        for entity in {d.entity for d in detections}
    }
    results = [RecognizerResult(d.entity, d.start, d.end, d.score) for d in detections]
    anonymised: str = _anonymizer().anonymize(text, results, operators).text
    return anonymised


@functools.cache
def _anonymizer() -> Any:
    from presidio_anonymizer import AnonymizerEngine

    return AnonymizerEngine()  # type: ignore[no-untyped-call]

from __future__ import annotations

import csv
import json
from typing import Any

import persona_privacy.plugin
import pytest
from persona_privacy.detector import Detector
from persona_privacy.settings import PrivacySettings

from tests.conftest import REPO

EXAMPLES = REPO / "examples" / "research"


def known_pii() -> list[str]:
    """Every personal value planted in the example data set."""
    values: list[str] = []
    with (EXAMPLES / "interview-notes.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            values += [row["name"], row["email"], row["phone"], row["postcode"]]
    survey = json.loads((EXAMPLES / "survey.json").read_text())
    values += [r["contact"] for r in survey["responses"] if "contact" in r]
    values += ["Margaret Ellison", "m.ellison@example.org", "07700 900111", "Dev Patel"]
    return values


@pytest.fixture
def privacy_plugin(register_plugin: Any) -> None:
    register_plugin(persona_privacy.plugin, "privacy")


@pytest.fixture
def privacy_env(persona_home: Any) -> dict[str, str]:
    return {"PERSONA_EXECUTOR__WORKERS": "1", "PERSONA_PRIVACY__SEED": "3"}


@pytest.fixture(scope="module")
def detector() -> Detector:
    """The real detector (presidio, spaCy, Faker's names), in this process."""
    return Detector.shared(PrivacySettings())


def found(detector: Detector, text: str, header: str | None = None) -> list[tuple[str, str]]:
    """(entity, value) of each detection in one value."""
    [detections] = detector.detect([(text, header)])
    return [(d.entity, text[d.start : d.end]) for d in detections]

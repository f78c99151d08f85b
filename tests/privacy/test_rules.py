"""Every rule in the rules file catches its cases and leaves its others alone, on the real detector.

The cases live beside each rule in persona_privacy/rules/en.yaml; this module only runs them.
"""

from __future__ import annotations

import inspect
from typing import Any

import persona_privacy.recognizers as code_rules
import pytest
from persona_privacy.detector import RULE_KEYS, Detector, rules

RULES = rules("en")["recognizers"]


def _cases(kind: str) -> list[Any]:
    return [
        pytest.param(rule["name"], case, id=f"{rule['name']}-{number}")
        for rule in RULES
        for number, case in enumerate(rule.get(kind, []), start=1)
    ]


_ALONE: dict[str, Any] = {}


def _alone(detector: Detector, name: str, text: str) -> list[Any]:
    """What one rule finds on its own, through presidio's engine (context words count), before
    any other rule's finding of the same span could replace it."""
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

    if name not in _ALONE:
        [recognizer] = [r for r in detector.analyzer.registry.recognizers if r.name == name]
        registry = RecognizerRegistry(recognizers=[recognizer], supported_languages=["en"])
        _ALONE[name] = AnalyzerEngine(
            registry=registry, nlp_engine=detector.analyzer.nlp_engine, supported_languages=["en"]
        )
    return _ALONE[name].analyze(text, language="en", score_threshold=detector.settings.score_threshold)


def test_every_rule_has_a_name_a_reason_and_cases_both_ways():
    names = [rule["name"] for rule in RULES]
    assert len(names) == len(set(names))
    for rule in RULES:
        assert rule.get("reason"), rule["name"]
        assert rule.get("catch") and rule.get("leave"), f"{rule['name']}: cases it must catch and leave alone"
        for pattern in rule.get("patterns", []):
            assert 0 < pattern["score"] <= 1 and pattern["name"], rule["name"]


def test_every_code_rule_is_in_the_rules_file_and_every_listed_one_exists():
    listed = {rule["name"] for rule in RULES}
    bases = {code_rules.PersonaRecognizer, code_rules.PersonaPatternRecognizer}
    classes = {
        name
        for name, value in inspect.getmembers(code_rules, inspect.isclass)
        if issubclass(value, tuple(bases)) and value not in bases
    }
    assert classes <= listed  # a code rule nobody loads is dead code
    for rule in RULES:
        if rule["name"].startswith("Persona") and rule.get("type") == "predefined":
            assert rule["name"] in classes


def test_the_detector_loads_every_rule_the_settings_allow(detector):
    loaded = {recognizer.name for recognizer in detector.analyzer.registry.recognizers}
    wanted = {rule["name"] for rule in RULES if getattr(detector.settings, rule.get("needs", ""), True)}
    assert wanted <= loaded
    assert set(RULE_KEYS) == {"reason", "catch", "leave", "needs"}


@pytest.mark.parametrize(("name", "case"), _cases("catch"))
def test_a_rule_catches_its_cases(detector, name, case):
    text, value = case
    start = text.index(value)
    end = start + len(value)
    fired = _alone(detector, name, text)
    assert any(r.start <= start and r.end >= end for r in fired), (name, text, fired)
    # and what the whole detector keeps removes it (no keep-rule or overlap lets it through)
    [final] = detector.detect([(text, None)])
    assert any(d.start <= start and d.end >= end for d in final), (text, final)


@pytest.mark.parametrize(("name", "case"), _cases("leave"))
def test_a_rule_leaves_its_other_cases_alone(detector, name, case):
    fired = [(r.entity_type, case[r.start : r.end]) for r in _alone(detector, name, case)]
    assert fired == []


KEEP = rules("en")["keep"]


def _keep_cases(kind: str) -> list[Any]:
    return [
        pytest.param(rule, case, id=f"{rule['name']}-{number}")
        for rule in KEEP
        for number, case in enumerate(rule[kind], start=1)
    ]


def _detector_for(rule: dict[str, Any], detector: Detector) -> Detector:
    if not rule.get("settings"):
        return detector
    from persona_privacy.settings import PrivacySettings

    return Detector.shared(PrivacySettings(**rule["settings"]))


def _overlaps(d: Any, start: int, end: int) -> bool:
    return d.start < end and d.end > start


def test_every_keep_rule_has_a_reason_and_cases_both_ways():
    names = [rule["name"] for rule in KEEP]
    assert len(names) == len(set(names))
    for rule in KEEP:
        assert rule.get("reason") and rule.get("catch") and rule.get("leave"), rule["name"]


@pytest.mark.parametrize(("rule", "case"), _keep_cases("catch"))
def test_a_keep_rule_keeps_its_cases(detector, rule, case):
    text, value, *header = case
    start = text.index(value)
    end = start + len(value)
    [(kept, dropped)] = _detector_for(rule, detector).explain([(text, header[0] if header else None)])
    assert not any(_overlaps(d, start, end) for d in kept), (text, kept)
    assert any(name == rule["name"] and _overlaps(d, start, end) for d, name in dropped), (text, dropped)


@pytest.mark.parametrize(("rule", "case"), _keep_cases("leave"))
def test_a_keep_rule_lets_its_other_cases_go(detector, rule, case):
    text, value, *header = case
    start = text.index(value)
    end = start + len(value)
    [(kept, _)] = _detector_for(rule, detector).explain([(text, header[0] if header else None)])
    assert any(d.start <= start and d.end >= end for d in kept), (text, kept)


def test_the_reasons_cover_every_decision_the_code_can_name():
    """Every keep-rule name the code returns has an entry, read from the code itself."""
    import re
    from pathlib import Path

    import persona_privacy.content as content
    import persona_privacy.detector as detector_module

    source = Path(content.__file__).read_text() + Path(detector_module.__file__).read_text()
    named = set(re.findall(r'return "([a-zA-Z][\w -]*)"', source))
    assert named and named <= {rule["name"] for rule in KEEP}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("**Sorcha Ní Bhraonáin** said the bus was late", "Sorcha Ní Bhraonáin"),
        ("**Megan Quennevais** said the bus was late", "Megan Quennevais"),
        # a common word, a brand or a place after the name is not its surname
        ("**Megan Thursday** the bus was late", "Megan"),
        ("**Megan Deliveroo** is late again", "Megan"),
        ("**Megan Swindon** depot is closed", "Megan"),
    ],
)
def test_a_known_first_name_takes_its_surname_and_nothing_else(detector, text, name):
    fired = [text[r.start : r.end] for r in _alone(detector, "PersonaGazetteerNameRecognizer", text)]
    assert fired == [name]


def test_cue_words_are_data_files_read_as_literal_phrases_longest_first():
    import re
    from importlib import resources

    from persona_privacy.words import alternation, data_lines

    folder = resources.files("persona_privacy").joinpath("data", "en")
    files = ("kinship.txt", "messaging_verbs.txt", "sign_offs.txt", "person_labels.txt", "role_headers.txt")
    for name in files:
        assert folder.joinpath(name).is_file()
        assert data_lines(name) and not any(line.startswith("#") for line in data_lines(name))
    sign_off = re.compile(rf"(?i:{alternation('sign_offs.txt')})")
    # the longer phrase wins over the one it starts with, and a space matches any run of blanks
    assert sign_off.match("Thanks   again,").group(0) == "Thanks   again"  # type: ignore[union-attr]
    cue = re.compile(rf"(?:{alternation('name_cues.txt')})")
    # punctuation in a phrase is literal, not a regex: "name:" needs its colon, "last name?" its mark
    assert cue.fullmatch("name:") and not cue.fullmatch("name")
    assert cue.fullmatch("last name?") and not cue.fullmatch("last nam")
    verb = re.compile(rf"(?:{alternation('messaging_verbs.txt')})")
    assert verb.fullmatch("dm'd") and not verb.fullmatch("dm.d")

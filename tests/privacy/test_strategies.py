from __future__ import annotations

import json
import stat

import pytest
from persona import age_band
from persona.errors import SettingsError
from persona_privacy.settings import PrivacySettings
from persona_privacy.strategies import Hasher, Redactor, Replacer, _nhs_test_number, hash_key


def test_redact_numbers_per_type_in_reading_order():
    r = Redactor()
    assert [r.replace("PERSON", v) for v in ("Ann Lee", "Bo Chen", "ann  lee")] == [
        "[PERSON_1]",
        "[PERSON_2]",
        "[PERSON_1]",
    ]
    assert r.replace("EMAIL_ADDRESS", "a@b.org") == "[EMAIL_ADDRESS_1]"
    assert r.mentions == {"PERSON": 3, "EMAIL_ADDRESS": 1}
    assert r.distinct() == {"PERSON": 2, "EMAIL_ADDRESS": 1}


def test_ages_become_bands():
    assert age_band("34") == "30-39" and age_band("7") == "0-9" and age_band("none") is None
    assert Redactor().replace("AGE", "67") == "60-69"


def test_replace_is_consistent_seeded_and_never_a_real_value():
    one, two = Replacer("en_GB", 7), Replacer("en_GB", 7)
    names = [
        one.replace("PERSON", "Ann Lee"),
        one.replace("PERSON", "Bo Chen"),
        one.replace("PERSON", "Ann Lee"),
    ]
    assert names[0] == names[2] != names[1]
    assert [two.replace("PERSON", "Ann Lee"), two.replace("PERSON", "Bo Chen")] == names[:2]
    # a real value from the data is never handed out as a surrogate
    blocked = Replacer("en_GB", 7)
    blocked.reserve([names[0]])
    assert blocked.replace("PERSON", "Ann Lee") != names[0]
    assert one.replace("EMAIL_ADDRESS", "x@y.com").split("@")[1].startswith("example.")
    assert one.replace("US_SSN", "123-45-6789").startswith("000-")
    assert one.replace("UK_NINO", "AB123456C").startswith("ZZ")
    assert one.replace("NRP", "Welsh") == "[NRP_1]"


def test_nhs_surrogates_are_valid_test_numbers():
    for serial in (0, 1234, 999_999):
        number = _nhs_test_number(serial).replace(" ", "")
        total = sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1), strict=True))
        assert number.startswith("999") and (11 - total % 11) % 11 == int(number[9])


def test_unknown_locale_is_a_settings_error():
    with pytest.raises(SettingsError, match="no locale 'xx_XX'"):
        Replacer("xx_XX", 1)


def test_hash_is_keyed_and_stable(tmp_path):
    a, b, other = Hasher(b"k" * 32), Hasher(b"k" * 32), Hasher(b"j" * 32)
    token = a.replace("PERSON", "Ann Lee")
    assert token.startswith("PERSON_") and len(token) == len("PERSON_") + 8
    assert b.replace("PERSON", "ann lee") == token
    assert other.replace("PERSON", "Ann Lee") != token
    import hashlib

    assert hashlib.sha256(b"ann lee").hexdigest()[:8] not in token  # never a bare hash


def test_hash_key_is_generated_once_with_owner_only_permissions(tmp_path):
    settings = PrivacySettings()
    key = hash_key(settings, tmp_path)
    path = tmp_path / "hash.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert hash_key(settings, tmp_path) == key
    path.chmod(0o644)
    with pytest.raises(SettingsError, match="readable by others"):
        hash_key(settings, tmp_path)
    assert hash_key(PrivacySettings(hash_key="a-long-enough-secret"), tmp_path) == b"a-long-enough-secret"
    with pytest.raises(SettingsError, match="at least 16"):
        hash_key(PrivacySettings(hash_key="short"), tmp_path)


def test_mapping_file_is_owner_only(tmp_path):
    r = Redactor()
    r.replace("PERSON", "Ann Lee")
    path = tmp_path / "map" / "mapping.json"
    r.save(path, {"ann lee": "Ann Lee"})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["mapping"] == [
        {"entity": "PERSON", "original": "Ann Lee", "replacement": "[PERSON_1]"}
    ]

from __future__ import annotations

import csv
import hashlib
import json
import shutil

from persona.errors import ExitCode

from tests.privacy.conftest import EXAMPLES, known_pii


def digest(folder):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_scan_masks_values_and_changes_nothing(run_persona, privacy_plugin, privacy_env):
    before = digest(EXAMPLES)
    result = run_persona("privacy", "scan", str(EXAMPLES), env=privacy_env)
    assert result.exit_code == 0, result.stderr
    assert "row 2, name: PERSON 1.00 H****** O****" in result.stdout
    assert "row 2, email: EMAIL_ADDRESS 1.00 h************************" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("Total: ")
    for value in known_pii():
        assert value not in result.stdout
    assert digest(EXAMPLES) == before


def test_scan_json_show_values_and_fail_on_pii(run_persona, privacy_plugin, privacy_env):
    result = run_persona(
        "privacy",
        "scan",
        str(EXAMPLES / "interview-notes.csv"),
        "--json",
        "--show-values",
        "--fail-on-pii",
        env=privacy_env,
    )
    assert result.exit_code == ExitCode.PII_FOUND
    *progress, error = result.stderr.splitlines()  # progress goes to stderr, the JSON alone to stdout
    assert error.startswith("persona: error: personal data found: ")
    assert progress and all(line.startswith("persona: scanning records: ") for line in progress)
    payload = json.loads(result.stdout)
    first = payload["files"][0]["findings"][0]
    assert first == {
        "where": f"{payload['files'][0]['file']}, row 2",
        "row": 2,
        "lines": None,
        "field": "name",
        "entity": "PERSON",
        "score": 1.0,
        "value": "Harriet Oduya",
        "rule": "column header",
    }
    assert payload["totals"]["EMAIL_ADDRESS"] == 12


def test_scan_explain_names_the_rule_behind_each_finding_and_each_kept_word(
    run_persona, privacy_plugin, privacy_env, tmp_path
):
    study = tmp_path / "notes.csv"
    study.write_text(
        'role,notes\nStaff Nurse,"I book on Trainline; my daughter chiamaka moved to Otley from Manchester"\n'
    )
    result = run_persona("privacy", "scan", str(study), "--json", "--explain", env=privacy_env)
    assert result.exit_code == 0, result.stderr
    [entry] = json.loads(result.stdout)["files"]
    found = {(f["value"], f["rule"]) for f in entry["findings"]}
    assert ("c*******", "PersonaLowerCaseNameRecognizer") in found  # masked, with its rule
    assert all(f["reason"] for f in entry["findings"])
    kept = {k["value"]: k["rule"] for k in entry["kept"]}
    assert kept["Staff Nurse"] == "job title" and kept["Manchester"] == "large place"
    # a kept word is never also a finding
    assert "Otley" not in kept and "chiamaka" not in json.dumps(entry["kept"])
    text = run_persona("privacy", "scan", str(study), "--explain", env=privacy_env).stdout
    assert "kept 'Staff Nurse'  [job title: " in text and "[PersonaLowerCaseNameRecognizer: " in text


def test_scan_of_a_clean_file_passes_fail_on_pii(run_persona, privacy_plugin, privacy_env, persona_home):
    (persona_home / "clean.txt").write_text(
        "The app logs me out every few days and I have to log in again.\n"
    )
    result = run_persona("privacy", "scan", "clean.txt", "--fail-on-pii", env=privacy_env)
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (0, "Total: 0 (nothing found)")


def test_non_english_text_is_refused(run_persona, privacy_plugin, privacy_env, persona_home):
    german = (
        "Ich fahre jeden Morgen mit dem Zug zur Arbeit. Die App ist oft langsam und die Anmeldung "
        "funktioniert nicht, wenn das Signal schwach ist. Ich wünsche mir, dass das Ticket sofort "
        "angezeigt wird, auch ohne Internet. Meine Kollegin kauft deshalb Papiertickets am Automaten, "
        "weil sie der App nicht mehr vertraut und lieber bar bezahlt.\n"
    )
    (persona_home / "notizen.txt").write_text(german)
    result = run_persona("privacy", "scan", "notizen.txt", env=privacy_env)
    assert result.exit_code == ExitCode.INPUT
    assert result.stderr.startswith("persona: error: notizen.txt: the text does not look like English")
    assert result.stderr.count("\n") == 1
    assert "input.encoding" in result.stderr and "privacy.skip_refused" in result.stderr


def test_skip_refused_goes_on_without_the_file_and_counts_it(
    run_persona, privacy_plugin, privacy_env, persona_home
):
    (persona_home / "study").mkdir()
    (persona_home / "study" / "notizen.txt").write_text(
        "Ich fahre jeden Morgen mit dem Zug zur Arbeit. Die App ist oft langsam und die Anmeldung "
        "funktioniert nicht, wenn das Signal schwach ist. Ich wünsche mir, dass das Ticket sofort "
        "angezeigt wird, auch ohne Internet. Meine Kollegin Ewelina kauft deshalb Papiertickets.\n"
    )
    (persona_home / "study" / "notes.txt").write_text("Harriet Oduya said the app froze on the platform.\n")
    stopped = run_persona("privacy", "anonymise", "study", "-o", "out", env=privacy_env)
    assert stopped.exit_code == ExitCode.INPUT and not (persona_home / "out").exists()
    result = run_persona("privacy", "anonymise", "study", "-o", "out", "--skip-refused", env=privacy_env)
    assert result.exit_code == 0, result.stderr
    assert "left out (privacy.skip_refused): " in result.stderr and "notizen.txt" in result.stderr
    copies = sorted(p.name for p in (persona_home / "out").iterdir())
    assert copies == [
        "anonymisation.json",
        "input-1.txt",
    ]  # notes.txt sorts first; no copy of the refused file
    manifest = (persona_home / "out" / "anonymisation.json").read_text()
    assert "Ewelina" not in manifest and "notizen" not in manifest
    [why] = json.loads(manifest)["refused_files"]
    assert why.startswith("the text does not look like English (")
    assert "Oduya" not in (persona_home / "out" / "input-1.txt").read_text()


def test_a_table_of_names_and_contact_details_is_anonymised_not_refused(
    run_persona, privacy_plugin, privacy_env, persona_home
):
    # A recruitment screener and a CRM export keyed by e-mail: no prose, so no English function
    # words, in any language. Their fields are anonymised by kind; the prose beside them is judged.
    people = [
        ("Oluwaseun Fashola", "seun.fashola@example.org", "07700 900123", "LS6 2QT", "14/03/1988"),
        ("Gráinne Ní Dhuibhir", "grainne.nd@example.net", "07700 900456", "CF10 1EP", "02/11/1979"),
        ("Yuliia Marchenko", "y.marchenko@example.com", "07700 900789", "G12 8QQ", "30/06/1995"),
        ("Gurpreet Randhawa", "grandhawa@example.co.uk", "07700 900321", "B18 4AA", "21/01/1990"),
    ] * 6
    with (persona_home / "screener.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "email", "mobile", "postcode", "date_of_birth"])
        writer.writerows(people)
    crm = {email: {"name": name, "phone": phone, "postcode": code} for name, email, phone, code, _ in people}
    (persona_home / "crm.json").write_text(json.dumps(crm), encoding="utf-8")
    result = run_persona("privacy", "anonymise", "screener.csv", "crm.json", "-o", "clean", env=privacy_env)
    assert result.exit_code == 0, result.stderr
    written = " ".join(path.read_text(encoding="utf-8") for path in (persona_home / "clean").iterdir())
    for name, email, phone, code, _ in people[:4]:
        assert name.split()[0] not in written and email not in written and phone not in written
        assert code not in written


def test_anonymise_keeps_formats(run_persona, privacy_plugin, privacy_env, persona_home):
    result = run_persona(
        "privacy",
        "anonymise",
        str(EXAMPLES),
        "-o",
        "safe",
        "--strategy",
        "redact",
        "--save-mapping",
        "private/mapping.json",
        "--keep-names",
        env=privacy_env,
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("3 files anonymised into safe (redact, ")
    assert "re-identifies people" in result.stderr
    out = persona_home / "safe"
    assert sorted(p.name for p in out.iterdir()) == [
        "anonymisation.json",
        "interview-notes.csv",
        "survey.json",
        "transcript-p07.txt",
    ]
    with (
        (EXAMPLES / "interview-notes.csv").open(newline="") as a,
        (out / "interview-notes.csv").open(newline="") as b,
    ):
        original, copy = list(csv.reader(a)), list(csv.reader(b))
    assert copy[0] == original[0] and len(copy) == len(original)
    assert all(len(x) == len(y) for x, y in zip(original, copy, strict=True))
    assert copy[1][1:6] == ["[PERSON_1]", "[EMAIL_ADDRESS_1]", "[PHONE_NUMBER_1]", "[UK_POSTCODE_1]", "30-39"]
    survey = json.loads((out / "survey.json").read_text())
    assert list(survey) == ["survey", "responses"] and len(survey["responses"]) == 10
    text = "".join(p.read_text() for p in out.iterdir())
    for value in known_pii():
        assert value not in text, value
    summary = json.loads((out / "anonymisation.json").read_text())
    assert summary["strategy"] == "redact" and summary["mentions_by_type"]["EMAIL_ADDRESS"] == 14
    # the manifest counts decisions per rule: every mention removed by one, each kept word by one
    assert sum(summary["removed_by_rule"].values()) == sum(summary["mentions_by_type"].values())
    assert summary["removed_by_rule"]["column header"] > 0 and summary["kept_by_rule"]["job title"] > 0
    mapping = json.loads((persona_home / "private" / "mapping.json").read_text())
    assert {"entity": "PERSON", "original": "Harriet Oduya", "replacement": "[PERSON_1]"} in mapping[
        "mapping"
    ]


def test_anonymise_refuses_to_overwrite(run_persona, privacy_plugin, privacy_env, persona_home):
    shutil.copytree(EXAMPLES, persona_home / "data")
    inside = run_persona("privacy", "anonymise", "data", "-o", "data/out", env=privacy_env)
    assert inside.exit_code == ExitCode.USAGE and "inside the input" in inside.stderr
    (persona_home / "full").mkdir()
    (persona_home / "full" / "x").write_text("x")
    full = run_persona("privacy", "anonymise", "data", "-o", "full", env=privacy_env)
    assert full.exit_code == ExitCode.OUTPUT
    bad = run_persona("privacy", "anonymise", "data", "-o", "new", "--strategy", "blur", env=privacy_env)
    assert bad.exit_code == ExitCode.USAGE


def test_anonymise_yaml_and_jsonl(run_persona, privacy_plugin, privacy_env, persona_home):
    (persona_home / "in").mkdir()
    (persona_home / "in" / "a.yaml").write_text("- who: Margaret Ellison\n  said: call me on 07700 900111\n")
    (persona_home / "in" / "b.jsonl").write_text('{"email": "m.ellison@example.org", "phone": 7700900111}\n')
    result = run_persona("privacy", "anonymise", "in", "-o", "out", "--strategy", "hash", env=privacy_env)
    assert result.exit_code == 0, result.stderr
    yaml_text = (persona_home / "out" / "input-1.yaml").read_text()
    jsonl = json.loads((persona_home / "out" / "input-2.jsonl").read_text())
    assert (
        "Margaret" not in yaml_text and "900111" not in yaml_text and yaml_text.startswith("- who: PERSON_")
    )
    assert jsonl["email"].startswith("EMAIL_ADDRESS_") and jsonl["phone"].startswith("PHONE_NUMBER_")


def test_copies_are_named_by_number_unless_asked(
    run_persona, privacy_plugin, privacy_env, persona_home, tmp_path
):
    study = tmp_path / "study-harriet-oduya"
    study.mkdir()
    (study / "harriet-oduya.csv").write_text(
        "participant,comment\nP01,I use the app every morning on the train.\n"
    )
    result = run_persona("privacy", "anonymise", str(study), "-o", "out", env=privacy_env)
    assert result.exit_code == 0, result.stderr
    out = persona_home / "out"
    assert sorted(p.name for p in out.iterdir()) == ["anonymisation.json", "input-1.csv"]
    summary = json.loads((out / "anonymisation.json").read_text())
    assert summary["files"][0]["output"] == "input-1.csv" and len(summary["files"][0]["sha256"]) == 64
    assert "oduya" not in (out / "anonymisation.json").read_text().lower()


def test_a_tables_header_row_is_judged_as_keys_are(run_persona, privacy_plugin, privacy_env, persona_home):
    # "channel" alone is an organisation to NER; as a key ("lower-case cell") it is a column name,
    # as generate --anonymise already judged it; a header that is an address still goes
    data = persona_home / "data"
    data.mkdir()
    (data / "survey.csv").write_text(
        "respondent,channel,station,dee.okafor@example.org\n"
        "1,app,York,The app logged me out twice.\n"
        "2,web,Leeds,Refunds take weeks.\n"
    )
    result = run_persona("privacy", "anonymise", str(data), "-o", "safe", env=privacy_env)
    assert result.exit_code == 0, result.stderr
    with (persona_home / "safe" / "input-1.csv").open(newline="") as handle:
        header = next(csv.reader(handle))
    assert header[:3] == ["respondent", "channel", "station"]
    assert "okafor" not in header[3] and header[3].startswith("[EMAIL_ADDRESS")

"""The promise: with --anonymise, no planted personal value reaches the model, an output file, the
manifest or a log line. Proved through the Ollama plugin over real HTTP to the loopback fake."""

from __future__ import annotations

import json
import re

import persona_ollama.plugin
import pytest

from tests.privacy.conftest import EXAMPLES, known_pii


@pytest.mark.parametrize("strategy", ["redact", "replace", "hash"])
def test_no_personal_value_leaves_the_machine_or_lands_on_disk(
    strategy, run_persona, register_plugin, privacy_plugin, privacy_env, fake_ollama, persona_home
):
    register_plugin(persona_ollama.plugin, "ollama")
    env = {**privacy_env, "PERSONA_OLLAMA__HOST": fake_ollama.url}
    result = run_persona(
        "generate", "-i", str(EXAMPLES), "--anonymise", "--strategy", strategy, "-o", "run", env=env
    )
    assert result.exit_code == 0, result.stderr
    sent = json.dumps(fake_ollama.requests, ensure_ascii=False)
    written = "".join(p.read_text() for p in (persona_home / "run").iterdir())
    logs = result.stdout + result.stderr
    leaks = [value for value in known_pii() if value in sent or value in written or value in logs]
    assert leaks == []
    manifest = json.loads((persona_home / "run" / "manifest.json").read_text())
    [pre] = manifest["preprocessors"]
    assert pre["name"] == "anonymise" and pre["strategy"] == strategy
    assert pre["mentions_by_type"]["EMAIL_ADDRESS"] == 14
    # the model still sees the research content itself
    assert "delay repay" in sent
    # and the long step said how far it was, with its rate
    assert re.search(r"persona: anonymise: \d+ of \d+ \([\d,]+/s\)", result.stderr)


def test_anonymise_before_reading_checks_the_plugin_only(
    run_persona, privacy_plugin, privacy_env, register_plugin, fake_ollama
):
    register_plugin(persona_ollama.plugin, "ollama")
    env = {**privacy_env, "PERSONA_OLLAMA__HOST": fake_ollama.url}
    result = run_persona("generate", "-i", str(EXAMPLES), "--anonymise", "--dry-run", env=env)
    assert result.exit_code == 0, result.stderr
    assert "Preprocessor anonymise: strategy=redact" in result.stdout
    for value in known_pii():
        assert value not in result.stdout


def test_an_unknown_strategy_is_a_usage_error_before_reading(
    run_persona, privacy_plugin, privacy_env, register_plugin, fake_ollama
):
    register_plugin(persona_ollama.plugin, "ollama")
    env = {**privacy_env, "PERSONA_OLLAMA__HOST": fake_ollama.url}
    result = run_persona("generate", "-i", "missing.csv", "--anonymise", "--strategy", "blur", env=env)
    assert (result.exit_code, result.stderr) == (
        2,
        "persona: error: --strategy must be one of redact, replace, hash, not 'blur'\n",
    )


def leaky_study(folder):
    """Personal data in the structure: file and folder names, a CSV header, JSON keys."""
    study = folder / "study-harriet.oduya@example.com"
    study.mkdir()
    (study / "harriet-oduya-interview-2026-03-04.txt").write_text(
        "P07: I check the train times every morning before I leave the house.\n"
        "P07: The app logs me out whenever the signal drops in the cutting.\n"
    )
    (study / "survey.csv").write_text(
        "participant,Rhiannon Blevins,comment\n"
        "P01,yes,I pay with Apple Pay on the train because it is quicker than the machine.\n"
        "P02,no,I book tickets for the whole family on Sunday evenings with the app.\n"
    )
    (study / "diary.json").write_text(
        json.dumps(
            {"entries": [{"ollie.parkes@example.org": "Daily: the 07:42 was late again today, as usual."}]}
        )
    )
    return study


STRUCTURE = ["harriet", "oduya", "Rhiannon", "Blevins", "ollie.parkes", "example.com", "example.org"]


@pytest.mark.parametrize("engine", ["extractive", "llm"])
def test_paths_headers_and_keys_are_anonymised_too(
    engine, run_persona, register_plugin, privacy_plugin, privacy_env, fake_ollama, persona_home, tmp_path
):
    register_plugin(persona_ollama.plugin, "ollama")
    study = leaky_study(tmp_path)
    env = {**privacy_env, "PERSONA_OLLAMA__HOST": fake_ollama.url}
    result = run_persona(
        "generate", "-i", str(study), "--anonymise", "--engine", engine, "-o", "run", env=env
    )
    assert result.exit_code == 0, result.stderr
    sent = json.dumps(fake_ollama.requests, ensure_ascii=False)
    written = "".join(p.read_text() for p in (persona_home / "run").iterdir())
    leaks = [v for v in STRUCTURE if v.lower() in sent.lower() or v.lower() in written.lower()]
    assert leaks == []
    manifest = json.loads((persona_home / "run" / "manifest.json").read_text())
    assert [entry["path"] for entry in manifest["inputs"]] == ["input 1", "input 2", "input 3"]
    assert all(re.fullmatch(r"f\d+-[rlp]\d+", rid) for rid in manifest["assignments"] or ["f1-r1"])
    # what is not personal data survives
    assert "Sunday evenings" in written or "Sunday evenings" in sent


def test_product_names_survive_anonymisation(
    run_persona, privacy_plugin, privacy_env, persona_home, tmp_path
):
    study = leaky_study(tmp_path)
    result = run_persona(
        "generate", "-i", str(study), "--anonymise", "--engine", "extractive", "-o", "run", env=privacy_env
    )
    assert result.exit_code == 0, result.stderr
    assert "Apple Pay" in (persona_home / "run" / "records.json").read_text()


def test_save_mapping_never_overwrites_or_lands_in_the_data(
    run_persona, privacy_plugin, privacy_env, persona_home, tmp_path
):
    data = tmp_path / "data"
    data.mkdir()
    (data / "notes.csv").write_text("name,comment\nHarriet Oduya,I like the app\n")
    inside = run_persona(
        "privacy",
        "anonymise",
        str(data),
        "-o",
        "out",
        "--save-mapping",
        str(data / "m.json"),
        env=privacy_env,
    )
    assert inside.exit_code == 2 and "keep the mapping outside the input and output folders" in inside.stderr
    over = run_persona(
        "privacy",
        "anonymise",
        str(data),
        "-o",
        "out2",
        "--save-mapping",
        str(data / "notes.csv"),
        env=privacy_env,
    )
    assert over.exit_code == 2 and "the file exists" in over.stderr
    assert (data / "notes.csv").read_text().startswith("name,comment")
    ok = run_persona(
        "privacy", "anonymise", str(data), "-o", "out3", "--save-mapping", "private/m.json", env=privacy_env
    )
    assert ok.exit_code == 0, ok.stderr
    # Persona's own files are never read back as research data
    (data / "copy-of-mapping.json").write_text((persona_home / "private" / "m.json").read_text())
    rescan = run_persona("privacy", "scan", str(data), env=privacy_env)
    assert "copy-of-mapping.json (written by Persona)" in rescan.stderr


def test_a_rescan_of_anonymised_output_finds_no_placeholders(
    run_persona, privacy_plugin, privacy_env, persona_home
):
    result = run_persona("privacy", "anonymise", str(EXAMPLES), "-o", "safe", env=privacy_env)
    assert result.exit_code == 0, result.stderr
    scan = run_persona("privacy", "scan", "safe", "--json", env=privacy_env)
    found = [f["value"] for entry in json.loads(scan.stdout)["files"] for f in entry["findings"]]
    assert not any(re.fullmatch(r"\[[A-Z_]+_\d+\]", v) for v in found), found


def test_generate_goes_on_without_a_refused_file_when_asked(
    run_persona, privacy_plugin, privacy_env, persona_home, tmp_path
):
    study = leaky_study(tmp_path)
    (study / "notizen.txt").write_text(
        "Ich fahre jeden Morgen mit dem Zug zur Arbeit. Die App ist oft langsam und die Anmeldung "
        "funktioniert nicht, wenn das Signal schwach ist. Ich wünsche mir, dass das Ticket sofort "
        "angezeigt wird, auch ohne Internet. Meine Kollegin Ewelina kauft deshalb Papiertickets.\n"
    )
    args = ["generate", "-i", str(study), "--anonymise", "--engine", "extractive", "-o", "run"]
    stopped = run_persona(*args, env=privacy_env)
    assert stopped.exit_code == 5 and "privacy.skip_refused" in stopped.stderr
    assert not (persona_home / "run").exists()
    result = run_persona(*args, env={**privacy_env, "PERSONA_PRIVACY__SKIP_REFUSED": "true"})
    assert result.exit_code == 0, result.stderr
    written = "".join(p.read_text() for p in (persona_home / "run").iterdir() if p.is_file())
    assert "Ewelina" not in written and "Papiertickets" not in written and "notizen" not in written
    manifest = json.loads((persona_home / "run" / "manifest.json").read_text())
    [pre] = manifest["preprocessors"]
    assert len(json.dumps(pre).split("does not look like English")) == 2


@pytest.mark.parametrize("strategy", ["redact", "hash"])
def test_no_persona_statement_is_about_a_removed_identifier(
    strategy, run_persona, privacy_plugin, privacy_env, persona_home
):
    """The example holds e-mail addresses and phone numbers inside sentences; once removed, those
    sentences ("my email is [EMAIL_ADDRESS_7]") and an e-mail column's answers are no statements."""
    from persona.text import REMOVED, about_removed

    args = ["generate", "-i", str(EXAMPLES), "--anonymise", "--strategy", strategy, "--engine", "extractive"]
    result = run_persona(*args, "-o", "run", env=privacy_env)
    assert result.exit_code == 0, result.stderr
    records = (persona_home / "run" / "records.json").read_text()
    assert len(REMOVED.findall(records)) >= 14  # the placeholders are there, in the shape core reads
    personas = json.loads((persona_home / "run" / "personas.json").read_text())["personas"]
    said = [i for p in personas for s in ("goals", "pain_points", "behaviours", "motivations") for i in p[s]]
    said += [q["text"] for p in personas for q in p["quotes"]]
    assert said and [item for item in said if about_removed(item)] == []
    assert not any(REMOVED.search(value or "") for p in personas for value in p["demographics"].values())


def test_the_strategies_write_the_marks_core_reads_as_removed():
    """persona.text.REMOVED is the contract; the redact and hash strategies must keep to it."""
    from persona.text import REMOVED
    from persona_privacy.strategies import Hasher, Redactor

    assert REMOVED.fullmatch(Redactor()._new("EMAIL_ADDRESS", "a@b.example"))
    assert REMOVED.fullmatch(Hasher(b"k" * 32)._new("UK_POSTCODE", "LS1 4AP"))

"""Issue 22: anonymisation spread over workers gives the same output as one process, byte for byte,
on this machine's worker processes and on a real Dask cluster (``distributed.LocalCluster`` on
loopback, two worker processes that each load their own detector), including a worker killed
mid-run; a worker that dies on every try, or a scheduler that is not there, stops the run with one
line, exit code 13, and no output."""

from __future__ import annotations

import csv
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.core.test_executors import die_on_seven

distributed = pytest.importorskip("distributed")

EXAMPLES = REPO / "examples" / "research"


@pytest.fixture(scope="module")
def cluster():
    import dask

    # one retry: a task whose worker died once runs again; one that kills a second worker fails
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=50,
        ) as running,
    ):
        yield running


def write_study(folder: Path, copies: int = 12) -> Path:
    """The example interview table, repeated with each copy's contact details changed, so that the
    study spans many partitions and every partition holds personal data."""
    folder.mkdir(parents=True, exist_ok=True)
    with (EXAMPLES / "interview-notes.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = folder / "interviews.csv"
    with out.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for copy in range(copies):
            for row in rows:
                user, domain = row["email"].split("@")
                writer.writerow(
                    {
                        **row,
                        "participant": f"{row['participant']}-{copy}",
                        "email": f"{user}{copy}@{domain}",
                        "phone": row["phone"][:-3] + f"{(int(row['phone'][-3:]) + copy) % 1000:03d}",
                    }
                )
    for extra in ("survey.json", "transcript-p07.txt"):
        (folder / extra).write_text((EXAMPLES / extra).read_text())
    return folder


def contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def kill_a_worker_when(cluster, partitions_done: int) -> threading.Thread:
    """Kill one worker process (SIGKILL, as the OOM killer would) once the run has finished some
    partitions, so the kill lands in the middle of the run."""

    def watch() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            prefix = cluster.scheduler.task_prefixes.get("detect_partition")
            if prefix is not None:
                counts = prefix.state_counts
                if counts.get("memory", 0) + counts.get("forgotten", 0) >= partitions_done:
                    nanny = next(iter(cluster.workers.values()))
                    os.kill(nanny.process.pid, signal.SIGKILL)
                    return
            time.sleep(0.01)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("strategy", ["redact", "replace", "hash"])
def test_anonymised_copies_are_the_same_on_two_local_workers(
    run_persona, privacy_plugin, privacy_env, persona_home, strategy
):
    study = write_study(persona_home / "study", copies=3)
    env = {**privacy_env, "PERSONA_PRIVACY__BATCH_SIZE": "16", "PERSONA_PRIVACY__HASH_KEY": "k" * 32}
    outputs = {}
    for workers in ("1", "2"):
        done = run_persona(
            "privacy", "anonymise", str(study), "-o", f"out{workers}", "--strategy", strategy,
            "--workers", workers, env=env,
        )  # fmt: skip
        assert done.exit_code == 0, done.stderr
        outputs[workers] = contents(persona_home / f"out{workers}")
    assert outputs["1"] == outputs["2"]
    assert b"harriet.oduya0@example.org" not in outputs["2"]["input-1.csv"]


def test_a_dask_cluster_gives_the_same_copies_even_when_a_worker_is_killed(
    run_persona, privacy_plugin, privacy_env, persona_home, cluster
):
    study = write_study(persona_home / "study")
    env = {**privacy_env, "PERSONA_PRIVACY__BATCH_SIZE": "16", "PERSONA_PRIVACY__HASH_KEY": "k" * 32}
    args = ["privacy", "anonymise", str(study), "--strategy", "hash"]
    single = run_persona(*args, "-o", "single", "--workers", "1", env=env)
    assert single.exit_code == 0, single.stderr
    killer = kill_a_worker_when(cluster, partitions_done=4)
    spread = run_persona(*args, "-o", "spread", "--scheduler", cluster.scheduler_address, env=env)
    killer.join(timeout=1)
    assert spread.exit_code == 0, spread.stderr
    assert not killer.is_alive(), "the run ended before the worker was killed"
    assert contents(persona_home / "spread") == contents(persona_home / "single")
    assert len(contents(persona_home / "single")) == 4  # three copies and anonymisation.json


def test_generate_on_a_dask_cluster_writes_the_same_personas(
    run_persona, privacy_plugin, privacy_env, persona_home, cluster
):
    study = write_study(persona_home / "study", copies=2)
    env = {**privacy_env, "PERSONA_PRIVACY__BATCH_SIZE": "16"}
    args = ["generate", "--input", str(study), "--anonymise", "--engine", "extractive", "-q"]
    single = run_persona(*args, "-o", "single", "--workers", "1", env=env)
    dask = ["--executor", "dask", "--scheduler", cluster.scheduler_address]
    spread = run_persona(*args, "-o", "spread", *dask, env=env)
    assert single.exit_code == 0 and spread.exit_code == 0, single.stderr + spread.stderr
    for name in ("personas.json", "index.md"):
        assert (persona_home / "spread" / name).read_bytes() == (persona_home / "single" / name).read_bytes()


def test_a_partition_that_keeps_killing_workers_stops_the_run(cluster):
    # the last test on the module's cluster: its workers are still coming back when it ends
    from persona.errors import ExecutorError
    from persona.executors import DaskExecutor, ExecutorSettings

    executor = DaskExecutor(ExecutorSettings(kind="dask", scheduler=cluster.scheduler_address))
    try:
        with pytest.raises(ExecutorError) as caught:
            list(executor.map(die_on_seven, range(10), where=lambda i: f"partition {i + 1} of 10"))
    finally:
        executor.close()
    message = str(caught.value)
    assert "kept dying while running partition 8 of 10" in message and "\n" not in message


def test_an_unreachable_scheduler_writes_nothing(run_persona, privacy_plugin, privacy_env, persona_home):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    study = write_study(persona_home / "study", copies=1)
    env = {**privacy_env, "PERSONA_EXECUTOR__TIMEOUT": "1"}
    args = ["--scheduler", f"tcp://127.0.0.1:{port}"]
    done = run_persona("privacy", "anonymise", str(study), "-o", "out", *args, env=env)
    assert done.exit_code == 13 and not (persona_home / "out").exists()
    assert done.stderr.count("\n") == 1 and "cannot reach the Dask scheduler" in done.stderr
    generate = ["generate", "--input", str(study), "--anonymise", "--engine", "extractive"]
    made = run_persona(*generate, "-o", "run", *args, env=env)
    assert made.exit_code == 13 and not (persona_home / "run").exists()
    assert not list(persona_home.glob("run*"))


def test_a_streamed_copy_is_what_anonymising_the_values_in_memory_gives(
    run_persona, privacy_plugin, privacy_env, persona_home
):
    """``privacy anonymise`` reads a table a row at a time, several times; its copy is the one the
    in-memory anonymiser (as ``generate --anonymise`` uses it) makes of the same values."""
    from persona import read
    from persona_privacy.anonymiser import Anonymiser
    from persona_privacy.settings import PrivacySettings

    study = write_study(persona_home / "study", copies=4)
    table = study / "interviews.csv"
    env = {**privacy_env, "PERSONA_PRIVACY__BATCH_SIZE": "8", "PERSONA_PRIVACY__HASH_KEY": "k" * 32}
    done = run_persona("privacy", "anonymise", str(table), "-o", "out", "--strategy", "hash", env=env)
    assert done.exit_code == 0, done.stderr
    document = read(table, structure=True)
    anonymiser = Anonymiser(PrivacySettings(batch_size=8, hash_key="k" * 32), "hash")
    out, _ = anonymiser.anonymise(document.values())
    # byte for byte: the study is written with CRLF, and the copy keeps it
    assert (persona_home / "out" / "input-1.csv").read_bytes() == document.write(out).encode()
    assert document.write(out).encode() != table.read_bytes()


def test_a_file_that_changes_during_the_run_stops_it_with_nothing_written(
    run_persona, privacy_plugin, privacy_env, persona_home, monkeypatch
):
    from persona_privacy.anonymiser import Anonymiser

    study = write_study(persona_home / "study", copies=1)
    table = study / "interviews.csv"
    plan = Anonymiser.plan

    def plan_then_edit(self, source, total=None):
        found = plan(self, source, total)
        with table.open("a") as handle:  # someone saves the file while the run reads it
            handle.write("P99,late row\n")
        return found

    monkeypatch.setattr(Anonymiser, "plan", plan_then_edit)
    done = run_persona("privacy", "anonymise", str(study), "-o", "out", env=privacy_env)
    assert done.exit_code == 5, done.stderr
    *progress, error = done.stderr.splitlines()
    assert "interviews.csv: the file changed while it was being read" in error
    assert all(line.startswith("persona: detecting: ") for line in progress)  # and no traceback
    assert not (persona_home / "out").exists() and not list(persona_home.glob(".out*"))


def test_the_rescan_of_changed_values_counts_what_a_rescan_of_every_value_counts(monkeypatch):
    """Only values that changed are detected again: a value left as it was is judged on what the
    first pass found in it, which is what detecting it again finds (detection depends on a value's
    text and header alone)."""
    from persona import read
    from persona_privacy.anonymiser import Anonymiser
    from persona_privacy.detector import Detector
    from persona_privacy.settings import PrivacySettings

    values = [value for path in sorted(EXAMPLES.iterdir()) for value in read(path, structure=True).values()]
    values += [("Android kept crashing, so I moved to the Android beta", "notes")] * 3
    values += [
        # "Bill" guessed a name where a sentence starts, and written "bill" elsewhere: the run's content
        ("Bill went up again in May. The bill came late.", None),
        ("Spoke to Ruairidh at the desk", None),
    ]
    detected_again: list[int] = []
    stream = Detector.detect_stream

    def counting(self, pairs, **options):
        pairs = list(pairs)
        detected_again.append(len(pairs))
        return stream(self, pairs, **options)

    anonymiser = Anonymiser(PrivacySettings(), "redact")
    out, _ = anonymiser.anonymise(values)
    monkeypatch.setattr(Detector, "detect_stream", counting)
    full = Anonymiser(PrivacySettings(), "redact")
    full.pseudonymiser, full.judged_content = anonymiser.pseudonymiser, anonymiser.judged_content
    assert full.rescan(out, [header for _, header in values]) == anonymiser.residual
    assert full.kept_by_judgement == anonymiser.kept_by_judgement and anonymiser.kept_by_judgement
    changed = sum(new != text for new, (text, _) in zip(out, values, strict=True))
    detected_again.clear()
    anonymiser.replaced(lambda: values, anonymiser.plan(lambda: values)).__next__()
    assert detected_again[-1] == changed < len(values) / 2


@pytest.mark.parametrize("command", ["anonymise", "generate"])
def test_a_bad_row_late_in_a_file_stops_the_run_before_any_work(
    run_persona, privacy_plugin, privacy_env, persona_home, command, monkeypatch
):
    """A streamed file is checked whole when opened: a row that cannot be read, at the end of a
    large file, stops the run before anything is detected, sent or written."""
    from persona_privacy.detector import Detector

    study = write_study(persona_home / "study", copies=1)
    with (study / "interviews.csv").open("a") as handle:
        handle.write('P99,"an answer whose quote never closes\n')
    detected: list[object] = []
    stream = Detector.detect_stream
    monkeypatch.setattr(
        Detector, "detect_stream", lambda self, *a, **k: detected.append(1) or stream(self, *a, **k)
    )
    if command == "anonymise":
        done = run_persona("privacy", "anonymise", str(study), "-o", "out", env=privacy_env)
    else:
        done = run_persona(
            "generate", "--input", str(study), "--anonymise", "--engine", "extractive", "-o", "out",
            env=privacy_env,
        )  # fmt: skip
    assert done.exit_code == 5, done.stderr
    assert done.stderr.splitlines()[-1].startswith("persona: error: study/interviews.csv, row ")
    assert "invalid CSV" in done.stderr and "Traceback" not in done.stderr
    assert not detected and not (persona_home / "out").exists()


def test_the_run_wide_finder_finds_what_one_alternation_of_every_key_finds():
    """The run-wide pass looks for every value found, in every value (``everywhere``); it finds
    exactly what one regular expression of all of them finds, without trying each at each place."""
    import random

    from persona_privacy.anonymiser import _alternation, _Finder, _key

    rng = random.Random(3)
    words = ["Kari", "kari", "Molat", "J", "Smith", "jo.smith@mail.test", "07700 900123", "+44 7700 900123",
             "Leeds", "Ann", "Anna", "Annabel", "O'Neil", "Zoë", "Dr"]  # fmt: skip
    separators = [" ", "  ", "\n", ", ", ".", "@", "-", "(", ")", "", "'s "]
    for _ in range(2000):
        keys = [
            k for k in {_key(" ".join(rng.sample(words, rng.randint(1, 2)))) for _ in range(8)} if len(k) >= 3
        ]
        text = "".join(
            rng.choice([*words, "the", "x"]) + rng.choice(separators) for _ in range(rng.randint(1, 14))
        )
        expected = [(m.start(), m.end()) for m in _alternation(keys).finditer(text)]
        assert [(m.start(), m.end()) for m in _Finder(keys).finditer(text)] == expected, (keys, text)

"""Anonymisation and the extractive engine as the number of rows grows (issue 22).

A generated rail survey (an opaque respondent number, a channel, a rating, one free-text comment of
one to three sentences; one comment in five carries a name, an e-mail or a phone number) is written
at each size, and each command runs as a user would run it, in a fresh process:

- ``persona privacy anonymise`` with ``--workers 1`` (the single-process path), ``--workers 2``,
  and ``--executor dask --workers 2`` (a two-worker ``distributed.LocalCluster`` the run starts):
  rows per second, the peak resident memory of the main process and of each worker process, and
  whether the three outputs are identical byte for byte;
- ``persona generate --engine extractive``: time and peak resident memory.

Memory is sampled from /proc (psutil) every 50 ms over the whole process tree, so a short peak
can be missed; the figures are lower bounds. A forked worker's RSS counts the pages it shares with
the main process; its USS (unique set size, sampled twice a second) counts only its own. Rates are ratios
within one run, as the machines here are shared and noisy.

    uv run python bench/scale.py [--anonymise-rows 10000 100000 1000000] [--extractive-rows ...]

A million rows of anonymisation take hours on two cores (about 120 rows/s with two workers):
choose the sizes to match the time you have.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
CHILD_ENV["OLLAMA_HOST"] = "127.0.0.1:9"  # no model server: the engine is the extractive one

# Written for this benchmark; none of it comes from a PII benchmark.
OPENERS = ["", "Honestly, ", "To be fair, ", "Mostly ", "On the whole, "]
CLAUSES = [
    "the {route} service was late three days out of five",
    "I could not find where to claim a refund for the {route} delay",
    "the app logged me out when I bought a ticket at {station}",
    "seat reservations on the {route} train never show up on the carriage",
    "I would like the app to remember my usual journey to {station}",
    "the ticket machine at {station} only takes cards",
    "there was no step-free access at {station} when the lift broke",
    "advance fares went up again and the railcard did not apply",
    "staff at {station} were helpful when my train was cancelled",
    "I want alerts when a platform changes, not after",
    "the quiet coach is never quiet on the morning {route} service",
    "I buy a flexible ticket because my shifts change every week",
]
CONTACTS = [
    "you can reach me on {phone}",
    "email me at {email} if you need more",
    "my partner {name} had the same problem",
    "{name} at the ticket office sorted it out",
]
STATIONS = ["Leeds", "York", "Harrogate", "Huddersfield", "Wakefield", "Skipton", "Selby", "Ilkley"]
ROUTES = ["7:42", "Leeds to York", "evening", "Sunday", "Manchester"]
NAMES = ["Aled", "Mairead", "Oluwaseun", "Bronagh", "Tavish", "Iolanthe", "Kenji", "Ffion", "Radek"]


def write_survey(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent", "channel", "rating", "comment"])
        for n in range(rows):
            clauses = [
                c.format(route=rng.choice(ROUTES), station=rng.choice(STATIONS))
                for c in rng.sample(CLAUSES, rng.randint(1, 3))
            ]
            if rng.random() < 0.2:
                name = rng.choice(NAMES)
                clauses.append(
                    rng.choice(CONTACTS).format(
                        phone=f"07700 9{rng.randint(0, 99999):05d}",
                        email=f"{name.lower()}{rng.randint(1, 99)}@example.org",
                        name=name,
                    )
                )
            comment = rng.choice(OPENERS) + "; ".join(clauses)
            comment = comment[0].upper() + comment[1:] + "."
            writer.writerow(
                [100000 + n, rng.choice(["app", "web", "phone", "station"]), rng.randint(1, 5), comment]
            )


def measured(args: list[str]) -> dict:
    """Run ``persona ARGS``; wall time and the peak RSS of the main process and of each other
    process of its tree (workers, a Dask scheduler and its nannies)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "persona", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=CHILD_ENV,
    )
    main = psutil.Process(process.pid)
    peaks: dict[int, int] = {}
    unique: dict[int, int] = {}  # USS: the pages only this process holds (not those shared by fork)
    names: dict[int, str] = {}
    done = threading.Event()

    def sample() -> None:
        tick = 0
        while not done.is_set():
            try:
                tree = [main, *main.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for p in tree:
                try:
                    rss = p.memory_info().rss
                    names.setdefault(p.pid, " ".join(p.cmdline()[:4]))
                    if tick % 10 == 0:  # reading smaps is slow: twice a second
                        unique[p.pid] = max(unique.get(p.pid, 0), p.memory_full_info().uss)
                except psutil.Error:
                    continue
                peaks[p.pid] = max(peaks.get(p.pid, 0), rss)
            tick += 1
            time.sleep(0.05)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    _, err = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    watcher.join()
    if process.returncode != 0:
        raise SystemExit(f"persona {' '.join(args)} failed ({process.returncode}): {err.strip()[-500:]}")
    main_peak = peaks.pop(process.pid, 0)
    unique.pop(process.pid, None)
    # workers: the processes that did the work (the largest), not the resource tracker or a nanny
    workers = sorted(peaks, key=peaks.__getitem__, reverse=True)
    return {
        "seconds": seconds,
        "main_mb": main_peak / 2**20,
        "worker_mb": [peaks[w] / 2**20 for w in workers],
        "worker_uss_mb": [unique.get(w, 0) / 2**20 for w in workers],
    }


ROOT = Path(__file__).resolve().parent.parent


def source_digest() -> str:
    """One digest of Persona's own code and data files: a bench run that spans an edit compares two
    versions of the code, not two executors (stop 35's 'outputs differ' was a header-row fix made
    while the run was going)."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("persona-*/src/**/*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def digests(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


RUNS = {
    "1 worker (today's path)": ["--workers", "1"],
    "2 local workers": ["--workers", "2"],
    "dask LocalCluster, 2 workers": ["--executor", "dask", "--workers", "2"],
}


def anonymise(work: Path, survey: Path, rows: int, chosen: list[str]) -> None:
    runs = {label: flags for n, (label, flags) in enumerate(RUNS.items()) if str(n + 1) in chosen}
    results = {}
    code = source_digest()
    for label, flags in runs.items():
        out = work / f"anon-{rows}-{len(results)}"
        results[label] = measured(["privacy", "anonymise", str(survey), "-o", str(out), *flags])
        results[label]["files"] = digests(out)
        if source_digest() != code:
            raise SystemExit(f"Persona's source changed during the {label} run: outputs of two versions")
    base = next(iter(results.values()))["seconds"]
    for label, r in results.items():
        workers = ", ".join(
            f"{mb:.0f} ({uss:.0f})" for mb, uss in zip(r["worker_mb"][:3], r["worker_uss_mb"], strict=False)
        )
        print(
            f"  anonymise {rows:>9,} rows, {label:<30} {r['seconds']:8.1f} s "
            f"{rows / r['seconds']:7.0f} rows/s  {base / r['seconds']:4.2f}x the first  "
            f"main {r['main_mb']:5.0f} MB  largest other processes, RSS (USS): {workers or '-'} MB"
        )
    first = next(iter(results.values()))["files"]
    differ = sorted(
        {name for r in results.values() for name in r["files"] if r["files"].get(name) != first.get(name)}
    )
    print(f"  outputs identical across executors: {'yes' if not differ else 'NO: ' + ', '.join(differ)}")


def extractive(work: Path, survey: Path, rows: int) -> None:
    r = measured(
        ["generate", "--input", str(survey), "--engine", "extractive", "-q", "-o", str(work / f"run-{rows}")]
    )
    print(f"  extractive {rows:>9,} rows: {r['seconds']:8.1f} s, peak {r['main_mb']:6.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sizes = [10_000, 100_000, 1_000_000]
    parser.add_argument("--anonymise-rows", type=int, nargs="*", default=sizes, help="sizes for anonymise")
    parser.add_argument("--extractive-rows", type=int, nargs="*", default=sizes, help="sizes for extractive")
    parser.add_argument(
        "--runs",
        default="123",
        help="anonymise runs: 1 one worker, 2 two local workers, 3 dask (default 123)",
    )
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for rows in sorted({*args.anonymise_rows, *args.extractive_rows}):
            survey = work / f"survey-{rows}.csv"
            write_survey(survey, rows)
            print(f"{rows:,} rows ({survey.stat().st_size / 2**20:.1f} MB of CSV)")
            if rows in args.anonymise_rows:
                anonymise(work, survey, rows, list(args.runs))
            if rows in args.extractive_rows:
                extractive(work, survey, rows)
            survey.unlink()
            for folder in work.iterdir():
                shutil.rmtree(folder)


if __name__ == "__main__":
    main()

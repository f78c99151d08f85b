"""Loading and preparing a large CSV against the standard library, in the same run.

Usage: uv run python bench/load.py [--rows 100000] [--repeat 3]

Writes a synthetic survey export of ROWS rows (about 20 MB at 100,000), then times
- baseline: iterating it with csv.DictReader;
- persona: discovery, decoding, parsing into records, token estimates and the fitting plan
  (everything `persona generate` does before the first request).
Reports the ratio of the medians (target: at most 5x) and persona's peak memory, measured in a
child process (target: under 500 MB).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = [
    "app",
    "ticket",
    "train",
    "late",
    "platform",
    "refund",
    "delay",
    "phone",
    "battery",
    "seat",
    "bike",
    "station",
    "queue",
    "price",
    "cheap",
    "quick",
    "confusing",
    "login",
    "password",
    "screen",
    "notification",
    "commute",
    "morning",
    "evening",
    "weekend",
    "family",
    "work",
]


def write_sample(path: Path, rows: int) -> None:
    rng = random.Random(42)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent", "age_band", "frequency", "satisfaction", "frustration", "improvement"])
        for n in range(rows):
            writer.writerow(
                [
                    f"R-{n:06d}",
                    rng.choice(["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]),
                    rng.choice(["daily", "weekly", "monthly"]),
                    rng.randint(1, 5),
                    " ".join(rng.choices(WORDS, k=rng.randint(12, 24))).capitalize() + ".",
                    " ".join(rng.choices(WORDS, k=rng.randint(6, 14))).capitalize() + ".",
                ]
            )


def baseline(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def persona_prepare(path: Path) -> int:
    from persona.codec import InputLimits, read_all
    from persona.discovery import discover
    from persona.llm.engine import persona_overhead
    from persona.llm.fitting import make_budget, plan
    from persona.preprocess import preprocess
    from persona.reporting import Reporter

    limits = InputLimits()
    documents = read_all(discover([path], limits), limits)
    records, _ = preprocess([r for d in documents for r in d.records], [], Reporter(quiet=True))
    plan(records, make_budget(131_072, "provider", 4096, persona_overhead(3)))
    return len(records)


def timed(fn, path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    count = fn(path)
    return time.perf_counter() - start, count


def child(path: str) -> None:
    import resource

    count = persona_prepare(Path(path))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"records": count, "peak_mb": peak_kb / 1024}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "survey.csv"
        write_sample(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        persona_prepare(path)  # import everything once, so imports are not timed
        base_times, persona_times = [], []
        for _ in range(args.repeat):
            seconds, base_count = timed(baseline, path)
            base_times.append(seconds)
            seconds, count = timed(persona_prepare, path)
            persona_times.append(seconds)
        assert count == base_count == args.rows, (count, base_count)
        memory = json.loads(
            subprocess.run(
                [sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, check=True
            ).stdout
        )
    base, ours = statistics.median(base_times), statistics.median(persona_times)
    print(f"{args.rows:,} rows, {size_mb:.1f} MB")
    print(f"csv.DictReader         median {base:6.3f} s")
    print(f"persona load+prepare   median {ours:6.3f} s")
    print(f"ratio: {ours / base:.2f}x (target <= 5)")
    print(f"persona peak memory: {memory['peak_mb']:.0f} MB (target < 500)")


if __name__ == "__main__":
    main()

"""The extractive engine on survey studies with planted user types.

Each study is a CSV written to a temporary folder and run through `persona generate` as a user
would (`--engine extractive`). Reported per study: the adjusted Rand index between planted types and
the manifest's `assignments`, how many types were found (a type is found when it is the majority of
some persona), the share of extracted items that belong to their persona's majority type, the share
of list items and quotes that occur verbatim in the data, and wall time next to `--dry-run` on the
same data. Types share vocabulary (cross-talk: every respondent also says things any type says, and
some say one thing of another type), and the answers have the shapes of real survey exports: a
participant id, categorical answers, an age band, free text.

    uv run python bench/extractive_quality.py [--rows 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fixtures import TYPES, ari, study, truth_of, write_study

# A user's install keeps compiled bytecode; a shell that sets PYTHONDONTWRITEBYTECODE would make every
# timed run recompile the whole dependency tree and measure the compiler instead of the engine.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(args: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "persona", *args], capture_output=True, text=True, env=CHILD_ENV
    )
    return time.perf_counter() - started, done


def measure(
    name: str, counts: dict[str, int], cross_talk: float, seed: int, work: Path, text_only: bool = False
) -> dict[str, object]:
    rows = study(counts, cross_talk, seed)
    path = work / f"{name}.csv"
    columns = write_study(rows, path, text_only)
    out = work / f"{name}-run"
    k = len(counts)
    seconds, done = run(
        ["generate", "-i", str(path), "--engine", "extractive", "-n", str(k), "-o", str(out), "-q"]
    )
    if done.returncode:
        raise SystemExit(done.stderr)
    dry_seconds, _ = run(
        ["generate", "-i", str(path), "--engine", "extractive", "-n", str(k), "--dry-run", "-q"]
    )
    manifest = json.loads((out / "manifest.json").read_text())
    personas = json.loads((out / "personas.json").read_text())["personas"]
    planted = truth_of(rows, name)
    ids = sorted(planted)
    truth = [planted[i] for i in ids]
    found = [manifest["assignments"][i] for i in ids]
    majority = {}
    for pid in set(found):
        members = Counter(t for t, f in zip(truth, found, strict=True) if f == pid)
        majority[pid] = members.most_common(1)[0][0]
    text = path.read_text()
    items = verbatim = pure = 0
    for p in personas:
        for item in [
            *p["goals"],
            *p["pain_points"],
            *p["behaviours"],
            *p["motivations"],
            *(q["text"] for q in p["quotes"]),
        ]:
            items += 1
            verbatim += item in text or any(
                f"{c}: " in item and item.split(": ", 1)[1] in text for c in columns
            )
            kinds = [k for k, t in TYPES.items() if item in t["said"]]
            pure += (not kinds) or majority[p["id"]] in kinds
    return {
        "study": name,
        "rows": len(rows),
        "types": k,
        "ari": round(ari(truth, found), 3),
        "types_found": len(set(majority.values())),
        "item_purity": round(pure / items, 3),
        "verbatim": round(verbatim / items, 3),
        "seconds": round(seconds, 2),
        "dry_run_seconds": round(dry_seconds, 2),
        "ratio_to_dry_run": round(seconds / dry_seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000, help="rows of the large study")
    options = parser.parse_args()
    names = list(TYPES)
    studies = [
        ("balanced-3", dict.fromkeys(names[:3], 40), 0.2, 1),
        ("balanced-5", dict.fromkeys(names, 40), 0.2, 2),
        ("imbalanced-5", dict(zip(names, (100, 50, 20, 10, 20), strict=True)), 0.2, 3),
        ("imbalanced-5-crosstalk", dict(zip(names, (100, 50, 20, 10, 20), strict=True)), 0.5, 4),
        ("large-5", {k: options.rows // 5 for k in names}, 0.2, 5),
    ]
    with tempfile.TemporaryDirectory() as work:
        for name, counts, cross, seed in studies:
            print(json.dumps(measure(name, counts, cross, seed, Path(work))))
        for name, counts, cross, seed in studies[1:4]:
            print(json.dumps(measure(f"{name}-text-only", counts, cross, seed, Path(work), text_only=True)))


if __name__ == "__main__":
    main()

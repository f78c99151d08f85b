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
import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from math import comb
from pathlib import Path

TYPES = {
    "commuter": {
        "role": ["Nurse", "Teacher", "Office manager"],
        "freq": ["Daily"],
        "said": [
            "The 07:42 is late most mornings and I miss the start of my shift.",
            "I check live departures before I leave and again on the platform.",
            "A season ticket that renews itself would save me a morning every month.",
            "Platform changes are announced too late for anyone to get there.",
            "Delay repay takes weeks and I have given up claiming.",
            "I want the app to warn me before I leave the house.",
        ],
    },
    "family": {
        "role": ["Parent", "Carer"],
        "freq": ["Monthly", "Weekends"],
        "said": [
            "Booking for two adults and three children takes forever in the app.",
            "Family railcard discounts should be applied without me hunting for them.",
            "Getting a pushchair and luggage through the barriers is exhausting.",
            "We plan day trips to the seaside during school holidays.",
            "Seat reservations for a group never put us together.",
            "The kids love the train so we try to make a day of it.",
        ],
    },
    "student": {
        "role": ["Student"],
        "freq": ["Weekly"],
        "said": [
            "My railcard renewal was confusing and I paid full fare twice.",
            "I hunt for the cheapest advance fare on my laptop every time.",
            "Split ticketing saves me a lot on the journey home from university.",
            "Money is tight so every pound saved on fares really matters.",
            "I travel late at night and worry when the last train is cancelled.",
            "I would use an app that shows the cheapest time to travel.",
        ],
    },
    "business": {
        "role": ["Consultant", "Sales director"],
        "freq": ["Weekly", "Daily"],
        "said": [
            "I need receipts in a format my expenses system accepts.",
            "First class wifi drops out between stations so I cannot work.",
            "Changing a booked ticket at short notice costs far too much.",
            "I book through our corporate portal and it never shows all the fares.",
            "Quiet coach rules are ignored and I cannot take calls anywhere.",
            "Being productive on the train is the whole point of not driving.",
        ],
    },
    "accessibility": {
        "role": ["Retired", "Volunteer"],
        "freq": ["Monthly"],
        "said": [
            "Booking passenger assistance through the app is impossible to find.",
            "The ramp did not turn up at my destination and I waited forty minutes.",
            "Step-free routes are not shown when I plan a journey.",
            "Staff at the station are kind but nobody knows if the lift works.",
            "I need large text and a simple screen to use the app at all.",
            "Travelling independently matters to me more than anything.",
        ],
    },
}
COMMON = [
    "The app is fine most of the time.",
    "Prices keep going up every year.",
    "I use the app on my phone.",
    "The trains are often crowded.",
]
STRUCTURED = ("occupation", "age_band", "travel_frequency")
AGES = {
    "commuter": ["25-34", "35-44"],
    "family": ["35-44"],
    "student": ["18-24"],
    "business": ["45-54"],
    "accessibility": ["65+"],
}


def study(counts: dict[str, int], cross_talk: float, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    number = 0
    for kind, count in counts.items():
        for _ in range(count):
            number += 1
            own = TYPES[kind]
            said = rng.sample(own["said"], 3) + rng.sample(COMMON, 1)
            if rng.random() < cross_talk:
                other = rng.choice([k for k in TYPES if k != kind])
                said.append(rng.choice(TYPES[other]["said"]))
            rng.shuffle(said)
            rows.append(
                {
                    "participant_id": f"R-{number:04d}",
                    "occupation": rng.choice(own["role"]),
                    "age_band": rng.choice(AGES[kind]),
                    "travel_frequency": rng.choice(own["freq"]),
                    "tell_us_about_your_journeys": " ".join(said),
                    "_type": kind,
                }
            )
    rng.shuffle(rows)
    return rows


def write_study(rows: list[dict[str, str]], path: Path, text_only: bool) -> list[str]:
    """The study as a CSV, without its hidden ``_type`` column (and, text only, without the
    structured answers that would give the type away: only what people wrote)."""
    columns = [c for c in rows[0] if c != "_type" and not (text_only and c in STRUCTURED)]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return columns


def ari(truth: list[str], found: list[str]) -> float:
    pairs = Counter(zip(truth, found, strict=True))
    index = sum(comb(n, 2) for n in pairs.values())
    rows = sum(comb(n, 2) for n in Counter(truth).values())
    cols = sum(comb(n, 2) for n in Counter(found).values())
    total = comb(len(truth), 2)
    expected = rows * cols / total if total else 0.0
    maximum = (rows + cols) / 2
    return (index - expected) / (maximum - expected) if maximum != expected else 1.0


def run(args: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "persona", *args], capture_output=True, text=True)
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
    # record ids are "<file>-<line>": line n+2 holds rows[n] (header on line 1)
    truth_of = {f"{name}-{n + 2}": row["_type"] for n, row in enumerate(rows)}
    ids = sorted(truth_of)
    truth = [truth_of[i] for i in ids]
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

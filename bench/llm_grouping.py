"""Which grouping gives the llm engine more distinct personas with valid evidence, when the data
does not fit one prompt: ``order`` (chunks in file order, the old way), ``similar`` (chunks made of
groups of similar records) or ``per-group`` (one persona per group, grounded by its extractive draft).

Each study (planted user types from ``tests/fixtures.py``: balanced and 10:5:2:1:2, with
cross-talk) runs through ``persona generate -p ollama`` as a subprocess, against the loopback fake
Ollama server of the test-suite (real HTTP, streamed NDJSON, num_ctx and num_predict enforced) with an
8,192-token model, so every study needs several requests.

The fake's model is a *simulated small model*, the same for all three groupings. It reads the prompt
as a model would: it recognises a record's theme by the sentences in it (no hidden labels), and it
has a small model's limits:
- a findings answer notes at most 3 themes, the most frequent in the prompt, citing at most 20
  records each and quoting one; one cited id in ten is invented (small models do that);
- a merge keeps at most 3 themes, the best supported;
- a persona answer writes one persona per theme it sees, the best supported first, up to the number
  asked, citing at most 60 records.
Reported per study and grouping: personas written, distinct types (a type counts when it is the
majority of some persona's evidence), evidence purity (cited records of the persona's majority
type), invented ids the pipeline dropped, requests and prompt tokens.

    uv run python bench/llm_grouping.py
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures import COMMON, TYPES, study, write_study  # noqa: E402
from tests.ollama.fake_server import FakeModel, FakeOllama  # noqa: E402

THEMES = 3  # themes a findings or merge answer notes
CITES = 20  # record ids a finding cites
INVENT = 0.1  # share of cited ids that are invented
RECORD = re.compile(r"^\[([^\]\s]+)\]\n(.*?)(?=\n\n\[|\Z)", re.M | re.S)
FINDING = re.compile(r"^- \((\w+)\) (.*?) \[records: ([^\]]+)\]$", re.M)
THEME_OF = {sentence: kind for kind, spec in TYPES.items() for sentence in spec["said"]}


def theme(text: str) -> str | None:
    """The type whose sentences a text holds most (None when it holds none)."""
    counts = Counter(kind for sentence, kind in THEME_OF.items() if sentence in text)
    return counts.most_common(1)[0][0] if counts else None


class SimulatedModel:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def __call__(self, body: dict[str, Any]) -> str:
        schema = body["format"]
        prompt = body["messages"][-1]["content"]
        if "findings" in schema["properties"]:
            return json.dumps({"findings": self.findings(prompt)})
        count = schema["properties"]["personas"]["maxItems"]
        return json.dumps({"personas": self.personas(prompt.split("Here are the", 1)[-1], count)})

    def cite(self, ids: list[str], limit: int) -> list[str]:
        chosen = ids[:limit]
        return [f"{i}x" if self.rng.random() < INVENT else i for i in chosen]

    def themes(self, prompt: str) -> dict[str, list[str]]:
        """Record ids per theme, from the records or from the findings in ``prompt``."""
        found: dict[str, list[str]] = {}
        for rid, body in RECORD.findall(prompt):
            kind = theme(body)
            if kind:
                found.setdefault(kind, []).append(rid)
        for _, statement, ids in FINDING.findall(prompt):
            kind = theme(statement)
            if kind:
                found.setdefault(kind, []).extend(i.strip() for i in ids.split(","))
        return dict(sorted(found.items(), key=lambda item: -len(item[1])))

    def findings(self, prompt: str) -> list[dict[str, Any]]:
        out = []
        for kind, ids in list(self.themes(prompt).items())[:THEMES]:
            said = TYPES[kind]["said"]
            out.append(
                {
                    "kind": "pain_point",
                    "statement": said[0],
                    "quotes": [],
                    "record_ids": self.cite(ids, CITES),
                }
            )
        return out or [{"kind": "context", "statement": COMMON[0], "quotes": [], "record_ids": ["r-1"]}]

    def personas(self, prompt: str, count: int) -> list[dict[str, Any]]:
        out = []
        for number, (kind, ids) in enumerate(list(self.themes(prompt).items())[:count]):
            said = TYPES[kind]["said"]
            out.append(
                {
                    "id": f"{kind}-{number}",
                    "name": f"Sam Example {number}",
                    "role": TYPES[kind]["role"][0],
                    "summary": said[0],
                    "demographics": {"age_range": None, "occupation": None, "location": None},
                    "goals": [said[1]],
                    "pain_points": [said[2]],
                    "behaviours": [said[3]],
                    "motivations": [said[4]],
                    "quotes": [],
                    "evidence": self.cite(ids, 60),
                }
            )
        return out


def measure(
    name: str, rows: list[dict[str, str]], k: int, grouping: str, work: Path, url: str, text_only: bool
) -> dict:
    path = work / f"{name}.csv"
    if not path.exists():
        write_study(rows, path, text_only)
    out = work / f"{name}-{grouping}"
    env = {**os.environ, "OLLAMA_HOST": url}
    done = subprocess.run(
        [
            *(sys.executable, "-m", "persona", "generate", "-i", str(path), "-p", "ollama", "-m", "sim:1"),
            *("-n", str(k), "--set", f"engines.llm.grouping={grouping}", "-o", str(out), "-q", "--json"),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode:
        return {"study": name, "grouping": grouping, "error": done.stderr.strip().splitlines()[-1]}
    truth = {f"{name}-{n + 2}": row["_type"] for n, row in enumerate(rows)}
    personas = json.loads((out / "personas.json").read_text())["personas"]
    manifest = json.loads((out / "manifest.json").read_text())
    majorities, cited, pure = [], 0, 0
    represented: set[str] = set()
    for persona in personas:
        kinds = Counter(truth[i] for i in persona["evidence"])
        kind, n = kinds.most_common(1)[0]
        majorities.append(kind)
        cited += sum(kinds.values())
        pure += n
        represented.update(i for i in persona["evidence"] if truth[i] == kind)
    details = manifest["details"]
    return {
        "study": name,
        "grouping": grouping,
        "types": k,
        "personas": len(personas),
        "distinct_types": len(set(majorities)),
        "evidence_purity": round(pure / cited, 3) if cited else 0.0,
        # records cited by a persona of their own type, and records assigned to a persona
        "evidence_coverage": round(len(represented) / len(truth), 3),
        "assigned": round(len(manifest.get("assignments", {})) / len(truth), 3),
        "invented_ids_dropped": details.get("evidence_ids_dropped", 0),
        "requests": len(manifest["requests"]),
        "prompt_tokens": sum(r.get("prompt_tokens") or 0 for r in manifest["requests"]),
    }


def main() -> None:
    names = list(TYPES)
    studies = [
        ("balanced-5", dict.fromkeys(names, 40), 0.2, 2),
        ("imbalanced-5", dict(zip(names, (100, 50, 20, 10, 20), strict=True)), 0.2, 3),
        ("imbalanced-5-crosstalk", dict(zip(names, (100, 50, 20, 10, 20), strict=True)), 0.5, 4),
        ("balanced-3", dict.fromkeys(names[:3], 60), 0.2, 1),
        ("imbalanced-5-crosstalk-text-only", dict(zip(names, (100, 50, 20, 10, 20), strict=True)), 0.5, 4),
    ]
    fake = FakeOllama(SimulatedModel(seed=7)).start()
    fake.add(FakeModel("sim:1", context_length=8192))
    totals: dict[str, Counter[str]] = {}
    try:
        with tempfile.TemporaryDirectory() as folder:
            work = Path(folder)
            for name, counts, cross, seed in studies:
                rows = study(counts, cross, seed)
                for grouping in ("order", "similar", "per-group"):
                    text_only = name.endswith("text-only")
                    result = measure(name, rows, len(counts), grouping, work, fake.url, text_only)
                    print(json.dumps(result))
                    total = totals.setdefault(grouping, Counter())
                    total["distinct_types"] += result.get("distinct_types", 0)
                    total["types"] += len(counts)
                    total["covered"] += round(1000 * result.get("evidence_coverage", 0))
                    total["studies"] += 1
    finally:
        fake.stop()
    for grouping, total in totals.items():
        print(
            f"{grouping}: {total['distinct_types']} of {total['types']} planted types found as personas; "
            f"mean evidence coverage {total['covered'] / 1000 / total['studies']:.2f}"
        )


if __name__ == "__main__":
    main()

"""Persona quality of the extractive engine on studies with planted user types (tests/planted.py).

Every sentence of a study has a true type and kind, so each persona can be scored:
- ARI: adjusted Rand index between the planted types and the engine's groups of respondents;
- section precision: list items (goals, pain points, behaviours, motivations) whose true kind is
  the section they are listed in;
- item purity: list items and quotes of a known type that come from the persona's majority type
  (sentences every type says are left out of it);
- generic items: list items that are generic remarks ("The app is fine overall.");
- seed stability: ARI between the groups of two engine seeds on the same rows in another order;
- personas: how many the engine wrote (a study with two types asked for five should say so).

Studies: balanced, imbalanced (10:5:2:1:2), one free-text column, two real types asked for five,
and types that share most of their vocabulary; five data seeds each, reporting the minimum over
seeds (the mean beside it). A plain TF-IDF + k-means baseline (one k-means start into the number
asked, no merging) is scored in the same run. Then the bundled example is run with `--anonymise` as a
user would: the share of cited records held by the largest persona, and list items that are about a
removed identifier (``persona.text.about_removed``: a contact detail or number, two removed
values, a removed name in a short sentence) and those that hold any placeholder at all.

Real human text: ``--reviews PATH`` scores the engine on the 3,708 Amazon review sentences (309
reviews of 5 products, from Hu and Liu 2004) that Hutto and Gilbert rated for sentiment by human
judges, shipped in the vaderSentiment source distribution on PyPI (MIT licence). Get it with
``pip download vaderSentiment==3.3.2 --no-deps --no-binary :all:`` and unpack
``additional_resources/hutto_ICWSM_2014.tar.gz``; PATH is its ``amazonReviewSnippets_GroundTruth.txt``.
Each review is one respondent. The set labels sentiment, not user types, so it scores where
statements go: the share of listed pain points that the judges rated negative, and the share of
the other lists' items that they rated clearly negative (a complaint listed as a goal or habit).

    uv run python bench/persona_quality.py                 # the tuning domain (also: --domain energy)
    uv run python bench/persona_quality.py --domain clinic  # a tuning domain since stop 36
    uv run python bench/persona_quality.py --domain library # held out: measure, never tune on it
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from persona.records import Provenance, Record

from tests.fixtures import ari
from tests.planted import DOMAINS, KINDS, Domain, Study, make_study

ROOT = Path(__file__).resolve().parent.parent


def records(study: Study, order: list[int]) -> list[Record]:
    return [
        Record(f"study-{n + 2}", Provenance("study.csv", row=n + 2), fields=dict(study.rows[n]))
        for n in order
    ]


def studies(domain: Domain, seed: int) -> list[tuple[str, Study, int]]:
    types = list(domain.types)
    k = len(types)
    shape = (10, 5, 2, 1, 2)[:k]
    return [
        ("balanced", make_study(domain, dict.fromkeys(types, 30), seed), k),
        ("imbalanced", make_study(domain, {t: 10 * n for t, n in zip(types, shape, strict=True)}, seed), k),
        ("one column", make_study(domain, dict.fromkeys(types, 30), seed, one_column=True), k),
        ("two types, five asked", make_study(domain, dict.fromkeys(types[:2], 40), seed), 5),
        ("shared vocabulary", make_study(domain, dict.fromkeys(types, 30), seed, shared=0.6), k),
    ]


def engine_run(study: Study, count: int, seed: int, order: list[int]) -> tuple[dict[str, int], list]:
    from persona.grouping.analysis import analyse

    analysis = analyse(records(study, order), count, seed)
    group_of = {}
    personas = []
    for number, g in enumerate(analysis.groups):
        personas.append(analysis.draft(g, number))
        for record in analysis.records(g):
            group_of[record.id] = number
    return group_of, personas


def baseline_run(study: Study, count: int, seed: int, order: list[int]) -> dict[str, int]:
    """Plain TF-IDF over each respondent's free text, one k-means++ start into ``count`` groups."""
    from persona.grouping.clustering import kmeans
    from persona.grouping.features import TermSpace, tokens
    from persona.grouping.units import classify_columns

    rows = records(study, order)
    free = classify_columns(rows).free
    texts = [tokens(" ".join(v for k, v in r.fields.items() if k in free)) for r in rows]
    space = TermSpace(texts)
    labels = kmeans(space.vectors(texts).toarray(), count, seed, tries=1)
    return {r.id: int(label) for r, label in zip(rows, labels, strict=True)}


def score(study: Study, group_of: dict[str, int], personas: list) -> dict[str, float]:
    ids = [f"study-{n + 2}" for n in range(len(study.rows))]
    truth = study.types
    found = [group_of[i] for i in ids]
    result = {"ari": ari(truth, [str(f) for f in found]), "personas": float(len(set(found)))}
    if personas is None:
        return result
    majority = {
        g: Counter(t for t, f in zip(truth, found, strict=True) if f == g).most_common(1)[0][0]
        for g in set(found)
    }
    listed = right = typed = pure = generic = 0
    for number, persona in enumerate(personas):
        for section in KINDS:
            for item in getattr(persona, section):
                owner, kind = study.sentences.get(item, ("?", "?"))
                listed += 1
                right += kind == section
                generic += kind is None
                if owner not in (None, "?"):
                    typed += 1
                    pure += owner == majority[number]
        for quote in persona.quotes:
            owner, _ = study.sentences.get(quote.text, (None, None))
            if owner is not None:
                typed += 1
                pure += owner == majority[number]
    result.update(
        section_precision=right / max(listed, 1),
        item_purity=pure / max(typed, 1),
        generic_items=generic / max(listed, 1),
    )
    return result


def example_run() -> dict[str, object]:
    """The bundled example through the CLI with --anonymise, as a user runs it (no Ollama)."""
    env = {**os.environ, "OLLAMA_HOST": "127.0.0.1:9"}
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run(
            [sys.executable, "-m", "persona", "generate", "-i", str(ROOT / "examples" / "research"),
             "--anonymise", "--engine", "extractive", "-o", out, "-q"],
            capture_output=True, text=True, env=env,
        )  # fmt: skip
        if done.returncode:
            return {"error": done.stderr.strip()[-300:]}
        manifest = json.loads((Path(out) / "manifest.json").read_text())
        personas = json.loads((Path(out) / "personas.json").read_text())["personas"]
    held = Counter(manifest["assignments"].values())
    from persona.text import REMOVED, about_removed

    said = [item for p in personas for section in KINDS for item in p[section]]
    said += [q["text"] for p in personas for q in p["quotes"]]
    return {
        "personas": len(personas),
        "largest_share": round(max(held.values()) / sum(held.values()), 3),
        "records_per_persona": sorted(held.values(), reverse=True),
        "items_about_a_removed_identifier": sum(about_removed(item) for item in said),
        "items_holding_a_placeholder": sum(bool(REMOVED.search(item)) for item in said),
    }


def reviews_run(path: Path, count: int = 5) -> dict[str, object]:
    """The engine on human-rated review sentences: where the statements go (module docstring)."""
    from persona.grouping.analysis import analyse

    rating: dict[str, float] = {}
    by_review: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        ident, score, text = line.split("\t", 2)
        text = text.strip()
        rating[" ".join(text.casefold().split())] = float(score)
        by_review.setdefault(ident.split("_")[0], []).append(text[:1].upper() + text[1:])
    rows = [
        Record(f"review-{n}", Provenance("reviews.csv", row=n), fields={"review": r, "text": " ".join(t)})
        for n, (r, t) in enumerate(sorted(by_review.items(), key=lambda item: int(item[0])))
    ]
    analysis = analyse(rows, count, 0)
    pains = pains_negative = others = others_negative = unrated = 0
    for number, g in enumerate(analysis.groups):
        persona = analysis.draft(g, number)
        for section in KINDS:
            for item in getattr(persona, section):
                score = rating.get(" ".join(item.casefold().split()))
                if score is None:
                    unrated += 1
                elif section == "pain_points":
                    pains += 1
                    pains_negative += score < 0
                else:
                    others += 1
                    others_negative += score <= -1.0
    sizes = Counter(analysis.labels)
    return {
        "reviews": len(rows),
        "sentences": len(rating),
        "personas": len(analysis.groups),
        "grouping_stable": analysis.stable,
        "largest_share": round(max(sizes.values()) / len(rows), 3),
        "pain_points_rated_negative": round(pains_negative / max(pains, 1), 3),
        "other_items_rated_clearly_negative": round(others_negative / max(others, 1), 3),
        "items_scored": pains + others,
        "items_not_a_rated_sentence": unrated,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domain", choices=sorted(DOMAINS), default="banking")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--reviews", type=Path, help="amazonReviewSnippets_GroundTruth.txt (docstring)")
    options = parser.parse_args()
    if options.reviews:
        print(json.dumps(reviews_run(options.reviews)))
        return
    domain = DOMAINS[options.domain]
    table: dict[str, dict[str, list[float]]] = {}
    for seed in range(1, options.seeds + 1):
        for name, study, count in studies(domain, seed):
            order = list(range(len(study.rows)))
            shuffled = order[:]
            random.Random(seed).shuffle(shuffled)
            groups, personas = engine_run(study, count, 0, order)
            again, _ = engine_run(study, count, 7, shuffled)
            base = baseline_run(study, count, 0, order)
            base_again = baseline_run(study, count, 7, shuffled)
            ids = sorted(groups)
            row = table.setdefault(name, {})
            for key, value in score(study, groups, personas).items():
                row.setdefault(key, []).append(value)
            row.setdefault("seed_stability", []).append(
                ari([str(groups[i]) for i in ids], [str(again[i]) for i in ids])
            )
            row.setdefault("baseline_ari", []).append(score(study, base, None)["ari"])
            row.setdefault("baseline_stability", []).append(
                ari([str(base[i]) for i in ids], [str(base_again[i]) for i in ids])
            )
    example = example_run()
    if options.json:
        print(json.dumps({"domain": options.domain, "studies": table, "example": example}, indent=2))
        return
    print(f"domain {options.domain}, {options.seeds} seeds; minimum over seeds (mean)")
    keys = ["ari", "section_precision", "item_purity", "generic_items", "seed_stability", "personas",
            "baseline_ari", "baseline_stability"]  # fmt: skip
    print(f"{'study':24s}" + "".join(f"{k:>20s}" for k in keys))
    for name, row in table.items():
        cells = []
        for key in keys:
            values = row[key]
            low = max(values) if key == "generic_items" else min(values)
            cells.append(
                f"{low:.2f} ({mean(values):.2f})" if key != "personas" else f"{low:.0f}-{max(values):.0f}"
            )
        print(f"{name:24s}" + "".join(f"{c:>20s}" for c in cells))
    print("(generic_items: the maximum over seeds; personas: the range)")
    print(f"example with --anonymise: {example}")
    print("targets: ARI >= 0.85 balanced, >= 0.80 imbalanced and one column; section precision and item "
          "purity >= 0.85; no item about a removed identifier")  # fmt: skip


if __name__ == "__main__":
    main()

"""PII detection quality on the public presidio-research synthetic set, against raw presidio.

Usage: uv run python bench/privacy_quality.py PATH/TO/presidio-research-synth-v2.json

For Persona's detector and, in the same run, presidio's AnalyzerEngine with its default
recognizers and the same spaCy pipeline, prints:
- any-type span recall: labelled spans at least half covered by some detection;
- precision: detections at least half made of labelled PII;
- characters hidden: the share of labelled PII characters inside detections;
- recall per labelled type, and precision per detected type (types matched as below).

Persona runs twice. With its default policy it keeps on purpose what the set labels as PII: a
city of 100,000 or more, a well-known brand, a job title (policy v2, README). So the labelled
spans a named keep-rule let stay are counted per rule, and Persona runs again with
``keep_content = false``, the setting under which every place and organisation is removed, as the
set's labels count them. That second run is the one to compare with the set's own policy.
Targets for Persona: recall >= 0.90, characters hidden >= 0.85, precision >= 0.85.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

# Which detected types count as finding a labelled type.
COMPATIBLE = {
    "PERSON": {"PERSON"},
    "STREET_ADDRESS": {"STREET_ADDRESS", "LOCATION"},
    "GPE": {"LOCATION", "STREET_ADDRESS"},
    "ORGANIZATION": {"ORGANIZATION"},
    "CREDIT_CARD": {"CREDIT_CARD"},
    "DATE_TIME": {"DATE_TIME", "DATE_OF_BIRTH"},
    "PHONE_NUMBER": {"PHONE_NUMBER"},
    "NRP": {"NRP"},
    "EMAIL_ADDRESS": {"EMAIL_ADDRESS"},
    "DOMAIN_NAME": {"URL"},
    "ZIP_CODE": {"ZIP_CODE", "UK_POSTCODE", "STREET_ADDRESS"},
    "IBAN_CODE": {"IBAN_CODE"},
    "US_SSN": {"US_SSN"},
    "IP_ADDRESS": {"IP_ADDRESS"},
    "AGE": {"AGE"},
    "TITLE": {"PERSON"},  # honorifics, detected as part of the name they precede
}


def covered(start: int, end: int, spans: list[tuple[int, int]]) -> int:
    chars: set[int] = set()
    for a, b in spans:
        chars.update(range(max(start, a), min(end, b)))
    return len(chars)


def score(data: list[dict], predictions: list[list[tuple[int, int, str]]]) -> dict:
    gold_total = gold_found = pred_total = pred_right = chars = hidden = 0
    type_total: Counter[str] = Counter()
    type_found: Counter[str] = Counter()
    det_total: Counter[str] = Counter()
    det_right: Counter[str] = Counter()
    for item, predicted in zip(data, predictions, strict=True):
        gold = [(s["start_position"], s["end_position"], s["entity_type"]) for s in item["spans"]]
        spans = [(a, b) for a, b, _ in predicted]
        for a, b, kind in gold:
            gold_total += 1
            type_total[kind] += 1
            hit = covered(a, b, spans)
            chars += b - a
            hidden += hit
            gold_found += hit * 2 >= b - a
            same = [(pa, pb) for pa, pb, pk in predicted if pk in COMPATIBLE.get(kind, ())]
            type_found[kind] += covered(a, b, same) * 2 >= b - a
        for a, b, kind in predicted:
            pred_total += 1
            det_total[kind] += 1
            pred_right += covered(a, b, [(ga, gb) for ga, gb, _ in gold]) * 2 >= b - a
            same = [(ga, gb) for ga, gb, gk in gold if kind in COMPATIBLE.get(gk, ())]
            det_right[kind] += covered(a, b, same) * 2 >= b - a
    return {
        "recall": gold_found / gold_total,
        "precision": pred_right / max(pred_total, 1),
        "chars_hidden": hidden / chars,
        "recall_by_type": {k: round(type_found[k] / v, 3) for k, v in type_total.most_common()},
        "precision_by_type": {k: round(det_right[k] / v, 3) for k, v in det_total.most_common()},
    }


KEPT_BY_RULE: Counter[str] = Counter()  # labelled spans a keep-rule let stay, per rule (default run)


def persona_predictions(data: list[dict], **settings: object) -> list[list[tuple[int, int, str]]]:
    from persona_privacy.detector import Detector
    from persona_privacy.settings import PrivacySettings

    detector = Detector(PrivacySettings(**settings))  # type: ignore[arg-type]
    explained = detector.explain([(item["full_text"], None) for item in data])
    if not settings:
        KEPT_BY_RULE.clear()
        KEPT_BY_RULE.update(left_by_rule(data, explained))
    return [[(d.start, d.end, d.entity) for d in kept] for kept, _ in explained]


def left_by_rule(data: list[dict], explained: list) -> Counter[str]:
    """For each labelled span no detection covers: the keep-rule whose dropped finding covers it."""
    left: Counter[str] = Counter()
    for item, (kept, dropped) in zip(data, explained, strict=True):
        spans = [(d.start, d.end) for d in kept]
        for s in item["spans"]:
            a, b = s["start_position"], s["end_position"]
            if covered(a, b, spans) * 2 >= b - a:
                continue
            for detection, rule in dropped:
                if covered(a, b, [(detection.start, detection.end)]) * 2 >= b - a:
                    left[rule] += 1
                    break
    return left


def presidio_predictions(data: list[dict], pipeline: str) -> list[list[tuple[int, int, str]]]:
    from persona_privacy.detector import quiet_presidio
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    quiet_presidio()
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": pipeline}],
        }
    )
    engine = AnalyzerEngine(nlp_engine=provider.create_engine())
    return [
        [(r.start, r.end, r.entity_type) for r in engine.analyze(item["full_text"], language="en")]
        for item in data
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    data = json.loads(args.dataset.read_text())
    from persona_privacy.detector import find_pipeline

    pipeline = find_pipeline(None)
    results = {}
    for label, predict in (
        ("persona", persona_predictions),
        ("persona, strict", lambda d: persona_predictions(d, keep_content=False)),
        ("presidio default", lambda d: presidio_predictions(d, pipeline)),
    ):
        start = time.perf_counter()
        predictions = predict(data)
        results[label] = {**score(data, predictions), "seconds": round(time.perf_counter() - start, 2)}
    results["persona"]["left_by_keep_rule"] = dict(KEPT_BY_RULE.most_common())
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{len(data)} labelled texts; spaCy pipeline {pipeline}")
    for label, result in results.items():
        print(
            f"{label:17s} recall {result['recall']:.3f}  precision {result['precision']:.3f}  "
            f"characters hidden {result['chars_hidden']:.3f}  ({result['seconds']} s)"
        )
    print("('persona, strict' is keep_content = false: every place and organisation removed, as labelled)")
    print("labelled spans the default policy keeps on purpose, by keep-rule:")
    for rule, count in KEPT_BY_RULE.most_common():
        print(f"  {rule:30s} {count}")
    print("recall by labelled type (persona / persona, strict / presidio default):")
    for kind in results["persona"]["recall_by_type"]:
        print(
            f"  {kind:15s} {results['persona']['recall_by_type'][kind]:.3f} / "
            f"{results['persona, strict']['recall_by_type'].get(kind, 0):.3f} / "
            f"{results['presidio default']['recall_by_type'].get(kind, 0):.3f}"
        )
    print("precision by detected type (persona):")
    for kind, value in results["persona"]["precision_by_type"].items():
        print(f"  {kind:15s} {value:.3f}")
    print("targets: recall >= 0.90, characters hidden >= 0.85, precision >= 0.85")


if __name__ == "__main__":
    main()

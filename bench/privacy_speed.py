"""PII scanning speed and memory, against presidio used record by record, in the same run.

Usage: uv run python bench/privacy_speed.py PATH/TO/presidio-research-synth-v2.json [--memory 100000]

- baseline: ``AnalyzerEngine.analyze`` called once per record, with the spaCy model loaded the
  standard way and the same recognizers as Persona (what a hand-written presidio script does);
- persona: ``Detector.detect_stream``, batching through spaCy in a memory zone, using every core;
- spaCy alone: the same pipeline's ``nlp.pipe`` over the same texts with the same processes, the
  NER pass every detector of this kind needs (what Persona adds on top of it is its rules).
All engines are built before timing. Targets: at least 4x faster than presidio record by record,
within 1.3x of spaCy alone.
With --memory N, also streams N records (the set repeated) through the detector in a child
process and reports its peak memory, next to the peak for N/10 records (target: flat, < 400 MB).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path


def baseline_engine():
    from persona_privacy.detector import Detector, quiet_presidio
    from persona_privacy.settings import PrivacySettings
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    quiet_presidio()
    ours = Detector(PrivacySettings())
    engine = SpacyNlpEngine(
        models=[{"lang_code": "en", "model_name": ours.pipeline}],
        ner_model_configuration=ours.analyzer.nlp_engine.ner_model_configuration,
    )
    engine.load()
    return AnalyzerEngine(
        registry=ours.analyzer.registry, nlp_engine=engine, supported_languages=["en"]
    ), ours


def spacy_alone(pipeline: str):
    import spacy

    return spacy.load(pipeline)


def memory_child(path: str, count: int) -> None:
    import resource

    from persona_privacy.detector import Detector
    from persona_privacy.settings import PrivacySettings

    texts = [item["full_text"] for item in json.loads(Path(path).read_text())]
    detector = Detector(PrivacySettings())
    stream = ((texts[i % len(texts)], None) for i in range(count))
    found = sum(len(d) for d in detector.detect_stream(stream))
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "detections": found,
                "peak_mb": max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, children) / 1024,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--memory", type=int, default=0)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        memory_child(str(args.dataset), args.child)
        return
    texts = [item["full_text"] for item in json.loads(args.dataset.read_text())]
    baseline, ours = baseline_engine()
    baseline.analyze(texts[0], language="en")
    ours.detect([(texts[0], None)])
    from persona.executors import LocalExecutor

    executor = LocalExecutor()
    start = time.perf_counter()
    for text in texts:
        baseline.analyze(text, language="en", score_threshold=0.4)
    base = time.perf_counter() - start
    start = time.perf_counter()
    found = list(ours.detect_stream(((text, None) for text in texts), executor=executor))
    fast = time.perf_counter() - start
    assert len(found) == len(texts)
    nlp = spacy_alone(ours.pipeline)
    list(nlp.pipe(texts[:2]))
    start = time.perf_counter()
    docs = sum(1 for _ in nlp.pipe(texts, n_process=executor.workers, batch_size=64))
    ner = time.perf_counter() - start
    assert docs == len(texts)
    print(f"{len(texts)} records, spaCy pipeline {ours.pipeline}, {executor.workers} worker processes")
    print(f"presidio, one analyze() per record: {base:6.2f} s")
    print(f"persona detect_stream:              {fast:6.2f} s")
    print(f"spaCy nlp.pipe alone, same processes: {ner:6.2f} s")
    print(f"speed-up over presidio: {base / fast:.1f}x (target >= 4)")
    print(f"persona / spaCy alone: {fast / ner:.2f}x (target <= 1.3)")
    if args.memory:
        for count in (args.memory // 10, args.memory):
            out = subprocess.run(
                [sys.executable, __file__, str(args.dataset), "--child", str(count)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            print(
                f"peak memory streaming {count:,} records: {json.loads(out)['peak_mb']:.0f} MB "
                "(target < 400 MB, flat)"
            )


if __name__ == "__main__":
    main()

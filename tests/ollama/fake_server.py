"""A fake Ollama server on loopback: real HTTP, following Ollama's documented REST API.

There is no Ollama on the machines that run our tests, so this stands in for the one process
boundary we cannot run. It serves /api/tags, /api/show, /api/ps, /api/version, streamed /api/pull
and /api/chat (streamed NDJSON with a final ``done`` chunk carrying ``done_reason`` and the six
count/duration metrics, or one JSON object), with ``{"error": ...}`` bodies and the real status
codes. Like the real server it cuts a prompt longer than ``num_ctx`` and stops an answer at
``num_predict`` with ``done_reason: "length"``. Faults can be scripted per request, and every
request it received is recorded for the tests to inspect.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VERSION = "0.12.6"


@dataclass
class FakeModel:
    name: str
    family: str = "qwen2"
    parameter_size: str = "7.6B"
    quantization: str = "Q4_K_M"
    context_length: int = 32768
    capabilities: list[str] = field(default_factory=lambda: ["completion", "tools"])
    size: int = 4_683_087_332
    loaded: bool = False
    layers: int = 28
    heads: int = 28
    kv_heads: int = 4
    embedding: int = 3584

    def details(self) -> dict[str, Any]:
        return {
            "parent_model": "",
            "format": "gguf",
            "family": self.family,
            "families": [self.family],
            "parameter_size": self.parameter_size,
            "quantization_level": self.quantization,
        }


@dataclass
class Fault:
    """What goes wrong with the next /api/chat request (or /api/pull, for ``pull_error``).

    kind: ``status`` (HTTP ``status`` with ``message``), ``error_line`` (an error object after
    ``after`` chunks of a 200 stream), ``drop`` (connection closed after ``after`` chunks),
    ``stall`` (silence for ``seconds`` before anything is sent), ``cut`` (the runner truncated the
    prompt to ``num_ctx`` tokens, as its "truncating input prompt ... new=<limit>" log line says).
    """

    kind: str
    status: int = 500
    message: str = "something went wrong"
    after: int = 0
    seconds: float = 5.0


@dataclass
class Reply:
    """What a responder backed by a real decoder returns instead of a plain answer: the pieces it
    decoded and its own counts, which the server reports as they are."""

    pieces: list[str]
    prompt_eval_count: int
    eval_count: int
    done_reason: str = "stop"


class FakeOllama:
    def __init__(self, responder: Callable[[dict[str, Any]], str | Reply] | None = None) -> None:
        self.models: dict[str, FakeModel] = {}
        self.requests: list[tuple[str, str, Any]] = []
        self.faults: list[Fault] = []
        self.responder = responder or (lambda body: '{"ok": true}')
        self.answer_delay = 0.0
        # The prompt cache of one slot per model, as OLLAMA_NUM_PARALLEL=1 keeps it: a prompt that
        # starts like the model's previous one evaluates only the rest. Servers differ in what they
        # report: "new" (prompt_eval_count counts only the tokens evaluated, as several released
        # versions did) or "total" (prompt_eval_count is the whole prompt, and
        # prompt_eval_cached_count the part served from the cache, as newer ones do).
        self.cache_counts = "new"
        self.cached: list[int] = []  #: per /api/chat request: prompt tokens served from the cache
        self._last_prompt: dict[str, str] = {}
        self._stop = threading.Event()
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def add(self, model: FakeModel) -> FakeModel:
        self.models[model.name] = model
        return model

    def start(self) -> FakeOllama:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def received(self, path: str) -> list[Any]:
        return [body for _, p, body in self.requests if p == path]

    def next_fault(self, kinds: tuple[str, ...]) -> Fault | None:
        for index, fault in enumerate(self.faults):
            if fault.kind in kinds:
                return self.faults.pop(index)
        return None


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return  # a client that went away (dropped-stream tests, shutdown) is not a server bug
        super().handle_error(request, client_address)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _tokens(text: str) -> int:
    """The fake's tokeniser: four UTF-8 bytes a token, like real ones on English text."""
    return max(1, -(-len(text.encode()) // 4))


def _handler(fake: FakeOllama) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # as Go's net/http server does by default

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        # -- plumbing ---------------------------------------------------------------------------

        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            return json.loads(raw) if raw else None

        def _json(self, status: int, payload: Any) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, message: str) -> None:
            self._json(status, {"error": message})

        def _start_stream(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()

        def _line(self, payload: Any) -> None:
            data = json.dumps(payload).encode() + b"\n"
            self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def _end_stream(self) -> None:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

        def _drop(self) -> None:
            self.wfile.flush()
            self.close_connection = True
            self.connection.close()

        # -- routes -----------------------------------------------------------------------------

        def do_GET(self) -> None:
            fake.requests.append(("GET", self.path, None))
            if self.path == "/api/version":
                self._json(200, {"version": VERSION})
            elif self.path == "/api/tags":
                self._json(
                    200,
                    {
                        "models": [
                            {
                                "name": m.name,
                                "model": m.name,
                                "modified_at": _now(),
                                "size": m.size,
                                "digest": f"{abs(hash(m.name)):064x}"[:64],
                                "details": m.details(),
                            }
                            for m in fake.models.values()
                        ]
                    },
                )
            elif self.path == "/api/ps":
                self._json(
                    200,
                    {
                        "models": [
                            {
                                "name": m.name,
                                "model": m.name,
                                "size": m.size,
                                "digest": "0" * 64,
                                "details": m.details(),
                                "expires_at": _now(),
                                "size_vram": m.size,
                                "context_length": 4096,
                            }
                            for m in fake.models.values()
                            if m.loaded
                        ]
                    },
                )
            else:
                self._error(404, "404 page not found")

        def do_HEAD(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:
            body = self._body()
            fake.requests.append(("POST", self.path, body))
            if self.path == "/api/show":
                self._show(body)
            elif self.path == "/api/chat":
                self._chat(body)
            elif self.path == "/api/pull":
                self._pull(body)
            else:
                self._error(404, "404 page not found")

        def _show(self, body: dict[str, Any]) -> None:
            model = fake.models.get(body.get("model") or body.get("name", ""))
            if model is None:
                self._error(404, f"model '{body.get('model')}' not found")
                return
            self._json(
                200,
                {
                    "license": "",
                    "modelfile": f"FROM {model.name}\n",
                    "parameters": "",
                    "template": "{{ .Prompt }}",
                    "details": model.details(),
                    "model_info": {
                        "general.architecture": model.family,
                        "general.parameter_count": 7_615_616_512,
                        f"{model.family}.context_length": model.context_length,
                        f"{model.family}.embedding_length": model.embedding,
                        f"{model.family}.block_count": model.layers,
                        f"{model.family}.attention.head_count": model.heads,
                        f"{model.family}.attention.head_count_kv": model.kv_heads,
                    },
                    "capabilities": model.capabilities,
                    "modified_at": _now(),
                },
            )

        def _chat(self, body: dict[str, Any]) -> None:
            name = body.get("model", "")
            model = fake.models.get(name)
            if model is None:
                self._error(404, f'model "{name}" not found, try pulling it first')
                return
            fault = fake.next_fault(("status", "error_line", "drop", "stall", "cut"))
            if fault is not None and fault.kind == "status":
                self._error(fault.status, fault.message)
                return
            if fault is not None and fault.kind == "stall":
                fake._stop.wait(fault.seconds)
                self._drop()
                return
            options = body.get("options") or {}
            num_ctx = int(options.get("num_ctx") or 4096)
            num_predict = int(options.get("num_predict") or -1)
            # the chat template adds a few tokens around every message
            prompt = sum(_tokens(m.get("content", "")) + 6 for m in body.get("messages", [])) + 2
            evaluated = min(prompt, num_ctx)  # the real server cuts prompts longer than num_ctx
            text = "".join(f"<{m.get('role')}>{m.get('content', '')}" for m in body.get("messages", []))
            with fake.lock:
                previous = fake._last_prompt.get(name, "")
                fake._last_prompt[name] = text
            shared = len(os.path.commonprefix([previous, text]))  # noqa: RUF071 (strings, not paths)
            cached = min(evaluated - 1, shared // 4) if shared else 0
            fake.cached.append(cached)
            counts: dict[str, int] = {}
            if fake.cache_counts == "new":
                evaluated -= cached
            elif cached:
                counts["prompt_eval_cached_count"] = cached
            if fault is not None and fault.kind == "cut":
                evaluated = num_ctx
            answer = fake.responder(body)
            if isinstance(answer, Reply):
                pieces, done_reason = answer.pieces, answer.done_reason
                evaluated, eval_count = answer.prompt_eval_count, answer.eval_count
            else:
                pieces = [answer[i : i + 4] for i in range(0, len(answer), 4)]
                done_reason = "stop"
                if 0 < num_predict < len(pieces):
                    pieces, done_reason = pieces[:num_predict], "length"
                eval_count = len(pieces)
            was_loaded = model.loaded
            model.loaded = True
            metrics = {
                "total_duration": 1_500_000_000,
                "load_duration": 0 if was_loaded else 900_000_000,
                "prompt_eval_count": evaluated,
                **counts,
                "prompt_eval_duration": 300_000_000,
                "eval_count": eval_count,
                "eval_duration": 300_000_000,
            }
            if not body.get("stream", True):
                self._json(
                    200,
                    {
                        "model": name,
                        "created_at": _now(),
                        "done": True,
                        "message": {"role": "assistant", "content": "".join(pieces)},
                        "done_reason": done_reason,
                        **metrics,
                    },
                )
                return
            self._start_stream()
            if body.get("think") and "thinking" in model.capabilities:
                # reasoning models stream their trace in message.thinking before the answer
                for thought in ("The records ", "mention delays; ", "group by commute."):
                    self._line(
                        {
                            "model": name,
                            "created_at": _now(),
                            "message": {"role": "assistant", "content": "", "thinking": thought},
                            "done": False,
                        }
                    )
            for index, piece in enumerate(pieces):
                if fault is not None and index == fault.after:
                    if fault.kind == "error_line":
                        self._line({"error": fault.message})
                        self._end_stream()
                        return
                    if fault.kind == "drop":
                        self._drop()
                        return
                if fake.answer_delay:
                    time.sleep(fake.answer_delay)
                self._line(
                    {
                        "model": name,
                        "created_at": _now(),
                        "message": {"role": "assistant", "content": piece},
                        "done": False,
                    }
                )
            self._line(
                {
                    "model": name,
                    "created_at": _now(),
                    "message": {"role": "assistant", "content": ""},
                    "done": True,
                    "done_reason": done_reason,
                    **metrics,
                }
            )
            self._end_stream()

        def _pull(self, body: dict[str, Any]) -> None:
            name = body.get("model") or body.get("name", "")
            self._start_stream()
            self._line({"status": "pulling manifest"})
            if name.startswith("missing"):
                self._line({"error": "pull model manifest: file does not exist"})
                self._end_stream()
                return
            digest = "sha256:" + "ab" * 32
            total = 2_000_000
            for completed in (0, 500_000, 1_500_000, total):
                self._line(
                    {
                        "status": f"pulling {digest[7:19]}",
                        "digest": digest,
                        "total": total,
                        "completed": completed,
                    }
                )
            for status in ("verifying sha256 digest", "writing manifest", "success"):
                self._line({"status": status})
            fake.add(FakeModel(name))
            self._end_stream()

    return Handler

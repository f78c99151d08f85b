"""The Ollama provider: the official ``ollama`` client over HTTP to a local server.

Every failure becomes one of Persona's errors with a message that says what to do. Imported only
when a provider is built, so ``persona --help`` never loads ``ollama`` or ``httpx``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import httpx
import ollama
from persona import (
    ChatRequest,
    ChatResponse,
    ModelInfo,
    ModelNotFoundError,
    Phase,
    Progress,
    ProgressCallback,
    ProviderError,
    ProviderUnavailableError,
    UsageError,
    estimate_messages,
)

from persona_ollama.fit import Fit, Memory, classify, needed_bytes, read_memory
from persona_ollama.settings import OllamaSettings, context_for

T = TypeVar("T")
INSTALL_HINT = "install it from https://ollama.com/download and start it with `ollama serve`"
SUGGESTED_MODEL = "qwen2.5:7b"
_NS = 1e9
_FIT_RANK = {"gpu": 3, "ram": 2, "unknown": 2, "no": 0}


class OllamaProvider:
    name = "ollama"

    def __init__(
        self,
        settings: OllamaSettings,
        environ: Mapping[str, str] | None = None,
        memory: Callable[[], Memory] | None = None,
    ) -> None:
        self.settings = settings
        # The seam for memory readings: tests and unusual machines pass their own.
        self._read_memory = memory or (lambda: read_memory(settings.ram_gb, settings.gpu_gb))
        self._memory: Memory | None = None
        self._installed: list[ollama.ListResponse.Model] | None = None
        self.url = settings.checked_url(environ)
        self.max_concurrency = settings.concurrency
        self.client = ollama.Client(
            host=self.url,
            timeout=httpx.Timeout(
                connect=settings.connect_timeout, read=settings.read_timeout, write=60.0, pool=None
            ),
        )
        self._lock = threading.Lock()
        self._shown: dict[str, ollama.ShowResponse] = {}
        self._warm: set[str] = set()

    # -- models ---------------------------------------------------------------------------------

    def installed(self) -> list[ollama.ListResponse.Model]:
        """Installed models (``/api/tags``), read once per run."""
        if self._installed is None:
            self._installed = list(self._call("list the installed models", self.client.list).models)
        return self._installed

    @property
    def memory(self) -> Memory:
        if self._memory is None:
            self._memory = self._read_memory()
        return self._memory

    def fit(self, info: ModelInfo) -> Fit:
        """Whether ``info`` fits this machine at the context Persona would use with it."""
        context = info.context_length or self.settings.max_context
        needed = needed_bytes(info.size_bytes, self._show(info.name).modelinfo or {}, context)
        return Fit(classify(needed, self.memory), needed, context)

    def list_models(self) -> Sequence[ModelInfo]:
        return [self._describe(entry.model or "", entry) for entry in self.installed()]

    def loaded(self) -> dict[str, Any]:
        """Models loaded in memory now (``/api/ps``), by name."""
        running = self._call("list the loaded models", self.client.ps)
        return {entry.model: entry for entry in running.models if entry.model}

    def version(self) -> str:
        def fetch() -> httpx.Response:
            response = httpx.get(f"{self.url}/api/version", timeout=self.settings.connect_timeout)
            response.raise_for_status()
            return response

        return str(self._call("read the server version", fetch).json().get("version", "unknown"))

    def model_info(self, model: str | None) -> ModelInfo:
        chosen = self._describe(model) if model else self.default_model()
        return replace(chosen, warnings=self._fit_warnings(chosen))

    def default_model(self) -> ModelInfo:
        """The best installed model that can chat: among those that fit this machine best (GPU
        memory, then RAM), the one with the most parameters, then the largest file.
        Embedding-only models are skipped."""
        chat = self._chat_models()
        return max(
            chat,
            key=lambda m: (
                _FIT_RANK[self.fit(m).verdict],
                parameter_count(m.details.get("parameter_size")),
                m.size_bytes or 0,
            ),
        )

    def _chat_models(self) -> list[ModelInfo]:
        models = self.list_models()
        chat = [m for m in models if "completion" in m.capabilities]
        if not chat:
            names = ", ".join(m.name for m in models) or "none"
            raise ModelNotFoundError(
                f"no installed Ollama model can chat (installed: {names}); install one with "
                f"`ollama pull {SUGGESTED_MODEL}` or `persona ollama pull {SUGGESTED_MODEL}`"
            )
        return chat

    def better_fit(self, chosen: ModelInfo) -> str | None:
        """The largest installed chat model that fits better than ``chosen``, if any."""
        fit = self.fit(chosen)
        if fit.verdict not in ("no", "ram"):
            return None
        wanted = ("gpu",) if fit.verdict == "ram" else ("gpu", "ram")
        better = [m for m in self._chat_models() if m.name != chosen.name and self.fit(m).verdict in wanted]
        better.sort(key=lambda m: parameter_count(m.details.get("parameter_size")), reverse=True)
        return better[0].name if better else None

    def _fit_warnings(self, chosen: ModelInfo) -> tuple[str, ...]:
        fit = self.fit(chosen)
        if fit.verdict not in ("no", "ram"):
            return ()
        better = self.better_fit(chosen)
        where = " in GPU memory" if fit.verdict == "ram" else ""
        suggestion = f"; {better} would fit{where}" if better else ""
        if fit.verdict == "no":
            return (
                f"{chosen.name} {fit.describe()} on this machine ({self.memory.describe()}); "
                f"expect Ollama to fail or crawl{suggestion}",
            )
        return (
            f"{chosen.name} {fit.describe()} on this machine ({self.memory.describe()}); "
            f"expect it to be slow{suggestion}",
        )

    def _show(self, name: str) -> ollama.ShowResponse:
        with self._lock:
            cached = self._shown.get(name)
        if cached is not None:
            return cached
        try:
            shown = self._call(f"describe model '{name}'", self.client.show, name)
        except _NotFound:
            installed = ", ".join(sorted(m.model or "" for m in self.installed())) or "none"
            raise ModelNotFoundError(
                f"the Ollama model '{name}' is not installed: run `ollama pull {name}` "
                f"(installed: {installed})"
            ) from None
        with self._lock:
            self._shown[name] = shown
        return shown

    def _describe(self, name: str, listed: Any = None) -> ModelInfo:
        shown = self._show(name)
        info = shown.modelinfo or {}
        architecture = info.get("general.architecture")
        native = info.get(f"{architecture}.context_length") if architecture else None
        details = shown.details
        extra: dict[str, Any] = {
            "family": details.family if details else None,
            "parameter_size": details.parameter_size if details else None,
            "quantization_level": details.quantization_level if details else None,
            "format": details.format if details else None,
            "native_context_length": native,
        }
        if listed is None:
            listed = next((m for m in self.installed() if m.model == name), None)
        return ModelInfo(
            name=name,
            context_length=min(native, self.settings.max_context) if native else None,
            capabilities=tuple(shown.capabilities or ()),
            size_bytes=int(listed.size) if listed is not None and listed.size is not None else None,
            details=extra,
        )

    # -- requests -------------------------------------------------------------------------------

    def chat(self, request: ChatRequest, *, progress: ProgressCallback | None = None) -> ChatResponse:
        model = self._describe(request.model)
        prompt_tokens = request.prompt_tokens or estimate_messages(request.messages)
        answer_room = request.options.max_output_tokens or 2048
        num_ctx = context_for(
            prompt_tokens + answer_room, model.details.get("native_context_length"), self.settings.max_context
        )
        options: dict[str, Any] = {"num_ctx": num_ctx, "num_predict": answer_room}
        if request.options.temperature is not None:
            options["temperature"] = request.options.temperature
        if request.options.seed is not None:
            options["seed"] = request.options.seed
        arguments: dict[str, Any] = {
            "model": request.model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "options": options,
            "stream": True,
        }
        if request.schema is not None:
            arguments["format"] = dict(request.schema)
        if self.settings.keep_alive is not None:
            arguments["keep_alive"] = self.settings.keep_alive
        if "thinking" in model.capabilities:
            # Reasoning traces cost time and tokens: off unless asked for, or the lowest level for
            # models that cannot turn it off. The trace never goes into the answer.
            if request.options.reasoning:
                arguments["think"] = "medium" if model.details.get("family") == "gptoss" else True
            else:
                arguments["think"] = "low" if model.details.get("family") == "gptoss" else False
        if progress is not None and request.model not in self._warm and request.model not in self.loaded():
            progress(Progress(phase="loading"))
        response = self._stream(request.model, arguments, progress)
        response = replace(response, metadata={**response.metadata, "num_ctx": num_ctx})
        with self._lock:
            self._warm.add(request.model)
        self._check_prompt(response, prompt_tokens, num_ctx, request)
        return response

    def _stream(
        self, model: str, arguments: dict[str, Any], progress: ProgressCallback | None
    ) -> ChatResponse:
        for attempt in range(self.settings.busy_retries + 1):
            text: list[str] = []
            thinking: list[str] = []
            first_token: float | None = None
            tokens = 0
            done: ollama.ChatResponse | None = None
            try:
                for chunk in self.client.chat(**arguments):
                    message = chunk.message
                    if message.thinking:
                        thinking.append(message.thinking)
                    if message.content:
                        text.append(message.content)
                    if message.content or message.thinking:
                        tokens += 1
                        now = time.perf_counter()
                        first_token = first_token or now
                        if progress is not None:
                            rate = tokens / (now - first_token) if now > first_token else None
                            phase: Phase = "answer" if message.content else "thinking"
                            progress(Progress(phase=phase, output_tokens=tokens, tokens_per_second=rate))
                    if chunk.done:
                        done = chunk  # read on to the end of the stream, so the connection is reused
            except ollama.ResponseError as exc:
                if exc.status_code == 503 and not tokens and attempt < self.settings.busy_retries:
                    time.sleep(self.settings.busy_backoff * (2**attempt))
                    continue
                raise self._translate(exc, f"answer with '{model}'", tokens) from None
            except (httpx.HTTPError, ConnectionError) as exc:
                raise self._translate(exc, f"answer with '{model}'", tokens) from None
            if done is not None:
                return _response(done, "".join(text), "".join(thinking))
            raise ProviderError(
                f"Ollama closed the answer from '{model}' after {tokens} tokens without finishing it"
            )
        raise AssertionError("unreachable")  # pragma: no cover

    def _check_prompt(
        self, response: ChatResponse, estimate: int, num_ctx: int, request: ChatRequest
    ) -> None:
        """A prompt the server cut: its runner keeps ``num_ctx`` tokens of a longer prompt ("truncating
        input prompt ... new=<limit>"), so the evaluated count reaches ``num_ctx``.

        A low count is no sign of a cut: the server serves the prefix a request shares with an
        earlier one (our instructions and schema come first, and a second run of the same data shares
        everything) from its cache, and several released versions leave the cached tokens out of
        ``prompt_eval_count``. The official client does not pass on ``prompt_eval_cached_count``, so
        the part served from the cache cannot be told apart from a cut; only the limit can.
        """
        evaluated = response.prompt_tokens
        if evaluated is not None and evaluated >= num_ctx:
            raise ProviderError(
                f"Ollama read only {evaluated} tokens of a prompt of about {estimate} for "
                f"'{request.model}' (context {num_ctx}): the server shortened it, so the answer would "
                "miss data; check the server's OLLAMA_CONTEXT_LENGTH and lower ollama.max_context"
            )

    # -- pulling ----------------------------------------------------------------------------------

    def pull(self, name: str) -> Iterator[ollama.ProgressResponse]:
        if not name.strip():
            raise UsageError("ollama pull needs a model name, such as qwen2.5:7b")
        try:
            yield from self.client.pull(name, stream=True)
        except ollama.ResponseError as exc:
            # A model that cannot be pulled is the server failing the request (9), not "not installed".
            error = self._translate(exc, f"pull '{name}'", 0)
            raise ProviderError(str(error)) from None
        except (httpx.HTTPError, ConnectionError) as exc:
            raise self._translate(exc, f"pull '{name}'", 0) from None

    # -- errors -----------------------------------------------------------------------------------

    def _call(self, what: str, function: Callable[..., T], *args: Any) -> T:
        for attempt in range(self.settings.busy_retries + 1):
            try:
                return function(*args)
            except ollama.ResponseError as exc:
                if exc.status_code == 404:
                    raise _NotFound(str(exc)) from None
                if exc.status_code == 503 and attempt < self.settings.busy_retries:
                    time.sleep(self.settings.busy_backoff * (2**attempt))
                    continue
                raise self._translate(exc, what, 0) from None
            except (httpx.HTTPError, ConnectionError) as exc:
                raise self._translate(exc, what, 0) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _translate(self, exc: BaseException, what: str, tokens: int) -> ProviderError:
        if isinstance(exc, ollama.ResponseError):
            status = exc.status_code
            if status == 404:
                return ModelNotFoundError(f"Ollama could not {what}: {exc.error}; run `ollama pull` first")
            if status == 503:
                return ProviderError(
                    f"Ollama is busy (503) and could not {what} after "
                    f"{self.settings.busy_retries} retries: {exc.error}; try again when it is less loaded"
                )
            if status == -1:
                return ProviderError(
                    f"Ollama reported an error after {tokens} tokens while trying to {what}: {exc.error}"
                )
            return ProviderError(f"Ollama could not {what} (HTTP {status}): {exc.error}")
        if isinstance(exc, ConnectionError | httpx.ConnectError | httpx.ConnectTimeout):
            return ProviderUnavailableError(
                f"cannot reach Ollama at {self.url}: is it installed and running? {INSTALL_HINT}"
            )
        if isinstance(exc, httpx.ReadTimeout):
            return ProviderError(
                f"Ollama sent nothing for {self.settings.read_timeout:g} s while trying to {what} "
                "(ollama.read_timeout); the model may be too large for this machine"
            )
        if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
            return ProviderError(
                f"the connection to Ollama dropped after {tokens} tokens while trying to {what}; "
                "check the server log (it may have run out of memory)"
            )
        return ProviderError(f"Ollama could not {what}: {type(exc).__name__}: {exc}")


class _NotFound(Exception):
    pass


def _response(done: ollama.ChatResponse, text: str, thinking: str) -> ChatResponse:
    def seconds(value: int | None) -> float | None:
        return round(value / _NS, 6) if value is not None else None

    timings = {
        key: value
        for key, value in (
            ("total", seconds(done.total_duration)),
            ("load", seconds(done.load_duration)),
            ("prompt", seconds(done.prompt_eval_duration)),
            ("generation", seconds(done.eval_duration)),
        )
        if value is not None
    }
    return ChatResponse(
        text=text,
        stop_reason="length" if done.done_reason == "length" else "complete",
        prompt_tokens=done.prompt_eval_count,
        output_tokens=done.eval_count,
        timings=timings,
        thinking=thinking or None,
        metadata={
            "done_reason": done.done_reason,
            "total_duration": done.total_duration,
            "load_duration": done.load_duration,
            "prompt_eval_count": done.prompt_eval_count,
            "prompt_eval_duration": done.prompt_eval_duration,
            "eval_count": done.eval_count,
            "eval_duration": done.eval_duration,
        },
    )


def parameter_count(size: str | None) -> float:
    """'7.6B' -> 7.6e9, '500M' -> 5e8; unknown -> 0."""
    match = re.fullmatch(r"\s*([\d.]+)\s*([KMBT]?)\s*", size or "", re.I)
    if not match:
        return 0.0
    scale = {"": 1, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}[match.group(2).upper()]
    return float(match.group(1)) * scale

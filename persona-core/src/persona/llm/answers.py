"""One request to the provider: sent, logged, parsed, validated and repaired once."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from persona.engines import GenerateConfig
from persona.errors import AnswerError, AnswerTruncatedError, InputError, ProviderError
from persona.llm.options import LlmOptions
from persona.llm.prompts import repair_messages
from persona.providers import ChatRequest, ChatResponse, GenerationOptions, Message, ModelInfo, Provider
from persona.reporting import Reporter
from persona.tokens import estimate_messages

Parsed = TypeVar("Parsed", bound=BaseModel)
Check = Callable[[Parsed], str]
"""A check after validation: the problems with a parsed answer, or "" when there are none."""


class InvalidAnswerError(AnswerError):
    """The answer did not validate, even after one repair request. Carries the raw answers."""

    def __init__(self, message: str, raw_answers: Sequence[str]) -> None:
        super().__init__(message)
        self.raw_answers = list(raw_answers)


class Asker:
    """Sends requests for one run; thread-safe, since chunk requests run in parallel."""

    def __init__(
        self, provider: Provider, config: GenerateConfig, options: LlmOptions, reporter: Reporter
    ) -> None:
        self.provider = provider
        self.config = config
        self.options = options
        #: the answer budget of the run's model (the setting, lowered to fit a small context)
        self.answer_tokens = options.answer_tokens
        self.reporter = reporter
        self.requests: list[dict[str, Any]] = []
        self.thinking: list[str] = []
        self._lock = threading.Lock()

    def ask(
        self,
        model: ModelInfo,
        messages: tuple[Message, ...],
        schema: Mapping[str, Any],
        parse_as: type[Parsed],
        label: str,
        check: Check[Parsed] | None = None,
    ) -> tuple[Parsed, str]:
        """The parsed answer, and what ``check`` still found wrong with it after the one repair
        (``""`` when nothing). An answer that does not validate twice raises ``InvalidAnswerError``."""
        options = GenerationOptions(
            temperature=self.config.temperature,
            seed=self.config.seed,
            max_output_tokens=self.answer_tokens,
            reasoning=True if self.config.save_thinking else None,
        )
        answers: list[str] = []
        problems = ""
        for attempt in (1, 2):
            request = ChatRequest(
                model=model.name,
                messages=messages,
                schema=schema,
                options=options,
                prompt_tokens=estimate_messages(messages),
            )
            response = self._send(request, label if attempt == 1 else f"{label} (repair)")
            answers.append(response.text)
            if response.stop_reason == "length":
                raise AnswerTruncatedError(
                    f"{label}: the answer was cut off at the output limit "
                    f"({response.output_tokens or self.answer_tokens} tokens); raise "
                    "engines.llm.answer_tokens or ask for fewer personas with --count"
                )
            parsed, problems = parse_answer(response.text, parse_as)
            if parsed is not None:
                problems = check(parsed) if check is not None else ""
                if not problems or attempt == 2:
                    return parsed, problems
            if attempt == 1:
                self.reporter.warn(f"{label}: the answer is not usable ({problems}); asking for a repair")
                messages = repair_messages(messages, response.text, problems)
        raise InvalidAnswerError(
            f"{label}: the model's answer did not follow the schema after one repair ({problems})",
            answers,
        )

    def _send(self, request: ChatRequest, label: str) -> ChatResponse:
        with self._lock:
            if len(self.requests) >= self.options.max_requests:
                raise InputError(
                    f"the run needs more than {self.options.max_requests} model requests (setting "
                    "engines.llm.max_requests); raise it, use a model with a larger context, or give "
                    "less data"
                )
            self.requests.append({"label": label})  # holds the place while the request runs
            entry = self.requests[-1]
        self.reporter.request_started(label)
        started = time.perf_counter()
        response = self.provider.chat(request, progress=lambda update: self.reporter.progress(label, update))
        seconds = time.perf_counter() - started
        if not isinstance(response, ChatResponse):
            raise ProviderError(
                f"{label}: the provider returned {type(response).__name__}, not a ChatResponse"
            )
        self.reporter.request_done(label, response.output_tokens, seconds)
        entry.update(
            {
                "estimated_prompt_tokens": request.prompt_tokens,
                "prompt_tokens": response.prompt_tokens,
                "output_tokens": response.output_tokens,
                "stop_reason": response.stop_reason,
                "seconds": round(seconds, 3),
                "timings": dict(response.timings),
                **({"provider": dict(response.metadata)} if response.metadata else {}),
            }
        )
        if response.thinking:
            with self._lock:
                self.thinking.append(f"## {label}\n\n{response.thinking}")
        return response


def parse_answer(text: str, parse_as: type[Parsed]) -> tuple[Parsed | None, str]:
    """Validate a model's answer; return the object, or ``None`` and a short list of problems."""
    body = _json_body(text)
    try:
        # strict=False: small models write raw tabs and newlines inside strings, as llama.cpp lets them
        data = json.loads(body, strict=False)
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
    except RecursionError:
        return None, "the JSON is nested too deeply"
    try:
        return parse_as.model_validate(data), ""
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(part) for part in error['loc']) or 'the answer'}: {error['msg']}"
            for error in exc.errors()[:8]
        ]
        more = f" (and {exc.error_count() - 8} more)" if exc.error_count() > 8 else ""
        return None, "; ".join(problems) + more


def _json_body(text: str) -> str:
    """The JSON object in an answer, without Markdown fences or chatter around it."""
    stripped = text.strip()
    fenced = re.match(r"^```(?:json)?\s*(.*?)\s*```$", stripped, re.S)
    if fenced:
        stripped = fenced.group(1)
    if not stripped.startswith("{"):
        start, end = stripped.find("{"), stripped.rfind("}")
        if 0 <= start < end:
            return stripped[start : end + 1]
    return stripped

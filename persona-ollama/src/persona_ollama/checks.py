"""``persona doctor`` checks for Ollama. They contact the configured host only on this machine."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from persona import CheckResult, PersonaError, Status

from persona_ollama.settings import OllamaSettings, is_local


def ollama_checks(runtime: Any) -> Iterator[CheckResult]:
    from persona_ollama.provider import INSTALL_HINT, OllamaProvider

    loaded = runtime.settings().settings
    try:
        settings = OllamaSettings.from_section(loaded.plugin_section("ollama"))
        url = settings.base_url(runtime.environ)
    except PersonaError as exc:
        yield CheckResult("ollama settings", "problem", str(exc), "fix the [ollama] settings")
        return
    if not is_local(url):
        if settings.allow_remote:
            yield CheckResult(
                "ollama host",
                "warning",
                f"{url} is another machine (allowed by ollama.allow_remote); doctor does not contact it",
                "data sent there leaves this machine",
            )
        else:
            yield CheckResult(
                "ollama host",
                "problem",
                f"{url} is not this machine",
                "use a local host, or set ollama.allow_remote = true",
            )
        return
    provider = OllamaProvider(settings, runtime.environ)
    try:
        version = provider.version()
    except PersonaError:
        yield CheckResult("ollama server", "problem", f"no Ollama answers at {url}", INSTALL_HINT)
        return
    yield CheckResult("ollama server", "ok", f"Ollama {version} at {url}")
    memory = provider.memory
    yield CheckResult("memory", "ok", memory.describe())
    try:
        models = provider.list_models()
        if not models:
            yield CheckResult(
                "ollama models",
                "problem",
                "no models installed",
                "run `persona ollama pull qwen2.5:7b` (about 4.7 GB)",
            )
            return
        yield CheckResult(
            "ollama models", "ok", f"{len(models)} installed: {', '.join(m.name for m in models)}"
        )
        chosen = provider.model_info(loaded.model)
    except PersonaError as exc:
        yield CheckResult("ollama model", "problem", str(exc), "install or choose another model")
        return
    fit = provider.fit(chosen)
    source = "configured" if loaded.model else "default"
    verdicts: dict[str, Status] = {"gpu": "ok", "ram": "warning", "no": "problem", "unknown": "warning"}
    verdict = verdicts[fit.verdict]
    better = provider.better_fit(chosen)
    fix = f"use a model that fits: {better}" if better else "a smaller model or more GPU memory (README)"
    yield CheckResult("ollama model", verdict, f"{source} model {chosen.name} {fit.describe()}", fix)

"""The ``[ollama]`` settings table (``PERSONA_OLLAMA__*`` in the environment)."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from persona import SettingsError
from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_HOST = "http://127.0.0.1:11434"
CONTEXT_STEPS = (2048, 4096, 8192, 12288, 16384, 24576, 32768, 49152, 65536, 98304, 131072)


class OllamaSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str | None = Field(None, description="server URL; default OLLAMA_HOST, else 127.0.0.1:11434")
    allow_remote: bool = Field(False, description="allow a host that is not this machine")
    connect_timeout: float = Field(5.0, gt=0, description="seconds to wait for a connection")
    read_timeout: float | None = Field(
        None, gt=0, description="seconds of silence before a request is given up (None: wait)"
    )
    keep_alive: str | float | None = Field(None, description="how long the model stays loaded")
    max_context: int = Field(32768, ge=2048, description="largest context Persona will ask for")
    concurrency: int = Field(2, ge=1, le=16, description="requests sent at once")
    busy_retries: int = Field(3, ge=0, le=10, description="retries when the server is busy (503)")
    busy_backoff: float = Field(1.0, ge=0, description="first wait between busy retries, doubling")
    ram_gb: float | None = Field(None, gt=0, description="this machine's RAM, if it is misreported")
    gpu_gb: float | None = Field(None, ge=0, description="GPU memory in GB (0: no GPU), if misreported")

    @field_validator("keep_alive", mode="before")
    @classmethod
    def _number_or_duration(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit():
            return float(value)
        return value

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> OllamaSettings:
        from persona import validate_section

        return validate_section(cls, section, "ollama")

    def base_url(self, environ: Mapping[str, str] | None = None) -> str:
        """The server URL: ``ollama.host``, else ``OLLAMA_HOST``, else the default, read the way
        Ollama documents OLLAMA_HOST (scheme http, host 127.0.0.1 and port 11434 when left out)."""
        environ = os.environ if environ is None else environ
        if self.host:
            return parse_host(self.host, "ollama.host")
        if environ.get("OLLAMA_HOST"):
            return parse_host(environ["OLLAMA_HOST"], "OLLAMA_HOST")
        return DEFAULT_HOST

    def checked_url(self, environ: Mapping[str, str] | None = None) -> str:
        url = self.base_url(environ)
        if not self.allow_remote and not is_local(url):
            raise SettingsError(
                f"the Ollama host {url} is not this machine, and Persona keeps data on this machine; "
                "use a local host, or set ollama.allow_remote = true if you trust that server"
            )
        return url


_HOST_FORM = "write it as host:port, e.g. 127.0.0.1:11434"


def parse_host(value: str, source: str) -> str:
    """``host[:port][/path]`` with an optional ``http://`` or ``https://`` as a base URL.

    A missing scheme is http; a missing port is 11434 (80 or 443 when the scheme is written); a
    missing host is 127.0.0.1; an IPv6 address is bracketed. Anything else is a settings error
    naming ``source``.
    """
    text = value.strip()
    scheme, separator, rest = text.partition("://")
    port = 11434
    if not separator:
        scheme, rest = "http", text
    elif scheme in ("http", "https"):
        port = 80 if scheme == "http" else 443
    else:
        raise SettingsError(f"invalid {source} {value!r}: the scheme must be http or https")
    try:
        parts = urlsplit(f"{scheme}://{rest}")
        host = parts.hostname or "127.0.0.1"
        port = parts.port or port
    except ValueError as exc:
        raise SettingsError(f"invalid {source} {value!r}: {exc}; {_HOST_FORM}") from None
    if parts.query or parts.fragment or " " in rest:
        raise SettingsError(f"invalid {source} {value!r}; {_HOST_FORM}")
    try:
        if isinstance(ipaddress.ip_address(host), ipaddress.IPv6Address):
            host = f"[{host}]"
    except ValueError:
        pass
    path = parts.path.strip("/")
    return f"{scheme}://{host}:{port}" + (f"/{path}" if path else "")


def is_local(url: str) -> bool:
    """Whether the server is this machine (Persona's one rule for every server, executors too)."""
    from persona import is_local_address

    return is_local_address(url)


def context_for(needed: int, model_limit: int | None, cap: int) -> int:
    """The context size to request: the smallest fixed step that holds ``needed`` tokens.

    Fixed steps let Ollama reuse a loaded model instead of reloading it for every new size.
    Never above the model's own limit or the configured cap.
    """
    ceiling = min(model_limit or cap, cap)
    for step in CONTEXT_STEPS:
        if step >= needed:
            return min(step, ceiling)
    return ceiling

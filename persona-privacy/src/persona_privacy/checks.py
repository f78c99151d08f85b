"""``persona doctor`` checks for the privacy tools."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

from persona import CheckResult, PersonaError


@contextlib.contextmanager
def outbound_connections() -> Iterator[list[str]]:
    """Record (and refuse) every connection to an address that is not this machine."""
    attempts: list[str] = []
    original = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else str(address)
        try:
            local = ipaddress.ip_address(host).is_loopback
        except ValueError:
            local = host == "localhost" or self.family == getattr(socket, "AF_UNIX", None)
        if not local:
            attempts.append(str(host))
            raise ConnectionRefusedError(f"persona doctor refused a connection to {host}")
        return original(self, address)

    socket.socket.connect = guarded  # type: ignore[method-assign,assignment]
    try:
        yield attempts
    finally:
        socket.socket.connect = original  # type: ignore[method-assign]


def privacy_checks(runtime: Any) -> Iterator[CheckResult]:
    from persona_privacy.detector import Detector, find_pipeline
    from persona_privacy.settings import PrivacySettings
    from persona_privacy.strategies import KEY_FILE

    try:
        settings = PrivacySettings.from_section(runtime.settings().settings.plugin_section("privacy"))
        pipeline = find_pipeline(settings.model)
    except PersonaError as exc:
        yield CheckResult(
            "spaCy pipeline", "problem", str(exc), getattr(exc, "install", "fix the [privacy] settings")
        )
        return
    with outbound_connections() as attempts:
        try:
            detector = Detector(settings)
            [found] = detector.detect([("Call Jane Smith on 07700 900123 or jane@example.org.", None)])
        except Exception as exc:
            yield CheckResult(
                "presidio",
                "problem",
                f"the analyzer did not build: {type(exc).__name__}: {exc}",
                "reinstall persona-privacy and its spaCy pipeline",
            )
            return
    yield CheckResult("spaCy pipeline", "ok", f"{pipeline} loads")
    if attempts:
        yield CheckResult(
            "presidio offline",
            "problem",
            f"building the analyzer tried to reach {', '.join(attempts)}",
            "report this: Persona must work with no network",
        )
    else:
        kinds = ", ".join(sorted({d.entity for d in found}))
        yield CheckResult(
            "presidio offline", "ok", f"analyzer built without network access; test sentence: {kinds}"
        )
    if settings.hash_key:
        yield CheckResult("hash key", "ok", "from settings (privacy.hash_key)")
        return
    from persona import user_config_dir

    path = user_config_dir() / KEY_FILE
    if not path.exists():
        yield CheckResult(
            "hash key", "ok", f"not created yet; made in {path} (mode 600) on first use of --strategy hash"
        )
    elif path.stat().st_mode & 0o077:
        yield CheckResult("hash key", "problem", f"{path} is readable by others", f"run `chmod 600 {path}`")
    else:
        yield CheckResult("hash key", "ok", f"{path}, owner-only")

"""Telling the user what is happening: a live status on a terminal, plain lines elsewhere.

Everything goes to stderr, so stdout stays free for results (``--json``). Thread-safe: chunk requests
report from worker threads.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING, TextIO

from persona.providers import Progress

if TYPE_CHECKING:
    from rich.status import Status


class Reporter:
    """Progress and warnings. ``quiet`` keeps warnings only."""

    def __init__(
        self, *, quiet: bool = False, stream: TextIO | None = None, live: bool | None = None
    ) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.live = (not quiet) and (self.stream.isatty() if live is None else live)
        self._lock = threading.Lock()
        self._active: dict[str, str] = {}
        self._steps: dict[str, float] = {}
        self._tenths: dict[str, int] = {}  # the last tenth of each step printed off a terminal
        self._status: Status | None = None
        self.warnings: list[str] = []

    def __enter__(self) -> Reporter:
        if self.live:
            from rich.console import Console

            self._status = Console(file=self.stream).status("starting")
            self._status.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def info(self, message: str) -> None:
        if self.quiet:
            return
        with self._lock:
            if self._status is not None:
                self._status.console.print(message, markup=False, highlight=False)
            else:
                print(f"persona: {message}", file=self.stream, flush=True)

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        with self._lock:
            if self._status is not None:
                self._status.console.print(f"warning: {message}", markup=False, style="yellow")
            else:
                print(f"persona: warning: {message}", file=self.stream, flush=True)

    def begin(self, label: str) -> None:
        """Start the clock of a long step, so its rate counts from here."""
        self._steps[label] = time.perf_counter()
        self._tenths.pop(label, None)

    def step(self, label: str, done: int, total: int) -> None:
        """Progress of a long step: a live line on a terminal, a line per tenth elsewhere."""
        now = time.perf_counter()
        started = self._steps.setdefault(label, now)
        rate = done / (now - started) if now > started else 0.0
        left = f", {_duration((total - done) / rate)} left" if rate and done < total else ""
        state = f"{done:,} of {total:,} ({rate:,.0f}/s{left})"
        text = f"{label}: {state}"
        if self._status is not None:
            self._active[label] = state
            self._refresh()
            if done >= total:
                self._active.pop(label, None)
                self.info(text)
        elif total:
            # callers report every so many items, so a tenth is printed once it has been passed,
            # not only when a call lands on it exactly
            tenth = done * 10 // total
            if tenth > self._tenths.get(label, 0):
                self._tenths[label] = tenth
                self.info(text)

    def request_started(self, label: str) -> None:
        self._active[label] = "waiting for the model"
        self._refresh()
        if not self.live:
            self.info(f"{label}: sent")

    def progress(self, label: str, update: Progress) -> None:
        if update.phase == "loading":
            text = "loading model"
        elif update.phase == "prompt":
            text = "reading the prompt"
        else:
            rate = f", {update.tokens_per_second:.1f} tok/s" if update.tokens_per_second else ""
            what = "thinking" if update.phase == "thinking" else "answering"
            text = f"{what}: {update.output_tokens} tokens{rate}"
        self._active[label] = text
        self._refresh()

    def request_done(self, label: str, output_tokens: int | None, seconds: float) -> None:
        self._active.pop(label, None)
        self._refresh()
        tokens = f"{output_tokens} tokens, " if output_tokens is not None else ""
        self.info(f"{label}: done ({tokens}{seconds:.1f} s)")

    def _refresh(self) -> None:
        if self._status is None:
            return
        with self._lock:
            text = "; ".join(f"{label}: {state}" for label, state in sorted(self._active.items()))
            self._status.update(text or "working")


def _duration(seconds: float) -> str:
    """``45 s``, ``12 min``, ``2 h 05 min``: the time left, as precisely as it can be known."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


class Stopwatch:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def seconds(self) -> float:
        return time.perf_counter() - self.start

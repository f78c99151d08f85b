"""Where the heavy per-partition work of a run goes: this process, worker processes on this
machine, or the workers of a Dask cluster.

An executor runs one task over a stream of partitions and yields the results *in order*, whoever
computed them, so a run's output is the same whichever executor ran it. It keeps only a few
partitions in flight, so memory stays flat however long the stream is. A task is a module-level
function (it is pickled by reference); whatever it needs loaded, such as a detector, it loads once
per worker process through a cache of its own module, keyed by the settings it was given.

The caller makes the run-wide decisions: a task sees one partition and returns what it found there.

``distributed`` is imported only when a run uses ``dask`` (``pip install persona[dask]``).
"""

from __future__ import annotations

import ipaddress
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from persona.errors import ExecutorError, MissingPluginError, PersonaError, SettingsError

In = TypeVar("In")
Out = TypeVar("Out")

#: partitions in flight per worker: enough to keep every worker busy, few enough to keep memory flat
AHEAD = 3


class ExecutorSettings(BaseModel):
    """The ``[executor]`` table (``--executor``, ``--workers``, ``--scheduler``)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["local", "dask"] = Field(
        "local", description="local: processes on this machine; dask: the workers of a Dask cluster"
    )
    workers: int = Field(
        0, ge=0, le=256, description="worker processes (0: one per core, at most 8; dask: cluster size)"
    )
    scheduler: str | None = Field(
        None,
        description="Dask scheduler address, tcp://HOST:8786 (None: a Dask cluster on this machine)",
    )
    allow_remote: bool = Field(
        False, description="allow a Dask scheduler that is not this machine (personal data travels to it)"
    )
    timeout: float = Field(20, gt=0, le=600, description="seconds to wait for the Dask scheduler")


class Executor:
    """Runs ``task`` over partitions and yields the results in order (see the module's text).
    This one runs them in this process; a subclass says how a partition reaches its workers
    (``_submit``) and what a failure of theirs means (``_failure``)."""

    name = "inline"
    workers = 1
    #: how many of a caller's batches to put in one partition: a Dask task costs scheduler round
    #: trips (about 25 ms each here), so its partitions are larger than a local worker's
    grain = 1

    def map(
        self,
        task: Callable[[In], Out],
        partitions: Iterable[In],
        where: Callable[[int], str] | None = None,
    ) -> Iterator[Out]:
        """``task(partition)`` for each partition, in order. ``where(i)`` says what partition ``i``
        holds (for an error message: never values, which may be personal)."""
        if not self._parallel():
            for partition in partitions:
                yield task(partition)
            return
        submitted = 0

        def submit(partition: In) -> Any:
            nonlocal submitted
            submitted += 1
            return self._submit(task, partition)

        index = 0
        try:
            for index, future in _windowed(submit, partitions, self.workers):  # noqa: B007
                yield future.result()
        except PersonaError:
            raise
        except Exception as exc:
            last = submitted - 1
            running = _where(where, index) + (f" to {_where(where, last)}" if last > index else "")
            error = self._failure(exc, _where(where, index), running)
            if error is None:
                raise  # the task's own error: a bug, shown as one
            raise error from None

    def _parallel(self) -> bool:
        return False

    def _submit(self, task: Callable[[In], Out], partition: In) -> Any:
        raise NotImplementedError

    def _failure(self, exc: Exception, failed: str, running: str) -> ExecutorError | None:
        """The error to stop the run with when a partition's future raised ``exc`` (``failed`` is
        that partition, ``running`` every partition in flight), or None for the task's own error."""
        return None

    def close(self) -> None:
        """Stop the workers this executor started (not a cluster it only connected to)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LocalExecutor(Executor):
    """Worker processes on this machine, forked from this one when a partition first needs them:
    what this process has loaded (a spaCy pipeline) they share instead of loading again. A worker
    that dies (killed, out of memory) stops the run with one line; nothing is retried, because a
    partition that kills a worker would kill the next one too."""

    name = "local"

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers or default_workers()
        self._pool: Any = None

    def _parallel(self) -> bool:
        return self.workers > 1 and "fork" in multiprocessing.get_all_start_methods()

    def _submit(self, task: Callable[[In], Out], partition: In) -> Any:
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"))
        return self._pool.submit(task, partition)

    def _failure(self, exc: Exception, failed: str, running: str) -> ExecutorError | None:
        from concurrent.futures.process import BrokenProcessPool

        if not isinstance(exc, BrokenProcessPool):
            return None
        self.close()
        # which of the partitions in flight killed it, the pool cannot tell
        return ExecutorError(
            f"a worker process died (killed, or out of memory) while running {running}; "
            "nothing was written (try fewer --workers, or smaller partitions)"
        )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor(Executor):
    """The workers of a Dask cluster: the scheduler at ``scheduler``, or, without one, a cluster of
    ``workers`` processes on this machine's loopback that the run starts and stops. A worker that
    dies mid-run has its partitions run again elsewhere (Dask's own recovery); a partition that
    keeps killing workers, or a scheduler that goes away, stops the run with one line."""

    name = "dask"
    grain = 4

    def __init__(self, settings: ExecutorSettings, notice: Callable[[str], None] | None = None) -> None:
        """``notice`` hears that a cluster is being started (it takes seconds); connecting to a
        running scheduler says nothing unless it fails, so that failure stays one line."""
        try:
            import distributed
        except ImportError:
            raise MissingPluginError("--executor dask", "pip install 'persona[dask]'") from None
        self._cluster: Any = None
        self.client: Any = None
        address = settings.scheduler
        notice = notice or (lambda message: None)
        if address is None:
            workers = settings.workers or default_workers()
            notice(f"starting a Dask cluster of {workers} worker{'s' * (workers != 1)} on this machine")
            self._cluster = distributed.LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=50,  # logging.CRITICAL: the run speaks for itself
            )
            address = self._cluster.scheduler_address
        self.address = address
        try:
            self.client = distributed.Client(  # type: ignore[no-untyped-call]
                address, timeout=settings.timeout, set_as_default=False
            )
        except (OSError, TimeoutError) as exc:
            self.close()
            raise ExecutorError(
                f"cannot reach the Dask scheduler at {address} ({_reason(exc)}); start it, or check "
                "executor.scheduler"
            ) from None
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def _parallel(self) -> bool:
        return True

    def _submit(self, task: Callable[[In], Out], partition: In) -> Any:
        return self.client.submit(task, partition, pure=False)

    def _failure(self, exc: Exception, failed: str, running: str) -> ExecutorError | None:
        import distributed

        if isinstance(exc, distributed.client.FutureCancelledError):
            why = f"the Dask scheduler at {self.address} cancelled {failed} (did it stop?)"
        elif isinstance(exc, distributed.KilledWorker):
            why = f"Dask workers kept dying while running {failed} (killed, or out of memory)"
        elif isinstance(exc, OSError | TimeoutError):
            why = f"lost the Dask scheduler at {self.address} while running {failed} ({_reason(exc)})"
        else:
            return None
        return ExecutorError(f"{why}; nothing was written")

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def make_executor(settings: ExecutorSettings, notice: Callable[[str], None] | None = None) -> Executor:
    """The executor the settings ask for. A Dask scheduler on another machine needs
    ``executor.allow_remote``: the partitions it runs are the study's raw data. ``notice``
    hears what the executor does that takes seconds before any partition runs."""
    if settings.kind == "local":
        if settings.scheduler is not None:
            raise SettingsError("executor.scheduler is set but executor.kind is local; use --executor dask")
        return LocalExecutor(settings.workers)
    if settings.scheduler is not None:
        if not is_local_address(settings.scheduler) and not settings.allow_remote:
            raise SettingsError(
                f"executor.scheduler {settings.scheduler} is not this machine, and the raw study "
                "data would travel to its workers; use a local scheduler, or set "
                "executor.allow_remote = true if you trust that cluster"
            )
        if not urlsplit(settings.scheduler).port and "://" in settings.scheduler:
            raise SettingsError(f"executor.scheduler {settings.scheduler}: give the port (tcp://HOST:8786)")
    return DaskExecutor(settings, notice)


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def is_local_address(url: str) -> bool:
    """Whether ``url`` (``http://HOST:PORT``, ``tcp://HOST:PORT``, ``HOST:PORT``) is this machine."""
    host = urlsplit(url if "://" in url else f"tcp://{url}").hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _windowed(
    submit: Callable[[In], Any], partitions: Iterable[In], workers: int
) -> Iterator[tuple[int, Any]]:
    """Futures (of concurrent.futures or Dask) in submission order, never more than ``AHEAD`` per
    worker in flight."""
    pending: deque[tuple[int, Any]] = deque()
    limit = max(2, workers * AHEAD)
    try:
        for index, partition in enumerate(partitions):
            pending.append((index, submit(partition)))
            if len(pending) >= limit:
                yield pending.popleft()
        while pending:
            yield pending.popleft()
    finally:
        for _, future in pending:
            future.cancel()


def _where(where: Callable[[int], str] | None, index: int) -> str:
    return where(index) if where is not None else f"partition {index + 1}"


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]

"""Command-line flags that several commands share, for the core's commands and plugins' alike:
where a run's heavy work goes (``--executor``, ``--workers``, ``--scheduler``)."""

from __future__ import annotations

from typing import Any

import typer


def executor_option() -> Any:
    return typer.Option(
        None, "--executor", help="Where the heavy work runs: local (this machine) or dask (a Dask cluster)."
    )


def workers_option() -> Any:
    return typer.Option(
        None,
        "--workers",
        min=0,
        help="Worker processes (0: one per core; with dask: the local cluster's size).",
    )


def scheduler_option() -> Any:
    return typer.Option(
        None,
        "--scheduler",
        help="With --executor dask: the scheduler, tcp://HOST:8786 (default: a local cluster).",
    )


def executor_overrides(executor: str | None, workers: int | None, scheduler: str | None) -> dict[str, Any]:
    """The ``[executor]`` settings the flags give, as command-line overrides (``None``: not given)."""
    table = {"kind": executor, "workers": workers, "scheduler": scheduler}
    if scheduler is not None and executor is None:
        table["kind"] = "dask"  # a scheduler address says which executor is meant
    given = {key: value for key, value in table.items() if value is not None}
    return {"executor": given} if given else {}

"""Environment checks for ``persona doctor``: what a check reports, and running them safely."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from persona.runtime import Runtime

Status = Literal["ok", "warning", "problem"]


@dataclass(frozen=True)
class CheckResult:
    """One line of ``persona doctor``: ``fix`` says what to do when the status is not ok."""

    name: str
    status: Status
    message: str
    fix: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


Check = Callable[["Runtime"], Iterable[CheckResult]]


def run_checks(runtime: Runtime) -> list[CheckResult]:
    """Every registered check, each isolated: a check that crashes is reported, not raised."""
    results: list[CheckResult] = []
    for registration in runtime.host.registered("check").values():
        try:
            results.extend(registration.target(runtime))
        except Exception as exc:  # a broken check must not hide the others
            results.append(
                CheckResult(
                    registration.name,
                    "problem",
                    f"the check itself failed: {type(exc).__name__}: {exc}",
                    f"report this to the '{registration.plugin}' plugin",
                )
            )
    return results

"""The errors a user can act on, and the one table that maps them to exit codes.

Plugins raise these (or subclasses of them). The CLI prints ``str(error)`` as a single line on
stderr and exits with ``error.exit_code``. Anything that is not a ``PersonaError`` is a bug: the CLI
shows its traceback only with ``--debug``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    """Exit codes of the ``persona`` command. Documented in the README; keep both in step."""

    OK = 0
    INTERNAL = 1  #: a bug: rerun with --debug and report it
    USAGE = 2  #: unknown command or flag, bad flag value
    SETTINGS = 3  #: the settings file or a PERSONA_* variable is invalid
    PLUGIN = 4  #: a plugin or package is not installed, is blocked, broken or conflicts
    INPUT = 5  #: an input file is missing, empty, unsupported or malformed
    OUTPUT = 6  #: the output folder cannot be used
    PROVIDER_UNAVAILABLE = 7  #: the model server is not running or not reachable
    MODEL_NOT_FOUND = 8  #: the requested model is not installed
    PROVIDER = 9  #: the model server failed, stalled or dropped the connection
    ANSWER = 10  #: the model's answer was invalid, truncated or too short
    PII_FOUND = 11  #: personal data was found where none may be (--fail-on-pii)
    CHECK_FAILED = 12  #: `persona doctor` found a problem
    EXECUTOR = 13  #: a worker died, or the Dask scheduler cannot be reached or went away
    INTERRUPTED = 130  #: interrupted with Ctrl-C
    PIPE_CLOSED = 141  #: the program reading the output closed it (`| head`)


@dataclass(frozen=True)
class Kept:
    """What a failed run keeps for inspection in ``<run folder>-failed/``: files by name (the
    model's unusable answers, say), and the manifest's ``model`` and ``requests`` (never raw input
    values). An engine attaches it to the error it raises: ``error.kept = Kept(...)``."""

    files: Mapping[str, str]
    model: Mapping[str, Any] = field(default_factory=dict)
    requests: Sequence[Mapping[str, Any]] = ()


class PersonaError(Exception):
    """Base of every error meant for the user. The message says what happened and what to do."""

    exit_code: ExitCode = ExitCode.INTERNAL
    #: the command printed its result before failing (``--fail-on-pii``), so ``--json`` adds no error
    result_printed: bool = False
    #: what the failed run keeps for inspection (``generate`` saves it beside the run folder)
    kept: Kept | None = None

    def __init__(self, message: str) -> None:
        # One line, always: a multi-line message would break "one clear line" on stderr.
        super().__init__(" ".join(message.split()))

    @property
    def message(self) -> str:
        return str(self)


class UsageError(PersonaError):
    """The command line asks for something that cannot be done as written."""

    exit_code = ExitCode.USAGE


class SettingsError(PersonaError):
    """A settings file or environment variable holds an invalid value."""

    exit_code = ExitCode.SETTINGS


class PluginError(PersonaError):
    """A plugin is missing, blocked, broken, or conflicts with another."""

    exit_code = ExitCode.PLUGIN


class MissingPluginError(PluginError):
    """A feature needs a plugin or optional package that is not installed."""

    def __init__(self, feature: str, install: str) -> None:
        self.install = install
        super().__init__(f"{feature} is not installed: install it with `{install}`")


class ExecutorError(PersonaError):
    """The workers a run was spread over failed: one died, or the scheduler cannot be reached."""

    exit_code = ExitCode.EXECUTOR


class InputError(PersonaError):
    """An input file cannot be used. The message names the file, and the line or row when known."""

    exit_code = ExitCode.INPUT


class OutputError(PersonaError):
    """The output folder cannot be created or written."""

    exit_code = ExitCode.OUTPUT


class ProviderError(PersonaError):
    """The model provider failed: a server error, a stalled or dropped stream, a bad reply."""

    exit_code = ExitCode.PROVIDER


class ProviderUnavailableError(ProviderError):
    """The model server cannot be reached at all."""

    exit_code = ExitCode.PROVIDER_UNAVAILABLE


class ModelNotFoundError(ProviderError):
    """The requested model is not installed on the server."""

    exit_code = ExitCode.MODEL_NOT_FOUND


class AnswerError(PersonaError):
    """The model answered, but the answer cannot be used (invalid, truncated, too few personas)."""

    exit_code = ExitCode.ANSWER


class AnswerTruncatedError(AnswerError):
    """The answer stopped at the output-length limit."""


class PIIFoundError(PersonaError):
    """Personal data was found and the user asked for that to be an error."""

    exit_code = ExitCode.PII_FOUND
    result_printed = True


class CheckFailedError(PersonaError):
    """An environment check failed."""

    exit_code = ExitCode.CHECK_FAILED
    result_printed = True

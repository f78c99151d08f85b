"""The ``persona`` command line. A thin face: commands parse flags and call the library."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence

import typer

from persona import __version__
from persona.errors import ExitCode, PersonaError
from persona.host import default_host
from persona.plugins import PluginHost
from persona.runtime import Runtime, set_current

HELP = (
    "Turn qualitative research data into validated user personas with a local language model, "
    "removing personal data before any model sees it."
)


def build_app(host: PluginHost) -> typer.Typer:
    app = typer.Typer(
        name="persona",
        help=HELP,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(_root_of(host))
    for registration in host.registered("command").values():
        target = registration.target
        if isinstance(target, typer.Typer):
            app.add_typer(target, name=registration.name, help=registration.description or None)
        else:
            app.command(name=registration.name, help=registration.description or None)(target)
    return app


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"persona {__version__}")
        raise typer.Exit()


def _root_of(host: PluginHost) -> Callable[..., None]:
    """The app's root callback: the global flags, and the runtime of ``host`` for the command (one
    ``run`` made already, or a new one when the app is driven directly, as typer's CliRunner does)."""

    def root(
        version: bool = typer.Option(
            False,
            "--version",
            help="Show the version and exit.",
            is_eager=True,
            callback=_show_version,
        ),
        debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only results and errors."),
    ) -> None:
        from persona.runtime import current_or_none

        runtime = current_or_none()
        if runtime is None or runtime.host is not host:
            runtime = Runtime(host=host)
            set_current(runtime)
        runtime.debug = runtime.debug or debug
        runtime.quiet = runtime.quiet or quiet

    return root


def run(
    argv: Sequence[str] | None = None,
    *,
    host: PluginHost | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Run the CLI and return its exit code. Tests and other programs call this directly."""
    args = list(sys.argv[1:] if argv is None else argv)
    environ = dict(os.environ if environ is None else environ)
    debug = "--debug" in args or environ.get("PERSONA_DEBUG", "").lower() in {"1", "true"}
    runtime: Runtime | None = None
    try:
        if host is None:
            host = default_host(environ, debug=debug)
        runtime = Runtime(host=host, debug=debug, environ=environ)
        set_current(runtime)
        _missing_command(host, args)
        command = typer.main.get_command(build_app(host))
        result = command.main(args=args, prog_name="persona", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:
        return _usage_error(exc)
    except (typer.Abort, KeyboardInterrupt):
        _error("interrupted")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`persona plugins | head`): stop quietly, as Unix tools do.
        _silence_stdout()
        return ExitCode.PIPE_CLOSED
    except SystemExit as exc:
        # click turns a closed pipe into exit(1) after wrapping the streams: say what it was.
        if type(sys.stdout).__name__ == "PacifyFlushWrapper":
            _silence_stdout()
            return ExitCode.PIPE_CLOSED
        raise exc
    except PersonaError as exc:
        if runtime is not None and runtime.debug:
            import traceback

            traceback.print_exc()
        _error(str(exc))
        if not exc.result_printed:
            _json_error(args, str(exc), exc.exit_code)
        return exc.exit_code
    except Exception as exc:
        if runtime is None or not runtime.debug:
            _error(
                f"internal error: {type(exc).__name__}: {exc} "
                "(this is a bug: run again with --debug for the traceback, and report it)"
            )
        else:
            raise
        _json_error(args, f"internal error: {type(exc).__name__}", ExitCode.INTERNAL)
        return ExitCode.INTERNAL
    finally:
        set_current(None)


def _missing_command(host: PluginHost, args: Sequence[str]) -> None:
    """A first-party command whose plugin is missing or blocked is a plugin error (4), not a typo."""
    words = [arg for arg in args if not arg.startswith("-")]
    if not words or words[0] in host.registered("command"):
        return
    from persona.plugins import knows

    if knows("command", words[0]):
        host.get("command", words[0])


def _json_error(args: Sequence[str], message: str, code: int) -> None:
    """Scripts that asked for --json get JSON on stdout even when the command fails."""
    if "--json" in args:
        import json

        try:
            print(json.dumps({"error": " ".join(message.split()), "exit_code": int(code)}))
        except BrokenPipeError:
            _silence_stdout()


def _silence_stdout() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def _usage_error(exc: typer.TyperException) -> int:
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
        typer.echo(ctx.get_help())
        return ExitCode.OK
    where = f"{ctx.command_path}: " if ctx is not None else ""
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    _error(f"{where}{exc.format_message()}{hint}")
    return getattr(exc, "exit_code", ExitCode.USAGE)


def _error(message: str) -> None:
    print(f"persona: error: {' '.join(message.split())}", file=sys.stderr)


def main() -> None:
    """Console-script entry point."""
    code = run()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        code = ExitCode.PIPE_CLOSED
    sys.exit(code)

"""Cold-start cost of the CLI: `persona --help` against a bare typer app's `--help`, same run.

Usage: uv run python bench/startup.py [--runs 30]

Both commands run alternately as fresh processes with the same interpreter, so machine noise hits
both alike; the figure that matters is the ratio of the medians (target: at most 1.5).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_APP = '''
import typer

app = typer.Typer(help="A bare typer app with three commands.")


@app.command()
def generate(input: str = typer.Option(..., help="Input file.")) -> None:
    """Generate."""


@app.command()
def plugins(json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List plugins."""


@app.command()
def config() -> None:
    """Show config."""


app()
'''


def wall(cmd: list[str], cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=cwd)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    persona = str(Path(sys.executable).parent / "persona")
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare_app.py"
        bare.write_text(BARE_APP)
        commands = {
            "persona --help": [persona, "--help"],
            "bare typer --help": [sys.executable, str(bare), "--help"],
            "python -c pass": [sys.executable, "-c", "pass"],
        }
        for cmd in commands.values():  # warm the file cache once
            wall(cmd, tmp)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                times[name].append(wall(cmd, tmp))
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, value in medians.items():
        print(f"{name:20s} median {value * 1000:7.1f} ms over {args.runs} runs")
    ratio = medians["persona --help"] / medians["bare typer --help"]
    print(f"ratio persona/bare typer: {ratio:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()

"""Make docs/img/report.png: the bundled example's report (anonymised), as headless Chromium shows it.

The same rendering code the browser tests use (tests/browser.py). Run from the repository root:
    uv run python docs/screenshot.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from persona.cli import run  # noqa: E402

from tests.browser import render  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "run"
        code = run(
            [
                "generate",
                "-i",
                str(ROOT / "examples" / "research"),
                "--engine",
                "extractive",
                "--anonymise",
                "-o",
                str(folder),
                "-q",
            ]
        )
        if code:
            return code
        shot = ROOT / "docs" / "img" / "report.png"
        rendered = render(folder / "report.html", shot, width=1280, height=1400)
        print(f"{shot} written; the page asked the network for: {rendered.requests or 'nothing'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

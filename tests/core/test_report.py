"""report.html, checked in a real browser (headless Chromium): cards, links, no network, not blank;
and bad personas rendered safely. `persona report` rebuilds it from a run folder."""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from persona.errors import ExitCode

from tests.browser import CHROMIUM, distinct_colours, render
from tests.conftest import REPO

EXAMPLES = REPO / "examples" / "research"
needs_browser = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="chromium is not installed (CI installs it)"
)


class Page(HTMLParser):
    """What the browser's DOM holds: ids, in-page links, card names, scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.names: list[str] = []
        self.scripts = 0
        self._in_name = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("href", "").startswith("#"):
            self.links.append(attributes["href"][1:])
        if tag == "script":
            self.scripts += 1
        self._in_name = "persona-name" in (attributes.get("class") or "")

    def handle_data(self, data):
        if self._in_name:
            self.names.append(data.strip())
            self._in_name = False


def make_run(run_persona, persona_home: Path) -> Path:
    result = run_persona("generate", "-i", str(EXAMPLES), "-o", "run", "--engine", "extractive", "-q")
    assert result.exit_code == 0, result.stderr
    return persona_home / "run"


@needs_browser
def test_report_in_a_real_browser(run_persona, persona_home, tmp_path):
    folder = make_run(run_persona, persona_home)
    rendered = render(folder / "report.html", tmp_path / "shot.png")
    page = Page()
    page.feed(rendered.dom)
    personas = json.loads((folder / "personas.json").read_text())["personas"]
    assert page.names == [p["name"] for p in personas]
    assert page.links and set(page.links) <= page.ids, set(page.links) - page.ids
    assert page.scripts == 0
    assert rendered.requests == [], rendered.requests
    assert distinct_colours(rendered.screenshot) > 5


@needs_browser
def test_the_network_probe_sees_a_page_that_fetches(tmp_path):
    page = tmp_path / "fetch.html"
    page.write_text('<html><body><img src="http://example.invalid/x.png"></body></html>')
    rendered = render(page, tmp_path / "shot.png")
    assert any("example.invalid" in line for line in rendered.requests)


def test_hostile_personas_render_escaped_and_cut(run_persona, persona_home):
    folder = make_run(run_persona, persona_home)
    data = json.loads((folder / "personas.json").read_text())
    first = data["personas"][0]
    first["name"] = "<script>alert(1)</script>"
    first["quotes"] = [{"text": "word " * 2000, "record_id": first["evidence"][0]}]
    first["demographics"] = {"age_range": None, "occupation": None, "location": None}
    (folder / "personas.json").write_text(json.dumps(data))
    result = run_persona("report", str(folder))
    assert result.exit_code == 0, result.stderr
    html = (folder / "report.html").read_text()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "[cut: " in html


def test_report_refuses_what_is_not_a_run(run_persona, persona_home):
    (persona_home / "notrun").mkdir()
    result = run_persona("report", "notrun")
    assert result.exit_code == ExitCode.INPUT
    assert "not a Persona run folder (manifest.json is missing)" in result.stderr


def test_a_run_with_no_personas_says_so(run_persona, persona_home):
    folder = make_run(run_persona, persona_home)
    (folder / "personas.json").write_text(json.dumps({"personas": []}))
    assert run_persona("report", str(folder)).exit_code == 0
    assert "This run holds no personas." in (folder / "report.html").read_text()


def test_a_persona_with_a_missing_field_is_named(run_persona, persona_home):
    folder = make_run(run_persona, persona_home)
    data = json.loads((folder / "personas.json").read_text())
    del data["personas"][1]["goals"]
    (folder / "personas.json").write_text(json.dumps(data))
    result = run_persona("report", str(folder))
    assert result.exit_code == ExitCode.INPUT
    assert "personas.json: persona 2, goals: Field required" in result.stderr


def test_a_report_of_a_large_study_shows_what_it_cites_and_counts_everyone(run_persona, persona_home):
    """A study larger than the appendix: every record a persona links to is shown and resolves, the
    rest are counted, not embedded, and the coverage table still accounts for every record."""
    import csv

    from persona.report import MAX_RECORDS

    rows = MAX_RECORDS * 2
    path = persona_home / "big.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["respondent", "plan", "comment"])
        for n in range(rows):
            plan = ["basic", "family", "business"][n % 3]
            said = [
                "The family plan is too expensive for four phones and the bill keeps going up.",
                "I need invoices for my business plan that my accountant can read.",
                "Basic is fine, I only text and call my mum.",
            ][n % 3]
            writer.writerow([f"R{n:05d}", plan, f"{said} Reply {n}."])
    done = run_persona("generate", "-i", str(path), "-o", "run", "--engine", "extractive", "-q")
    assert done.exit_code == 0, done.stderr
    html = (persona_home / "run" / "report.html").read_text()
    page = Page()
    page.feed(html)
    records = {i for i in page.ids if i.startswith("rec-") or i.startswith("record-")}
    assert 0 < len(records) <= MAX_RECORDS + 200  # the appendix, and what the personas cite
    assert f"{rows - len(records)} more records are not shown" in " ".join(html.split())
    assert all(link in page.ids for link in page.links)  # every in-page link resolves
    counted = [int(n) for n in re.findall(r"<td>(\d+) of " + str(rows) + "</td>", html)]
    assert sum(counted) == rows, counted  # each persona's records, and those of no persona
    assert len(html) < 3_000_000

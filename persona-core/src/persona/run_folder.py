"""The run folder: the one module that knows its files, writes them and reads them back.

``personas.json``, one Markdown file per persona, ``index.md``, ``report.html``, ``records.json``
(the records as the engine saw them: anonymised with ``--anonymise``), the engine's own files
(``thinking.md``) and ``manifest.json``. ``generate`` writes a run with ``write_run``; ``persona
report`` reads one with ``read_run`` and renders it again with ``render``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from persona.errors import InputError
from persona.output import RunWriter
from persona.participants import label
from persona.records import Provenance, Record
from persona.schema import Persona

PERSONAS, RECORDS, MANIFEST, INDEX, REPORT = (
    "personas.json",
    "records.json",
    "manifest.json",
    "index.md",
    "report.html",
)


@dataclass
class Run:
    """A run folder's contents: what ``write_run`` writes and ``read_run`` reads back."""

    personas: list[Persona]
    manifest: dict[str, Any]
    records: dict[str, Record] = field(default_factory=dict)  #: by id, as the engine saw them
    files: dict[str, str] = field(default_factory=dict)  #: the engine's own files, by name

    @property
    def markdown_files(self) -> list[str]:
        return [persona_filename(i, p) for i, p in enumerate(self.personas, start=1)]

    def represented(self) -> dict[str, int]:
        """How many records each persona stands for, by persona id (engines that assign records)."""
        counts: dict[str, int] = {}
        for persona_id in (self.manifest.get("assignments") or {}).values():
            counts[persona_id] = counts.get(persona_id, 0) + 1
        return counts

    def rendered(self) -> dict[str, str]:
        """Every file made from the personas, the manifest and the records, by name."""
        from persona.report import render_report

        counts = self.represented()
        note = self.manifest.get("note")
        files = {
            name: render_markdown(persona, self.records, counts.get(persona.id), note)
            for name, persona in zip(self.markdown_files, self.personas, strict=True)
        }
        files[INDEX] = render_index(self.personas, self.markdown_files, self.manifest, counts)
        files[REPORT] = render_report(self.personas, self.manifest, self.records)
        return files


def write_run(target: Path, run: Run) -> Path:
    """Write a whole run into a temporary folder and rename it to ``target`` when complete."""
    with RunWriter(target) as writer:
        writer.write_json(PERSONAS, {"personas": [p.model_dump(mode="json") for p in run.personas]})
        for name, text in run.rendered().items():
            writer.write_text(name, text)
        writer.write_json_list(RECORDS, "records", (record_json(r) for r in run.records.values()))
        for name, text in run.files.items():
            writer.write_text(name, text)
        writer.write_json(MANIFEST, run.manifest)
        return writer.commit()


def write_failed(target: Path, manifest: Mapping[str, Any], files: Mapping[str, str]) -> Path | None:
    """What a failed run keeps, in ``<target>-failed/``: a folder that is plainly not a run. An
    earlier failed folder of the same name is left as it is (``None``)."""
    failed = target.with_name(f"{target.name}-failed")
    if failed.exists():
        return None
    with RunWriter(failed) as writer:
        for name, text in files.items():
            writer.write_text(name, text)
        writer.write_json(MANIFEST, dict(manifest))
        return writer.commit()


def rerender(folder: Path, run: Run) -> None:
    """Rewrite the files made from a run (``persona report``); the data files are left alone."""
    for name, text in run.rendered().items():
        (folder / name).write_text(text, encoding="utf-8")


def read_run(folder: Path, *, cut: Any = None) -> Run:
    """A run folder read back. ``cut(item, location, limit)`` may shorten a text that is too long
    for a persona (edited by hand) and return True; otherwise such a persona is an error."""
    from pydantic import ValidationError

    def load(name: str) -> Any:
        path = folder / name
        if not path.is_file():
            raise InputError(f"{folder}: not a Persona run folder ({name} is missing)")
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{path}: not valid JSON ({exc})") from None

    manifest = load(MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("persona_artefact") != "manifest":
        raise InputError(f"{folder}: not a Persona run folder ({MANIFEST} was not written by Persona)")
    data = load(PERSONAS)
    raw = data.get("personas") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        raise InputError(f'{folder / PERSONAS}: expected {{"personas": [...]}}')
    personas = []
    for number, item in enumerate(raw, start=1):
        for _ in range(50):  # texts too long for a persona are cut, one by one, when cut says so
            try:
                personas.append(Persona.model_validate(item))
                break
            except ValidationError as exc:
                error = exc.errors()[0]
                where = ".".join(str(p) for p in error["loc"])
                if (
                    error["type"] != "string_too_long"
                    or cut is None
                    or not cut(number, where, item, error["loc"], error["ctx"]["max_length"])
                ):
                    raise InputError(
                        f"{folder / PERSONAS}: persona {number}, {where}: {error['msg']}"
                    ) from None
    stored = load(RECORDS) if (folder / RECORDS).is_file() else {"records": []}
    records = {}
    for item in stored.get("records", []):
        record = record_from_json(item)
        records[record.id] = record
    return Run(personas=personas, manifest=manifest, records=records)


def record_json(record: Record) -> dict[str, Any]:
    source = record.source
    return {
        "id": record.id,
        "source": {
            "file": source.file,
            "row": source.row,
            "line_start": source.line_start,
            "line_end": source.line_end,
        },
        "text": record.text,
        "fields": dict(record.fields),
    }


def record_from_json(item: Mapping[str, Any]) -> Record:
    source = item.get("source", {})
    return Record(
        id=item["id"],
        source=Provenance(
            source.get("file", ""), source.get("row"), source.get("line_start"), source.get("line_end")
        ),
        text=item.get("text", ""),
        fields=item.get("fields", {}),
    )


def persona_filename(index: int, persona: Persona) -> str:
    return f"{index:02d}-{persona.id}.md"


def render_markdown(
    persona: Persona,
    sources: Mapping[str, Record],
    represented: int | None = None,
    note: str | None = None,
) -> str:
    """One persona as Markdown. ``sources`` maps record ids to the records (as the engine saw them);
    ``note`` is the engine's line on how it was made."""
    lines = [f"# {persona.name}", "", f"*{persona.role}*", ""]
    if note:
        lines += [f"> {note}", ""]
    if represented is not None:
        lines += [f"Represents {represented} record{'s' if represented != 1 else ''}.", ""]
    lines += [persona.summary, ""]
    demographics = [
        (label, value)
        for label, value in (
            ("Age", persona.demographics.age_range),
            ("Occupation", persona.demographics.occupation),
            ("Location", persona.demographics.location),
        )
        if value
    ]
    if demographics:
        lines += ["## Demographics", ""] + [f"- **{label}:** {value}" for label, value in demographics] + [""]
    for title, items in (
        ("Goals", persona.goals),
        ("Pain points", persona.pain_points),
        ("Behaviours", persona.behaviours),
        ("Motivations", persona.motivations),
    ):
        lines += [f"## {title}", ""] + [f"- {item}" for item in items] + [""]
    if persona.quotes:
        lines += ["## In their words", ""]
        for quote in persona.quotes:
            lines += [f"> {quote.text}", f"> — {_name(quote.record_id, sources)}", ""]
    lines += ["## Evidence", ""]
    lines += [f"- {_name(rid, sources)}" for rid in persona.evidence]
    return "\n".join(lines) + "\n"


def render_index(
    personas: Sequence[Persona], files: Sequence[str], manifest: Mapping[str, Any], counts: Mapping[str, int]
) -> str:
    """``index.md``: the run at a glance."""
    model = manifest.get("model", {}).get("name")
    lines = [
        "# Personas",
        "",
        f"{len(personas)} personas from {manifest['records']} records, engine `{manifest['engine']}`"
        + (f", model `{model}`" if model else "")
        + ".",
        "",
        "| persona | role | records | file |",
        "| --- | --- | --- | --- |",
    ]
    for persona, name in zip(personas, files, strict=True):
        count = counts.get(persona.id, len(persona.evidence))
        lines.append(f"| {_cell(persona.name)} | {_cell(persona.role)} | {count} | [{name}]({name}) |")
    lines += ["", "Open `report.html` for the cards, the evidence behind every statement and the coverage."]
    for warning in manifest.get("warnings", []):
        lines.append(f"- warning: {warning}")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _name(record_id: str, sources: Mapping[str, Record]) -> str:
    record = sources.get(record_id)
    return label(record) if record is not None else f"`{record_id}`"

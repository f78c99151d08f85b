"""``persona privacy scan`` and ``persona privacy anonymise``. Light at import."""

from __future__ import annotations

import contextlib
import json
from collections import Counter, deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from persona import executor_option, executor_overrides, scheduler_option, workers_option

app = typer.Typer(no_args_is_help=True, help="Find and remove personal data in research files.")


def _context(
    options: dict[str, Any] | None = None, overrides: dict[str, Any] | None = None
) -> tuple[Any, Any, Any]:
    from persona import current_runtime as current

    from persona_privacy.settings import PrivacySettings

    runtime = current()
    loaded = runtime.settings(overrides or None).settings
    section = loaded.plugin_section("privacy")
    section.update(options or {})
    limits = loaded.input.limits()
    return runtime, PrivacySettings.from_section(section), limits


def mask(value: str) -> str:
    """``Jane Smith`` -> ``J*** S****``: enough to recognise a finding, not to read it."""
    return " ".join(word[:1] + "*" * (len(word) - 1) for word in value.split())


@app.command("scan")
def scan(
    paths: list[str] = typer.Argument(..., help="Files or folders to scan."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
    show_values: bool = typer.Option(False, "--show-values", help="Show raw values instead of masked ones."),
    fail_on_pii: bool = typer.Option(False, "--fail-on-pii", help="Exit with code 11 if anything is found."),
    explain: bool = typer.Option(
        False,
        "--explain",
        help="Say which rule made each finding, and which rule kept each word it let stay.",
    ),
    executor: str | None = executor_option(),
    workers: int | None = workers_option(),
    scheduler: str | None = scheduler_option(),
) -> None:
    """Preview the personal data that anonymisation would remove. Files are never changed."""
    from persona import discover, input_paths, stream_all

    runtime, settings, limits = _context(overrides=executor_overrides(executor, workers, scheduler))
    files = stream_all(discover(input_paths(paths, "PATH"), limits, _notice), limits)
    # --explain runs in this process (it reads every keep decision), so it starts no workers
    with contextlib.nullcontext(None) if explain else runtime.executor() as pool:
        _scan(
            files, settings, pool, runtime.progress,
            as_json=as_json, show_values=show_values, explain=explain, fail=fail_on_pii,
        )  # fmt: skip


def _scan(
    files: list[Any],
    settings: Any,
    pool: Any,
    progress: Any,
    *,
    as_json: bool,
    show_values: bool,
    explain: bool,
    fail: bool,
) -> None:
    from persona import PIIFoundError

    from persona_privacy.anonymiser import Anonymiser, is_placeholder
    from persona_privacy.detector import rule_reason

    anonymiser = Anonymiser(settings, executor=pool)
    report: list[dict[str, Any]] = []
    totals: Counter[str] = Counter()
    records, done, last = sum(f.record_count for f in files), 0, None
    for loaded in files:
        for warning in loaded.warnings:
            _notice(warning)
    with progress("scanning records") as step:  # closed before the report is printed
        for loaded in files:

            def pairs(
                opened: Any = loaded,
            ) -> Iterator[tuple[tuple[str, str | None], tuple[Any, str | None]]]:
                for record in opened.records():
                    for name, value in record.fields.items():
                        yield (value, name), (record, name)
                    if record.text:
                        yield (record.text, None), (record, None)

            if not anonymiser.admit(loaded.display, (value for value, _ in pairs())):
                continue
            pending: deque[tuple[tuple[str, str | None], tuple[Any, str | None]]] = deque()

            def values(queue: deque[Any] = pending) -> Iterator[tuple[str, str | None]]:
                for pair in pairs():
                    queue.append(pair)  # its place, for when its detections come back
                    yield pair[0]

            findings = []
            kept_words = []
            for detections, dropped in _decisions(anonymiser, values(), explain):
                (text, _), (record, field) = pending.popleft()
                if record is not last:
                    last, done = record, done + 1
                    if done % 200 == 0 or done == records:
                        step(done, records)
                where = {
                    "where": record.source.where(),
                    "row": record.source.row,
                    "lines": [record.source.line_start, record.source.line_end]
                    if record.source.line_start
                    else None,
                    "field": field,
                }
                for d in detections:
                    raw = text[d.start : d.end]
                    if is_placeholder(raw):
                        continue  # Persona's own replacement, in already anonymised data
                    totals[d.entity] += 1
                    finding = {
                        **where,
                        "entity": d.entity,
                        "score": round(d.score, 2),
                        "value": raw if show_values else mask(raw),
                        "rule": d.source,
                    }
                    findings.append({**finding, "reason": rule_reason(d.source)} if explain else finding)
                for d, rule in dropped:
                    raw = text[d.start : d.end].strip()
                    if raw and raw[:1].isupper():  # the capitalised words a reader would ask about
                        kept_words.append(
                            {
                                **where,
                                "value": raw,
                                "found_by": d.source,
                                "rule": rule,
                                "reason": rule_reason(rule),
                            }
                        )
            entry: dict[str, Any] = {
                "file": loaded.display,
                "records": loaded.record_count,
                "findings": findings,
            }
            report.append({**entry, "kept": kept_words} if explain else entry)
    if as_json:
        typer.echo(
            json.dumps({"files": report, "totals": dict(totals.most_common())}, indent=2, ensure_ascii=False)
        )
    else:
        for entry in report:
            typer.echo(f"{entry['file']}: {len(entry['findings'])} findings in {entry['records']} records")
            for f in entry["findings"]:
                field = f", {f['field']}" if f["field"] else ""
                because = f"  [{f['rule']}: {f['reason']}]" if explain else ""
                place = f"{f['where'].split(', ', 1)[-1]}{field}"
                typer.echo(f"  {place}: {f['entity']} {f['score']:.2f} {f['value']}{because}")
            for k in entry.get("kept", []):
                place = f"{k['where'].split(', ', 1)[-1]}" + (f", {k['field']}" if k["field"] else "")
                typer.echo(f"  {place}: kept {k['value']!r}  [{k['rule']}: {k['reason']}]")
        summary = ", ".join(f"{entity} {count}" for entity, count in totals.most_common()) or "nothing found"
        typer.echo(f"Total: {sum(totals.values())} ({summary})")
    if fail and totals:
        raise PIIFoundError(f"personal data found: {sum(totals.values())} detections in {len(report)} files")


@app.command("anonymise")
def anonymise(
    paths: list[str] = typer.Argument(..., help="Files or folders to anonymise."),
    output: Path = typer.Option(
        ..., "--output", "-o", help="Folder for the anonymised copies (new or empty)."
    ),
    strategy: str | None = typer.Option(
        None, "--strategy", help="redact, replace or hash (default: redact)."
    ),
    keep_names: bool = typer.Option(
        False, "--keep-names", help="Name the copies like the inputs (file names can name participants)."
    ),
    save_mapping: Path | None = typer.Option(
        None, "--save-mapping", help="Also save original -> replacement to this file (re-identifies people!)."
    ),
    skip_refused: bool = typer.Option(
        False, "--skip-refused", help="Go on without a file that cannot be anonymised safely (no copy of it)."
    ),
    executor: str | None = executor_option(),
    workers: int | None = workers_option(),
    scheduler: str | None = scheduler_option(),
) -> None:
    """Write anonymised copies that keep each file's format. Inputs are never overwritten.

    CSV, TSV, JSON Lines, text and Markdown are read a row or a passage at a time, several times
    (check; detect; decide over the whole run; replace and write), so memory grows with what is
    found, not with the files."""
    import itertools

    from persona import InputError, RunWriter, UsageError, check_target, discover, input_paths, stream

    from persona_privacy.anonymiser import Anonymiser
    from persona_privacy.settings import check_strategy

    chosen = check_strategy(strategy)
    runtime, settings, limits = _context(
        {"skip_refused": True} if skip_refused else None, executor_overrides(executor, workers, scheduler)
    )
    inputs = input_paths(paths, "PATH")
    check_target(output, explicit=True)
    sources = discover(inputs, limits, _notice)
    target = output.resolve()
    folders = [path.resolve() for path in inputs if path.is_dir()]
    if target in sources or any(target == folder or folder in target.parents for folder in folders):
        raise UsageError(f"{output}: the output folder is inside the input; choose a folder outside it")
    if save_mapping is not None:
        check_mapping_path(save_mapping, [*inputs, output])
    names = _output_names(sources, inputs) if keep_names else _numbered(sources)
    files = [stream(source, limits) for source in sources]  # each checked whole before any work
    anonymiser = Anonymiser(settings, chosen)
    for opened in files:
        for warning in opened.warnings:
            _notice(warning)
    files = [f for f in files if anonymiser.admit(f.display, f.values())]
    if not files:
        raise InputError("every input was refused (privacy.skip_refused); nothing was written")

    def values() -> Iterator[tuple[str, str | None]]:
        for opened in files:
            yield from opened.values()

    total = sum(f.value_count for f in files)
    with runtime.executor() as pool, RunWriter(output) as writer:
        anonymiser.executor = pool
        with runtime.progress("detecting") as step:
            anonymiser.progress = step
            plan = anonymiser.plan(values, total)
        with runtime.progress("replacing and writing") as step:
            out = _counted(anonymiser.replaced(values, plan), total, step)
            for opened in files:
                with writer.open_text(names[opened.path]) as handle:
                    opened.write(itertools.islice(out, opened.value_count), handle)
        listed = [
            {"output": names[f.path], "format": f.format, "sha256": f.sha256, "records": f.record_count}
            for f in files
        ]
        writer.write_json("anonymisation.json", {**anonymiser.summary(), "files": listed})
        writer.commit()
    if save_mapping is not None:
        anonymiser.save_mapping(save_mapping)
    summary = anonymiser.summary()
    mentions = sum(summary["mentions_by_type"].values())
    typer.echo(
        f"{len(files)} files anonymised into {output} ({summary['strategy']}, {mentions} values replaced)"
    )
    for warning in summary["warnings"]:
        typer.echo(f"persona: warning: {warning}", err=True)


def _counted(items: Iterator[str], total: int, step: Any) -> Iterator[str]:
    for done, item in enumerate(items, start=1):
        if done % 200 == 0 or done == total:
            step(done, total)
        yield item


def _decisions(
    anonymiser: Any, values: Iterator[Any], explain: bool
) -> Iterator[tuple[list[Any], list[tuple[Any, str]]]]:
    """(detections, [(finding a keep-rule dropped, rule)]) per value. Explaining runs in this
    process, a batch at a time; a plain scan uses the run's workers and records no keep decisions."""
    import itertools

    detector = anonymiser.detector
    if not explain:
        for detections in detector.detect_stream(values, executor=anonymiser.executor):
            yield detections, []
        return
    while batch := list(itertools.islice(values, detector.settings.batch_size)):
        yield from detector.explain(batch)


def check_mapping_path(path: Path, folders: list[Path]) -> None:
    """The re-identification mapping goes beside the data, never over it or into it."""
    from persona import UsageError

    target = path.expanduser().resolve()
    if target.exists():
        raise UsageError(f"--save-mapping {path}: the file exists; the mapping is never written over a file")
    for folder in folders:
        where = folder.expanduser().resolve()
        if target == where or where in target.parents:
            raise UsageError(
                f"--save-mapping {path}: inside {folder}; keep the mapping outside the input and "
                "output folders"
            )


def _notice(message: str) -> None:
    typer.echo(f"persona: {message}", err=True)


def _numbered(sources: list[Path]) -> dict[Path, str]:
    """``input-1.csv``, ``input-2.txt``...: a file or folder name can name a participant, so the
    copies say nothing of them; anonymisation.json pairs each with its input's sha256."""
    return {
        source: f"input-{number}{source.suffix.lower()}" for number, source in enumerate(sources, start=1)
    }


def _output_names(sources: list[Path], given: list[Path]) -> dict[Path, str]:
    """Names inside the output folder: relative to the folder given, else the file name."""
    names: dict[Path, str] = {}
    roots = [p.resolve() for p in given if p.is_dir()]
    for source in sources:
        name = source.name
        for root in roots:
            if root in source.parents:
                name = str(source.relative_to(root))
                break
        base, suffix = Path(name).with_suffix(""), Path(name).suffix
        candidate, number = name, 2
        while candidate in names.values():
            candidate = f"{base}-{number}{suffix}"
            number += 1
        names[source] = candidate
    return names

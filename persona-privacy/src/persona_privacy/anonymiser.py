"""Detection plus replacement for a whole run, and the ``anonymise`` preprocessor built on it.

All values of a run are detected before any is replaced, so a surrogate can never be a real value
that appears later in the data. After replacing, the output is scanned again and whatever is still
detected (other than Persona's own replacements) is reported.
"""

from __future__ import annotations

import itertools
import re
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from persona import InputError, Record, normalise

from persona_privacy.detector import Detection, Detector, english_share
from persona_privacy.settings import PrivacySettings, Strategy, check_strategy
from persona_privacy.strategies import GENERALISED, apply, make_pseudonymiser

if TYPE_CHECKING:
    from persona import Executor

MIN_WORDS = 40
PROSE_WORDS = 4  # a value of fewer words is a name, a number, a code or a category, not prose
MIN_ENGLISH = 0.15
_OURS = re.compile(r"\[[A-Z][A-Z0-9_]*_\d+\]|\b[A-Z][A-Z0-9_]*_[0-9a-f]{8}\b|\b\d{1,3}-\d{1,3}\b")

Value = tuple[str, str | None]  # (text, column header or None)
RESCAN_BLOCK = 20_000  # values replaced at a time, the changed ones of which are detected again


def is_placeholder(value: str) -> bool:
    """``[PERSON_15]``, ``PERSON_3f9a2c1b`` or an age band: what Persona itself put there."""
    return bool(_OURS.fullmatch(value.strip()))


@dataclass(frozen=True)
class Plan:
    """What ``Anonymiser.plan`` decided: the detections to replace (``found``) and what the first
    pass detected (``detected``), by value index, for the values that have any."""

    found: dict[int, list[Detection]]
    detected: dict[int, list[Detection]]


class Anonymiser:
    def __init__(
        self,
        settings: PrivacySettings,
        strategy: Strategy | None = None,
        detector: Detector | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.settings = settings
        self.executor = executor  # None: detection runs in this process
        self.strategy: Strategy = strategy or settings.strategy
        self.detector = detector or Detector.shared(settings)
        self.pseudonymiser = make_pseudonymiser(self.strategy, settings)
        self.residual: Counter[str] = Counter()
        self.refused: list[str] = []  # why each left-out file was refused, never its name
        self.found_by_rule: Counter[str] = Counter()  # which rule removed each mention
        self.kept_by_rule: Counter[str] = Counter()  # which keep-rule let a finding stay
        self.values = 0
        self.judged_content: set[str] = set()  # guesses the run as a whole kept (casefolded)
        self.kept_by_judgement: Counter[str] = Counter()
        self.originals: dict[str, str] = {}
        self.progress: Callable[[int, int], None] | None = None

    def check_english(self, display: str, values: Iterable[Value]) -> None:
        """Refuse a file whose prose is not English. Only free text is judged: a table of names,
        e-mails, phone numbers and postcodes has no function words in any language, and its
        structured fields are anonymised by their kind (column header, pattern) whatever the prose."""
        from persona_privacy.detector import header_entity

        prose = (
            text
            for text, header in values
            if len(text.split()) >= PROSE_WORDS and header_entity(header) is None
        )
        words, share = english_share(self.detector.nlp, prose)
        if words >= MIN_WORDS and share < MIN_ENGLISH:
            raise InputError(
                f"{display}: the text does not look like English ({share:.0%} English function words); "
                "persona-privacy detects personal data in English only, so it will not pretend to "
                "anonymise this file (if it is English, set input.encoding to the encoding it was saved in; "
                "privacy.skip_refused = true goes on without it)"
            )

    def admit(self, display: str, values: Iterable[Value]) -> bool:
        """Whether a file can be anonymised; with ``skip_refused`` a refused file is left out
        (said on stderr, counted in the manifest without its name) instead of stopping the run."""
        try:
            self.check_english(display, values)
        except InputError as refusal:
            if not self.settings.skip_refused:
                raise
            self.refused.append(str(refusal).removeprefix(f"{display}: ").split(";")[0])
            print(f"persona: warning: left out (privacy.skip_refused): {refusal}", file=sys.stderr)
            return False
        return True

    def anonymise(self, values: Sequence[Value]) -> tuple[list[str], list[list[Detection]]]:
        """Replace what is detected in every value; returns the new texts and the detections."""
        plan = self.plan(lambda: values, len(values))
        out = list(self.replaced(lambda: values, plan))
        return out, [plan.found.get(index, []) for index in range(len(values))]

    def plan(self, source: Source, total: int | None = None) -> Plan:
        """Detect every value of ``source``, then make the run's decisions over all of them: the
        detections to replace, by value index (only values that have any).

        ``source()`` yields the values again at each call, in the same order: a list, or files
        read a row at a time. Only what was found is held, never the texts, so memory grows with
        the findings, not the data. ``total`` (the number of values, when known) is for progress."""
        seen: dict[int, list[_Seen]] = {}
        kept_before = Counter(self.detector.kept_by_rule)
        count = 0
        pending: deque[str] = deque()  # the texts whose detections are still to come back

        def inputs() -> Iterator[Value]:
            for value in source():
                pending.append(value[0])
                yield value

        for detections in self.detector.detect_stream(inputs(), executor=self.executor):
            text = pending.popleft()
            if detections:
                seen[count] = [_seen(text, d) for d in detections]
            count += 1
            if self.progress is not None and (count % 200 == 0 or count == total):
                self.progress(count, total or count)
        self.kept_by_rule += self.detector.kept_by_rule - kept_before
        found = everywhere(source, seen, self.judged_content)
        for index, text in _texts_at(source, found):
            for d in found[index]:
                self.found_by_rule[d.source] += 1
                original = text[d.start : d.end]
                self.originals.setdefault(normalise(original), original)
        self.pseudonymiser.reserve(self.originals.values())
        self.values += count
        detected = {index: [s.detection for s in found_here] for index, found_here in seen.items()}
        return Plan(found, detected)

    def replaced(self, source: Source, plan: Plan) -> Iterator[str]:
        """Every value of ``source`` with the plan's detections replaced, in order. The output is
        scanned again as it goes and what is still detected is counted in the summary.

        Detection depends on a value's text and header alone, so only the values that changed are
        detected again; a value left as it was is judged on what the first pass found in it."""
        found = plan.found
        values = iter(enumerate(source()))
        while block := list(itertools.islice(values, RESCAN_BLOCK)):
            out = [
                (apply(text, found[index], self.pseudonymiser) if index in found else text, header)
                for index, (text, header) in block
            ]
            changed = [
                position
                for position, ((index, (text, _)), (new, _)) in enumerate(zip(block, out, strict=True))
                if new != text
            ]
            again = self.detector.detect_stream((out[p] for p in changed), executor=self.executor)
            rescanned = dict(zip(changed, again, strict=True))
            for position, ((index, _), (new, _)) in enumerate(zip(block, out, strict=True)):
                detections = rescanned.get(position)
                if detections is None:
                    detections = plan.detected.get(index, [])
                self._residue(new, detections, self.residual)
                yield new

    def rescan(self, texts: Sequence[str], headers: Sequence[str | None] | None = None) -> Counter[str]:
        """Entity types still detected in anonymised texts, apart from Persona's own replacements;
        with the column headers the texts came from, so a column of apps is judged as one."""
        left: Counter[str] = Counter()
        pairs = zip(texts, headers or [None] * len(texts), strict=True)
        detections_of = self.detector.detect_stream(pairs, executor=self.executor)
        for text, detections in zip(texts, detections_of, strict=True):
            self._residue(text, detections, left)
        return left

    def _residue(self, text: str, detections: list[Detection], left: Counter[str]) -> None:
        for d in detections:
            value = text[d.start : d.end]
            if " ".join(value.split()).casefold() in self.judged_content:
                self.kept_by_judgement[d.entity] += 1  # the run judged it content on purpose
            elif not self._ours(value):
                left[d.entity] += 1

    def _ours(self, value: str) -> bool:
        if _OURS.fullmatch(value.strip()) or self.pseudonymiser.is_replacement(value):
            return True
        # a surrogate detected in part ("Ruth" of "Ruth Baker"), or with a neighbour
        key = normalise(value)
        return any(key in issued or issued in key for issued in self.pseudonymiser.issued)

    def summary(self) -> dict[str, Any]:
        """Counts only, never values: safe for the run manifest."""
        return {
            "strategy": self.strategy,
            "spacy_pipeline": self.detector.pipeline,
            "values_scanned": self.values,
            "mentions_by_type": dict(sorted(self.pseudonymiser.mentions.items())),
            "distinct_values_by_type": dict(sorted(self.pseudonymiser.distinct().items())),
            "still_detected_after_anonymising": dict(sorted(self.residual.items())),
            "guesses_kept_by_the_run": dict(sorted(self.kept_by_judgement.items())),
            "removed_by_rule": dict(self.found_by_rule.most_common()),
            "kept_by_rule": dict(self.kept_by_rule.most_common()),
            "refused_files": self.refused,
            "warnings": [
                "a re-scan of the anonymised text still detects "
                + ", ".join(f"{entity} {count}" for entity, count in sorted(self.residual.items()))
                + "; review the data, or add deny_list entries or patterns to [privacy]"
            ]
            if self.residual
            else [],
        }

    def save_mapping(self, path: Path) -> None:
        self.pseudonymiser.save(path, self.originals)
        print(
            f"persona: warning: saved the mapping of original values to {path}; it re-identifies people: "
            "keep it as safe as the raw data, and delete it when you can",
            file=sys.stderr,
        )


_WORD = re.compile(r"[^\W_][\w'’.@-]*")


Source = Callable[[], Iterable[Value]]
"""The values of a run: each call yields them again, in the same order (a list, or files read a
row at a time). The run-wide decisions read them several times and hold only what was found."""


class _Seen(NamedTuple):
    """A detection with what the run-wide decisions need of its text, so they need not keep it."""

    detection: Detection
    surface: str  #: the text detected
    at_start: bool  #: whether a sentence starts where it does


def _seen(text: str, d: Detection) -> _Seen:
    return _Seen(d, text[d.start : d.end], bool(_SENTENCE_START.search(text, 0, d.start)))


def _texts_at(source: Source, indices: Mapping[int, Any]) -> Iterator[tuple[int, str]]:
    """(index, text) of the values at ``indices``, in order, from one pass over ``source``."""
    if not indices:
        return
    for index, (text, _) in enumerate(source()):
        if index in indices:
            yield index, text


def everywhere(
    source: Source, found: Mapping[int, list[_Seen]], judged: set[str] | None = None
) -> dict[int, list[Detection]]:
    """One verdict per value for the whole run, applied wherever the value occurs.

    Detection is per value, so "Leeds" can be found in two rows and missed in a third, which would
    undo the replacement. A value found by a pattern, a column header, a context cue or a known
    name is personal wherever it occurs (a person's name carries its known-name parts with it:
    "Harriet Oduya" -> "Oduya"). A value only guessed by NER or the proper-noun recognizer is
    judged by the run as a whole: personal everywhere if it was detected in at least half of the
    places it occurs, else content everywhere ("Android" taken for a name once in six mentions).

    ``found`` holds what detection found, by value index; the result, the detections to replace.
    """
    from persona_privacy.content import GUESSED, NAME_LIKE, has_first_name
    from persona_privacy.detector import resolve
    from persona_privacy.names import distinctive

    judged = set() if judged is None else judged
    found = _without_sentence_start_words(source, found, judged)
    sure: dict[str, str] = {}  # key -> entity
    guessed: dict[str, str] = {}
    for seen in found.values():
        for d, surface, _ in seen:
            value = " ".join(surface.split())
            # generalised values are not carried to other places; too short ones are not looked for
            if d.entity in GENERALISED or len(value) < 3 or is_placeholder(value):
                continue
            if d.source in GUESSED and d.entity in NAME_LIKE and not has_first_name(value):
                guessed.setdefault(_key(value), d.entity)
                continue
            sure.setdefault(_key(value), d.entity)
            if d.entity == "PERSON":
                for part in value.split()[:4]:
                    part = part.strip(".,'’")
                    if len(part) >= 3 and part[:1].isupper() and distinctive(part):
                        sure.setdefault(_key(part), "PERSON")
    for key in sure:
        guessed.pop(key, None)
    if not sure and not guessed:
        return {index: [s.detection for s in seen] for index, seen in found.items() if seen}
    pattern = _Finder([*sure, *guessed])
    first_words = {key.split()[0].casefold() for key in [*sure, *guessed]}
    occurrences: dict[int, list[tuple[int, int, str]]] = {}  # where a found value occurs again
    counted: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    for index, (text, _) in enumerate(source()):
        if not any(word.casefold().rstrip(".") in first_words for word in _WORD.findall(text)):
            continue
        matches: list[tuple[int, int, str]] = []
        detections = [s.detection for s in found.get(index, ())]
        for m in pattern.finditer(text):
            key = _key(" ".join(m.group().split()))
            if key not in sure and key not in guessed:
                continue
            matches.append((m.start(), m.end(), key))
            if key in guessed:
                counted[key] += 1
                hit[key] += any(d.start <= m.start() and m.end() <= d.end for d in detections)
        if matches:
            occurrences[index] = matches
    content = {key for key in guessed if hit[key] * 2 < counted[key]}
    judged.update(key.casefold() for key in content)
    out: dict[int, list[Detection]] = {}
    for index, text in _texts_at(source, {**found, **occurrences}):
        seen = found.get(index, [])
        kept = [s.detection for s in seen if _key(" ".join(s.surface.split())) not in content]
        added = [
            Detection(sure.get(key) or guessed[key], start, end, 0.5, "PersonaEverywhere")
            for start, end, key in occurrences.get(index, ())
            if key not in content
            and not any(start < d.end and d.start < end for d in kept)
            and not _ordinary_occurrence(text, start, end)
        ]
        final = resolve(text, [*kept, *added]) if added or len(kept) != len(seen) else kept
        if final:
            out[index] = final
    return out


_SENTENCE_START = re.compile(r"(?:\A|[.!?:;]\s+|\n\s*)[\"'“‘(*]*\Z")


def _without_sentence_start_words(
    source: Source, found: Mapping[int, list[_Seen]], judged: set[str]
) -> Mapping[int, list[_Seen]]:
    """Guesses of a common English word capitalised only where sentences start ("Fares went up",
    "Bill payments go out") are dropped when the run writes that word in lower case elsewhere and
    never capitalises it mid-sentence, as a name would be."""
    from persona_privacy.content import GUESSED, NAME_LIKE
    from persona_privacy.names import common_word

    candidates: set[str] = set()
    for seen in found.values():
        for d, value, at_start in seen:
            if (
                d.source in GUESSED
                and d.entity in NAME_LIKE
                and value.isalpha()
                and value[:1].isupper()
                and at_start
                and common_word(value)
            ):
                candidates.add(value.casefold())
    if not candidates:
        return found
    pattern = re.compile(
        r"(?<![\w'’-])(?:" + "|".join(map(re.escape, sorted(candidates))) + r")(?![\w'’-])", re.I
    )
    lower: Counter[str] = Counter()
    named: Counter[str] = Counter()  # capitalised where no sentence starts
    for text, _ in source():
        for m in pattern.finditer(text):
            word = m.group()
            if word.islower():
                lower[word] += 1
            elif not _SENTENCE_START.search(text, 0, m.start()):
                named[word.casefold()] += 1
    ordinary = {word for word in candidates if lower[word] and not named[word]}
    if not ordinary:
        return found
    judged.update(ordinary)
    return {
        index: [
            s
            for s in seen
            if not (s.detection.source in GUESSED and s.surface.casefold() in ordinary and s.at_start)
        ]
        for index, seen in found.items()
    }


def _ordinary_occurrence(text: str, start: int, end: int) -> bool:
    """An occurrence a found value is not carried to: a common English word written as one, in
    lower case or capitalised only because a sentence starts there ("advance fares drop", "a
    mid-journey change" after either was taken for a name), or a word for someone in a person's
    life ("my nan"). Where the detector found it, it goes."""
    from persona_privacy.names import common_word, inflected, names, ordinary
    from persona_privacy.words import kin

    value = text[start:end]
    if kin(text, start, end):
        return True  # "my nan", where "Nan" was somebody's name elsewhere in the run
    if not (value.islower() or _SENTENCE_START.search(text, 0, start)):
        return False
    # a known name keeps going with it ("said harriet"), unless it is also plainly a word
    return ordinary(value) or inflected(value) or (common_word(value) and not names().is_name(value))


def _folds(value: str) -> bool:
    """Whether a value is looked for in any case: yes for e-mails, numbers, several words and known
    names ("harriet" typed in passing is Harriet); single ordinary or unknown words keep their case
    (the place "Leeds"; "Mark" the name is not "mark" the verb)."""
    from persona_privacy.names import distinctive

    return not value.isalpha() or distinctive(value)


def _key(value: str) -> str:
    return value.casefold() if _folds(value) else value


class _Finder:
    """Where any of many keys occurs in a text: what ``_alternation(keys).finditer`` finds, the
    same matches in the same order, without trying every key at every position. One regular
    expression of every value a run found (a million rows find a hundred thousand) costs time in
    proportion to the keys at each position of each text; here a position tries only the keys
    whose first word is a word starting there, longest key first, as the alternation would."""

    def __init__(self, keys: list[str]) -> None:
        self._keys: dict[str, list[tuple[int, str]]] = {}
        for order, key in enumerate(sorted(keys, key=len, reverse=True)):  # the alternation's order
            self._keys.setdefault(key.split()[0].lower(), []).append((order, key))
        self._compiled: dict[str, re.Pattern[str]] = {}  # a key's pattern, made when first tried

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        end = 0
        for chunk in _CHUNK.finditer(text):
            for start in range(max(chunk.start(), end), chunk.end()):
                if start < end or (start > 0 and _BEFORE_KEY.match(text, start - 1)):
                    continue  # inside a match, or where no key starts (the alternation's look-behind)
                word = text[start : chunk.end()]
                ends = [n for n, ch in enumerate(word) if n and not (ch.isalnum() or ch in "_@")]
                candidates = sorted(
                    found for n in {*ends, len(word)} for found in self._keys.get(word[:n].lower(), ())
                )
                for _, key in candidates:
                    pattern = self._compiled.get(key)
                    if pattern is None:
                        pattern = self._compiled[key] = _alternation([key])
                    match = pattern.match(text, start)
                    if match is not None:
                        yield match
                        end = match.end()
                        break


_CHUNK = re.compile(r"\S+")
_BEFORE_KEY = re.compile(r"[\w@.]")


def _alternation(keys: list[str]) -> re.Pattern[str]:
    branches = [
        ("(?i:" + r"\s+".join(map(re.escape, key.split())) + ")") if _folds(key) else re.escape(key)
        for key in sorted(keys, key=len, reverse=True)
    ]
    return re.compile(r"(?<![\w@.])(?:" + "|".join(branches) + r")(?![\w@])")


def _unique(name: str, taken: Mapping[str, str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name} ({number})", number + 1
    return candidate


def opaque(record: Record, files: Mapping[str, int], passages: Counter[str]) -> dict[str, Any]:
    """An id and provenance that say nothing of the file's name or folder: ``f2-r14`` (row 14 of
    the second input), ``f1-l3`` (the record at line 3), ``f3-p2`` (second passage)."""
    from persona import Provenance

    source = record.source
    number = files[source.file]
    if source.row is not None:
        suffix = f"r{source.row}"
    elif source.line_start is not None and source.line_end is None:
        suffix = f"l{source.line_start}"
    else:
        passages[source.file] += 1
        suffix = f"p{passages[source.file]}"
    where = Provenance(f"input {number}", source.row, source.line_start, source.line_end)
    return {"id": f"f{number}-{suffix}", "source": where}


class AnonymisePreprocessor:
    """The ``anonymise`` preprocessor: records in, anonymised records out."""

    name = "anonymise"

    def __init__(self, options: Mapping[str, Any]) -> None:
        options = dict(options)
        # The flag arrives under its own name, so a bad value in the settings file is blamed on
        # the setting (exit 3) and a bad flag on the flag (exit 2).
        strategy = check_strategy(options.pop("--strategy", None))
        self.settings = PrivacySettings.from_section(options)
        self.anonymiser = Anonymiser(self.settings, strategy or self.settings.strategy)

    # The pipeline names inputs "input N" in the run folder instead of their paths.
    hides_paths = True

    def set_progress(self, callback: Callable[[int, int], None]) -> None:
        """Values scanned of all values, as detection goes (the long part of a run)."""
        self.anonymiser.progress = callback

    def set_executor(self, executor: Executor) -> None:
        """Detection runs on the run's executor (``--workers``, ``--executor dask``)."""
        self.anonymiser.executor = executor

    def process(self, records: Iterable[Record]) -> Iterator[Record]:
        from persona import KEY

        records = list(records)
        texts_of: dict[str, list[Value]] = {}
        for record in records:
            texts_of.setdefault(record.source.file, []).extend(
                [
                    *((value, name) for name, value in record.fields.items()),
                    *([(record.text, None)] if record.text else []),
                ]
            )
        refused = {
            display for display, texts in texts_of.items() if not self.anonymiser.admit(display, texts)
        }
        records = [record for record in records if record.source.file not in refused]
        by_file: dict[str, list[Value]] = {}
        values: list[Value] = []
        names = sorted({name for record in records for name in record.fields})
        # Column headers and keys are scanned like values: a key can be a name or an email.
        values.extend((name, KEY) for name in names)
        for record in records:
            texts = by_file.setdefault(record.source.file, [])
            for name, value in record.fields.items():
                values.append((value, name))
                texts.append((value, name))
            if record.text:
                values.append((record.text, None))
                texts.append((record.text, None))
        out, _ = self.anonymiser.anonymise(values)
        if self.settings.save_mapping:
            self.anonymiser.save_mapping(Path(self.settings.save_mapping).expanduser())
        renamed = dict(zip(names, out[: len(names)], strict=True))
        position = len(names)
        files = {display: number for number, display in enumerate(by_file, start=1)}
        passages: Counter[str] = Counter()
        for record in records:
            fields: dict[str, str] = {}
            for name in record.fields:
                fields[_unique(renamed[name], fields)] = out[position]
                position += 1
            text = record.text
            if record.text:
                text = out[position]
                position += 1
            yield record.replace(text=text, fields=fields, **opaque(record, files, passages))

    def summary(self) -> Mapping[str, Any]:
        return self.anonymiser.summary()

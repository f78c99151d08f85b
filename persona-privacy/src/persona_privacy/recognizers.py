"""Persona's rules that need code, on two bases: ``PersonaRecognizer`` (an analysis of the text
and its tokens) and ``PersonaPatternRecognizer`` (patterns with a check a regex cannot make).

Each is listed in ``rules/<language>.yaml`` by its class name, with its scores, the reason for
them and the cases it must catch and leave alone; presidio's registry loader builds it from there.
Pattern rules that need no code live in that file only. Imported only when the detector is built
(it imports presidio)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult

from persona_privacy.content import PRODUCT_SHAPE as _PRODUCT_SHAPE
from persona_privacy.names import common_word, distinctive, inflected, names, ordinary
from persona_privacy.words import DETERMINERS, alternation, data_lines, kin, kin_phrase, surname_particles

# Blanks inside a line: the space in a cue phrase that must not cross a line break.
_BLANK = r"[ \t]+"

# Street-type words, from postal conventions (USPS suffixes, UK and European usage). General
# vocabulary of addresses, not names of any particular place.
_SUFFIXES = (
    "street|st|avenue|ave|av|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct|place|pl|square|sq|"
    "terrace|ter|way|close|crescent|cres|grove|gardens|gdns|hill|park|parkway|pkwy|highway|hwy|"
    "circle|cir|trail|trl|row|walk|mews|rise|green|view|vale|wharf|quay|parade|pde|passage|"
    "alley|plaza|heights|hts|ridge|mill|mills|point|pt|ranch|crossing|xing|loop|pike|run|path|"
    "estates|fort|ft|harbor|harbour|junction|jct|lake|landing|manor|meadow|meadows|port|prairie|"
    "ramp|shore|shores|spring|springs|station|sta|summit|turnpike|tpke|union|valley|vly|villa|"
    "village|vlg|ville|vista|well|wells|broadway|camp|canyon|cape|center|centre|corner|corners|"
    "creek|dale|dam|divide|extension|ext|falls|ferry|field|fields|flat|flats|ford|forest|forge|"
    "fork|forks|freeway|fwy|gateway|glen|haven|hollow|island|isle|key|knoll|lodge|motorway|mount|"
    "mountain|mtn|neck|orchard|oval|pass|pine|pines|plain|plains|radial|river|shoal|skyway|"
    "stream|track|trace|trafficway|tunnel|underpass|via|viaduct"
)
# Street words used as a prefix (Romance languages) or as a word ending (Germanic, Nordic, Slavic).
_PREFIXES = (
    "calle|carrer|avenida|avda|rua|via|viale|vicolo|corso|piazza|largo|rue|boulevard|bd|chemin|"
    "allée|allee|place|quai|impasse|route|strada|ulica|ul\\.|travessa|praça|praca|paseo|camino|"
    "ronda|plaza|callejón|rambla"
)
_ENDINGS = (
    "straße|strasse|str\\.|weg|gasse|platz|allee|ring|damm|ufer|katu|tie|kuja|gatan|vägen|vagen|"
    "gränd|vej|gade|veien|gata|laan|straat|plein|gracht|kade|utca|útja|ulice|ulica|cesta|sokak|"
    "caddesi"
)
_UNIT = r"(?:,?\s*(?i:apt\.?|apartment|suite|ste\.?|unit|flat|floor|fl\.?|room|rm\.?|#)\s*[\w-]+)?"
_NUMBER = r"\d{1,5}[A-Za-z]?(?:[-/]\d{1,5}[A-Za-z]?)?(?:\s+\d{1,5}(?=\s+[^\W\d_]))?"
_UPPER = "A-ZÀ-ÖØ-ÝĀ-ŽΑ-ΩА-Я"
_WORD = rf"[{_UPPER}][\w'’.-]*"
_NAME = rf"{_WORD}(?:\s+(?:{_WORD}|de|la|del|di|da|do|dos|das|von|van|der|le|du|des))*?"

_CAPITAL_PREFIXES = "|".join(word[:1].upper() + word[1:] for word in _PREFIXES.split("|"))
_BARE_PREFIX = rf"\b(?:{_CAPITAL_PREFIXES})\s+{_NAME}{_UNIT}"

STREET_PATTERNS = [
    # 221B Baker Street, 14 Mill Lane Flat 2, 10 Downing St
    rf"\b{_NUMBER}\s+{_NAME}\s+(?i:{_SUFFIXES})\b\.?{_UNIT}",
    # Calle Mayor 12, Rue de la Paix 5, Via Roma, 3 (also written in lower case)
    rf"\b(?i:{_PREFIXES})\s+[\w'’.-]+(?:\s+[\w'’.-]+){{0,3}}?(?:\s*,?\s*(?:n[º°o.]\s*)?{_NUMBER})(?!\w){_UNIT}",
    # Via Roma, Rue Cler: with no number only a capitalised prefix, as street signs write it ("via
    # Monzo", "place Orders" are prose); a brand after it is never a street (see analyze)
    _BARE_PREFIX,
    # Orchard Road 14 (the number after the street)
    rf"\b(?:{_NUMBER}\s+)?{_NAME}\s+(?i:{_SUFFIXES})\.?\s+\d{{1,5}}[A-Za-z]?\b\.?{_UNIT}",
    # a flat or suite on its own line: Apt. 5, Suite 12
    r"\b(?i:apt\.?|apartment|suite|ste\.|unit|flat)\s*#?\d{1,5}[A-Za-z]?\b",
    # the corner of X and Y
    r"\b(?i:the\s+corner\s+of)\s+[^\n,?!]{2,60}?\s+and\s+[^\n,?!.]{2,40}",
    # Hauptstraße 5, Storgatan 12 B, Vesterbrogade 3
    rf"\b{_WORD}(?i:{_ENDINGS})\s*{_NUMBER}(?:\s+[A-Z]\b)?{_UNIT}",
    # 12 Hauptstraße
    rf"\b{_NUMBER}\s+{_WORD}(?i:{_ENDINGS})\b{_UNIT}",
    # PO Box 1234; US military mail (PSC/Unit ... Box, USNS ship, APO/FPO/DPO AA/AE/AP)
    r"\b(?i:p\.?\s?o\.?\s?box|postbox|post office box)\s+\d{1,6}\b",
    r"\b(?i:psc|unit|cmr)\s+\d{1,5},?\s+(?i:box)\s+\d{1,5}\b",
    r"\b(?:USNS|USS|USNV|USCGC)\s+[A-Z][a-z]+\b",
    r"\b(?i:apo|fpo|dpo)\s+(?i:aa|ae|ap)\s+\d{5}\b",
]

# What may follow a street line in the same address: a unit, a city, region, postal code or
# country, after a comma or on the next lines (quoted e-mail lines start with '>').
# A UK postcode first, so "LS6 3QW" is taken whole, never as "LS6" and "3Q".
_PART_WORD = (
    r"(?:[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b|["
    + _UPPER
    + r"][\w'’.-]*|[A-Z]{2,3}|\d{3,6}(?:-\d{3,4})?|\([\w ]+\))"
)
_JOINER = r"(?:de|la|del|am|im|upon|on|sur|en|nad|pod|an|der|di|da|do)\b"
_UNIT_PART = r"(?:apt\.?|apartment|suite|ste\.?|unit|flat|floor|fl\.?|room|rm\.?|box|#)\s*[\w-]+"
_TAIL_PART = re.compile(
    r"[ \t]*(?:,[ \t>*]*|\n[ \t,>*?•-]*)"
    rf"((?i:{_UNIT_PART})|{_PART_WORD}(?:[ \t]+(?:{_PART_WORD}|{_JOINER})){{0,4}})(?![ \t]*:)"
)
# Addresses announced by their context ("my address is", "lives at", "Address:").
ADDRESS_CUE = re.compile(
    r"(?i:\b(?:address(?:\s+is)?\s*[:\-]?|moved to|lives? (?:at|on)|living at|located at|ship(?:ped)? to|"
    r"send (?:it )?to|deliver(?:ed)? to|return to|based at)\s*\n?\s*)"
    r"(?=\d|[A-ZÀ-Ý])"
)
_CUED_LINE = re.compile(
    rf"(?:\d{{1,6}}[A-Za-z]?\s+)?{_PART_WORD}(?:[ \t]+(?:{_PART_WORD}|{_JOINER}|\d+[A-Za-z]?\b)){{0,6}}"
)


class PersonaRecognizer(EntityRecognizer):
    """A rule of Persona's that needs code. Built by presidio's registry loader from the rules
    file, which gives its name, its language, any context words and its ``scores`` (a name for
    each level of confidence, so no score is a bare number here)."""

    ENTITIES: tuple[str, ...] = ("PERSON",)

    def __init__(
        self,
        supported_language: str = "en",
        name: str | None = None,
        context: list[str] | None = None,
        scores: dict[str, float] | None = None,
    ) -> None:
        self.scores = dict(scores or {})
        super().__init__(
            supported_entities=list(self.ENTITIES),
            name=name or type(self).__name__,
            supported_language=supported_language,
            context=context,
        )

    def load(self) -> None:
        pass

    def score(self, level: str) -> float:
        if level not in self.scores:
            raise KeyError(f"{type(self).__name__}: the rules file gives no score for {level!r}")
        return self.scores[level]


class PersonaPatternRecognizer(PatternRecognizer):
    """A pattern rule that needs a line of code beyond its patterns (a check, a trim). Its
    patterns are named here; their scores and context words come from the rules file."""

    ENTITY = ""
    PATTERNS: ClassVar[dict[str, str]] = {}

    def __init__(
        self,
        supported_language: str = "en",
        name: str | None = None,
        context: list[str] | None = None,
        scores: dict[str, float] | None = None,
    ) -> None:
        scores = dict(scores or {})
        missing = sorted(set(self.PATTERNS) - set(scores))
        if missing:
            raise KeyError(f"{name or type(self).__name__}: the rules file gives no score for {missing}")
        super().__init__(
            supported_entity=self.ENTITY,
            patterns=[Pattern(label, regex, scores[label]) for label, regex in self.PATTERNS.items()],
            context=context or [],
            name=name or type(self).__name__,
            supported_language=supported_language,
        )


class PersonaStreetAddressRecognizer(PersonaRecognizer):
    """Street addresses: a street line, then the city, region, postcode and country after it."""

    ENTITIES = ("STREET_ADDRESS",)
    _PATTERNS: ClassVar[list[re.Pattern[str]]] = [re.compile(p) for p in STREET_PATTERNS]

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
        spans: list[tuple[int, int]] = []
        from persona_privacy.brands import known_brand

        for pattern in self._PATTERNS:
            for match in pattern.finditer(text):
                named = match.group().split(None, 1)[1:]
                if pattern.pattern == _BARE_PREFIX and named and known_brand(named[0]):
                    continue  # "Via Deliveroo": a service, not the Via of an Italian town
                spans.append((match.start(), _extend(text, match.end())))
        for cue in ADDRESS_CUE.finditer(text):
            line = _CUED_LINE.match(text, cue.end())
            if (line is not None and any(ch.isdigit() for ch in line.group())) or (
                line is not None and _TAIL_PART.match(text, line.end())
            ):
                # "moved to Kirkwall 4821 last spring": a joiner ("la", "de") does not end an address
                end = line.start() + len(re.sub(rf"(?:[ \t]+{_JOINER})+\Z", "", line.group()))
                spans.append((line.start(), _extend(text, end)))
        return [
            _result(self, "STREET_ADDRESS", start, end, self.score("address")) for start, end in _union(spans)
        ]


def _extend(text: str, end: int, parts: int = 5) -> int:
    for _ in range(parts):
        match = _TAIL_PART.match(text, end)
        if match is None:
            break
        end = match.end(1)
    return end


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


_PERSON_NAME = r"[A-ZÀ-Ý][\w'’-]+(?:\s+(?:[A-ZÀ-Ý]\.?|[A-ZÀ-Ý][\w'’-]+)){0,3}"
# After the strongest cues a name may be written in lower case ("my name is tamsin abara").
_ANY_NAME = r"[^\W\d_][\w'’-]+(?:[ \t]+(?:[^\W\d_]\.?|[^\W\d_][\w'’-]+)){0,2}"


# Penn Treebank tags of words that end a name: verbs, modals, prepositions, conjunctions,
# determiners, pronouns, "to".
_FUNCTION_TAGS = {"VB", "MD", "IN", "CC", "DT", "PR", "WP", "WD", "TO", "EX", "RB"}


def _result(
    recognizer: EntityRecognizer, entity: str, start: int, end: int, score: float
) -> RecognizerResult:
    return RecognizerResult(
        entity,
        start,
        end,
        score,
        analysis_explanation=None,  # type: ignore[arg-type]
        recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.name,  # type: ignore[has-type]
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
        },
    )


class PersonaPersonContextRecognizer(PersonaRecognizer):
    """Names announced by their context: titles (Mr, Dr...), "my name is", "called", "Dear"."""

    # The title is part of what identifies the person ("Mrs. Okonjo"), so it goes too.
    _TITLE = re.compile(rf"(\b(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Sir|Dame|Lady|Lord|Rev|Fr)\.?\s+{_PERSON_NAME})")
    _STRONG = re.compile(rf"(?i:\b(?:{alternation('name_cues.txt', space=_BLANK)}))[ \t]+({_ANY_NAME})")

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
        title = self.score("title")
        results = [_result(self, "PERSON", m.start(1), m.end(1), title) for m in self._TITLE.finditer(text)]
        doc = getattr(nlp_artifacts, "tokens", None)
        for match in self._STRONG.finditer(text):
            start, end = match.span(1)
            if doc is not None:
                # stop the name where ordinary words begin ("tamsin abara but everyone...")
                words = [t for t in doc if t.idx >= start and t.idx < end]
                kept = []
                for token in words:
                    if token.is_stop or token.tag_[:2] in _FUNCTION_TAGS:
                        break
                    kept.append(token)
                if not kept:
                    continue
                end = kept[-1].idx + len(kept[-1].text)
            results.append(_result(self, "PERSON", start, end, self.score("strong cue")))
        return results


# Words before a proper noun that say what kind of thing it is.
_PLACE_BEFORE = {
    "in",
    "at",
    "from",
    "to",
    "near",
    "around",
    "across",
    "outside",
    "inside",
    "visit",
    "visited",
    "visiting",
    "towards",
    "via",
    "southern",
    "northern",
    "eastern",
    "western",
    "central",
    "of",
}
_ORG_BEFORE = {"for", "with", "joined", "joining", "company", "employer"}
ORG_WORDS = re.compile(
    r"(?i)\b(?:inc|ltd|llc|plc|gmbh|corp|corporation|company|co|group|bank|university|"
    r"college|school|hospital|clinic|council|agency|ministry|foundation|trust|partners|"
    r"associates|holdings|technologies|systems|solutions|labs|studio|studios)\b\.?"
)


# Words that label a field in notes and forms ("Date: 14 March").
FORM_LABELS = frozenset(data_lines("form_labels.txt"))
# Services whose name labels an account ("WeChat: ...").
_HANDLE_CUES = frozenset(data_lines("handle_cues.txt"))


# spaCy labels the detector maps to an entity; a token under another label (WORK_OF_ART, PRODUCT,
# EVENT: two first names joined by "and" in a list) is still open to the name recognizers.
_MAPPED_LABELS = frozenset({"PERSON", "PER", "GPE", "LOC", "FAC", "NORP", "ORG"})


def _named_by_ner(token: Any) -> bool:
    """Whether NER already gave this token an entity the detector maps. A word NER calls a date
    counts only if English uses it ("Monday", "Christmas"): the small model calls a name it does
    not know a date ("with Bronwen and Siân most days"), and dates are then generalised, not removed."""
    if token.ent_type_ in _MAPPED_LABELS:
        return True
    return token.ent_type_ in ("DATE", "TIME") and common_word(token.text)


class PersonaProperNounRecognizer(PersonaRecognizer):
    """Proper nouns that the statistical model tagged but did not classify as an entity.

    Small pipelines miss many names, especially uncommon or foreign ones, yet still tag them as
    proper nouns. Persona is conservative: such a run of proper nouns is treated as personal data,
    typed by the words before it (a place after "in"/"from", an organisation after "for"), else as
    a person. Short acronyms are left alone; add product and company names that must stay to
    ``privacy.allow_list``.
    """

    ENTITIES = ("PERSON", "LOCATION", "ORGANIZATION")

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
        doc = getattr(nlp_artifacts, "tokens", None)
        if doc is None:
            return []
        results = []
        run: list[Any] = []
        for token in [*doc, None]:
            if (
                token is not None
                and token.tag_ in ("NNP", "NNPS")
                and not _named_by_ner(token)
                and token.is_alpha
                # the small tagger calls "van" NNP: a lower-case word counts only as a known name
                and (token.text[:1].isupper() or distinctive(token.text))
                and not kin(doc.text, token.idx, token.idx + len(token.text))
            ):
                run.append(token)
                continue
            if run:
                results.extend(self._judge(doc, run))
                run = []
        return results

    def _judge(self, doc: Any, run: list[Any]) -> list[RecognizerResult]:
        words = [t.text for t in run]
        after = doc[run[-1].i + 1].text if run[-1].i + 1 < len(doc) else ""
        if len(run) == 1 and after == ":" and words[0].lower() in FORM_LABELS:
            return []  # "Date:", "Notes:" label a field; a name before a colon is a speaker
        if len(run) == 1 and ((len(words[0]) <= 4 and words[0].isupper()) or len(words[0]) < 2):
            return []  # an acronym (NHS, GP, UX) or an initial
        start, end = run[0].idx, run[-1].idx + len(run[-1].text)
        before = doc[run[0].i - 1].lower_ if run[0].i > 0 else ""
        if ORG_WORDS.search(" ".join(words) + " " + after):
            entity = "ORGANIZATION"
        elif before in _PLACE_BEFORE:
            entity = "LOCATION"
        elif before in _ORG_BEFORE:
            entity = "ORGANIZATION"
        else:
            entity = "PERSON"
        return [_result(self, entity, start, end, self.score("proper noun"))]


class PersonaAgeRecognizer(PersonaPatternRecognizer):
    """Ages: "34 years old", "aged 67", "I just turned 54", "54 y/o", "age: 22"; only the number is taken."""

    ENTITY = "AGE"
    _NUMBER = r"(?:1[01]\d|[1-9]?\d)"
    PATTERNS: ClassVar[dict[str, str]] = {
        "years old": rf"\b{_NUMBER}(?=[\s-]*(?:years?[\s-]*old|y/?o\b|yrs?\b|-year-old))",
        "cue": rf"(?i:\b(?:aged|age[d:]?|turned|turn|turning)\s+){_NUMBER}\b",
        # "I'm 43", "she's 7", "my son is 9": not "I'm 5 minutes away", "he's 6 foot"
        "speech": r"(?i:\b(?:i'm|i’m|i am|im|she's|she’s|she is|he's|he’s|he is|they're|they’re|"
        r"you're|(?:son|daughter|kid|child|boy|girl|eldest|youngest)\s+is)\s+(?:only\s+|just\s+)?)"
        r"(?:1[01]\d|[1-9]?\d)\b(?![.,:]\d|\s*(?:%|percent|per|minutes?|mins?|hours?|hrs?|"
        r"seconds?|secs?|days?|weeks?|months?|pounds?|quid|miles?|km|metres?|meters?|feet|foot|ft|"
        r"inch|inches|stone|kg|times|o'clock|am\b|pm\b|st\b|nd\b|rd\b|th\b|p\b|k\b|x\b|in\b|"
        r"of\b|out\b|on\b|or\b|to\b|-|–))",
    }

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: Any = None, regex_flags: int | None = None
    ) -> list[RecognizerResult]:
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        for result in results:  # keep only the number
            found = re.search(r"\d+\Z", text[result.start : result.end])
            if found:
                result.start += found.start()
        return results


class PersonaContextPhoneRecognizer(PersonaPatternRecognizer):
    """Phone numbers in shapes the phone library rejects (short local numbers, odd grouping),
    only where the words around them say they are phone numbers (the context words are in the
    rules file), and only with 7 to 15 digits."""

    ENTITY = "PHONE_NUMBER"
    PATTERNS: ClassVar[dict[str, str]] = {"digits": r"(?<![\w+])\+?\(?\d{2,5}\)?(?:[ .-]?\d{2,5}){1,4}(?!\w)"}

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = sum(ch.isdigit() for ch in pattern_text)
        return None if 7 <= digits <= 15 else False


# the verbs of speaking, messaging and addressing someone, in lower case as people type them
_TO_SOMEONE = "speaking_verbs.txt+messaging_verbs.txt+addressing_verbs.txt"
_LOWER_CUE = re.compile(
    rf"(?i:{kin_phrase()},?\s+|\b(?:{alternation(_TO_SOMEONE)})\s+)"
    rf"([a-zà-öø-ÿ][a-zà-öø-ÿ'’-]+)"
    rf"(?:(?:\s+[a-z]\.?)?\s+([a-zà-öø-ÿ][a-zà-öø-ÿ'’-]+))?"
)


# Tags a name takes in lower case: a noun, a proper noun, an adjective, a foreign word.
_NAME_TAGS = ("NN", "JJ", "FW")
# A lower-case word right before a kinship phrase, in apposition: "farai my son", "nkechi, my wife",
# "siobhan (my sister)".
_BEFORE_KIN = re.compile(
    rf"(?<![\w'’-])([a-zà-öø-ÿ][a-zà-öø-ÿ'’-]+)(?:\s*,\s*|\s*\(\s*|\s+)(?=(?i:{kin_phrase()})(?![\w'’-]))"
)
_VOWEL = re.compile(r"[aeiouyà-öø-ÿ]")
# A lower-case word with a possessive: "per wojciech's email".
_POSSESSED = re.compile(r"(?<![\w'’-])([a-zà-öø-ÿ][a-zà-öø-ÿ-]{2,})['’]s(?![\w'’-])")
# A known first name and surname joined inside an identifier: "IMG_2031_douglas_faloye.jpg".
_JOINED_PAIR = re.compile(r"(?<![^\W\d_])(?=([^\W\d_]{3,})[_.-]([^\W\d_]{3,})(?![^\W\d_]))")
# A known first name and a known surname in lower case, anywhere ("harriet oduya").
_LOWER_PAIR = re.compile(
    r"(?<![\w'’-])(?=([a-zà-öø-ÿ][a-zà-öø-ÿ'’-]+)(?:\s+[a-z]\.?)?\s+([a-zà-öø-ÿ][a-zà-öø-ÿ'’-]+)\b)"
)


def _after_determiner(text: str, start: int) -> bool:
    """Whether the word before ``start`` begins a noun phrase ("the", "a", "my"): no name follows one."""
    before = re.findall(r"[^\W\d_]+", text[max(0, start - 12) : start])
    return bool(before) and before[-1].casefold() in DETERMINERS


def _overlapping(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Matches of a cue-then-name pattern that may overlap: each search starts again at the
    previous candidate, so "and my daughter chiamaka" is tried as "my daughter chiamaka" after
    "and my" is rejected."""
    position = 0
    while (match := pattern.search(text, position)) is not None:
        yield match
        position = max(match.start(1), match.start() + 1)


class PersonaLowerCaseNameRecognizer(PersonaRecognizer):
    """Names written in lower case, as people type them ("my daughter chiamaka", "I asked rhys"):
    a known first name (Faker's lists) right after a kinship word or a verb of speaking, messaging
    or addressing someone, with a known surname after it when there is one; a word English does not
    use right before a kinship phrase ("farai my son"); a known first name with a possessive ("per
    wojciech's email")."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
        from persona_privacy.brands import known_brand

        gazetteer = names()
        results = []
        doc = getattr(nlp_artifacts, "tokens", None)
        tags = {t.idx: t.tag_ for t in doc} if doc is not None else {}
        for match in _overlapping(_LOWER_CUE, text):
            if _after_determiner(text, match.start()):
                continue  # "the phone sim", "a text msg": the cue is a noun here, not a verb
            first = match.group(1)
            weak = re.search(r"(?i)\b(?:with|and)\s+$", text[match.start() : match.start(1)])
            # the tagger guesses a word it does not know by its ending ("farai" a number, "tesfaye" a
            # verb): after a strong cue, a word English does not use is a name whatever its tag
            unheard = not weak and not common_word(first)
            if (not gazetteer.is_first(first) or ordinary(first)) and not unheard:
                continue  # a known first name, or after a strong cue a word English does not use
            if tags.get(match.start(1), "NN") in ("NNS", "VBZ") and inflected(first):
                continue  # "and fares went up": the plural of a common noun, not someone's name
            if tags.get(match.start(1), "NN")[:2] in _FUNCTION_TAGS and common_word(first):
                continue  # "my mate said": a verb, an adverb or a preposition, though a name somewhere
            end = match.end(1)
            if match.group(2) and (distinctive(match.group(2)) or not common_word(match.group(2))):
                end = match.end(2)  # a known surname, or a word English does not use: "harriet oduya"
            results.append(_result(self, "PERSON", match.start(1), end, self.score("after a cue")))
        for match in _BEFORE_KIN.finditer(text):
            word = match.group(1)
            if (
                len(word) >= 3
                and _VOWEL.search(word)  # "tfl my son uses": an acronym typed in lower case
                and not common_word(word)  # "took my daughter", "lol my son", "imo my wife"
                and not inflected(word)  # "borrows his mum's card"
                and not known_brand(word)  # "deliveroo my son orders from"
                and not kin(text, match.start(1), match.end(1))
            ):
                score = self.score("before kin")
                results.append(_result(self, "PERSON", match.start(1), match.end(1), score))
        for match in _POSSESSED.finditer(text):
            word = match.group(1)
            if (
                gazetteer.is_first(word)
                and not ordinary(word)
                and not common_word(word)  # "the bus's wifi", "the app's menu"
                and not kin(text, match.start(1), match.end(1))  # "my nan's house"
            ):
                score = self.score("possessive")
                results.append(_result(self, "PERSON", match.start(1), match.end(1), score))
        for match in _JOINED_PAIR.finditer(text):
            first, last = match.group(1), match.group(2)
            if text[match.end(1)] == "-" and common_word(f"{first} {last}"):
                continue  # "mid-journey", "set-up": a hyphenated English word, not a first name and surname
            if gazetteer.is_first(first) and not ordinary(first) and distinctive(last):
                results.append(_result(self, "PERSON", match.start(1), match.end(2), self.score("pair")))
        for match in _LOWER_PAIR.finditer(text):
            first, last = match.group(1), match.group(2)
            if (
                tags.get(match.start(1), "NN")[:2] in _NAME_TAGS
                and tags.get(match.start(2), "NN")[:2] in _NAME_TAGS
                and gazetteer.is_first(first)
                and gazetteer.is_last(last)
                and not ordinary(first)
                and not ordinary(last)
                and not _after_determiner(text, match.start(1))  # "the long way": a noun phrase
            ):
                results.append(_result(self, "PERSON", match.start(1), match.end(2), self.score("pair")))
        return results


class PersonaGazetteerNameRecognizer(PersonaRecognizer):
    """Capitalised known first names that NER left alone ("**Megan** said", "Megan: yes"), with a
    known surname after them. Words that are also ordinary English (May, Will, Grace, and plurals
    such as Fares) count only where the tagger calls them proper nouns and not at the start of a
    sentence."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
        doc = getattr(nlp_artifacts, "tokens", None)
        if doc is None:
            return []
        gazetteer = names()
        known = self.score("known name")
        results = []
        skip_to = -1
        for token in doc:
            if (
                token.i <= skip_to
                or _named_by_ner(token)
                or not token.text[:1].isupper()
                or not token.is_alpha
            ):
                continue
            if len(token.text) < 3 or token.text.isupper() or not gazetteer.is_first(token.text):
                continue
            also_a_word = ordinary(token.text) or inflected(token.text)  # "Grace", "Fares"
            if also_a_word and (token.tag_ not in ("NNP", "NNPS") or token.is_sent_start):
                continue
            end = token.i
            while end + 1 < len(doc) and end - token.i < 2 and _surname_after(doc, end + 1):
                end += 1
            skip_to = end
            results.append(_result(self, "PERSON", token.idx, doc[end].idx + len(doc[end].text), known))
        return results


def _surname_after(doc: Any, i: int) -> bool:
    """Whether token ``i`` goes on the name a known first name began: a known name, a particle of one
    (Ní, Mac, van) before a capitalised word, or a proper noun no list knows that is no common word,
    brand or place ("Sorcha Ní Bhraonáin"; not "Megan Thursday", "Priya Deliveroo", "Harriet Swindon")."""
    from persona_privacy.brands import known_brand
    from persona_privacy.places import large_place, region_of

    word = doc[i].text
    if not word[:1].isupper() or not doc[i].is_alpha:
        return False
    if names().is_name(word):
        return True
    if word.casefold() in surname_particles() and i + 1 < len(doc) and doc[i + 1].text[:1].isupper():
        return True
    return (
        doc[i].tag_ in ("NNP", "NNPS")
        and not common_word(word)
        and not known_brand(word)
        and not large_place(word)
        and region_of(word) is None
    )


class PersonaSpeakerNameRecognizer(PersonaRecognizer):
    """Names in transcript speaker tags: the name in brackets after a role or a participant code
    (``Interviewer (Haf):``), and a tag that is a known first name, recurs as a speaker three
    times (``Harriet:``) or is no English word (``Olamide:``; labels such as ``Summary:`` are
    common words). Roles and codes themselves (Interviewer, P02) are structure, kept."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
        if ":" not in text and "：" not in text:
            return []
        from persona import is_structure_label, speaker_turns

        from persona_privacy.brands import known_brand

        gazetteer = names()
        found = speaker_turns(text)
        tags = [turn.label for turn in found if not turn.inner]
        results = []
        for turn in found:
            if turn.inner is not None and turn.inner_span is not None:
                # "Interviewer (Haf):": the bracket names the speaker unless it is a code or a role
                if not is_structure_label(turn.inner) and not turn.inner.isdigit() and len(turn.inner) >= 2:
                    start = turn.inner_span[0] + (
                        len(text[slice(*turn.inner_span)]) - len(text[slice(*turn.inner_span)].lstrip())
                    )
                    score = self.score("bracketed")
                    results.append(_result(self, "PERSON", start, start + len(turn.inner), score))
                continue
            words = turn.label.split()
            if is_structure_label(turn.label) or words[0].casefold() in FORM_LABELS or len(words) > 3:
                continue
            if turn.label.casefold() in _HANDLE_CUES or known_brand(turn.label):
                continue  # "WeChat: ...", "Spotify: ...": a service labels the value after it
            if not all(word[:1].isupper() for word in words):
                continue
            if (
                gazetteer.is_first(words[0])
                or (tags.count(turn.label) >= 3 and len(words) <= 2)
                # "Olamide:", a word English does not use; not an acronym that labels a field ("DOB:")
                or (not any(common_word(word) for word in words) and not turn.label.isupper())
            ):
                results.append(_result(self, "PERSON", *turn.label_span, self.score("tag")))
        return results


_CAPITALISED = r"[A-ZÀ-ÖØ-Ý][a-zà-öø-ÿ'’-]+(?:[ \t]+[A-ZÀ-ÖØ-Ý][a-zà-öø-ÿ'’-]+)?"


class PersonaCuedNameRecognizer(PersonaRecognizer):
    """A capitalised name the words around announce, whether or not any list knows it: after a verb
    of messaging or speaking to someone ("messaged Olamide on WhatsApp"), as the value of a field
    label ("Agent: Olamide", "From: ..."), alone on the line after a sign-off ("Thanks,\nOlamide").
    A common English word, a known brand or a product shape is not taken, unless it is a known first
    name."""

    _AFTER_VERB = re.compile(rf"(?i:\b(?:{alternation('messaging_verbs.txt')})[ \t]+)({_CAPITALISED})")
    _LABEL = re.compile(
        rf"(?im:^[ \t>*-]*(?:{alternation('person_labels.txt', space=_BLANK)})"
        rf"[ \t]*[:：][ \t]*)({_CAPITALISED})[ \t]*(?=$|[,;(<])"
    )
    _AFTER_GREETING = re.compile(
        rf"(?im:(?:^|(?<=[.!?])[ \t]+)[ \t>*-]*(?:{alternation('greetings.txt', space=_BLANK)})[ \t]+)"
        rf"({_CAPITALISED})(?=[ \t]*[,!:;—–-]|[ \t]*$)"
    )
    _AFTER_SIGN_OFF = re.compile(
        rf"(?im:\b(?:{alternation('sign_offs.txt', space=_BLANK)})[ \t]*[,.!]*[ \t]*\n[ \t>*-]*)"
        rf"({_CAPITALISED})[ \t]*$"
    )

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
        results = []
        for pattern, level in (
            (self._AFTER_VERB, "after a verb"),
            (self._LABEL, "field label"),
            (self._AFTER_SIGN_OFF, "sign-off"),
            (self._AFTER_GREETING, "greeting"),
        ):
            for match in pattern.finditer(text):
                if self._a_name(match.group(1)):
                    results.append(_result(self, "PERSON", match.start(1), match.end(1), self.score(level)))
        return results

    @staticmethod
    def _a_name(value: str) -> bool:
        from persona_privacy.brands import known_brand

        gazetteer = names()
        words = value.split()
        if known_brand(value) or any(_PRODUCT_SHAPE.match(word) for word in words):
            return False
        return gazetteer.is_first(words[0]) or not common_word(words[0])


_FILE = re.compile(
    r"(?<![\w.-])([^\W_][\w.-]*?)\.(?i:jpe?g|png|gif|heic|webp|pdf|docx?|xlsx?|pptx?|mp[34]|m4a|wav|mov|txt|md|csv)(?![\w])"
)
_FILE_PART = re.compile(r"[^\W\d_]{3,}")
# Words cameras, phones and tools put in file names.
_FILE_WORDS = frozenset("img dsc dscn dcim pxl vid mvimg screenshot scan whatsapp image photo export".split())


class PersonaFileNameRecognizer(PersonaRecognizer):
    """Words of a file name that English does not use ("IMG_2031_ailsa_tkachenko.jpg"): a photo or a
    recording is often named after who is in it, and no list knows every name. Common words, camera
    prefixes and known brands in the name stay ("van_photo.jpg")."""

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
        from persona_privacy.brands import known_brand

        results = []
        for match in _FILE.finditer(text):
            spans = [
                part.span()
                for part in _FILE_PART.finditer(match.group(1))
                if part.group().casefold() not in _FILE_WORDS
                and not common_word(part.group())
                and not known_brand(part.group())
            ]
            for start, end in _union([(a, b) for a, b in spans]):
                offset = match.start(1)
                results.append(
                    _result(self, "PERSON", offset + start, offset + end, self.score("file name word"))
                )
        return results


def _name_part(word: str) -> bool:
    gazetteer = names()
    return len(word) >= 3 and (gazetteer.is_name(word) or (len(word) >= 4 and gazetteer.is_name(word[1:])))


class PersonaHandleRecognizer(PersonaRecognizer):
    """Social handles (``@harriet_o``, ``u/rhys_p``) and usernames with digits (``jsmith84``) that
    carry a name, or that the words around call a username."""

    _HANDLE = re.compile(
        r"(?<![\w@.+-])(?:@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?|u/[A-Za-z0-9_-]{3,20})\b(?![@.]\w)"
    )
    _USER = re.compile(r"(?<![\w@.+/-])([a-z][a-z_.]{2,20}?)[._]?(\d{2,4})\b(?![@.]\w)")
    _CUE = re.compile(
        r"(?i)\b(?:user ?name|handle|login|log-in|gamertag|gamer tag|screen name|profile|account|"
        r"insta|instagram|twitter|tiktok|reddit|discord|steam|xbox|psn|snapchat|snap|"
        r"user|nickname|alias)\b[^.\n]{0,25}$"
    )

    # Discord's name#1234, and the value after a service's name and a colon ("WeChat: lili_wu88")
    _TAGGED = re.compile(r"(?<![\w@#])[A-Za-z0-9_.]{2,32}#\d{4}\b")
    _CUED_VALUE = re.compile(
        rf"(?i:\b(?:{alternation('handle_cues.txt')})(?:[ \t]+(?:name|id|handle))?[ \t]*[:：][ \t]*)"
        r"(@?[A-Za-z0-9][A-Za-z0-9_.#-]{0,30}[A-Za-z0-9_])(?![\w@])"
    )

    ENTITIES = ("HANDLE",)

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
        results = [
            _result(self, "HANDLE", m.start(), m.end(), self.score("handle"))
            for m in self._HANDLE.finditer(text)
            if not m.group().lstrip("@").isdigit()
        ]
        results.extend(
            _result(self, "HANDLE", m.start(), m.end(), self.score("handle"))
            for m in self._TAGGED.finditer(text)
        )
        for match in self._CUED_VALUE.finditer(text):
            value = match.group(1)
            if not value.isdigit() and not common_word(value):  # "Discord: yes", "Instagram: never"
                results.append(_result(self, "HANDLE", match.start(1), match.end(1), self.score("handle")))
        for match in self._USER.finditer(text):
            letters = match.group(1)
            parts = [p for p in re.split(r"[._]", letters) if p]
            named = any(_name_part(p) for p in parts) or any(
                _name_part(letters[i:]) or _name_part(letters[:i]) for i in range(3, len(letters) - 2)
            )
            cued = bool(self._CUE.search(text[max(0, match.start() - 40) : match.start()]))
            if named or cued:
                results.append(_result(self, "HANDLE", match.start(), match.end(), self.score("username")))
        return results


_DIGIT_WORD = r"(?:oh|o|zero|nought|one|two|three|four|five|six|seven|eight|nine|\d)"
_SPOKEN = re.compile(
    rf"(?i)(?<![\w-])(?:(?:double|treble|triple)[\s,-]+)?{_DIGIT_WORD}"
    rf"(?:[\s,.-]+(?:(?:double|treble|triple)[\s,-]+)?{_DIGIT_WORD}){{6,}}(?![\w-])"
)
_DIGITS = {
    "oh": 0,
    "o": 0,
    "zero": 0,
    "nought": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}


class PersonaSpokenPhoneRecognizer(PersonaRecognizer):
    """Phone numbers read out as words in a transcript: "oh seven seven double oh nine ..."."""

    ENTITIES = ("PHONE_NUMBER",)

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
        results = []
        for match in _SPOKEN.finditer(text):
            count = 0
            repeat = 1
            for word in re.findall(r"(?i)[a-z]+|\d", match.group()):
                word = word.lower()
                if word == "double":
                    repeat = 2
                elif word in ("treble", "triple"):
                    repeat = 3
                else:
                    count += repeat
                    repeat = 1
            words = len(re.findall(r"(?i)[a-z]+", match.group()))
            if 9 <= count <= 15 and words >= 3:
                score = self.score("spoken")
                results.append(_result(self, "PHONE_NUMBER", match.start(), match.end(), score))
        return results

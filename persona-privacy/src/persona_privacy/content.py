"""What is content, not personal data: the must-survive side of Persona's policy (README, Privacy).

Personas are made of what people use and do. Statistical NER calls many of those things persons or
organisations ("Google Maps" PERSON, "Trainline" NRP, "Staff Nurse" PERSON), and the proper-noun
recognizer takes any unknown capitalised word for a name. The detector asks this module before it
removes a name-like span (PERSON, ORGANIZATION, NRP, LOCATION from NER or proper-noun guessing; never
from a pattern, a column header, a context cue or the user's deny list):

- a job title (an occupation head noun as its last word, "Head of ...") is content, even with a
  first name in it ("Junior Doctor"), unless a person cue comes before it;
- otherwise a span with a known first name in it (Faker's lists, ``names.py``) or after a person
  cue ("Dr", "my daughter", "asked") is a person;
- content besides: an NRP that does not end like a nationality or religion (Trainline), calendar
  words (Weekends, Bank Holiday), lower-case spans after a determiner or in a cell or key ("apps"),
  "the X <noun>" (the Fitbit timetable), a column whose header is about what people use, do or are
  (role, apps, devices, how often), and products by their shape (WhatsApp, iPhone), as a brand and
  its service (Apple Pay) or by how people speak of them ("paid with", "... app", "follow me on").
"""

from __future__ import annotations

import calendar
import functools
import re

from persona_privacy.brands import known_brand
from persona_privacy.names import common_word, names
from persona_privacy.places import large_place
from persona_privacy.words import DETERMINERS, alternation, data_words, header_words


# Head nouns of job titles and roles: Faker's job provider (the occupations it lists, by their head
# word) and data/en/job_heads.txt for the roles research meets that it lacks (drivers, carers, students).
@functools.cache
def _job_heads() -> frozenset[str]:
    from faker.providers.job.en_US import Provider

    heads = set(data_words("job_heads.txt"))
    for job in Provider.jobs:
        words = re.findall(r"[a-z][a-z'-]*", job.split(",")[0].split("(")[0].lower())
        if words and words[-1] not in _NOT_HEADS:
            heads.add(words[-1])
    return frozenset(heads | {_plural(head) for head in heads})


# Last words of Faker's job names that do not name a person's occupation on their own.
_NOT_HEADS = frozenset(
    {"boy", "copy", "land", "make", "sub", "person", "crew", "emeritus", "visitor", "staff"}
)


def _plural(word: str) -> str:
    if word.endswith("wife"):
        return word[:-2] + "ves"
    if word.endswith(("s", "sh", "ch", "x")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


_JOB_PREFIX = re.compile(r"(?i)^(?:head|director|vp|chief|lead|manager) of\b")

# Words a few words before a product: how people speak of what they use.
_PRODUCT_BEFORE = re.compile(
    r"(?i)\b(?:use|uses|used|using|via|through|download|downloaded|downloading|install|installed|"
    r"open|opens|opened|opening|pay|pays|paid|paying|book|books|booked|booking|order|ordered|"
    r"ordering|shop|shopped|shopping|switched|switch|subscribe|subscribed|signed up|sign up|log into|"
    r"logged into|login|check|checks|checked|checking|message|messaged|chat|stream|streaming|watch|"
    r"watched|listen|tried|try|bank|banks|banking|prefer|prefers|love|hate|like|likes|rely|relies|"
    r"app|apps|tap|tapped|scan|scanned|top up|topped up|delete|deleted|uninstalled|buy|bought|"
    r"renewed|cancelled|canceled|follow me|followed me|showed me|show me|find me|message me|"
    r"username|user name|account|profile|handle|login|logged in|signed in|found|saw|seen|read|posted|"
    r"post|posts|shared|share|reviews?)\b"
    r"(?:\s+(?:with|on|in|at|to|for|into|from|through|via|the|my|our|"
    r"their|a|an|it|up|back|out))*\s*$"
)
# Words right after a product.
_PRODUCT_AFTER = re.compile(
    r"(?i)^\s*(?:app|apps|account|accounts|card|cards|pay|wallet|subscription|premium|plus|website|"
    r"site|notifications?|update|updates|store|service|prime|online|balance|points|membership|"
    r"maps|drive|docs|sheets|music|photos|tv|video|"
    r"checkout|basket|delivery|deliveries|order|orders|feed|group|groups|chat|chats|call|calls|"
    r"widget|login|password|settings|alerts?)\b"
)
# Internal capitals or digits: WhatsApp, iPhone, PayPal, YouTube, eBay, O2 (not McDonald, O'Neil).
PRODUCT_SHAPE = re.compile(
    r"^(?!Mc|Mac|Nic|Fitz|Mhic|O'|O’|De|Da|Di|La|Le|Van|Von)[A-Za-z]*[a-z][A-Z][A-Za-z]*$|^[a-z]+[A-Z]"
)

# Column headers that say the column holds content: what people do, use or are, not who they are.
_CONTENT_HEADER = re.compile(
    r"(?i)\b(?:role|roles|job|job title|title|occupation|position|profession|segment|persona|"
    r"app|apps|tool|tools|device|devices|product|products|service|services|brand|brands|bank|"
    r"provider|platform|platforms|software|channel|channels|use|uses|using|used|frequency|how often|"
    r"often|when|day|days|age band|age group|age range|band|category|type|plan|tier|"
    r"browser|phone model|os|region|regions|area|areas)\b"
)
_PERSON_BEFORE = re.compile(
    r"(?i)\b(?:mr|mrs|ms|mx|miss|dr|prof|my name is|name is|called|named|asked|told|said|says|met|"
    rf"{alternation('kinship.txt')}|dear|hi|hello|thanks)\W*$"
)
_WORDS = re.compile(r"[^\W\d_][\w'’-]*")
# Days, frequencies and times of the calendar: "Weekends", "Bank Holiday", "Daily".
_CALENDAR = frozenset(
    """
    weekend weekends weekday weekdays daily weekly fortnightly
    monthly quarterly yearly annually nightly bank holiday holidays christmas easter new year
    eve morning mornings afternoon afternoons evening evenings night nights lunchtime term half-term
    school summer winter spring autumn every day week month year the a on at most some each
    other
    """.split()
).union(
    # the days from the calendar module, and their plurals ("Sundays")
    word
    for day in calendar.day_name
    for word in (day.lower(), day.lower() + "s")
)
NAME_LIKE = frozenset({"PERSON", "ORGANIZATION", "NRP", "LOCATION"})
GUESSED = frozenset({"SpacyRecognizer", "PersonaProperNounRecognizer", "PersonaGazetteerNameRecognizer"})


def content_header(header: str | None) -> bool:
    if not header:
        return False
    return bool(_CONTENT_HEADER.search(header_words(header)))


def has_first_name(value: str) -> bool:
    gazetteer = names()
    return any(gazetteer.is_first(word) for word in _WORDS.findall(value) if word[:1].isupper())


def job_title(value: str) -> bool:
    value = re.sub(r"(?i)^(?:the|a|an|our|my|their)\s+", "", value.strip())  # "the Head of Operations"
    words = _WORDS.findall(value)
    return bool(words) and (words[-1].casefold() in _job_heads() or bool(_JOB_PREFIX.match(value)))


def product(text: str, start: int, end: int) -> bool:
    value = text[start:end]
    words = value.split()
    if any(PRODUCT_SHAPE.match(word) for word in words):
        return True
    if len(words) > 1 and _PRODUCT_AFTER.match(words[-1]):
        return True  # "Apple Pay", "Google Maps", "Amazon Prime": a brand and its service
    return bool(_PRODUCT_BEFORE.search(text[max(0, start - 40) : start]) or _PRODUCT_AFTER.match(text[end:]))


# "The Kindle bus", "the Fitbit timetable": a person's name does not take "the" before a noun.
_THE_BEFORE = re.compile(r"(?i)\bthe\s+$")
_LOWER_AFTER = re.compile(r"^\s+[a-z]")


_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z][\w-]*)")
# Nationalities, religions and parties end like these (Polish, Czech, Hindu, Sikh, Tory...); a
# brand NER calls NORP (Trainline, Fitbit) does not.
_NRP_SHAPE = re.compile(
    r"(?i)(?:an|ans|ian|ians|ish|ese|i|is|ic|ics|ch|sh|ss|ek|eks|er|ers|en|ens|ew|ews|ist|ists|im|ims|ai|"
    r"ite|ites|ox|ean|eans|y|ies|our|ive|ives|at|ats|u|us|h|hs)$"
)


# What follows a person, not a place: "Florence said", "Austin's mum", "Paris and I".
_PERSON_AFTER = re.compile(
    r"(?:['’]s\b|\s+(?:said|says|told|tells|asked|asks|thinks|thought|reckons|mentioned|wants|wanted|"
    r"is my|was my|and I|and me)\b)"
)
_PLACE_BEFORE = re.compile(
    r"(?i)\b(?:in|at|from|between|near|via|around|outside|into|towards|across|through|"
    r"(?:trip|trips|travel|travelled|traveled|travelling|go|goes|going|went|move|moved|moving|get|got|"
    r"back|train|trains|journey|journeys|way|route|commute|ticket|tickets|fare|fares|return|returned|"
    r"heading|head|drive|drove|fly|flew|flight|flights|bus|coach|"
    r"\d{1,2}[:.]\d{2})\s+to)\s+$"  # "the 7:42 to York": a service, by its time
)
_BEFORE_AND = re.compile(r"([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2})\s+(?:and|or|to|&)\s+$")
_AND_AFTER = re.compile(r"\s+(?:and|or|to|&)\s+([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2})")


def among_places(text: str, start: int, end: int) -> bool:
    """Said as a place: after "in", "from", "between"..., or listed with a large place ("Bristol and
    York"), where a first name alone ("with George") says nothing of which it is."""
    before = text[max(0, start - 40) : start]
    if _PLACE_BEFORE.search(before):
        return True
    joined_before = _BEFORE_AND.search(before)
    joined_after = _AND_AFTER.match(text, end)
    return bool(
        (joined_before and large_place(joined_before.group(1)))
        or (joined_after and large_place(joined_after.group(1)))
    )


_TITLE_BEFORE = re.compile(r"(?i)\b(?:head|director|vp|chief|lead|manager|department) of\s+$")
_SENTENCE_START = re.compile(r"(?:\A|[.!?:;]\s+|\n\s*)[\"'“‘(*]*$")


_HYPHENATED = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")


def _in_compound(text: str, start: int, end: int) -> bool:
    """Part of a hyphenated word that is no name: "Wi-Fi", "mid-journey", "X-Ray"; not "Lily-Mae" or
    "Jean-Luc", whose every part is a capitalised first name."""
    joined = (end < len(text) - 1 and text[end] == "-" and text[end + 1].isalpha()) or (
        start > 1 and text[start - 1] == "-" and text[start - 2].isalpha()
    )
    if not joined:
        return False
    for match in _HYPHENATED.finditer(text, max(0, start - 40), min(len(text), end + 40)):
        if match.start() <= start < match.end() or match.start() < end <= match.end():
            parts = match.group().split("-")
            if all(len(part) > 1 and part[:1].isupper() and names().is_first(part) for part in parts):
                return False
    return True


_WORD_BEFORE = re.compile(r"([A-Z][\w'’&.-]*)[ \t]$")
_WORD_AFTER = re.compile(r"[ \t]([A-Z][\w'’&.-]*)")


def _inside_brand(text: str, start: int, end: int) -> bool:
    """Whether the span is part of a known brand written with the capitalised word before or after
    it: a detector that took only "Eat" of "Just Eat" or "Maps" of "Google Maps"."""
    before = _WORD_BEFORE.search(text[max(0, start - 30) : start])
    after = _WORD_AFTER.match(text, end)
    value = text[start:end]
    around = [
        f"{before.group(1)} {value}" if before else "",
        f"{value} {after.group(1)}" if after else "",
        f"{before.group(1)} {value} {after.group(1)}" if before and after else "",
    ]
    return any(candidate and known_brand(candidate) for candidate in around)


def _common_opener(value: str, text: str, end: int) -> bool:
    """A single common word followed by a lower-case word or a pause ("Hope so", "Right, ")."""
    return (
        " " not in value.strip()
        and common_word(value, zipf=4.0)
        and bool(re.match(r"(?:[ \t]+[a-z]|[,:;!?])", text[end:]))
    )


def is_content(text: str, start: int, end: int, entity: str, source: str, header: str | None) -> bool:
    """Whether a name-like span detected by guessing is content that must survive."""
    return content_rule(text, start, end, entity, source, header) is not None


def content_rule(text: str, start: int, end: int, entity: str, source: str, header: str | None) -> str | None:
    """The keep-rule (rules/en.yaml, ``keep``) that makes a guessed name-like span content, if any."""
    if entity not in NAME_LIKE or source not in GUESSED:
        return None
    value = text[start:end]
    before = text[max(0, start - 30) : start]
    cued = bool(_PERSON_BEFORE.search(before))
    following = _NEXT_WORD.match(text, end)
    if not cued and (job_title(value) or (following and job_title(f"{value} {following.group(1)}"))):
        return "job title"  # "Junior Doctor": a title's last word is an occupation, whatever its first is
    if not cued and _TITLE_BEFORE.search(before):
        return "department"  # "Head of Operations": what comes after "Head of" is a department
    if cued:
        return None
    person_shaped = _PERSON_AFTER.match(text, end) or (
        has_first_name(value) and not among_places(text, start, end)
    )
    if large_place(value) and (entity == "LOCATION" or not person_shaped):
        return "large place"  # a city of 100,000 or more, a country, a region; "George" the person is not
    if (known_brand(value) or _inside_brand(text, start, end)) and not person_shaped:
        return "known brand"  # "Deliveroo", "Just Eat": simple-icons' names (brands.py)
    if _in_compound(text, start, end):
        return "hyphenated word"  # "Wi-Fi", "mid-journey": part of a hyphenated word is not a name
    if (
        source == "PersonaProperNounRecognizer"
        and _SENTENCE_START.search(before)
        and _common_opener(value, text, end)
    ):
        return "sentence opener"  # "Hope so", "Sorry but", "Right, so": a common word at a sentence start
    if has_first_name(value):
        return None
    words = _WORDS.findall(value)
    if entity == "NRP" and words and not _NRP_SHAPE.search(words[-1]):
        return "not a nationality"
    if words and all(word.casefold() in _CALENDAR for word in words):
        return "calendar"
    if value.islower() and words and words[0] in DETERMINERS:
        return "after a determiner"  # statistical NER on lower-case prose ("the van reg"): not a name
    if header is not None and value.islower() and not any(names().is_first(word) for word in words):
        return "lower-case cell"  # a lower-case cell or key ("apps", "daily") that NER called a name
    if entity == "PERSON" and _THE_BEFORE.search(before) and _LOWER_AFTER.match(text[end:]):
        return "the X noun"
    if (
        source == "PersonaProperNounRecognizer"
        and len(words) >= 2
        and all(common_word(word, zipf=4.0) for word in words)
        and not all(names().is_name(word) for word in words)
    ):
        return "title-case phrase"  # "Season Ticket Holder": ordinary words, one of them no name anywhere
    if content_header(header):
        return "content column"
    return "product" if product(text, start, end) else None

"""Anonymisation on a realistic study folder: what reaches the model, what survives.

Builds a synthetic UX study of its own (interview transcripts named after participants, survey
exports, a CRM export keyed by e-mail, JSONL diaries, YAML field notes, Markdown notes, support
tickets, a phone screener), every value generated with Faker from several locales, with a
ground-truth file of the personal values planted in it (names in prose, in lower case, in speaker
tags, in bold, in file names, headers and keys; e-mails plain and obfuscated; phone numbers in
digits and spoken; handles and usernames; staff numbers; vehicle registrations; ages in speech;
postcodes and street addresses) and of the terms that must survive (products, job titles, days and
frequencies, age bands, common nouns).

Then, per strategy:
- ``persona generate --anonymise`` (extractive engine, so no server is needed): planted values
  found in the run folder, whose ``records.json`` is exactly what an engine or a model is given,
  in full or in part (a name token, an e-mail's local part, a postcode's inward code), and in the
  run folder's file names;
- ``persona privacy anonymise``: planted values left in the copies and their file names;
- must-survive terms damaged (an occurrence in the input that is not in the output).
Beside it, in the same run, presidio's defaults (AnalyzerEngine + AnonymizerEngine on each file's
lines, file names kept, as a hand-rolled script does). With ``--research PATH``, the
presidio-research figures (bench/privacy_quality.py) and the scanning speed against spaCy's own
NER pass over the same texts with the same number of processes.

    uv run python bench/privacy_study.py [--keep DIR] \
        [--research ../shared/data/presidio-research-synth-v2.json]

Also a survey with no personal data at all (``--plain ROWS``, tests/fixtures.py): the share of its
words ``privacy anonymise`` changes, beside presidio's defaults.

Targets: <= 2% of planted values reach the model under any strategy (0 from file names, headers
and keys), <= 10% of must-survive terms damaged, <= 0.1% of words changed with no personal data,
research recall >= 0.90 at precision >= 0.85, scanning <= 1.3x spaCy's NER pass.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

PRODUCTS = """Trainline|Apple Pay|Google Maps|WhatsApp|Monzo|iPhone|Citymapper|Uber|Deliveroo|Netflix|Spotify|
Tesco|Ocado|PayPal|Revolut|Slack|Microsoft Teams|Zoom|Instagram|TikTok|Facebook|YouTube|Amazon|Kindle|
Strava|Duolingo|Gmail|Outlook|Excel|Notion|Trello|Figma|LinkedIn|Airbnb|Skyscanner|easyJet|Ryanair|
Lidl|Argos|eBay|Vinted|Klarna|Nectar|Oyster|National Rail|Google Pay|Android|Fitbit|Just Eat""".replace(
    "\n", ""
)
JOBS = """Staff Nurse|Head of Operations|Delivery Driver|Warehouse Supervisor|Teaching Assistant|
Software Engineer|Project Manager|Pharmacist|Store Manager|Care Worker|HR Business Partner|Bus Driver|
Paramedic|Accountant|Receptionist|Site Manager|Junior Doctor|Data Analyst|Social Worker|
Retail Assistant""".replace("\n", "")
FREQUENCIES = "Daily|Weekly|Weekends|Bank Holiday|Every morning|Fortnightly|Monthly|Weekdays|Most evenings"
AGE_BANDS = "18-24|25-34|35-44|45-54|55-64"
NOUNS = "app|van|bus|train|card|laptop|ticket|platform|barrier|pushchair|receipt|timetable|wallet"
SURVIVE = {
    "product": PRODUCTS.split("|"),
    "job title": JOBS.split("|"),
    "frequency": FREQUENCIES.split("|"),
    "age band": AGE_BANDS.split("|"),
    "common noun": NOUNS.split("|"),
}
KIN = ["daughter", "son", "partner", "wife", "husband", "mum", "brother", "sister", "colleague", "friend"]
LOCALES = ["en_GB", "en_IE", "en_IN", "yo_NG", "ig_NG", "pl_PL", "es_ES", "it_IT", "en_US"]
SPOKEN = "oh one two three four five six seven eight nine".split()


@dataclass
class Planted:
    value: str
    category: str
    where: str  # content, file name, header, key
    parts: list[str] = field(default_factory=list)


@dataclass
class Person:
    first: str
    last: str
    email: str
    phone: str
    handle: str
    username: str
    staff: str
    reg: str
    postcode: str
    street: str
    age: int
    kin: str
    kin_word: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


class Study:
    def __init__(self, seed: int, unlisted: str | None = None) -> None:
        from faker import Faker

        self.rng = random.Random(seed)
        # --unlisted: people named from bench/unlisted_names.py (a half of its first names, its own
        # surnames), names none of the detector's lists hold
        self.firsts: list[str] = []
        self.lasts: list[str] = []
        if unlisted:
            sys.path.insert(0, str(Path(__file__).parent))
            from persona_privacy.names import names
            from unlisted_names import SURNAMES, half, held_out, tuning

            self.firsts = held_out(names()) if unlisted == "held-out" else tuning(names())
            # the surnames are halved the same way as the first names
            lasts = half(SURNAMES, unlisted, names())
            self.lasts = [w for w in lasts if re.fullmatch(r"[A-Z][^\W\d_'-]{2,}", w)]
            self.rng.shuffle(self.firsts)
            self.rng.shuffle(self.lasts)
        self.fake = Faker(LOCALES)
        self.fake.seed_instance(seed)
        self.gb = Faker("en_GB")
        self.gb.seed_instance(seed)
        self.planted: list[Planted] = []
        self.terms: Counter[str] = Counter()
        self.files: dict[str, str] = {}
        self.used: set[str] = set()

    # -- values --------------------------------------------------------------------------------
    def _name_word(self, maker) -> str:
        for _ in range(100):
            word = maker()
            if re.fullmatch(r"[A-Z][a-zà-ÿ'-]{2,}", word) and word not in self.used:
                self.used.add(word)
                return word
        raise RuntimeError("no fresh name")

    def _pick(self, pool: list[str], maker) -> str:
        return pool.pop() if pool else self._name_word(maker)

    def person(self) -> Person:
        first = self._pick(self.firsts, self.fake.first_name)
        last = self._pick(self.lasts, self.fake.last_name)
        user = re.sub(r"[^a-z]", "", (first[0] + last).lower())
        letters = "ABCDEFGHJKLMNOPRSTUVWXY"
        return Person(
            first=first,
            last=last,
            email=f"{re.sub(r'[^a-z]', '', first.lower())}.{re.sub(r'[^a-z]', '', last.lower())}@"
            + self.rng.choice(["example.com", "example.org", "mail.example.co.uk"]),
            phone=f"07700 900{self.rng.randint(100, 999)}",
            handle="@" + re.sub(r"[^a-z_]", "", f"{first.lower()}_{last[:1].lower()}"),
            username=f"{user}{self.rng.randint(10, 99)}",
            staff=str(self.rng.randint(100000, 999999)),
            reg=f"{self.rng.choice(letters)}{self.rng.choice(letters)}{self.rng.randint(10, 25)} "
            + "".join(self.rng.choice(letters) for _ in range(3)),
            postcode=self.gb.postcode(),
            street=self.gb.street_address().split("\n")[0],
            age=self.rng.randint(19, 71),
            kin=self._pick(self.firsts, self.fake.first_name),
            kin_word=self.rng.choice(KIN),
        )

    def plant(self, value: str, category: str, where: str = "content", parts: list[str] | None = None) -> str:
        self.planted.append(Planted(value, category, where, parts or []))
        return value

    def name(self, p: Person, where: str = "content") -> str:
        return self.plant(p.name, "name", where, [p.first, p.last])

    def term(self, kind: str) -> str:
        value = self.rng.choice(SURVIVE[kind])
        self.terms[value] += 1
        return value

    def spoken(self, phone: str) -> str:
        digits = re.sub(r"\D", "", phone)
        words, i = [], 0
        while i < len(digits):
            if i + 1 < len(digits) and digits[i] == digits[i + 1]:
                words.append(f"double {SPOKEN[int(digits[i])]}")
                i += 2
            else:
                words.append(SPOKEN[int(digits[i])])
                i += 1
        return " ".join(words)

    def obfuscated(self, email: str) -> str:
        local, domain = email.split("@")
        style = self.rng.choice(["words", "brackets", "percent"])
        if style == "words":
            return f"{local} at {domain.replace('.', ' dot ')}"
        if style == "brackets":
            return f"{local} (at) {domain.replace('.', ' (dot) ')}"
        return f"{local}%40{domain}"

    # -- sentences -----------------------------------------------------------------------------
    def frustration(self) -> str:
        templates = [
            lambda: f"The {self.term('product')} {self.term('common noun')} crashes when I need it most",
            lambda: f"I check {self.term('product')} on {self.term('common noun')} but the times are wrong",
            lambda: (
                f"Paying with {self.term('product')} at the {self.term('common noun')} never works first time"
            ),
            lambda: (
                f"As a {self.term('job title')} I have no time to queue at the {self.term('common noun')}"
            ),
            lambda: f"{self.term('frequency')} I give up and use {self.term('product')} instead",
        ]
        return self.rng.choice(templates)()

    def turn(self, p: Person) -> str:
        kind = self.rng.randrange(9)
        if kind == 0:
            kin = self.plant(p.kin.lower(), "name, lower case", parts=[p.kin.lower()])
            return f"my {p.kin_word} {kin} showed me {self.term('product')} on the {self.term('common noun')}"
        if kind == 1:
            # the exact age is what must not reach the model (its ten-year band may)
            return f"{self.plant(f'I am {p.age}', 'age in speech')} and I work as a {self.term('job title')}"
        if kind == 2:
            return f"you can ring me on {self.plant(self.spoken(p.phone), 'phone, spoken', parts=[p.phone])}"
        if kind == 3:
            value = self.plant(self.obfuscated(p.email), "email, obfuscated", parts=[p.email.split("@")[0]])
            return f"email me, it's {value}"
        if kind == 4:
            inward = p.postcode.split()[-1]
            self.plant(p.street, "street address", parts=[p.street])
            self.plant(p.postcode, "postcode", parts=[inward])
            return f"I live at {p.street}, {p.postcode}, handy for the {self.term('common noun')}"
        if kind == 5:
            return f"my username on {self.term('product')} is {self.plant(p.username, 'username')}"
        if kind == 6:
            return f"they asked for my staff number, {self.plant(p.staff, 'staff number')}, every shift"
        if kind == 7:
            return f"the {self.term('common noun')} reg is {self.plant(p.reg, 'vehicle registration')}"
        return f"follow me on {self.term('product')}, I'm {self.plant(p.handle, 'handle')}"

    # -- files ---------------------------------------------------------------------------------
    def build(self) -> None:
        people = [self.person() for _ in range(14)]
        interviewer = self._pick(self.firsts, self.fake.first_name)
        for i, p in enumerate(people[:4], start=1):
            slug = f"{p.first}-{p.last}".lower()
            self.plant(p.name, "name", "file name", [p.first, p.last])
            lines = [f"# Interview with {self.name(p)}", "", f"Date: 2026-03-0{i}", ""]
            for _ in range(5):
                lines.append(f"Interviewer ({self.plant(interviewer, 'name, speaker tag')}): and then what?")
                lines.append(
                    f"{self.plant(p.first, 'name, speaker tag')}: {self.turn(p)}. {self.frustration()}."
                )
            lines.append(f"\n**{self.plant(p.first, 'name, bold')}** summed it up: {self.frustration()}.")
            self.files[f"interview-{slug}-2026-03-0{i}.md"] = "\n".join(lines) + "\n"
        for i, p in enumerate(people[4:6], start=5):
            self.plant(p.first, "name", "file name")
            lines = [
                f"P0{i} ({self.plant(p.first, 'name, speaker tag')}): {self.turn(p)}. {self.frustration()}."
                for _ in range(6)
            ]
            self.files[f"transcript_p0{i}_{p.first.lower()}.txt"] = "\n\n".join(lines) + "\n"
        # a survey export: typed columns, a header that names a colleague
        reviewer = people[13]
        review_header = f"notes for {self.plant(reviewer.first, 'name', 'header')} to review"
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "respondent",
                "name",
                "email",
                "age_band",
                "job_title",
                "postcode",
                "how_often",
                "apps_used",
                "what_frustrates_you",
                review_header,
            ]
        )
        for i, p in enumerate(people, start=1):
            writer.writerow(
                [
                    f"R{i:03d}",
                    self.name(p),
                    self.plant(p.email, "email", parts=[p.email.split("@")[0]]),
                    self.term("age band"),
                    self.term("job title"),
                    self.plant(p.postcode, "postcode", parts=[p.postcode.split()[-1]]),
                    self.term("frequency"),
                    f"{self.term('product')}, {self.term('product')}",
                    self.frustration(),
                    self.turn(p),
                ]
            )
        self.files["survey-export.csv"] = out.getvalue()
        rows = ["participant\tcontact\twhen\tcomment"]
        for i, p in enumerate(people[6:12], start=1):
            contact = self.plant(p.phone, "phone")
            rows.append(f"P{i:02d}\t{contact}\t{self.term('frequency')}\t{self.frustration()}")
        self.files["screener.tsv"] = "\n".join(rows) + "\n"
        # a CRM export keyed by e-mail, attachments keyed by file names that name people
        contacts = {}
        for p in people[6:10]:
            key = self.plant(p.email, "email", "key", [p.email.split("@")[0]])
            photo = self.plant(
                f"IMG_2031_{p.first.lower()}_{p.last.lower()}.jpg", "name", "key", [p.first, p.last]
            )
            contacts[key] = {
                "name": self.name(p),
                "handle": self.plant(p.handle, "handle"),
                "role": self.term("job title"),
                "notes": f"{self.frustration()}. {self.turn(p)}.",
                "attachments": {photo: f"photo of the {self.term('common noun')}"},
            }
        self.files["crm-export.json"] = json.dumps({"contacts": contacts}, indent=2, ensure_ascii=False)
        for p in people[10:12]:
            self.plant(p.first, "name", "file name")
            entries = [
                json.dumps(
                    {
                        "participant": "P1" + str(k),
                        "day": self.term("frequency"),
                        "entry": f"{self.turn(p)}. {self.frustration()}.",
                    },
                    ensure_ascii=False,
                )
                for k in range(4)
            ]
            self.files[f"diary-{p.first.lower()}.jsonl"] = "\n".join(entries) + "\n"
        sessions = [
            {
                "observer": self.plant(interviewer, "name"),
                "participant": self.plant(p.first, "name, bold"),
                "notes": f"{self.frustration()}. She said {self.turn(p)}.",
            }
            for p in people[:4]
        ]
        self.files["fieldnotes.yaml"] = yaml.safe_dump(
            {"sessions": sessions}, allow_unicode=True, sort_keys=False
        )
        md = ["# Synthesis notes", ""]
        for p in people[4:8]:
            md += [
                f"## Session with {self.name(p)}",
                "",
                f"- **{self.plant(p.first, 'name, bold')}**: {self.frustration()}",
                f"- {self.turn(p)}",
                "",
            ]
        self.files["notes.md"] = "\n".join(md)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["ticket", "staff_id", "customer", "message"])
        for i, p in enumerate(people[8:14], start=1):
            writer.writerow(
                [
                    f"T-{i}",
                    self.plant(p.staff, "staff number"),
                    self.name(p),
                    f"{self.frustration()}. {self.turn(p)}.",
                ]
            )
        self.files["support-tickets.csv"] = out.getvalue()
        screen = []
        for p in people[10:14]:
            screen.append(f"{self.turn(p)}. {self.turn(p)}. {self.frustration()}.")
        self.files["phone-screen.txt"] = "\n\n".join(screen) + "\n"

    def write(self, folder: Path) -> Path:
        study = folder / "study"
        study.mkdir(parents=True)
        for name, text in self.files.items():
            (study / name).write_text(text, encoding="utf-8")
        truth = {
            "planted": [vars(p) for p in self.planted],
            "must_survive": dict(self.terms),
        }
        (folder / "truth.json").write_text(json.dumps(truth, indent=2, ensure_ascii=False), encoding="utf-8")
        return study


# -- measuring ---------------------------------------------------------------------------------
def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _word_in(needle: str, haystack: str) -> bool:
    # not followed by "-<digit>": "I am 20" is not in "I am 20-29", the band the policy writes
    return re.search(r"(?<![\w@.])" + re.escape(_norm(needle)) + r"(?![\w@]|-\d)", haystack) is not None


def _part_in(part: str, haystack: str) -> bool:
    """A name token inside anything but other letters: "faloye" in "douglas_faloye.jpg" counts. A
    part with digits (a postcode's "0DF") needs other boundaries: a sha256 in hex holds many."""
    if any(ch.isdigit() for ch in part):
        return re.search(r"(?<![^\W_])" + re.escape(_norm(part)) + r"(?![^\W_])", haystack) is not None
    return re.search(r"(?<![^\W\d_])" + re.escape(_norm(part)) + r"(?![^\W\d_])", haystack) is not None


def leaks(planted: list[Planted], text: str, names: str, label: str = "") -> dict:
    text, names = _norm(text), _norm(names)
    full = partial = 0
    by_category: Counter[str] = Counter()
    structural = 0
    for p in planted:
        hit_full = _word_in(p.value, text) or _norm(p.value) in names
        hit_part = not hit_full and any(
            len(part) >= 3 and (_part_in(part, text) or _part_in(part, names)) for part in p.parts
        )
        if hit_full or hit_part:
            by_category[p.category] += 1
            if os.environ.get("BENCH_SHOW_LEAKS"):  # to read a failure; never to tune on held-out data
                part = next(
                    (q for q in p.parts if len(q) >= 3 and (_part_in(q, text) or _part_in(q, names))), ""
                )
                print(f"  {label} leaked ({p.category}, {p.where}): {p.value!r} {part!r}", file=sys.stderr)
            structural += p.where != "content"
        full += hit_full
        partial += hit_part
    return {
        "reached": full + partial,
        "share": round((full + partial) / len(planted), 4),
        "full": full,
        "partial": partial,
        "from_names_headers_keys": structural,
        "by_category": dict(by_category),
    }


def damaged(terms: Counter[str], text: str) -> dict:
    lost = 0
    by_term: Counter[str] = Counter()
    for term, count in terms.items():
        left = len(re.findall(r"(?<![\w-])" + re.escape(term) + r"(?![\w-])", text))
        if left < count:
            lost += count - left
            by_term[term] += count - left
    total = sum(terms.values())
    return {"damaged": lost, "of": total, "share": round(lost / total, 4), "worst": by_term.most_common(6)}


def folder_text(folder: Path) -> tuple[str, str]:
    texts, names = [], []
    for path in sorted(folder.rglob("*")):
        names.append(path.name)
        if path.is_file():
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts), "\n".join(names)


def persona(*args: str, env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "persona", *args], capture_output=True, text=True, env=env, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"persona {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")


def presidio_defaults(study: Path) -> tuple[str, str]:
    """A hand-rolled presidio script: default analyzer and anonymizer on every line of every file."""
    from persona_privacy.detector import find_pipeline, quiet_presidio
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_anonymizer import AnonymizerEngine

    quiet_presidio()
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": find_pipeline(None)}],
        }
    )
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine())
    anonymizer = AnonymizerEngine()
    out = []
    for path in sorted(study.iterdir()):
        for line in path.read_text(encoding="utf-8").splitlines():
            results = analyzer.analyze(line, language="en") if line.strip() else []
            out.append(anonymizer.anonymize(line, results).text if results else line)  # type: ignore[arg-type]
    return "\n".join(out), "\n".join(p.name for p in study.iterdir())


def scan_speed(texts: list[str], processes: int) -> dict:
    """Persona's detector against spaCy's own NER pass (the pipeline as loaded by spacy.load, every
    component) over the same texts, with the same number of processes."""
    import spacy
    from persona_privacy.detector import Detector, find_pipeline
    from persona_privacy.settings import PrivacySettings

    nlp = spacy.load(find_pipeline(None))
    from persona.executors import LocalExecutor

    detector = Detector(PrivacySettings())
    executor = LocalExecutor(processes)
    list(detector.detect_stream(((t, None) for t in texts[:200]), executor=executor))  # warm: caches
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=128, n_process=processes):
        pass
    spacy_seconds = time.perf_counter() - start
    start = time.perf_counter()
    for _ in detector.detect_stream(((t, None) for t in texts), executor=executor):
        pass
    executor.close()
    persona_seconds = time.perf_counter() - start
    return {
        "texts": len(texts),
        "processes": processes,
        "spacy_ner_s": round(spacy_seconds, 2),
        "persona_s": round(persona_seconds, 2),
        "ratio": round(persona_seconds / spacy_seconds, 2),
    }


def plain_study(work: Path, rows: int, seed: int, env: dict[str, str]) -> None:
    """A survey with no personal data at all (tests/fixtures.py): every word changed is damage."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.fixtures import changed_words, plain_survey

    survey = plain_survey(rows, seed)
    folder = work / "plain"
    folder.mkdir(exist_ok=True)
    source = folder / "survey.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(survey[0]))
        writer.writeheader()
        writer.writerows(survey)
    persona("privacy", "anonymise", str(source), "-o", str(folder / "out"), "--keep-names", env=env)
    with (folder / "out" / "survey.csv").open(newline="", encoding="utf-8") as handle:
        after = list(csv.DictReader(handle))
    changed, total, which = changed_words(survey, after)
    base_text, _ = presidio_defaults(_only(source, work))
    lines = source.read_text(encoding="utf-8").splitlines()[1:]
    base_lines = base_text.splitlines()[1:]  # line by line: the defaults may break a row's quoting
    base_changed, _, base_which = changed_words(
        [{"line": line} for line in lines], [{"line": line} for line in base_lines]
    )
    print(
        f"no personal data ({rows} rows, seed {seed}): persona changed {changed}/{total} words "
        f"({100 * changed / total:.2f}%; target <= 0.1%) {which.most_common(5)}; presidio defaults "
        f"{base_changed} ({100 * base_changed / total:.2f}%) {base_which.most_common(5)}"
    )


def _only(source: Path, work: Path) -> Path:
    folder = work / "plain-in"
    folder.mkdir(exist_ok=True)
    (folder / source.name).write_bytes(source.read_bytes())
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", type=Path, help="write the study and the runs here")
    parser.add_argument(
        "--research", type=Path, help="presidio-research-synth-v2.json: quality and speed too"
    )
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--plain", type=int, default=2000, help="rows of the study with no personal data")
    parser.add_argument(
        "--unlisted",
        choices=["tuning", "held-out"],
        help="name the people with names none of the detector's lists hold (read failures on the tuning "
        "half; report the held-out half)",
    )
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="persona-study-"))
    work.mkdir(parents=True, exist_ok=True)
    study_data = Study(args.seed, unlisted=args.unlisted)
    study_data.build()
    study = study_data.write(work)
    planted = study_data.planted
    terms = study_data.terms
    print(
        f"study: {len(study_data.files)} files, {len(planted)} planted personal values "
        f"({sum(p.where != 'content' for p in planted)} in file names, headers and keys), "
        f"{sum(terms.values())} must-survive terms ({len(terms)} distinct); in {work}"
    )
    (work / "persona.toml").write_text("")
    env = {
        **os.environ,
        "PERSONA_CONFIG": str(work / "persona.toml"),
        "PERSONA_PRIVACY__SEED": "5",
        "PERSONA_EXECUTOR__WORKERS": str(args.processes),
        "PERSONA_PRIVACY__HASH_KEY": "bench-key-0123456789",
    }
    plain_study(work, args.plain, args.seed, env)
    results: dict[str, dict] = {}
    for strategy in ("redact", "replace", "hash"):
        run = work / f"run-{strategy}"
        persona(
            "generate",
            "-i",
            str(study),
            "--anonymise",
            "--strategy",
            strategy,
            "--engine",
            "extractive",
            "-o",
            str(run),
            "--quiet",
            env=env,
        )
        copies = work / f"copies-{strategy}"
        persona("privacy", "anonymise", str(study), "-o", str(copies), "--strategy", strategy, env=env)
        text, names = folder_text(run)
        records = (run / "records.json").read_text(encoding="utf-8")
        copy_text, copy_names = folder_text(copies)
        results[strategy] = {
            "to_model": leaks(planted, text, names, f"{strategy} to the model"),
            "in_copies": leaks(planted, copy_text, copy_names, f"{strategy} in copies"),
            "survive_to_model": damaged(terms, records),
            "survive_in_copies": damaged(terms, copy_text),
        }
    text, names = presidio_defaults(study)
    results["presidio defaults"] = {
        "to_model": leaks(planted, text, names),
        "survive_to_model": damaged(terms, text),
    }
    for label, result in results.items():
        model = result["to_model"]
        line = (
            f"{label:17s} reach the model {model['reached']:3d}/{len(planted)} ({model['share']:.1%}; "
            f"{model['full']} full, {model['partial']} partial; {model['from_names_headers_keys']} from file "
            f"names, headers, keys)"
        )
        if "in_copies" in result:
            line += f"; left in copies {result['in_copies']['reached']} ({result['in_copies']['share']:.1%})"
        survive = result["survive_to_model"]
        line += f"; must-survive damaged {survive['damaged']}/{survive['of']} ({survive['share']:.1%})"
        print(line)
        if model["by_category"]:
            print(f"{'':17s} reached by category: {model['by_category']}")
        if survive["worst"]:
            print(f"{'':17s} most damaged: {survive['worst']}")
    manifest = json.loads((work / "copies-redact" / "anonymisation.json").read_text(encoding="utf-8"))
    print(f"{'per rule (redact)':17s} removed: {manifest['removed_by_rule']}")
    print(f"{'':17s} kept: {manifest['kept_by_rule']}")
    if args.research:
        sys.path.insert(0, str(ROOT / "bench"))
        from persona_privacy.detector import find_pipeline
        from privacy_quality import persona_predictions, presidio_predictions, score

        data = json.loads(args.research.read_text())
        ours = score(data, persona_predictions(data))
        theirs = score(data, presidio_predictions(data, find_pipeline(None)))
        results["research"] = {"persona": ours, "presidio defaults": theirs}
        print(
            f"presidio-research: persona recall {ours['recall']:.3f} precision {ours['precision']:.3f}; "
            f"presidio defaults recall {theirs['recall']:.3f} precision {theirs['precision']:.3f}"
        )
        texts = [item["full_text"] for item in data] * 2
        speed = scan_speed(texts, args.processes)
        results["speed"] = speed
        print(
            f"scanning {speed['texts']} texts with {speed['processes']} processes: spaCy NER "
            f"{speed['spacy_ner_s']} s, persona {speed['persona_s']} s: {speed['ratio']}x (target <= 1.3)"
        )
    (work / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()

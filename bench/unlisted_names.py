"""Names the detector has never heard of: how many are still removed, by the place they are said.

The gazetteer is Faker's name lists and the US census's, so a benchmark that plants Faker names
measures the dictionary. This one plants first names of many origins written down for this script
(Punjabi, Yoruba, Igbo, Scots Gaelic, Irish, Welsh, Ukrainian, Polish, Tamil, Somali, Vietnamese...),
keeps only those that are in none of the detector's lists (checked here, and the count dropped is
printed), and puts each in sentences shaped like research notes, a cue before or after it. Half the
names (every second one of those Faker lacks, in sorted order) are held out: their figure is printed
apart and their failures are never read; failures are read on the tuning half only. It also prints
how many of the written names each source of the gazetteer holds: what each source adds.

    uv run python bench/unlisted_names.py
"""

from __future__ import annotations

from collections import Counter

NAMES = """
Gurleen Harjit Jaspreet Manpreet Simranjit Navdeep Kuldip Balwinder Rupinder Sukhdeep
Adebayo Olumide Folasade Temitope Oluwatoyin Yetunde Babatunde Ayodele Funmilayo Damilola
Chidinma Nnamdi Ifeoma Obinna Chukwuemeka Ngozi Uchenna Adaeze Ikenna Somtochukwu
Eilidh Mhairi Ailsa Catriona Ruaridh Seonaid Iain Morag Peigi Calum
Aoife Niamh Caoimhe Saoirse Oisin Cian Tadhg Siobhan Ciaran Eoghan
Rhodri Cerys Gethin Bethan Iwan Siwan Dafydd Eleri Hefin Nia
Oleksandr Mykola Bohdan Yaroslava Oksana Taras Halyna Ostap Zoryana Dmytro
Grzegorz Wojciech Małgorzata Przemysław Zbigniew Bożena Jadwiga Krzysztof Agnieszka Szymon
Thangaraj Kavitha Senthil Murugan Lakshmi Thenmozhi Vignesh Karthika Arulmozhi Sathish
Abdirahman Hodan Faadumo Warsame Ubah Ayaan Guled Idil Deeqa Hamdi
Nguyen Thuy Huong Minh Quang Phuong Trang Duc Lan Tuan
"""

# Surnames of the same origins, written down for bench/privacy_study.py --unlisted.
SURNAMES = """
Sandhu Grewal Dhaliwal Sidhu Bhullar Adeyemi Ogunleye Oyelaran Adebisi Akinola Okonkwo Nwosu Eze
Obi Chukwu Nwachukwu Okafor MacLeòid NicIlleathain Dòmhnallach Caimbeul Mhic Ó Briain Mac Gearailt
Ní Bhriain Ó Súilleabháin Pugh Llewellyn Prydderch Bowen Kovalenko Shevchenko Bondarenko Tkachenko
Kravchenko Wiśniewski Wójcik Kamiński Lewandowski Zieliński Szymański Ramasamy Subramaniam
Krishnamurthy Venkatesan Warsame Abdi Farah Hirsi Jama Nguyễn Trần Lê Phạm Hoàng
"""


def unlisted(words: str, gazetteer: object) -> list[str]:
    """The words of a list that the detector's name lists do not hold, in sorted order."""
    return [w for w in sorted(set(words.split())) if not gazetteer.is_name(w)]  # type: ignore[attr-defined]


def half(words: str, which: str, gazetteer: object) -> list[str]:
    """One half of a list's unlisted words: "held-out" (never looked at while tuning) or "tuning"
    (the one to read failures on). The halves are cut where they were first cut, on the words Faker's
    lists lack, so a name list added later shrinks each half and moves no name between them."""
    from persona_privacy.names import _from_faker

    first = 1 if which == "held-out" else 0
    cut = unlisted(words, _from_faker())[first::2]
    return [w for w in cut if not gazetteer.is_name(w)]  # type: ignore[attr-defined]


def held_out(gazetteer: object) -> list[str]:
    return half(NAMES, "held-out", gazetteer)


def tuning(gazetteer: object) -> list[str]:
    return half(NAMES, "tuning", gazetteer)


SHAPES = [
    ("kinship", "my daughter {n} loves the app"),
    ("kinship, hyphen", "my sister-in-law {N} books the tickets"),
    ("kinship after the name", "{n} my son takes the early train"),
    ("verb of speaking", "so I asked {n} about the van"),
    ("verb of messaging", "messaged {N} on WhatsApp about the refund"),
    ("speaker tag", "{N}: the bus was late again"),
    ("field label", "Agent: {N}"),
    ("greeting", "Hi {N}, thanks for your time today."),
    ("sign-off", "Thanks again,\n{N}"),
    ("prose, capitalised", "I went with {N} because the car was in the garage."),
    ("possessive", "{N}'s mum drives her to the station."),
]


def main() -> None:
    from persona_privacy.anonymiser import Anonymiser
    from persona_privacy.names import names
    from persona_privacy.settings import PrivacySettings

    gazetteer = names()
    written = sorted(set(NAMES.split()))
    fresh = unlisted(NAMES, gazetteer)
    print(f"{len(written)} names written, {len(written) - len(fresh)} dropped as in the detector's lists")
    from persona_privacy.names import SOURCES

    sources = {label: build() for label, build in SOURCES.items()}
    for label, source in sources.items():
        others = [other for name, other in sources.items() if name != label]
        held = [w for w in written if source.is_name(w)]
        alone = [w for w in held if not any(other.is_name(w) for other in others)]
        print(f"  source {label}: holds {len(held)} of the {len(written)}, {len(alone)} that no other holds")
    halves = {"tuning half": tuning(gazetteer), "held-out half": held_out(gazetteer)}
    anonymiser = Anonymiser(PrivacySettings(), "redact")
    for half, chosen in halves.items():
        values, where = [], []
        for name in chosen:
            for shape, template in SHAPES:
                values.append((template.format(n=name.lower(), N=name), None))
                where.append((shape, name))
        together, _ = anonymiser.anonymise(values)  # one run: a name found once goes everywhere
        alone = [anonymiser.anonymise([value])[0][0] for value in values]  # each sentence by itself
        total = len(values)
        print(f"{half}: {len(chosen)} names, {total} sentences")
        for label, out in (("one run", together), ("each alone", alone)):
            missed: Counter[str] = Counter()
            for (shape, name), text in zip(where, out, strict=True):
                missed[shape] += name.casefold() in text.casefold()
            shapes = ", ".join(f"{shape} {missed[shape]}" for shape, _ in SHAPES if missed[shape])
            print(
                f"  {label:10s} left in {sum(missed.values())} ({100 * sum(missed.values()) / total:.1f}%)"
                f"{': ' + shapes if shapes else ''}"
            )


if __name__ == "__main__":
    main()

"""The kind of a single statement (goal, pain point, behaviour, motivation, or none), on sentences
written for this file after the rules of ``persona.grouping.kinds`` were written and never used to
tune them (the rules' own catch and leave-alone cases are in tests/core/test_persona_quality.py).
They come from other fields than the planted studies (a GP surgery, a warehouse, a school, a
gym, a council), in the shapes people write answers in, with no attempt to use or avoid the
rules' cue words. ``None`` is right for a sentence that states no kind: it is then decided by its
column, or left out of the lists.

Reports accuracy per true kind and the confusion, with the share of sentences given a wrong kind
(a kind that is not ``None`` and not the true one), which is what puts an item in the wrong
section; a ``None`` only costs coverage.

    uv run python bench/statement_kinds.py
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from persona.grouping.kinds import kind_of

G, P, B, M = "goals", "pain_points", "behaviours", "motivations"

HELD_OUT: list[tuple[str | None, str]] = [
    (G, "I'd really like to book my repeat prescription without ringing at eight."),
    (G, "What would help most is a text when the results are back."),
    (G, "We want the scanners to show the bin location straight away."),
    (G, "Being told in advance when the gym is closed would be brilliant."),
    (G, "My aim this term is to get the parents using the portal."),
    (G, "I need a simple way to see which forms are still outstanding."),
    (G, "It'd be handy to pay the council tax in two halves."),
    (G, "Ideally every class would have its homework in one list."),
    (G, "I'm hoping the new system lets me swap shifts myself."),
    (G, "Please let us reserve the squash court a week ahead."),
    (P, "I was on hold for forty minutes and then got cut off."),
    (P, "The handhelds lose their signal in aisle nine."),
    (P, "Half the time the homework link goes to the wrong page."),
    (P, "The changing rooms are filthy by the evening."),
    (P, "It's a struggle to get an appointment before Friday."),
    (P, "Nobody at the council ever calls back."),
    (P, "The bin collection was missed twice this month."),
    (P, "The printer in the staff room jams every single day."),
    (P, "Booking a class takes far too many taps."),
    (P, "The reminders arrive after the appointment has happened."),
    (B, "I ring the surgery as soon as the lines open."),
    (B, "Most evenings I go through the homework diary with my son."),
    (B, "I pick the urgent orders first and batch the rest."),
    (B, "We swap the night shift rota on the group chat."),
    (B, "I usually go to the gym before work on weekdays."),
    (B, "Every Sunday I put the recycling out after dinner."),
    (B, "I keep a spreadsheet of every delivery that comes in late."),
    (B, "Before a parents' evening I print the reports for each child."),
    (B, "I book the same spin class every Tuesday."),
    (B, "We check the fridge temperatures at the start of each shift."),
    (M, "Staying healthy for my grandchildren is what matters to me."),
    (M, "I do this job because I like seeing the kids improve."),
    (M, "Keeping the neighbourhood clean makes me proud of where I live."),
    (M, "For me the important thing is that nobody waits in pain."),
    (M, "Getting the orders out on time is what I care about most."),
    (M, "I go to the gym so that I can keep up with my kids."),
    (M, "It gives me confidence to know the figures are right."),
    (M, "Feeling part of the community keeps me volunteering."),
    (None, "I have been a teacher for twelve years."),
    (None, "The warehouse has four loading bays."),
    (None, "My surgery is the one on the high street."),
    (None, "The council offices moved last spring."),
    (None, "I joined the gym in January."),
    (None, "The school has around six hundred pupils."),
]


def main() -> None:
    confusion: Counter[tuple[str | None, str | None]] = Counter()
    for want, sentence in HELD_OUT:
        confusion[(want, kind_of(sentence))] += 1
    total = len(HELD_OUT)
    right = sum(n for (want, got), n in confusion.items() if want == got)
    wrong = sum(n for (want, got), n in confusion.items() if got is not None and got != want)
    print(f"{total} held-out statements: {right / total:.0%} right, {wrong / total:.0%} given a wrong kind")
    for kind in (G, P, B, M, None):
        row = {got: n for (want, got), n in confusion.items() if want == kind}
        done = row.get(kind, 0)
        count = sum(row.values())
        others = ", ".join(f"{got}: {n}" for got, n in sorted(row.items(), key=str) if got != kind)
        print(f"  {kind!s:12} {done}/{count}" + (f"  ({others})" if others else ""))


if __name__ == "__main__":
    main()

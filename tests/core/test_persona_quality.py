"""What makes a persona one a researcher would act on: the kind of each statement read from the
sentence, statements about removed identifiers left out, groups only as many as the data holds,
and a persona's role, ages and distinctive words drawn from its whole group."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
from persona.grouping.analysis import analyse
from persona.grouping.clustering import STABLE, choose
from persona.grouping.draft import age_span, distinctive_terms, summarise
from persona.grouping.features import agreement
from persona.grouping.kinds import kind_of
from persona.records import Provenance, Record
from persona.text import about_removed

from tests.fixtures import ari
from tests.planted import BANKING, KINDS, make_study


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        # goals: a modal of wish, need or ability
        ("I'd love to see my gas and water in one place.", "goals"),
        ("Ideally the parcel tracker shows the van on a map.", "goals"),
        ("I want the app to stop crashing when I pay.", "goals"),  # a wish, though negative
        ("We need to book the hall before March.", "goals"),
        # pain points: negative sentiment, or a failure with no sentiment word
        ("The checkout froze and I lost my basket.", "pain_points"),
        ("I usually give up halfway through the form.", "pain_points"),  # a habit of failing
        ("Nobody answers the chat after six.", "pain_points"),
        ("The courier came to the wrong door for the third time.", "pain_points"),
        # behaviours: a habit or routine, or a first-person present statement
        ("I order the weekly shop on Thursday nights.", "behaviours"),
        ("Most mornings I read the news on the tram.", "behaviours"),
        ("We split the bill on the group chat.", "behaviours"),
        # motivations: a value, or a reason that is neither complaint nor habit
        ("Seeing the kids happy is what counts.", "motivations"),
        ("Knowing the bills are paid gives me peace of mind.", "motivations"),
        ("I picked this bank so that my pay lands a day early.", "motivations"),
        # the same kinds in the shapes people write answers in (written for this test, stop 32)
        ("I'm hoping to get the whole team onto one calendar.", "goals"),
        ("We're planning to move the stock list online next year.", "goals"),
        ("It'd be great if the reminders came by text.", "goals"),
        ("There should be a way to export the timesheets.", "goals"),
        ("Please add a dark mode for night shifts.", "goals"),
        ("Id like a receipt by email tbh.", "goals"),  # no apostrophe
        ("It takes ages to find an old invoice.", "pain_points"),
        ("The app keeps logging me out.", "pain_points"),
        ("There's no way to undo a booking.", "pain_points"),
        ("I end up phoning them every single time.", "pain_points"),  # a habit of failing
        ("The prices change without warning.", "pain_points"),
        ("The bill went up twice without warning :(", "pain_points"),
        ("Whenever a parcel arrives I scan it straight away.", "behaviours"),
        ("I've been using the desktop version for years.", "behaviours"),
        ("At the end of each shift I log my hours.", "behaviours"),
        ("I mostly use it on my laptop at home.", "behaviours"),
        ("It makes me feel in control of my money.", "motivations"),
        ("I like knowing exactly where every order is.", "motivations"),
        ("My family comes first.", "motivations"),
        ("Saving time means I can spend evenings with my kids.", "motivations"),
        ("Reliability is everything in my line of work.", "motivations"),
        # stop 36, from the clinic domain once it became a tuning domain (written for this test)
        ("I keep meaning to ask if they could post the timetable online.", "goals"),
        ("If we could pay the deposit in instalments we'd be grateful.", "goals"),
        ("A spare key for the locker - that's all I ask.", "goals"),
        ("At the moment we share one login between the three of us.", "behaviours"),
        ("Right now I keep a paper list in my wallet.", "behaviours"),
        ("What keeps us going is the regulars who come every week.", "motivations"),
        ("Having a job I can walk to, at the end of the day.", "motivations"),
        ("I put up with it for the kids' sake.", "motivations"),
    ],
)
def test_the_kind_of_a_statement_comes_from_the_sentence(sentence, kind):
    assert kind_of(sentence) == kind


@pytest.mark.parametrize(
    ("sentence", "not_kind"),
    [
        ("I book by phone because the form is hidden.", "motivations"),  # a workaround
        ("Group tickets with one payment sent to each friend.", "behaviours"),  # "each" is no habit
        ("I was told the refund takes a week.", "behaviours"),  # past, not a habit
        ("The library opens at nine.", "pain_points"),  # neutral fact
        ("It was not hard to set up.", "pain_points"),  # a negated difficulty
        ("It keeps getting better.", "pain_points"),
        ("Nobody does it better.", "pain_points"),  # a failure mark in praise
        ("I don't mind the new layout.", "pain_points"),
        ("We plan the week on Sunday evening.", "goals"),  # "plan" with no "to" is a habit
        ("You should see the queue at nine.", "goals"),
        ("They should have told me earlier.", "goals"),  # a reproach, not a wish
        ("I was hoping to get a refund but nobody replied.", "goals"),  # a disappointment
        ("The letters are confusing, which drives me mad.", "motivations"),
        ("Mainly the price of it all.", "behaviours"),  # "mainly" alone is no habit
        ("Happy staff who stay for years.", "behaviours"),
        ("Being near my mum, at the end of the day.", "behaviours"),  # an idiom, not a routine
        ("I'm shattered at the end of the day.", "motivations"),  # the literal end of a day
        ("I asked if we could swap rooms and they said no.", "goals"),  # a request refused, past
        ("I keep forgetting my password.", "goals"),  # "keep" of a failure, not of an intention
    ],
)
def test_cues_that_look_like_a_kind_and_are_not(sentence, not_kind):
    assert kind_of(sentence) != not_kind


def test_a_sentence_that_states_no_kind_has_none():
    assert kind_of("The new logo is orange.") is None


@pytest.mark.parametrize(
    "sentence",
    [
        "My email is [EMAIL_ADDRESS_7] if you want the letters.",
        "Call me on [PHONE_NUMBER_2] after five.",
        "[PERSON_1] and [PERSON_2] share the account with me.",  # two removed values
        "Ask [PERSON_3] about it.",  # a removed name in a short sentence
        "Send it to UK_POSTCODE_3f9a2c1b please, the new flat.",  # a keyed hash
    ],
)
def test_a_statement_about_a_removed_identifier_is_no_statement(sentence):
    assert about_removed(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "I asked [PERSON_2] at the depot why the van never turned up.",
        "Our COVID_19 policy changed how often we travel in.",
        "The refund took three weeks to arrive.",
    ],
)
def test_a_statement_that_mentions_a_removed_name_in_passing_stays(sentence):
    assert not about_removed(sentence)


def blobs(sizes, seed=0, spread=0.15, dims=8):
    rng = np.random.default_rng(seed)
    centres = np.eye(dims)[: len(sizes)]
    points = np.vstack(
        [c + spread * rng.standard_normal((n, dims)) for c, n in zip(centres, sizes, strict=False)]
    )
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    return points, np.repeat(np.arange(len(sizes)), sizes)


def test_two_clear_types_asked_for_five_give_two_groups():
    points, truth = blobs([40, 40])
    chosen = choose(points, 5, seed=0)
    assert chosen.stable and len(set(chosen.labels.tolist())) == 2
    assert ari(truth.tolist(), chosen.labels.tolist()) > 0.95


def test_as_many_clear_types_as_asked_are_all_kept_whatever_the_seed():
    points, truth = blobs([30, 30, 15, 6, 10], spread=0.25)
    for seed in (0, 1, 2):
        chosen = choose(points, 5, seed)
        assert chosen.stable and chosen.stability >= STABLE
        assert ari(truth.tolist(), chosen.labels.tolist()) > 0.9


def test_noise_is_flagged_not_stable_and_kept_at_the_size_asked():
    rng = np.random.default_rng(3)
    points = rng.standard_normal((90, 20))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    chosen = choose(points, 4, seed=0)
    assert not chosen.stable and chosen.stability < STABLE
    assert len(set(chosen.labels.tolist())) == 4
    sizes = Counter(chosen.labels.tolist())
    assert max(sizes.values()) < 0.6 * 90  # an affinity map in even parts, not one pile


def test_an_answer_weighs_as_much_as_it_goes_with_what_people_wrote():
    points, truth = blobs([30, 30])
    telling = ["a" if t == 0 else "b" for t in truth]
    random_answers = ["a" if i % 2 else "b" for i in range(60)]
    assert agreement(points, telling) > 0.8
    assert agreement(points, random_answers) < 0.3
    assert agreement(points, [None] * 60) == 0.0


def test_a_group_is_summarised_over_its_members():
    assert summarise(["Nurse"] * 7 + ["Teacher"] * 5 + ["Baker"] * 8, 20) == "Baker, Nurse (15 of 20)"
    assert summarise(["Nurse"] * 4, 4) == "Nurse"
    assert summarise(["Nurse"] * 3 + ["Teacher"], 4) == "Nurse (3 of 4)"
    assert summarise([], 3) is None
    assert age_span(["25-34"] * 5 + ["35-44"] * 5) == "25-44"
    assert age_span(["65+"] * 3 + ["55-64"]) == "55+"
    assert age_span(["18-24"]) == "18-24"
    assert age_span([]) is None


def test_what_sets_a_group_apart_is_not_what_everyone_says():
    group = Counter({"app": 30, "railcard": 12, "refund": 1})
    rest = Counter({"app": 90, "refund": 20, "parking": 15})
    ranked = distinctive_terms(group, group + rest)
    assert ranked[0] == "railcard"
    assert "app" not in ranked[:1] and "refund" not in ranked


def persona_scores(study, count):
    records = [
        Record(f"s-{n}", Provenance("s.csv", row=n), fields=dict(row)) for n, row in enumerate(study.rows)
    ]
    analysis = analyse(records, count, seed=0)
    found = {}
    personas = []
    for number, g in enumerate(analysis.groups):
        personas.append(analysis.draft(g, number))
        for record in analysis.records(g):
            found[record.id] = number
    labels = [found[f"s-{n}"] for n in range(len(study.rows))]
    listed = right = 0
    for persona in personas:
        for section in KINDS:
            for item in getattr(persona, section):
                listed += 1
                right += study.sentences.get(item, (None, None))[1] == section
    return analysis, personas, ari(study.types, labels), right / listed


def test_planted_types_are_recovered_and_statements_listed_where_they_belong():
    study = make_study(BANKING, dict.fromkeys(BANKING.types, 24), seed=11)
    analysis, personas, score, precision = persona_scores(study, 5)
    assert score > 0.9 and precision > 0.85
    assert analysis.notes() == []
    retiree = next(
        p
        for p in personas
        if "65+" in (p.demographics.age_range or "") or "55" in (p.demographics.age_range or "")
    )
    assert "Retired" in retiree.role  # the group's answers, with how many gave them


def test_a_study_with_two_types_says_so_when_five_are_asked():
    study = make_study(BANKING, dict.fromkeys(list(BANKING.types)[:2], 40), seed=12)
    analysis, personas, score, _ = persona_scores(study, 5)
    assert len(personas) == 2 and score > 0.85
    [note] = analysis.notes()
    assert "holds 2 distinct groups, not 5" in note


def test_the_extractive_engine_says_when_the_data_holds_fewer_types(run_persona, persona_home):
    study = make_study(BANKING, dict.fromkeys(list(BANKING.types)[2:4], 35), seed=13)
    path = study.write(persona_home / "two-types.csv")
    result = run_persona("generate", "-i", str(path), "--engine", "extractive", "-n", "4", "-o", "run")
    assert result.exit_code == 0, result.stderr
    assert "the data holds 2 distinct groups, not 4" in result.stderr
    personas = json.loads((persona_home / "run" / "personas.json").read_text())["personas"]
    assert len(personas) == 2
    manifest = json.loads((persona_home / "run" / "manifest.json").read_text())
    assert manifest["details"]["grouping_stability"] >= STABLE


def test_near_duplicate_statements_are_listed_once_with_their_support_added():
    said = [
        "The app logs me out every single time I try to pay for parking.",
        "The app logs me out every time I try to pay for parking.",
        "Honestly the app logs me out every time I try to pay for parking.",
    ]
    records = [
        Record(f"r-{n}", Provenance("r.csv", row=n), fields={"id": f"P{n}", "notes": said[n % 3]})
        for n in range(9)
    ]
    analysis = analyse(records, 1, seed=0)
    persona = analysis.draft(0)
    listed = [i for s in KINDS for i in getattr(persona, s) if "logs me out" in i]
    assert len(listed) == 1
    assert persona.support[listed[0]] == "9 of 9 participants"  # the id column links them


def test_a_study_too_large_to_group_whole_is_grouped_on_a_sample_and_everyone_assigned(monkeypatch):
    import persona.grouping.analysis as analysis_module

    study = make_study(BANKING, dict.fromkeys(BANKING.types, 120), seed=14)  # 600 respondents
    records = [
        Record(f"s-{n}", Provenance("s.csv", row=n), fields=dict(row)) for n, row in enumerate(study.rows)
    ]
    whole = analyse(records, 5, seed=0)
    monkeypatch.setattr(analysis_module, "FIT_UNITS", 150)
    sampled = analyse(records, 5, seed=0)
    assert len(sampled.units) == 150 and sampled.size == 600
    group_of = {record.id: g for g in sampled.groups for record in sampled.everyone(g)}
    assert sorted(group_of) == sorted(r.id for r in records)  # everyone placed, once
    labels = [group_of[f"s-{n}"] for n in range(len(records))]
    whole_labels = {record.id: g for g in whole.groups for record in whole.records(g)}
    assert ari(study.types, labels) > 0.9
    assert ari(labels, [whole_labels[f"s-{n}"] for n in range(len(records))]) > 0.9  # the same groups
    [note] = [n for n in sampled.notes() if "sample" in n]
    assert "sample of 150 of the 600 participants" in note
    # the sample's own members keep their group; a persona is drafted from the sample
    persona = sampled.draft(sampled.groups[0], 0)
    assert persona.goals and all(item in study.sentences for item in persona.goals)
    # same seed, same sample, same groups
    again = analyse(records, 5, seed=0)
    assert group_of == {record.id: g for g in again.groups for record in again.everyone(g)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The bill went up :( Then I rang them.", ["The bill went up :(", "Then I rang them."]),
        ("Great app 👍 Would recommend it.", ["Great app 👍", "Would recommend it."]),
        ('He said "no." Then I left.', ['He said "no."', "Then I left."]),
        ("Wait... And then it crashed.", ["Wait...", "And then it crashed."]),
        ("At 10:30 PM I rang.", ["At 10:30 PM I rang."]),  # a time is no emoticon
        ("The form (page 2) was fine.", ["The form (page 2) was fine."]),
    ],
)
def test_a_sentence_ends_at_a_full_stop_or_an_emoticon(text, expected):
    from persona.grouping.draft import _SENTENCE_END

    assert _SENTENCE_END.split(text) == expected


def test_a_cue_this_study_uses_for_another_kind_gives_way_to_the_column():
    from persona.grouping.kinds import settle

    # "always" is a habit's cue; here people complain with it ("the lift is always out of order"),
    # under the complaints question, while their real habits sit under the habits question
    sides = ("north", "south", "east", "west", "main")
    complaints = [f"The {side} lift is always out of order." for side in sides]
    complaints += [f"The {thing} door is always locked." for thing in ("front", "back", "side", "staff")]
    habits = [f"I usually take the {thing} to work." for thing in ("bus", "tram", "train", "ferry", "bike")]
    habits += [f"Every morning I walk to the {place}." for place in ("station", "yard", "pier", "depot")]
    texts = complaints + habits
    hints = ["pain_points"] * len(complaints) + ["behaviours"] * len(habits)
    kinds = settle(texts, hints)
    assert kinds[: len(complaints)] == ["pain_points"] * len(complaints)
    assert kinds[len(complaints) :] == ["behaviours"] * len(habits)
    # with no column to judge by (one notes column) the cue stands
    assert settle(texts, [None] * len(texts))[: len(complaints)] != ["pain_points"] * len(complaints)


def test_a_cue_that_agrees_with_its_columns_is_kept_against_a_stray_column():
    from persona.grouping.kinds import settle

    texts = [f"I usually check the {thing} on Mondays." for thing in "abcdefghij"]
    hints = ["behaviours"] * 8 + ["goals", "pain_points"]  # two answered under another question
    assert settle(texts, hints) == ["behaviours"] * 10
    # a cue of a kind no column asks for cannot be judged by the columns, and stands
    wishes = [f"I'd love to see the {thing} in one place." for thing in "abcdefghij"]
    assert settle(wishes, ["behaviours"] * 10) == ["goals"] * 10


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("What would you like to be able to do?", "goals"),
        ("What gets in your way?", "pain_points"),
        ("What is hardest about booking?", "pain_points"),
        ("How do you use the app today?", "behaviours"),
        ("Why does this matter to you?", "motivations"),
        ("What would you improve?", "goals"),
        ("what_would_you_improve", "goals"),
        ("Any suggestions for us?", "goals"),
        ("What would you change about the app?", "goals"),
        ("What would make the app better for you?", "goals"),
        ("what_frustrates_you", "pain_points"),
        ("notes", None),
        ("Anything else?", None),
        ("travel_pattern", None),
        ("Changes since last year", None),
    ],
)
def test_a_column_asks_for_the_kind_its_question_states(column, kind):
    from persona.grouping.draft import _column_category

    assert _column_category(column) == kind


def test_with_no_column_a_cue_used_for_what_others_call_another_kind_gives_way_to_its_topic():
    from persona.grouping.kinds import settle

    places = ("north", "south", "east", "west", "main", "front", "back", "side", "staff")
    broken = [
        f"The {place} lift by the car park is broken." for place in places
    ]  # complaints by their own cue
    every = [
        f"The {place} lift by the car park is always out of order." for place in places
    ]  # "always": a habit's cue
    habits = [f"I usually take the {way} to the office." for way in ("bus", "tram", "train", "ferry", "bike")]
    texts = broken + every + habits
    kinds = settle(texts, [None] * len(texts))  # one notes column: no question to judge by
    assert kinds[len(broken) : len(broken) + len(every)] == ["pain_points"] * len(every)
    assert kinds[: len(broken)] == ["pain_points"] * len(broken)
    assert kinds[-len(habits) :] == ["behaviours"] * len(habits)
    # where the cue's sentences are about what other habits are about, it stands
    routine = [
        f"Every {day} I take the {way} to the office."
        for day, way in zip(
            ("monday", "tuesday", "friday", "sunday", "morning", "evening", "week", "day", "night"),
            ("bus", "tram", "train", "ferry", "bike", "bus", "tram", "train", "ferry"),
            strict=True,
        )
    ]
    texts = broken + routine + habits
    assert settle(texts, [None] * len(texts))[len(broken) : len(broken) + len(routine)] == ["behaviours"] * 9

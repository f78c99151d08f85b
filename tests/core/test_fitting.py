from __future__ import annotations

import pytest
from persona.errors import UsageError
from persona.llm.fitting import make_budget, pack_texts, plan, record_tokens
from persona.llm.prompts import render_record
from persona.records import Provenance, Record
from persona.tokens import estimate_tokens


@pytest.mark.parametrize(
    "record",
    [
        Record("a-1", Provenance("f"), text="héllo wörld", fields={"näme": "Zoë", "b": "x y"}),
        Record("a-2", Provenance("f"), fields={"q": "plain"}),
        Record("a-3", Provenance("f"), text="only text"),
        Record("a-4", Provenance("f"), text="日本語のテキスト"),
    ],
)
def test_record_tokens_matches_the_rendered_estimate(record):
    # the rendered record, plus its id in the answer schema's two enums
    enum = 2 * (len(record.id) + 3)
    rendered = render_record(record)
    size = len(rendered.encode()) + enum
    assert record_tokens(record) == -(-size // 3) + 1
    assert record_tokens(record) >= estimate_tokens(rendered)


def test_estimate_is_conservative_for_english():
    text = "The commute is my only quiet time in the day, so I mark books on the train."
    # Real tokenisers give about 18 tokens for this sentence; the estimate must not be lower.
    assert estimate_tokens(text) >= 18


def test_plan_packs_in_order_without_cutting():
    records = [Record(f"r-{n}", Provenance("f", row=n), text="word " * 50) for n in range(20)]
    budget = make_budget(1400, "provider", 512, 400)
    fit = plan(records, budget)
    assert fit.strategy == "map-reduce"
    assert [r.id for chunk in fit.chunks for r in chunk] == [r.id for r in records]
    assert all(sum(record_tokens(r) for r in chunk) <= budget.data_tokens for chunk in fit.chunks)


def test_unknown_context_is_assumed_and_said():
    budget = make_budget(None, "provider", 1024, 500)
    assert (budget.context_length, budget.context_source) == (8192, "assumed")


def test_too_small_context_is_an_error():
    with pytest.raises(UsageError, match="context of 2048 tokens leaves no room"):
        make_budget(2048, "provider", 1024, 900)


def test_pack_texts_groups_by_size():
    assert pack_texts(["a" * 30, "b" * 30, "c" * 30], 22) == [[0, 1], [2]]
    assert pack_texts(["a" * 30, "b" * 30, "c" * 30], 21) == [[0], [1], [2]]

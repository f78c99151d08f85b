"""The text facts every part shares: one normalisation, one age band."""

from __future__ import annotations

import pytest
from persona import age_band, normalise


@pytest.mark.parametrize(
    ("value", "band"),
    [
        ("34", "30-39"),
        ("aged 43", "40-49"),
        ("I'm 19 next week", "10-19"),
        ("7", "0-9"),
        ("45-54", "45-54"),
        ("45 to 54", "45 to 54"),
        ("65+", "65+"),
        ("119", "110-119"),
    ],
)
def test_ages_become_ten_year_bands_and_bands_pass_through(value, band):
    assert age_band(value) == band


@pytest.mark.parametrize("value", ["", "forty", "0", "120", "3.5 stars", "1,200", "2024"])
def test_what_holds_no_age_has_no_band(value):
    assert age_band(value) is None


def test_normalise_folds_case_quotes_dashes_and_spaces():
    assert (
        normalise("“Café”  Nero’s – ＡＰＰ\n") == normalise('"café" nero\'s - app') == '"café" nero\'s - app'
    )
    assert normalise("Straße") == "strasse"
    assert normalise("  ") == ""

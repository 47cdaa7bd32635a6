"""Issue 15, point 4: inputs that cannot be right are refused with one sentence naming the fields."""

from datetime import date

import pytest

from pricing.model.breakeven import evaluate, evaluate_table
from pricing.model.scenario import ScenarioError
from pricing.prices.catalog import Catalog
from pricing.prices.store import bundled_catalog
from tests.helpers import EMPTY_CATALOG, acme_ft, catalog_of, on_gpt41, priced

CAT = bundled_catalog()


def _no_size(**extra):
    s = priced(**extra)
    del s["training_tokens"]
    return s


@pytest.mark.parametrize(
    "given, missing",
    [({"training_examples": 5000}, "tokens_per_example"), ({"tokens_per_example": 800}, "training_examples")],
)
def test_half_a_training_set_size_is_refused(given, missing):
    # before: 5,000 examples without their size cost $0 of training and said "Strong yes"
    with pytest.raises(ScenarioError) as exc:
        evaluate(_no_size(**given), EMPTY_CATALOG)
    text = str(exc.value)
    assert text.startswith(f"{missing} must be given with {next(iter(given))}")
    assert text.count(".") <= 1 and "\n" not in text


def test_no_training_size_is_refused_but_an_explicit_zero_is_free_training():
    with pytest.raises(ScenarioError, match=r"^training size missing: give training_tokens \(or "):
        evaluate(_no_size(), EMPTY_CATALOG)
    r = evaluate(priced(training_tokens=0, training_per_1m=None), EMPTY_CATALOG)
    assert r.training_cost == 0 and r.upfront_cost == 2000  # the eval cost only
    # with examples x tokens the size is complete: 5,000 x 800 = 4M tokens x $8 = $32
    r = evaluate(_no_size(training_examples=5000, tokens_per_example=800), EMPTY_CATALOG)
    assert r.training_cost == pytest.approx(32.0)


def test_a_table_row_without_a_training_size_fails_alone():
    t = evaluate_table(
        {
            "queries_per_day": [5000, 5000],
            "input_tokens": [1000, 1000],
            "output_tokens": [100, 100],
            "frontier_input_price": [3, 3],
            "frontier_output_price": [15, 15],
            "ft_input_price": [0.8, 0.8],
            "ft_output_price": [3.2, 3.2],
            "training_tokens": [None, 1e6],
            "training_per_1m": [8, 8],
        },
        EMPTY_CATALOG,
    )
    assert "training size missing" in str(t.errors[0]) and t.errors[1] is None


def _retired_catalog(shutdown: date) -> Catalog:
    return catalog_of(acme_ft("old-ft", shutdown_date=shutdown))


def test_a_retired_model_has_no_lifetime_left():
    s = priced(ft_model="old-ft", start_date="2026-12-01")
    with pytest.raises(ScenarioError) as exc:
        evaluate(s, _retired_catalog(date(2026, 6, 30)))
    assert str(exc.value) == (
        "ft_model old-ft: shut down on 2026-06-30: no lifetime left "
        "(pick another model or an earlier start_date)"
    )
    assert evaluate(s, _retired_catalog(date(2027, 6, 30))).lifetime_months > 6


def test_a_model_whose_vendor_stopped_taking_jobs_is_refused():
    # OpenAI takes no new fine-tuning jobs from 2027-01-06 (bundled catalog)
    s = on_gpt41(start_date="2027-02-01")
    with pytest.raises(
        ScenarioError,
        match="^ft_model gpt-4.1-mini: OpenAI accepts no new fine-tuning "
        "jobs since 2027-01-06: no lifetime left",
    ):
        evaluate(s, CAT)


def test_a_deprecated_frontier_model_is_flagged():
    # gpt-4.1 is deprecated on 2027-01-14; the workbook's Checks sheet flags it, so does the report
    s = on_gpt41(ft_model="nova-pro", start_date="2027-02-01")
    note = (
        "frontier gpt-4.1 is past its deprecation date (2027-01-14): "
        "compare against the model that replaces it"
    )
    assert note in evaluate(s, CAT).notes
    assert not any("deprecation" in n for n in evaluate(dict(s, start_date="2026-12-01"), CAT).notes)

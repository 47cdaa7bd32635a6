"""Issue 15, point 8: every verdict is reachable, each rule tested at its boundary (a mutation of
a threshold or a comparison fails a test), and the minimum job charge is applied."""

import numpy as np
import pytest

from pricing.model.breakeven import (
    MANDATORY_NET_MONTH,
    STRONG_YES_SHARE,
    VERDICTS,
    YES_SHARE,
    evaluate,
    schedule,
    verdict_codes,
)
from pricing.prices.store import bundled_catalog
from tests.helpers import EMPTY_CATALOG, on_gpt41


def case(upfront: float, queries_per_day: float = 50, **extra):
    """$1 saved a query (1M prompt tokens at $2 vs $1 per 1M), 20 days a month: queries_per_day
    x 20 dollars net a month; the upfront cost is an evaluation cost. Lifetime 12 months unless
    `extra` names another."""
    values = dict(
        queries_per_day=queries_per_day,
        days_per_month=20,
        input_tokens=1e6,
        output_tokens=0,
        frontier_input_price=2,
        frontier_output_price=0,
        ft_input_price=1,
        ft_output_price=0,
        training_tokens=0,
        eval_cost=upfront,
        lifetime_months=12,
    )
    return evaluate(values | extra, EMPTY_CATALOG)


@pytest.mark.parametrize(
    "upfront, verdict",
    [
        # $1,000 a month net: payback = upfront / 1,000 months against a 12-month lifetime
        (7_200, "Strong yes"),  # 7.2 = 60% of 12
        (7_201, "Yes"),
        (9_600, "Yes"),  # 9.6 = 80% of 12
        (9_601, "Marginal"),
        (12_000, "Marginal"),  # exactly the lifetime
        (12_001, "Don't fine-tune"),  # after the lifetime ends
    ],
)
def test_share_of_lifetime_boundaries(upfront, verdict):
    r = case(upfront)
    assert r.net_benefit_month == pytest.approx(1000) and r.payback_months == pytest.approx(upfront / 1000)
    assert r.verdict == verdict
    assert (STRONG_YES_SHARE, YES_SHARE) == (0.6, 0.8)  # the README's table


@pytest.mark.parametrize(
    "upfront, verdict",
    [
        # a 10-month lifetime puts each share exactly on a float: 6 / 10 = 0.6, 8 / 10 = 0.8
        (6_000, "Strong yes"),
        (6_001, "Yes"),
        (8_000, "Yes"),
        (8_001, "Marginal"),
        (10_000, "Marginal"),
        (10_001, "Don't fine-tune"),
    ],
)
def test_share_boundaries_land_exactly(upfront, verdict):
    # 9.6 / 12 is 0.7999... in floats, so the 12-month cases alone let `<` pass for `<=`
    r = case(upfront, lifetime_months=10)
    assert r.payback_months == pytest.approx(upfront / 1000)
    assert r.verdict == verdict


def test_no_lifetime_is_never_a_yes():
    # Validation keeps lifetime_months >= 0.01 and a retired model is refused, so only a direct
    # call reaches lifetime 0: it must stay "Don't fine-tune", even if only fine-tuning meets the
    # latency budget or it pays back within a month at $10K+ a month.
    one = np.array
    codes = verdict_codes(one([0.5, 0.5]), one([0.0, 0.0]), one([20_000.0, 20_000.0]), one([0, 1]))
    assert [VERDICTS[c] for c in codes] == ["Don't fine-tune", "Don't fine-tune"]


@pytest.mark.parametrize(
    "upfront, queries, verdict",
    [
        (10_000, 500, "Mandatory"),  # payback 1 month, net $10,000 a month: both at the bound
        (10_001, 500, "Strong yes"),  # payback just over a month
        (9_999.99, 499.9995, "Strong yes"),  # payback under a month, net just under $10,000
    ],
)
def test_mandatory_needs_both_a_month_and_ten_thousand(upfront, queries, verdict):
    r = case(upfront, queries)
    assert r.verdict == verdict
    assert MANDATORY_NET_MONTH == 10_000


def test_never_pays_back_and_latency_driven():
    assert case(1000, 0).verdict == "Don't fine-tune"  # no traffic, no saving
    budget = dict(frontier_latency_ms=900, ft_latency_ms=200, latency_budget_ms=300)
    assert case(12_001, **budget).verdict == "Yes"  # only the fine-tuned model meets the budget
    assert case(9_601, **budget).verdict == "Yes"
    assert case(7_200, **budget).verdict == "Strong yes"  # latency never lowers a verdict
    assert case(12_001, **dict(budget, ft_latency_ms=400)).verdict == "Don't fine-tune"


def test_every_verdict_is_reached():
    seen = {case(u, q).verdict for u, q in ((10_000, 500), (7_200, 50), (9_600, 50), (12_000, 50), (1, 0))}
    assert seen == set(VERDICTS)


def test_minimum_job_charge():
    # mistral-small: $4 per 1M training tokens, at least $4 a job (bundled catalog)
    base = on_gpt41(queries_per_day=1000, ft_model="mistral-small", epochs=1)  # training_tokens set below
    cat = bundled_catalog()
    small = evaluate(dict(base, training_tokens=100_000, training_runs=3), cat)
    assert small.training_cost == pytest.approx(3 * 4.0)  # 0.1M x $4 = $0.40 -> $4 a run, 3 runs
    big = evaluate(dict(base, training_tokens=2_000_000, training_runs=3), cat)
    assert big.training_cost == pytest.approx(3 * 8.0)  # 2M x $4 = $8 a run: above the minimum
    free = evaluate(dict(base, training_tokens=0), cat)
    assert free.training_cost == 0  # no job run, no charge


def test_minimum_job_charge_of_a_successor():
    # gpt-4.1-mini retires on 2027-01-14 (bundled catalog); mistral-small takes over and is trained
    # on 0.1M tokens: $0.40 at $4 per 1M, billed at its $4 minimum at the switch (month 2) and at
    # each 12-monthly retrain after it. The first job on gpt-4.1-mini: 0.1M x $5 = $0.50 (no minimum).
    s = on_gpt41(
        queries_per_day=20_000,
        successor_ft_model="mistral-small",
        output_tokens=200,
        training_tokens=100_000,
        epochs=1,
    )
    rows = schedule(s, bundled_catalog())
    paid = {m: r["upfront_and_retrain"] for m, r in enumerate(rows) if r["upfront_and_retrain"]}
    assert paid == pytest.approx({0: 0.5, 2: 4.0, 14: 4.0, 26: 4.0})

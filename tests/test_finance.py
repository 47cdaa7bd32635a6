"""NPV, IRR and discounted payback: hand-computed cases, numpy-financial, Excel's NPV convention."""

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.model.breakeven import evaluate, evaluate_many, schedule
from pricing.model.finance import (
    annual_rate,
    discounted_payback,
    irr,
    irr_annual,
    monthly_rate,
    npv,
    npv_excel,
)
from tests.helpers import EMPTY_CATALOG, priced


def excel_npv(rate, *values):
    """Excel's NPV: the first value is discounted one period."""
    return sum(v / (1 + rate) ** (i + 1) for i, v in enumerate(values))


def test_npv_by_hand():
    # -1000 now, +600 in one month, +600 in two, at 10% a month
    assert npv(0.10, [-1000, 600, 600]) == pytest.approx(-1000 + 600 / 1.1 + 600 / 1.21)


def test_excel_npv_plus_month_zero_outlay_equals_our_npv():
    # Excel: =NPV(1%, B2:B5) + B1 ; numpy-financial and ours: npv(1%, B1:B5)
    flows = [-4000, 700, 650, 800, 900]
    assert excel_npv(0.01, *flows[1:]) + flows[0] == pytest.approx(npv(0.01, flows))
    assert npv_excel(0.01, flows[1:]) + flows[0] == pytest.approx(npf.npv(0.01, flows))
    # Excel's NPV over the whole range discounts the outlay too: one period too many
    assert npv_excel(0.01, flows) == pytest.approx(npv(0.01, flows) / 1.01)


def test_irr_by_hand_two_periods():
    # -100 now, +121 in two months: (1 + r)^2 = 1.21 -> r = 10%
    assert irr([-100, 0, 121]) == pytest.approx(0.10, abs=1e-10)
    assert irr_annual([-100, 0, 121]) == pytest.approx(1.1**12 - 1, rel=1e-9)


def test_irr_is_nan_without_a_sign_change():
    assert np.isnan(irr([100, 50, 20]))
    assert np.isnan(irr([-100, -50]))


def test_monthly_rate_compounds_to_the_annual_rate():
    assert (1 + monthly_rate(0.10)) ** 12 == pytest.approx(1.10)
    assert monthly_rate(0.10) < 0.10 / 12  # compound, not annual / 12
    assert annual_rate(monthly_rate(0.37)) == pytest.approx(0.37)


def test_irr_picks_the_root_closest_to_zero_like_numpy_financial():
    # (1 + r)^-1 roots: -100 + 230 x - 132 x^2 = 0 -> r = 10% and r = 20%
    flows = [-100, 230, -132]
    assert npf.irr(flows) == pytest.approx(0.10)
    assert irr(flows) == pytest.approx(0.10, abs=1e-10)


def test_rows_are_independent_in_2d():
    many = np.array([[-100, 39, 59, 55, 20], [-100, 0, 0, 74, 0], [100, 50, 20, 0, 0], [0.0] * 5])
    got = irr(many)
    assert got[0] == pytest.approx(irr([-100, 39, 59, 55, 20]))
    assert got[1] == pytest.approx(npf.irr([-100, 0, 0, 74]))  # trailing zeros change nothing
    assert np.isnan(got[2]) and np.isnan(got[3])
    rates = np.array([0.0, 0.01, 0.02, 0.03])
    expected = [npf.npv(r, row) for r, row in zip(rates, many, strict=True)]
    assert npv(rates, many) == pytest.approx(expected)
    assert discounted_payback(rates, many)[0] == pytest.approx(discounted_payback(0.0, many[0]))


def test_discounted_payback_by_hand():
    # -1000, then 500 a month at 0%: pays back exactly at month 2
    assert discounted_payback(0.0, [-1000, 500, 500, 500]) == pytest.approx(2.0)
    # halfway through month 3: 400 + 400 + 400 -> -200 left after 2, 400 in month 3
    assert discounted_payback(0.0, [-1000, 400, 400, 400]) == pytest.approx(2.5)
    assert np.isnan(discounted_payback(0.0, [-1000, 100, 100]))
    # discounted at 25% a month: -1000, then 1250 in month 1 is worth exactly 1000
    assert discounted_payback(0.25, [-1000, 1250, 0]) == pytest.approx(1.0)
    # 625 in month 1 is worth 500, 781.25 in month 2 is worth 500: 500 owed, then repaid in 2
    assert discounted_payback(0.25, [-1000, 625, 781.25]) == pytest.approx(2.0)
    assert discounted_payback(0.10, [0, 5, 5]) == 0.0  # nothing owed
    # first recovery, even if a later retrain dips below zero again
    assert discounted_payback(0.0, [-100, 100, -50, 10]) == pytest.approx(1.0)


flows = st.lists(st.floats(0, 1e5), min_size=2, max_size=40)


@settings(max_examples=80, deadline=None)
@given(outlay=st.floats(1, 1e6), tail=flows, rate=st.floats(0, 0.2))
def test_npv_matches_numpy_financial(outlay, tail, rate):
    values = [-outlay, *tail]
    assert npv(rate, values) == pytest.approx(npf.npv(rate, values), rel=1e-9, abs=1e-6)


@settings(max_examples=80, deadline=None)
@given(outlay=st.floats(100, 1e6), tail=st.lists(st.floats(1, 1e5), min_size=3, max_size=36))
def test_irr_matches_numpy_financial_where_it_converges(outlay, tail):
    values = [-outlay, *tail]  # one sign change: exactly one IRR
    expected = npf.irr(values)
    if np.isnan(expected) or not (-0.9999 < expected < 1e6):
        return
    assert irr(values) == pytest.approx(expected, rel=1e-6, abs=1e-8)


@settings(max_examples=80, deadline=None)
@given(
    outlay=st.integers(100, 10**6),
    tail=st.lists(st.integers(0, 10**5), min_size=3, max_size=36),
    retrains=st.lists(st.tuples(st.integers(1, 35), st.integers(0, 10**6)), max_size=3),
)
def test_irr_matches_numpy_financial_on_schedules_with_retrains(outlay, tail, retrains):
    """Business-shaped flows: outlay, monthly benefits, retrain outlays (sign changes > 1)."""
    values = np.array([-outlay, *tail], dtype=float)  # whole dollars, as a schedule
    for month, cost in retrains:
        if month < len(values):
            values[month] -= cost
    expected = npf.irr(values)
    if np.isnan(expected) or not (-0.9999 < expected < 1e6):
        return
    got = irr(values)
    assert got == pytest.approx(expected, rel=1e-6, abs=1e-8)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.lists(st.floats(-1e5, 1e5), min_size=5, max_size=5), min_size=1, max_size=8),
    rate=st.floats(0, 0.2),
)
def test_vectorised_rows_equal_single_rows(rows, rate):
    many = np.array(rows)
    assert np.allclose(npv(rate, many), [npv(rate, r) for r in rows], rtol=1e-12, atol=1e-9)
    assert np.allclose(irr(many), [irr(r) for r in rows], equal_nan=True)
    assert np.allclose(
        discounted_payback(rate, many), [discounted_payback(rate, r) for r in rows], equal_nan=True
    )


@settings(max_examples=40, deadline=None)
@given(low=st.floats(0, 0.5), high=st.floats(0, 0.5))
def test_higher_discount_rate_lowers_npv_of_an_outlay_then_inflows(low, high):
    low, high = sorted((low, high))
    a = evaluate(priced(discount_rate_annual=low), EMPTY_CATALOG).npv
    b = evaluate(priced(discount_rate_annual=high), EMPTY_CATALOG).npv
    assert b <= a + 1e-9


@settings(max_examples=40, deadline=None)
@given(slow=st.floats(0, 0.95), fast=st.floats(0, 0.95), growth=st.floats(0, 0.05), life=st.floats(3, 36))
def test_faster_frontier_price_decline_means_later_payback_and_lower_npv(slow, fast, growth, life):
    slow, fast = sorted((slow, fast))
    base = dict(volume_growth_monthly=growth, lifetime_months=life)
    a = evaluate(priced(frontier_price_decline_annual=slow, **base), EMPTY_CATALOG)
    b = evaluate(priced(frontier_price_decline_annual=fast, **base), EMPTY_CATALOG)
    assert b.npv <= a.npv + 1e-9
    # schedule-based discounted payback: later or equal (never = infinitely late)
    later = b.discounted_payback_months if b.discounted_payback_months is not None else np.inf
    sooner = a.discounted_payback_months if a.discounted_payback_months is not None else np.inf
    assert later >= sooner - 1e-9


def test_a_one_off_frontier_price_cut_lowers_npv_and_month_one_only_from_month_one():
    base = evaluate(priced(), EMPTY_CATALOG)
    later = evaluate(priced(frontier_price_cut=0.5, frontier_price_cut_month=6), EMPTY_CATALOG)
    first = evaluate(priced(frontier_price_cut=0.5, frontier_price_cut_month=1), EMPTY_CATALOG)
    assert later.npv < base.npv and first.npv < later.npv
    assert later.frontier_cost_month == base.frontier_cost_month  # month 1 is before the cut
    assert later.payback_months == base.payback_months
    assert first.frontier_cost_month == pytest.approx(base.frontier_cost_month * 0.5)
    rows = schedule(priced(frontier_price_cut=0.5, frontier_price_cut_month=1), EMPTY_CATALOG)
    assert rows[1]["frontier_cost"] == pytest.approx(first.frontier_cost_month)


def test_fine_tuned_price_decline_raises_npv():
    base = evaluate(priced(), EMPTY_CATALOG)
    cheaper = evaluate(priced(ft_price_decline_annual=0.5), EMPTY_CATALOG)
    assert cheaper.npv > base.npv and cheaper.lifetime_net > base.lifetime_net
    assert cheaper.ft_cost_month == base.ft_cost_month  # month 1 is at today's price


def test_mixed_horizons_give_each_row_its_own_figures():
    scenarios = [priced(horizon_months=h, lifetime_months=12, retrain_cost_share=1) for h in (12, 24, 36, 13)]
    together = evaluate_many(scenarios, EMPTY_CATALOG)
    for s, r in zip(scenarios, together, strict=True):
        alone = evaluate(s, EMPTY_CATALOG)
        assert r.npv == alone.npv
        assert r.irr_annual == alone.irr_annual
        assert r.discounted_payback_months == alone.discounted_payback_months


def test_result_npv_is_the_npv_of_the_schedule():
    s = priced(lifetime_months=12, retrain_cost_share=0.5, horizon_months=36, volume_growth_monthly=0.02)
    r = evaluate(s, EMPTY_CATALOG)
    net = [row["net_cash_flow"] for row in schedule(s, EMPTY_CATALOG)]
    assert r.npv == pytest.approx(npf.npv(monthly_rate(0.10), net))
    assert r.npv == npv(monthly_rate(0.10), net)
    assert r.discounted_payback_months == pytest.approx(discounted_payback(monthly_rate(0.10), net))
    assert r.irr_annual == pytest.approx((1 + npf.irr(net)) ** 12 - 1, rel=1e-6)


def test_never_pays_back_has_no_discounted_payback():
    r = evaluate(priced(ft_input_price=5, ft_output_price=20), EMPTY_CATALOG)
    assert r.discounted_payback_months is None and r.npv < 0


@pytest.mark.parametrize(
    "flows",
    [
        [np.nan, 600, 600],  # the upfront itself unknown
        [-1000, 600, np.nan],  # a later flow unknown (e.g. a successor without a training rate)
        [-1000, 1200, np.nan],  # even after the crossing: NPV is unknown, so is its payback
    ],
)
def test_unknown_flow_has_no_discounted_payback(flows):
    """An unknown (NaN) flow makes the payback unknown, as it makes NPV: never 0 or a guess."""
    assert np.isnan(npv(0.01, flows))
    assert np.isnan(discounted_payback(0.01, flows))
    # rows of a table are judged one by one: a known row beside an unknown one keeps its figure
    both = discounted_payback(0.01, np.array([flows, [-1000, 600, 600]]))
    assert np.isnan(both[0]) and both[1] == pytest.approx(discounted_payback(0.01, [-1000, 600, 600]))

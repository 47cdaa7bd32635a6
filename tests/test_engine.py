"""The cost model's formulas, each against a hand-computed figure, and its properties."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.model.breakeven import evaluate, evaluate_many, evaluate_table, query_cost, schedule
from pricing.model.scenario import ScenarioError, make_scenario
from tests.helpers import EMPTY_CATALOG, priced


def test_seed_training_maths_250m_tokens_at_8_dollars_is_2000_per_epoch():
    r = evaluate(priced(eval_cost=0), EMPTY_CATALOG)
    assert r.training_cost == pytest.approx(2000.0)
    r3 = evaluate(priced(eval_cost=0, epochs=3, training_runs=2), EMPTY_CATALOG)
    assert r3.training_cost == pytest.approx(2000.0 * 3 * 2)


def test_training_tokens_from_examples_times_tokens_per_example():
    s = priced(training_tokens=None, training_examples=50_000, tokens_per_example=5_000)
    assert evaluate(s, EMPTY_CATALOG).training_cost == pytest.approx(2000.0)


def test_query_cost_by_hand_with_cache_and_batch():
    # 1000 in, 100 out at 3/15 $/1M; 40% cached at 0.3; 25% batch at half price.
    standard = (1000 * (0.6 * 3 + 0.4 * 0.3) + 100 * 15) / 1e6  # 0.00342
    expected = 0.75 * standard + 0.25 * standard * 0.5
    assert query_cost(1000, 100, 3, 15, 0.3, 0.4, 0.25, 0.5, 0.5) == pytest.approx(expected)
    assert standard == pytest.approx(0.00342)


def test_month_one_figures_by_hand():
    r = evaluate(priced(), EMPTY_CATALOG)
    frontier_q = (1000 * 3 + 100 * 15) / 1e6  # 0.0045
    ft_q = (1000 * 0.8 + 100 * 3.2) / 1e6  # 0.00112
    assert r.frontier_cost_per_query == pytest.approx(frontier_q)
    assert r.ft_cost_per_query == pytest.approx(ft_q)
    assert r.frontier_cost_month == pytest.approx(150_000 * frontier_q)  # 675
    assert r.inference_savings_month == pytest.approx(150_000 * (frontier_q - ft_q))  # 507
    assert r.upfront_cost == pytest.approx(4000)
    assert r.payback_months == pytest.approx(4000 / 507)


def test_partial_routing_keeps_the_rest_on_frontier():
    r = evaluate(priced(ft_traffic_share=0.8), EMPTY_CATALOG)
    assert r.ft_cost_month == pytest.approx(150_000 * (0.8 * 0.00112 + 0.2 * 0.0045))
    assert r.inference_savings_month == pytest.approx(150_000 * 0.8 * (0.0045 - 0.00112))


def test_fixed_costs_and_mlops_reduce_net_benefit():
    r = evaluate(
        priced(hosting_per_month=1241, storage_per_month=2, mlops_fte=0.5, engineer_annual_cost=240_000),
        EMPTY_CATALOG,
    )
    assert r.fixed_cost_month == pytest.approx(1241 + 2 + 10_000)
    assert r.net_benefit_month == pytest.approx(507 - 11_243)
    assert r.payback_months is None
    assert r.verdict == "Don't fine-tune"


def test_quality_mode_when_accuracy_value_exceeds_savings():
    r = evaluate(priced(accuracy_lift=0.25, value_per_correct=0.05), EMPTY_CATALOG)
    assert r.quality_value_month == pytest.approx(150_000 * 0.25 * 0.05)
    assert r.mode == "quality"


def test_latency_mode_when_only_the_fine_tuned_model_meets_the_budget():
    r = evaluate(priced(frontier_latency_ms=320, ft_latency_ms=120, latency_budget_ms=300), EMPTY_CATALOG)
    assert r.mode == "latency"
    missed = evaluate(
        priced(frontier_latency_ms=320, ft_latency_ms=400, latency_budget_ms=300), EMPTY_CATALOG
    )
    assert missed.mode == "volume"
    assert any("misses the latency budget" in n for n in missed.notes)


def test_never_pays_back_when_fine_tuned_costs_more():
    r = evaluate(priced(ft_input_price=5, ft_output_price=20), EMPTY_CATALOG)
    assert r.payback_months is None and r.breakeven_queries_per_day is None
    assert r.verdict == "Don't fine-tune"


def test_breakeven_traffic_makes_payback_equal_lifetime():
    r = evaluate(priced(), EMPTY_CATALOG)
    at_breakeven = evaluate(priced(queries_per_day=r.breakeven_queries_per_day), EMPTY_CATALOG)
    assert at_breakeven.payback_months == pytest.approx(r.lifetime_months)


def test_lifetime_net_and_roi_by_hand():
    r = evaluate(priced(lifetime_months=12), EMPTY_CATALOG)
    assert r.lifetime_net == pytest.approx(12 * 507 - 4000)
    assert r.roi == pytest.approx((12 * 507 - 4000) / 4000)


def test_schedule_retrains_every_lifetime_and_grows():
    rows = schedule(
        priced(lifetime_months=6, retrain_cost_share=0.5, volume_growth_monthly=0.1, horizon_months=13),
        EMPTY_CATALOG,
    )
    assert [r["month"] for r in rows] == list(range(14))
    assert rows[0]["net_cash_flow"] == pytest.approx(-4000)
    assert rows[6]["upfront_and_retrain"] == pytest.approx(2000)
    assert rows[12]["upfront_and_retrain"] == pytest.approx(2000)
    assert rows[2]["queries"] == pytest.approx(150_000 * 1.1)
    assert rows[13]["cumulative_net"] == pytest.approx(sum(r["net_cash_flow"] for r in rows))


def test_one_off_frontier_price_cut_applies_from_its_month():
    rows = schedule(
        priced(frontier_price_cut=0.4, frontier_price_cut_month=7, horizon_months=12), EMPTY_CATALOG
    )
    assert rows[6]["frontier_cost"] == pytest.approx(rows[1]["frontier_cost"])
    assert rows[7]["frontier_cost"] == pytest.approx(rows[1]["frontier_cost"] * 0.6)


def test_frontier_price_decline_shrinks_later_savings():
    rows = schedule(priced(frontier_price_decline_annual=0.5, horizon_months=13), EMPTY_CATALOG)
    assert rows[13]["frontier_cost"] == pytest.approx(rows[1]["frontier_cost"] * 0.5)


@pytest.mark.parametrize(
    "field,value,fragment",
    [
        ("queries_per_day", -1, "queries_per_day must be a number >= 0"),
        ("queries_per_day", "abc", "got 'abc'"),
        ("cached_share", 1.5, "cached_share must be a number >= 0 and <= 1"),
        ("epochs", 0, "epochs must be a number >= 1"),
        ("queries_per_day", float("nan"), "queries_per_day must be"),
        ("horizon_months", 2.5, "horizon_months must be a whole number"),
        ("frontier_input_price", 1e9, "frontier_input_price must be a number >= 0 and <= 1e+06"),
        ("bogus_field", 1, "'bogus_field' is not an input name (`ft-breakeven inputs`"),
        ("queries_per_dy", 1, "'queries_per_dy' is not an input name: did you mean queries_per_day?"),
    ],
)
def test_bad_input_names_field_value_and_what_is_allowed(field, value, fragment):
    with pytest.raises(ScenarioError) as err:
        make_scenario(priced(**{field: value}))
    assert fragment in str(err.value)
    assert err.value.field == field


def test_missing_required_field_is_named():
    s = priced()
    del s["queries_per_day"]
    with pytest.raises(ScenarioError, match="queries_per_day"):
        make_scenario(s)


def test_missing_price_without_model_names_the_price_field():
    s = priced()
    del s["frontier_input_price"]
    with pytest.raises(ScenarioError, match="frontier_input_price"):
        evaluate(s, EMPTY_CATALOG)


traffic = st.floats(min_value=1, max_value=1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(low=traffic, high=traffic)
def test_payback_falls_as_traffic_rises(low, high):
    low, high = sorted((low, high))
    a = evaluate(priced(queries_per_day=low), EMPTY_CATALOG).payback_months
    b = evaluate(priced(queries_per_day=high), EMPTY_CATALOG).payback_months
    assert b <= a * (1 + 1e-12)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "queries_per_day": traffic,
                "ft_traffic_share": st.floats(0, 1),
                "cached_share": st.floats(0, 1),
                "batch_share": st.floats(0, 1),
                "lifetime_months": st.floats(0.5, 60),
                "volume_growth_monthly": st.floats(-0.2, 0.3),
                "hosting_per_month": st.floats(0, 5000),
                "accuracy_lift": st.floats(-0.5, 0.5),
                "value_per_correct": st.floats(0, 1),
            }
        ),
        min_size=1,
        max_size=8,
    )
)
def test_vectorised_equals_scalar(rows):
    scenarios = [priced(**row) for row in rows]
    many = evaluate_many(scenarios, EMPTY_CATALOG)
    for s, r in zip(scenarios, many, strict=True):
        assert evaluate(s, EMPTY_CATALOG) == r


numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**15), 10**15),
    st.text(max_size=5),
    st.none(),
    st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(
    field=st.sampled_from(
        [
            "queries_per_day",
            "input_tokens",
            "cached_share",
            "epochs",
            "lifetime_months",
            "ft_traffic_share",
            "training_per_1m",
            "discount_rate_annual",
            "horizon_months",
            "accuracy_lift",
        ]
    ),
    value=numbers,
)
def test_any_input_gives_a_result_or_a_validation_error(field, value):
    try:
        r = evaluate(priced(**{field: value}), EMPTY_CATALOG)
    except ScenarioError as err:
        assert field in str(err)
        return
    assert math.isfinite(r.upfront_cost) and r.verdict


@settings(max_examples=40, deadline=None)
@given(
    growth=st.floats(-0.2, 0.3),
    decline=st.floats(0, 0.9),
    life=st.floats(0.5, 30),
    lift=st.floats(-0.3, 0.3),
    hosting=st.floats(0, 3000),
    cut=st.floats(0, 1),
    cut_month=st.integers(1, 40),
    ft_decline=st.floats(0, 0.9),
)
def test_lifetime_net_closed_form_equals_the_schedule(
    growth, decline, life, lift, hosting, cut, cut_month, ft_decline
):
    """The headline's closed-form sum agrees with summing the month-by-month schedule."""
    s = priced(
        volume_growth_monthly=growth,
        frontier_price_decline_annual=decline,
        frontier_price_cut=cut,
        frontier_price_cut_month=cut_month,
        ft_price_decline_annual=ft_decline,
        lifetime_months=life,
        accuracy_lift=lift,
        value_per_correct=0.02,
        hosting_per_month=hosting,
        horizon_months=math.ceil(life) + 1,
    )
    rows = schedule(s, EMPTY_CATALOG)
    whole = int(life)
    expected = sum(r["net_cash_flow"] + r["upfront_and_retrain"] for r in rows[1 : whole + 1])
    if life > whole:
        last = rows[whole + 1]
        expected += (life - whole) * (last["net_cash_flow"] + last["upfront_and_retrain"])
    r = evaluate(s, EMPTY_CATALOG)
    assert r.lifetime_net == pytest.approx(expected - r.upfront_cost, rel=1e-9, abs=1e-6)


def test_table_finance_figures_are_computed_on_first_use_and_equal_evaluate():
    rows = [priced(queries_per_day=q, horizon_months=h) for q, h in ((800, 24), (5000, 36), (20000, 36))]
    table = evaluate_table({k: [r[k] for r in rows] for k in rows[0]}, EMPTY_CATALOG)
    assert not dict.__contains__(table.figures, "irr_annual")  # nothing built for a payback sweep
    assert "irr_annual" in table.figures
    for i, row in enumerate(rows):
        single = evaluate(row, EMPTY_CATALOG)
        assert table.value("npv", i) == pytest.approx(single.npv, rel=1e-12)
        assert table.value("irr_annual", i) == pytest.approx(single.irr_annual, rel=1e-9)
    with pytest.raises(KeyError):
        table.figures["no_such_figure"]


def test_table_column_equals_value_row_by_row():
    rows = [priced(queries_per_day=q) for q in (0, 800, 5000)]  # the first never pays back
    table = evaluate_table({k: [r[k] for r in rows] for k in rows[0]}, EMPTY_CATALOG)
    for output in ("payback_months", "net_benefit_month", "npv", "verdict", "notes", "no_such"):
        assert table.column(output) == [table.value(output, i) for i in range(3)], output
    assert table.column("payback_months")[0] is None


def test_evaluate_figure_equals_evaluate_for_every_output():
    from pricing.model.breakeven import HEADLINE_FIELDS, evaluate_figure

    for s in (priced(), priced(queries_per_day=0), priced(lifetime_months=3, horizon_months=24)):
        full = evaluate(s, EMPTY_CATALOG)
        for output in (*HEADLINE_FIELDS, "notes"):
            want = "; ".join(full.notes) if output == "notes" else getattr(full, output)
            got = evaluate_figure(s, output, EMPTY_CATALOG)
            assert got == want or (isinstance(want, float) and got == pytest.approx(want, rel=1e-12)), output


def test_evaluate_figure_cache_follows_the_catalog_and_the_inputs():
    from pricing.prices.store import bundled_catalog
    from xl_addin.scenario_cache import evaluate_figure

    cat = bundled_catalog()
    s = {
        "name": "c",
        "queries_per_day": 5000,
        "input_tokens": 1300,
        "output_tokens": 100,
        "frontier_model": "claude-sonnet-4-6",
        "ft_model": "nova-pro",
        "training_tokens": 2.5e8,
        "epochs": 1,
    }
    first = evaluate_figure(s, "frontier_cost_month", cat)
    assert evaluate_figure(s, "frontier_cost_month", cat) == first
    dearer = cat.model_copy(deep=True)
    dearer.get("claude-sonnet-4-6").input *= 2  # a refresh: a new catalog object
    assert evaluate_figure(s, "frontier_cost_month", dearer) > first
    assert evaluate_figure({**s, "queries_per_day": 10000}, "frontier_cost_month", cat) == pytest.approx(
        2 * first
    )

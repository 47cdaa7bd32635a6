"""Monte Carlo, tornado and sensitivity grid (pricing.model.risk) and their CLI text."""

import argparse
import csv
import io
import json
import math

import numpy as np
import pytest

from pricing.model.breakeven import evaluate
from pricing.model.presets import preset, presets
from pricing.model.risk import (
    RiskResult,
    default_uncertain,
    figures,
    grid,
    monte_carlo,
    points,
    sample,
    tornado,
    with_defaults,
)
from pricing.model.scenario import ScenarioError
from pricing.prices.store import bundled_catalog
from tests.helpers import EMPTY_CATALOG, priced
from xl_addin.report_risk import add_risk_args, format_risk, format_tornado, run_risk_sections

RANGES = {
    "queries_per_day": (2500, 5000, 7500),
    "input_tokens": (800, 1000, 1200),
    "training_runs": (1, 1, 3),
    "frontier_price_decline_annual": (0, 0.2, 0.5),
}


def test_same_seed_same_draws_and_result():
    a = sample(priced(), RANGES, 2000, seed=7, catalog=EMPTY_CATALOG)
    b = sample(priced(), RANGES, 2000, seed=7, catalog=EMPTY_CATALOG)
    for k in RANGES:
        assert np.array_equal(a[k], b[k])
    assert monte_carlo(priced(), RANGES, 2000, 7, EMPTY_CATALOG) == monte_carlo(
        priced(), RANGES, 2000, 7, EMPTY_CATALOG
    )


def test_different_seeds_different_draws():
    a = sample(priced(), RANGES, 2000, seed=1, catalog=EMPTY_CATALOG)
    b = sample(priced(), RANGES, 2000, seed=2, catalog=EMPTY_CATALOG)
    assert not np.array_equal(a["queries_per_day"], b["queries_per_day"])
    ra = monte_carlo(priced(), RANGES, 2000, 1, EMPTY_CATALOG)
    rb = monte_carlo(priced(), RANGES, 2000, 2, EMPTY_CATALOG)
    assert ra.npv_p50 != rb.npv_p50


def test_draws_stay_in_their_ranges_and_whole_fields_are_whole():
    d = sample(priced(), {**RANGES, "horizon_months": (12, 24, 36)}, 5000, 0, catalog=EMPTY_CATALOG)
    for k, (low, _, high) in RANGES.items():
        assert d[k].min() >= low and d[k].max() <= high
    assert np.array_equal(d["horizon_months"], np.round(d["horizon_months"]))
    assert np.median(d["queries_per_day"]) == pytest.approx(5000, rel=0.03)  # symmetric triangle


def test_percentiles_are_ordered_and_probabilities_are_shares():
    r = monte_carlo(priced(), RANGES, 5000, 0, EMPTY_CATALOG)
    assert isinstance(r, RiskResult) and r.draws == 5000 and r.seed == 0
    assert r.payback_p10 <= r.payback_p50 <= r.payback_p90
    assert r.npv_p10 <= r.npv_p50 <= r.npv_p90
    assert 0 <= r.prob_payback_within_lifetime <= 1 and 0 <= r.prob_npv_positive <= 1
    assert r.base_npv == pytest.approx(evaluate(priced(), EMPTY_CATALOG).npv)


def test_no_uncertainty_reproduces_the_scenario():
    base = evaluate(priced(), EMPTY_CATALOG)
    r = monte_carlo(priced(), {"queries_per_day": (5000, 5000, 5000)}, 50, 0, EMPTY_CATALOG)
    assert r.payback_p10 == r.payback_p90 == pytest.approx(base.payback_months)
    assert r.npv_p50 == pytest.approx(base.npv)
    assert r.prob_payback_within_lifetime == 1.0


def test_never_paying_back_gives_none_percentiles():
    s = priced(ft_input_price=5, ft_output_price=20)  # fine-tuned costs more per query
    r = monte_carlo(s, {"queries_per_day": (1000, 5000, 9000)}, 500, 0, EMPTY_CATALOG)
    assert r.payback_p10 is None and r.payback_p90 is None
    assert r.prob_payback_within_lifetime == 0.0 and r.npv_p90 < 0


def test_a_draw_equals_evaluate_of_that_scenario():
    drawn = {
        "queries_per_day": np.array([3210.0]),
        "training_runs": np.array([2.0]),
        "input_tokens": np.array([900.0]),
        "frontier_price_decline_annual": np.array([0.3]),
    }
    fig = figures(points(priced(), drawn, 1, EMPTY_CATALOG), ("npv", "payback_months"))
    r = evaluate(
        priced(queries_per_day=3210, training_runs=2, input_tokens=900, frontier_price_decline_annual=0.3),
        EMPTY_CATALOG,
    )
    assert fig["npv"][0] == pytest.approx(r.npv)
    assert fig["payback_months"][0] == pytest.approx(r.payback_months)


def test_fine_tuned_tokens_stay_put_unless_coupling_is_turned_on():
    s = priced(ft_input_tokens=200)
    cols = points(s, {"input_tokens": np.array([500.0, 2000.0])}, 2, EMPTY_CATALOG)
    assert list(cols.ft_input_tokens) == [200, 200]  # only the named input moves
    cols = points(s, {"input_tokens": np.array([500.0, 2000.0])}, 2, EMPTY_CATALOG, couple_tokens=True)
    assert list(cols.ft_input_tokens) == pytest.approx([100, 400])  # opt-in: 200/1000 of it
    cols = points(priced(), {"input_tokens": np.array([500.0])}, 1, EMPTY_CATALOG)
    assert cols.ft_input_tokens[0] == 500  # unset: follows the frontier prompt, as evaluate does


def test_grid_cell_is_evaluate_with_only_its_two_inputs_changed():
    # issue 15: a grid over input_tokens rescaled a 600-token fine-tuned prompt to 277
    s = priced(input_tokens=1300, ft_input_tokens=600)
    cells = grid(s, "input_tokens", [600, 1300, 2000], "queries_per_day", [2000, 5000], "npv", EMPTY_CATALOG)
    for i, q in enumerate([2000, 5000]):
        for j, tokens in enumerate([600, 1300, 2000]):
            want = evaluate(dict(s, input_tokens=tokens, queries_per_day=q), EMPTY_CATALOG).npv
            assert cells[i][j] == pytest.approx(want, rel=1e-12)
    # at 600 frontier tokens the prompts are equal: the saving is the rates' difference only,
    # 5000 x 30 x 600 x (3 - 0.8) / 1M + 5000 x 30 x 100 x (15 - 3.2) / 1M = $375.00 a month
    r = evaluate(dict(s, input_tokens=600), EMPTY_CATALOG)
    assert r.inference_savings_month == pytest.approx(198.0 + 177.0)
    coupled = grid(s, "input_tokens", [2600], "queries_per_day", [5000], "npv", EMPTY_CATALOG, True)
    want = evaluate(dict(s, input_tokens=2600, ft_input_tokens=1200), EMPTY_CATALOG).npv
    assert coupled[0][0] == pytest.approx(want)


def test_tornado_and_monte_carlo_hold_the_fine_tuned_prompt():
    s = priced(input_tokens=1300, ft_input_tokens=600)
    bars = {b.driver: b for b in tornado(s, {"input_tokens": (1040, 1560)}, "npv", EMPTY_CATALOG)}
    want = evaluate(dict(s, input_tokens=1560), EMPTY_CATALOG).npv
    assert bars["input_tokens"].output_at_high == pytest.approx(want)
    r = monte_carlo(s, {"input_tokens": (1560, 1560, 1560)}, 100, 0, EMPTY_CATALOG)
    assert r.npv_p50 == pytest.approx(want) and not r.couple_tokens
    rc = monte_carlo(s, {"input_tokens": (1560, 1560, 1560)}, 100, 0, EMPTY_CATALOG, couple_tokens=True)
    assert rc.couple_tokens and rc.npv_p50 < r.npv_p50  # the coupled prompt grew to 720 tokens
    assert "coupling on" in format_risk(rc) and "coupling on" not in format_risk(r)


def test_engine_columns_can_be_uncertain():
    r = monte_carlo(priced(), {"training_cost": (1000, 2000, 8000)}, 1000, 0, EMPTY_CATALOG)
    assert r.payback_p90 > r.payback_p10


def test_default_uncertain_ranges_are_centred_on_the_scenario():
    u = default_uncertain(
        priced(accuracy_lift=0.1, value_per_correct=0.01, training_runs=2, frontier_price_decline_annual=0.6),
        EMPTY_CATALOG,
    )
    assert u["queries_per_day"] == (2500, 5000, 7500)
    assert u["input_tokens"] == (800, 1000, 1200)
    # training 250M x 1 epoch x $8 / 1M x 2 runs = $4,000, +/-50%
    assert u["training_cost"] == pytest.approx((2000, 4000, 6000))
    assert u["accuracy_lift"] == pytest.approx((0.05, 0.1, 0.15))
    assert u["frontier_price_decline_annual"] == pytest.approx((0.4, 0.6, 0.8))
    for low, likely, high in u.values():  # the likely value is the input, low and high symmetric
        assert likely - low == pytest.approx(high - likely)
    # an input at 0 is not given a one-sided range; a lift near 1 stays within 1
    u = default_uncertain(priced(accuracy_lift=0.9, value_per_correct=0.01), EMPTY_CATALOG)
    assert "frontier_price_decline_annual" not in u
    assert u["accuracy_lift"] == pytest.approx((0.8, 0.9, 1.0))
    r = monte_carlo(priced(), None, 1000, 0, EMPTY_CATALOG)
    assert set(r.uncertain) == set(default_uncertain(priced(), EMPTY_CATALOG))


@pytest.mark.parametrize("p", presets(), ids=lambda p: p.id)
def test_every_preset_base_npv_sits_inside_its_risk_range(p):
    r = monte_carlo(p.scenario, catalog=bundled_catalog())
    assert r.npv_p10 < r.base_npv < r.npv_p90
    assert abs(r.npv_p50 - r.base_npv) <= 0.10 * abs(r.base_npv)


def test_faisal_risk_agrees_with_its_headline():
    # issue 15: the old ranges (20%/yr price decline when the scenario says 0, training runs
    # 1/1/3) gave P50 -$462 against a base NPV of $10,516, and P(NPV > 0) 46%
    r = monte_carlo(preset("faisal").scenario, catalog=bundled_catalog())
    assert r.base_npv == pytest.approx(10516, abs=1)
    assert r.npv_p50 == pytest.approx(r.base_npv, rel=0.01)
    assert r.prob_npv_positive > 0.95


def test_with_defaults_replaces_only_the_named_range():
    given = {"queries_per_day": (1000, 5000, 9000)}
    u = with_defaults(priced(), given, EMPTY_CATALOG)
    base = default_uncertain(priced(), EMPTY_CATALOG)
    assert u["queries_per_day"] == (1000, 5000, 9000)
    assert {k: v for k, v in u.items() if k != "queries_per_day"} == {
        k: v for k, v in base.items() if k != "queries_per_day"
    }


@pytest.mark.parametrize(
    "uncertain, field",
    [
        ({"queries_per_day": (5, 1, 9)}, "queries_per_day"),  # low > likely
        ({"ft_traffic_share": (0.5, 0.9, 1.5)}, "ft_traffic_share"),  # share above 1
        ({"frontier_price_decline_annual": (0, 0.5, 1.0)}, "frontier_price_decline_annual"),
        ({"no_such_input": (1, 2, 3)}, "uncertain"),
        ({"ft_model": (1, 2, 3)}, "uncertain"),
        ({"queries_per_day": (1, 2)}, "queries_per_day"),
        ({"training_cost": (-1, 0, 1)}, "training_cost"),
    ],
)
def test_bad_ranges_name_the_field(uncertain, field):
    with pytest.raises(ScenarioError) as exc:
        monte_carlo(priced(), uncertain, 100, 0, EMPTY_CATALOG)
    assert exc.value.field == field


def test_bad_draws_and_seed():
    with pytest.raises(ScenarioError, match="draws"):
        monte_carlo(priced(), RANGES, 0, 0, EMPTY_CATALOG)
    with pytest.raises(ScenarioError, match="seed"):
        monte_carlo(priced(), RANGES, 10, -1, EMPTY_CATALOG)


def test_pert_is_narrower_than_triangular():
    t = sample(priced(), {"queries_per_day": (0, 5000, 10000)}, 20000, 0, catalog=EMPTY_CATALOG)
    p = sample(priced(), {"queries_per_day": (0, 5000, 10000)}, 20000, 0, "pert", EMPTY_CATALOG)
    assert p["queries_per_day"].std() < t["queries_per_day"].std()


# ---------------------------------------------------------------- tornado


def test_tornado_is_sorted_by_swing_and_matches_evaluate():
    rows = tornado(priced(), None, "npv", EMPTY_CATALOG)
    swings = [r.swing for r in rows]
    assert swings == sorted(swings, reverse=True) and len(rows) >= 5
    top = rows[0]
    at_low = evaluate(priced(**{top.driver: top.low_value}), EMPTY_CATALOG).npv
    assert top.output_at_low == pytest.approx(at_low)
    assert top.swing == pytest.approx(abs(top.output_at_high - top.output_at_low))
    assert rows[0].base_output == pytest.approx(evaluate(priced(), EMPTY_CATALOG).npv)


def test_tornado_with_given_drivers_and_never():
    rows = tornado(
        priced(),
        {"queries_per_day": (4000, 6000), "ft_input_price": (0.1, 9.0)},
        "payback_months",
        EMPTY_CATALOG,
    )
    assert rows[0].driver == "ft_input_price"  # never pays back at the high end
    assert rows[0].output_at_high is None and math.isinf(rows[0].swing)
    assert rows[1].output_at_low == pytest.approx(
        evaluate(priced(queries_per_day=4000), EMPTY_CATALOG).payback_months
    )
    text = format_tornado(rows)
    assert "never" in text and "queries_per_day" in text


def test_tornado_errors_name_the_driver():
    with pytest.raises(ScenarioError) as exc:
        tornado(priced(), {"cached_share": (0, 2)}, "npv", EMPTY_CATALOG)
    assert exc.value.field == "cached_share" and exc.value.value == 2
    with pytest.raises(ScenarioError, match="output"):
        tornado(priced(), None, "verdict", EMPTY_CATALOG)


# ---------------------------------------------------------------- grid


def test_grid_shape_and_a_cell_equals_evaluate():
    xs, ys = [1000, 3000, 5000, 8000], [0.0, 0.3, 0.6]
    table = grid(priced(), "queries_per_day", xs, "frontier_price_decline_annual", ys, "npv", EMPTY_CATALOG)
    assert len(table) == len(ys) and all(len(row) == len(xs) for row in table)
    r = evaluate(priced(queries_per_day=3000, frontier_price_decline_annual=0.6), EMPTY_CATALOG)
    assert table[2][1] == pytest.approx(r.npv, rel=1e-12)
    assert table[0][3] > table[0][0]  # more traffic, more NPV


def test_grid_payback_none_where_never_and_training_runs():
    table = grid(
        priced(), "ft_input_price", [0.8, 10.0], "training_runs", [1, 3], "payback_months", EMPTY_CATALOG
    )
    assert table[0][1] is None and table[1][1] is None
    r = evaluate(priced(training_runs=3), EMPTY_CATALOG)
    assert table[1][0] == pytest.approx(r.payback_months)


def test_grid_errors():
    with pytest.raises(ScenarioError) as exc:
        grid(priced(), "queries_per_day", [1, -5], "lifetime_months", [12], "npv", EMPTY_CATALOG)
    assert exc.value.field == "queries_per_day" and exc.value.value == -5
    with pytest.raises(ScenarioError):
        grid(priced(), "horizon_months", [12.5], "lifetime_months", [12], "npv", EMPTY_CATALOG)
    with pytest.raises(ScenarioError, match="y_field"):
        grid(priced(), "queries_per_day", [1], "queries_per_day", [2], "npv", EMPTY_CATALOG)


# ---------------------------------------------------------------- CLI text


def test_cli_sections():
    parser = argparse.ArgumentParser()
    add_risk_args(parser)
    args = parser.parse_args(
        ["--risk", "--sensitivity", "--draws", "500", "--uncertain", "queries_per_day=2000,5000,8000"]
    )
    text = args.extra_sections(args, [priced()], EMPTY_CATALOG)
    assert "P10" in text and "queries_per_day" in text and "Sensitivity of npv" in text
    # --uncertain replaced only the traffic range: the other built-in ranges are still drawn
    assert "2,000 / 5,000 / 8,000" in text and "input_tokens" in text and "training_cost" in text
    assert run_risk_sections(parser.parse_args([]), [priced()], EMPTY_CATALOG) == ""
    r = monte_carlo(priced(), RANGES, 500, 0, EMPTY_CATALOG)
    assert "P(NPV > 0)" in format_risk(r)


def test_cli_bad_range_exits_with_the_field(capsys):
    parser = argparse.ArgumentParser()
    add_risk_args(parser)
    args = parser.parse_args(["--risk", "--uncertain", "cached_share=0,0.5,3"])
    with pytest.raises(SystemExit) as exc:
        run_risk_sections(args, [priced()], EMPTY_CATALOG)
    assert exc.value.code == 2 and "cached_share" in capsys.readouterr().err


def test_report_command_prints_risk_and_tornado_after_the_figures(capsys):
    from xl_addin.cli import main

    assert (
        main(["report", "--preset", "faisal", "--risk", "--sensitivity", "--draws", "2000", "--seed", "7"])
        == 0
    )
    out = capsys.readouterr().out
    figures, risk_text = out.split("Risk: ", 1)
    assert "Payback" in figures and "2,000 draws" in risk_text and "seed 7" in risk_text
    assert "Traffic in month 1 (queries_per_day)" in risk_text  # tornado bars by the input's label
    assert risk_text.index("P(NPV > 0)") < risk_text.index("Sensitivity of npv")


def test_risk_sensitivity_and_grid_export_as_json(capsys):
    from xl_addin.cli import main

    argv = ["report", "--preset", "faisal", "--risk", "--sensitivity", "--draws", "500", "--seed", "3"]
    argv += ["--grid", "queries_per_day=1000,5000", "input_tokens=800,1300", "--format", "json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    s = preset("faisal").scenario
    r = monte_carlo(s, None, 500, 3, bundled_catalog())
    assert data["risk"]["npv_p50"] == pytest.approx(r.npv_p50) and data["risk"]["draws"] == 500
    assert data["result"]["npv"] == pytest.approx(evaluate(s, bundled_catalog()).npv)
    bars = tornado(s, None, "npv", bundled_catalog())
    assert [b["driver"] for b in data["sensitivity"]["drivers"]] == [b.driver for b in bars]
    cells = grid(
        s, "queries_per_day", [1000, 5000], "input_tokens", [800, 1300], "payback_months", bundled_catalog()
    )
    assert np.allclose(data["grid"]["cells"], cells, rtol=1e-11)


def test_risk_sections_export_as_csv_tables(capsys):
    from xl_addin.cli import main

    assert main(["report", "--all", "--risk", "--draws", "500", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["scenario", "Figure", "P10", "P50", "P90"]
    assert len(rows) == 1 + 5 * len(presets())  # one table: the five FT_RISK rows per preset
    faisal = monte_carlo(preset("faisal").scenario, None, 500, 0, bundled_catalog())
    npv = next(r for r in rows if r[0] == faisal.name and r[1] == "NPV over the horizon")
    assert float(npv[3]) == pytest.approx(faisal.npv_p50)
    assert (
        main(
            [
                "report",
                "--preset",
                "faisal",
                "--sensitivity",
                "--grid",
                "queries_per_day=1000",
                "epochs=1,2",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    blocks = capsys.readouterr().out.strip().split("\n\n")
    assert [next(csv.reader(b.splitlines()))[1] for b in blocks] == [
        "Driver",
        "Payback (months): rows = Passes over the training set, cols = Traffic in month 1",
    ]


def test_report_grid_prints_the_engine_grid_or_names_the_bad_input(capsys):
    from xl_addin.cli import main

    argv = [
        "report",
        "--preset",
        "faisal",
        "--grid",
        "queries_per_day=1000,5000",
        "frontier_price_decline_annual=0,0.5",
        "--grid-output",
        "npv",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    table = out.split("Two-way table of npv", 1)[1]
    want = grid(
        preset("faisal").scenario,
        "queries_per_day",
        [1000, 5000],
        "frontier_price_decline_annual",
        [0, 0.5],
        "npv",
        bundled_catalog(),
    )
    assert f"${want[0][1]:,.0f}" in table and f"-${-want[1][0]:,.0f}" in table
    with pytest.raises(SystemExit) as stop:
        main(["report", "--preset", "faisal", "--grid", "querys=1", "epochs=1"])
    assert stop.value.code == 2
    captured = capsys.readouterr()
    assert "querys" in captured.err and captured.out == ""  # nothing half-printed


def test_report_refuses_too_few_draws(capsys):
    from xl_addin.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["report", "--preset", "faisal", "--risk", "--draws", "5"])
    assert stop.value.code == 2 and "--draws" in capsys.readouterr().err


def test_cli_says_when_coupling_is_on():
    parser = argparse.ArgumentParser()
    add_risk_args(parser)
    argv = ["--sensitivity", "--grid", "input_tokens=800,1200", "queries_per_day=1000,5000"]
    s = priced(ft_input_tokens=400)
    plain = run_risk_sections(parser.parse_args(argv), [s], EMPTY_CATALOG)
    coupled = run_risk_sections(parser.parse_args([*argv, "--couple-tokens"]), [s], EMPTY_CATALOG)
    assert "coupling on" not in plain
    assert coupled.count("coupling on: fine-tuned tokens scale with the frontier tokens varied") == 2
    assert plain != coupled

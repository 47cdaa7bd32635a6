"""Issue 15, point 6: the honest alternative, a cheaper model used prompted (baseline_model).

Hand figures from the bundled catalog: gpt-4.1 $2 / $8, gpt-4.1-mini $0.40 / $1.60 per 1M
(base rates: the baseline is not fine-tuned); nova-pro fine-tuned $0.80 / $3.20 per 1M.
"""

import pytest

from pricing.model.breakeven import evaluate, evaluate_table
from pricing.prices.store import bundled_catalog
from tests.helpers import EMPTY_CATALOG, on_gpt41, priced
from tests.officejs import call
from xl_addin.cli import main

CAT = bundled_catalog()
# The README's worked example (keep in step with it)
CASE = on_gpt41(
    name="Support bot",
    queries_per_day=20_000,
    ft_model="nova-pro",
    baseline_model="gpt-4.1-mini",
    output_tokens=200,
    training_tokens=100e6,
    epochs=1,
    accuracy_lift=0.05,
    value_per_correct=0.01,
)


def test_baseline_figures_by_hand():
    r = evaluate(CASE, CAT)
    # 600,000 queries a month; frontier (1000 x 2 + 200 x 8) / 1M = $0.0036, baseline
    # (1000 x 0.4 + 200 x 1.6) / 1M = $0.00072, fine-tuned (1000 x 0.8 + 200 x 3.2) / 1M = $0.00144
    assert r.baseline_cost_per_query == pytest.approx(0.00072)
    assert r.baseline_savings_month == pytest.approx(600_000 * (0.0036 - 0.00072))  # $1,728
    assert r.inference_savings_month == pytest.approx(600_000 * (0.0036 - 0.00144))  # $1,296
    assert r.savings_vs_baseline_month == pytest.approx(-432.0)  # fine-tuned costs more per query
    # the lift is worth 600,000 x 5% x $0.01 = $300 a month, storage $1.95: against the baseline
    # fine-tuning nets -432 + 300 - 1.95 < 0, so the cheaper prompted model is the better move
    assert r.verdict == "Strong yes" and r.baseline_verdict == "Don't fine-tune"
    # lift L that pays back the $800 upfront within 12 months against the baseline:
    # -432 + 600,000 x L x 0.01 - 1.95 = 800 / 12  ->  L = (66.67 + 1.95 + 432) / 6,000 = 8.34%
    assert r.breakeven_accuracy_lift == pytest.approx((800 / 12 + 1.95 + 432) / 6000)
    assert (
        "switching to gpt-4.1-mini without fine-tuning saves $1,728 a month against gpt-4.1 with no "
        "upfront cost: the better move; fine-tuning beats it with an accuracy lift of 8.3% or more"
    ) in r.notes
    # at 9%: -432 + 540 - 1.95 = $106.05 a month, $800 back in 7.5 months = 63% of 12: Yes
    better = evaluate(dict(CASE, accuracy_lift=0.09), CAT)
    assert better.baseline_verdict == "Yes"
    assert any(n.startswith("fine-tuning beats switching to gpt-4.1-mini") for n in better.notes)


def test_no_baseline_no_baseline_figures():
    r = evaluate(priced(), EMPTY_CATALOG)
    assert r.baseline_verdict == "" and r.baseline_cost_per_query is None
    assert r.savings_vs_baseline_month is None and r.breakeven_accuracy_lift is None
    assert not any("without fine-tuning" in n for n in r.notes)


def test_baseline_by_prices_and_in_a_table():
    s = priced(baseline_input_price=1.0, baseline_output_price=5.0)  # no catalog needed
    r = evaluate(s, EMPTY_CATALOG)
    # 150,000 queries: baseline (1000 x 1 + 100 x 5) / 1M = $0.0015; fine-tuned $0.00112
    assert r.baseline_cost_per_query == pytest.approx(0.0015)
    assert r.savings_vs_baseline_month == pytest.approx(150_000 * (0.0015 - 0.00112))  # $57
    assert r.breakeven_accuracy_lift is None  # no value per correct answer: the note asks for it
    assert any("give value_per_correct to see what accuracy lift" in n for n in r.notes)
    t = evaluate_table(
        {k: [v, v] for k, v in dict(CASE, baseline_model=None).items()}
        | {"baseline_model": ["gpt-4.1-mini", ""]},
        CAT,
    )
    assert t.value("baseline_verdict", 0) == "Don't fine-tune" and t.value("baseline_verdict", 1) == ""
    assert "the better move" in t.value("notes", 0) and "better move" not in t.value("notes", 1)


def test_unknown_baseline_model_names_the_field():
    with pytest.raises(Exception, match="gpt-4.1-mimi"):
        evaluate(dict(CASE, baseline_model="gpt-4.1-mimi"), CAT)


def test_cli_shows_the_baseline_rows_only_when_one_is_named(capsys, tmp_path):
    path = tmp_path / "case.json"
    import json

    path.write_text(json.dumps(CASE))
    assert main(["report", "--scenario", str(path)]) == 0
    out = capsys.readouterr().out
    # label and value are separated by at least two spaces (the label column fits the longest label)
    rows = dict(
        line.strip().split("  ", 1)
        for line in out.splitlines()
        if line.startswith("  ") and "  " in line.strip()
    )
    rows = {k: v.strip() for k, v in rows.items()}
    assert rows["Verdict against the baseline"] == "Don't fine-tune"
    assert rows["Accuracy lift to beat the baseline"] == "8.3%"
    assert rows["Switching to the baseline saves per month"] == "$1,728"
    assert main(["report", "--preset", "faisal"]) == 0
    assert "baseline" not in capsys.readouterr().out


def test_ft_baseline_function():
    block = [[k, v] for k, v in CASE.items() if k != "baseline_model"]
    rows = call("ft_baseline", block, "gpt-4.1-mini")
    got = dict((r[0], r[1]) for r in rows)
    assert got["Verdict against the baseline"] == "Don't fine-tune"  # labels, not engine names
    assert got["Savings against the baseline per month"] == pytest.approx(-432.0)
    assert got["Better move"].startswith("switching to gpt-4.1-mini without fine-tuning")

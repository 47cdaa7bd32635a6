"""Issue 15, point 7: what the seed says to budget, shown beside the headline."""

import re
from datetime import date

import pytest

from pricing.model.breakeven import evaluate, evaluate_table
from pricing.model.presets import preset
from pricing.prices.store import bundled_catalog
from tests.helpers import EMPTY_CATALOG, priced
from xl_addin.report import render_table


def test_verdict_with_the_seeds_mlops_budget_beside_the_headline():
    # Faisal: $688 a month net; half an engineer at $200,000 a year costs $8,333 a month
    r = evaluate(preset("faisal").scenario, bundled_catalog())
    assert r.net_benefit_month == pytest.approx(688, abs=1)
    assert (r.verdict, r.verdict_with_mlops) == ("Strong yes", "Don't fine-tune")
    # the priced case nets 5,000 x 30 x (0.0045 - 0.00112) = $507 a month; at 100x the traffic
    # ($50,700) half an engineer leaves $42,367: upfront $4,000 pays back in 0.094 months either way
    big = evaluate(priced(queries_per_day=500_000), EMPTY_CATALOG)
    assert big.net_benefit_month == pytest.approx(50_700)
    assert (big.verdict, big.verdict_with_mlops) == ("Mandatory", "Mandatory")
    # $12,000 a month net with no MLOps is Mandatory; less $8,333 it is $3,667: payback 1.09 months
    mid = evaluate(priced(queries_per_day=5000 * 12_000 / 507, eval_cost=2000), EMPTY_CATALOG)
    assert mid.upfront_cost == pytest.approx(4000) and mid.net_benefit_month == pytest.approx(12_000)
    assert (mid.verdict, mid.verdict_with_mlops) == ("Mandatory", "Strong yes")
    # a scenario that counts its own MLOps: both verdicts count the same engineers
    # (a quarter engineer: 12,000 - 4,167 = $7,833 a month, payback 0.51 months, under $10,000)
    own = evaluate(priced(queries_per_day=5000 * 12_000 / 507, mlops_fte=0.25), EMPTY_CATALOG)
    assert own.net_benefit_month == pytest.approx(12_000 - 0.25 * 200_000 / 12)
    assert own.verdict == own.verdict_with_mlops == "Strong yes"


def test_an_accuracy_lift_without_its_value_asks_for_it():
    r = evaluate(priced(accuracy_lift=0.2), EMPTY_CATALOG)
    assert r.quality_value_month == 0
    assert (
        "accuracy_lift 20% is valued at $0: give value_per_correct (the value of one more correct "
        "answer) to count it"
    ) in r.notes
    assert not any("value_per_correct" in n for n in evaluate(priced(), EMPTY_CATALOG).notes)
    assert not any(
        "valued at $0" in n
        for n in evaluate(priced(accuracy_lift=0.2, value_per_correct=0.01), EMPTY_CATALOG).notes
    )


def test_payback_as_a_calendar_month_from_the_go_live_date():
    # $4,000 upfront / $507 a month = 7.89 months; 7.89 x 30.4375 = 240.1 days after 2026-12-01
    r = evaluate(priced(start_date="2026-12-01"), EMPTY_CATALOG)
    assert r.payback_months == pytest.approx(4000 / 507)
    assert r.payback_date == date(2027, 7, 29)
    assert re.search(r"Pays back in\s+July 2027\n", render_table([r]))
    never = evaluate(priced(ft_input_price=10, start_date="2026-12-01"), EMPTY_CATALOG)
    assert never.payback_date is None and re.search(r"Pays back in\s+never\n", render_table([never]))
    t = evaluate_table({k: [v] for k, v in priced(start_date="2026-12-01").items()}, EMPTY_CATALOG)
    assert t.value("payback_date", 0) == date(2027, 7, 29)

"""Issue 15, point 2: no retrains after the fine-tuned model retires; traffic returns to frontier.

Figures computed by hand from the bundled catalog's rates (gpt-4.1: $2 / $8 per 1M; fine-tuned
gpt-4.1-mini: $0.80 / $3.20 per 1M, training $5 per 1M; both retire on 2027-01-14).
"""

from datetime import date

import numpy_financial as npf
import pytest

from pricing.model.breakeven import evaluate, schedule
from pricing.prices.catalog import Catalog, ModelEntry
from pricing.prices.store import bundled_catalog
from tests.helpers import acme_ft, catalog_of, on_gpt41

CAT = bundled_catalog()
GPT41_TO_MINI = on_gpt41(
    name="gpt-4.1 -> ft gpt-4.1-mini",
    queries_per_day=20_000,
    output_tokens=200,
    training_tokens=100e6,
    epochs=3,
)
# By hand: upfront 100M x 3 epochs x $5 / 1M = $1,500; frontier (1000 x 2 + 200 x 8) / 1M =
# $0.0036 a query, fine-tuned (1000 x 0.8 + 200 x 3.2) / 1M = $0.00144; 20,000 x 30 = 600,000
# queries a month save 600,000 x 0.00216 = $1,296. 2026-12-01 -> 2027-01-14 is 44 days
# = 44 / 30.4375 = 1.44559 months of service: month 1 whole, 44.6% of month 2, then nothing.
UPFRONT, SAVING, SERVICE = 1500.0, 1296.0, 44 / 30.4375


def test_retired_model_is_not_retrained_and_traffic_returns_to_frontier():
    rows = schedule(GPT41_TO_MINI, CAT)
    assert len(rows) == 37
    assert sum(r["upfront_and_retrain"] for r in rows) == pytest.approx(UPFRONT)  # no retrain at all
    assert rows[1]["net_cash_flow"] == pytest.approx(SAVING)
    assert rows[2]["net_cash_flow"] == pytest.approx(SAVING * (SERVICE - 1))  # 577.48
    for r in rows[3:]:
        assert r["net_cash_flow"] == 0.0
        assert r["ft_cost"] == pytest.approx(r["frontier_cost"]) == pytest.approx(2160.0)


def test_retired_model_npv_irr_and_payback_by_hand():
    r = evaluate(GPT41_TO_MINI, CAT)
    flows = [-UPFRONT, SAVING, SAVING * (SERVICE - 1)] + [0.0] * 34
    monthly = 1.1 ** (1 / 12) - 1
    npv = -1500 + 1296 / (1 + monthly) + 577.478439 / (1 + monthly) ** 2  # $354.12
    assert r.npv == pytest.approx(npv, abs=0.01)
    assert r.npv == pytest.approx(npf.npv(monthly, flows))
    assert r.irr_annual == pytest.approx((1 + npf.irr(flows)) ** 12 - 1)
    # discounted: 1296 / 1.00797 = 1285.76 recovers 1285.76 of 1500; the rest (214.24) out of
    # month 2's 577.48 / 1.00797^2 = 568.37 -> 1 + 0.377
    assert r.discounted_payback_months == pytest.approx(1.377, abs=0.001)
    assert r.lifetime_months == pytest.approx(SERVICE)
    assert any(
        "retires on 2027-01-14: no retrains after it; traffic returns to gpt-4.1 from month 1.4" in n
        for n in r.notes
    )


def _catalog_with_jobs_end(jobs_until: date, shutdown: date | None) -> Catalog:
    ft = acme_ft("ft-base", jobs_available_until=jobs_until, shutdown_date=shutdown)
    frontier = ModelEntry(id="big", vendor="Acme", display_name="Big", input=10.0, output=10.0)
    return catalog_of(ft, frontier)


def _big_to_ft_base(lifetime_months: int) -> dict:
    """1,000 queries a day of 1,000 input tokens from `big` ($10/1M) to `ft-base` ($1/1M)."""
    return dict(
        queries_per_day=1000,
        frontier_model="big",
        ft_model="ft-base",
        input_tokens=1000,
        output_tokens=0,
        training_tokens=1e6,
        epochs=1,
        lifetime_months=lifetime_months,
        start_date="2026-12-01",
    )


def test_a_retrain_the_vendor_no_longer_accepts_ends_the_fine_tuned_flows():
    # jobs close 2027-07-01 (7.0 months after 2026-12-01); retrains due every 6 months: the one
    # in month 6 runs, the one in month 12 cannot, so the model serves months 1-12 only.
    cat = _catalog_with_jobs_end(date(2027, 7, 1), None)
    s = _big_to_ft_base(lifetime_months=6)
    rows = schedule(s, cat)
    # saving per month: 30,000 queries x 1000 tokens x ($10 - $1) / 1M = $270
    assert [m for m, r in enumerate(rows) if r["upfront_and_retrain"]] == [0, 6]
    assert all(r["net_cash_flow"] == pytest.approx(270.0) for r in rows[1:6] + rows[7:13])
    assert all(r["net_cash_flow"] == 0.0 for r in rows[13:])
    note = evaluate(s, cat).notes
    assert any(
        "Acme accepts no new fine-tuning jobs after 2027-07-01: the retrain due in month 12.0 "
        "cannot run; traffic returns to big" in n
        for n in note
    )


def test_a_model_without_end_dates_keeps_retraining():
    cat = _catalog_with_jobs_end(date(2030, 1, 1), None)
    s = _big_to_ft_base(lifetime_months=12)
    rows = schedule(s, cat)
    assert [m for m, r in enumerate(rows) if r["upfront_and_retrain"]] == [0, 12, 24]
    assert all(r["net_cash_flow"] == pytest.approx(270.0) for r in rows[1:] if not r["upfront_and_retrain"])


def test_a_named_successor_is_fine_tuned_and_takes_over():
    # nova-pro: fine-tuned $0.80 / $3.20 per 1M (the same as gpt-4.1-mini's here), training $8 per
    # 1M, storage $1.95 a month. At the switch (month 1.4456) it is trained on the same data:
    # 100M x 3 epochs x $8 / 1M = $2,400, paid in month 2; retrained every 12 months after
    # (months 13.4 and 25.4 -> paid in months 14 and 26).
    s = dict(GPT41_TO_MINI, successor_ft_model="nova-pro")
    rows = schedule(s, CAT)
    paid = {m: r["upfront_and_retrain"] for m, r in enumerate(rows) if r["upfront_and_retrain"]}
    assert paid == {0: UPFRONT, 2: 2400.0, 14: 2400.0, 26: 2400.0}
    assert rows[2]["fixed_cost"] == pytest.approx(1.95 * (2 - SERVICE))  # storage from the switch
    assert rows[3]["net_cash_flow"] == pytest.approx(SAVING - 1.95)
    assert rows[36]["net_cash_flow"] == pytest.approx(SAVING - 1.95)  # serves to the horizon
    r = evaluate(s, CAT)
    assert "no retrains after it; nova-pro is fine-tuned and takes over from month 1.4" in r.notes[1]
    monthly = 1.1 ** (1 / 12) - 1
    flows = [row["net_cash_flow"] for row in rows]
    assert r.npv == pytest.approx(npf.npv(monthly, flows))


def test_a_successor_that_cannot_be_fine_tuned_is_refused():
    s = dict(GPT41_TO_MINI, successor_ft_model="claude-sonnet-4-6")
    with pytest.raises(Exception, match="successor_ft_model"):
        evaluate(s, CAT)

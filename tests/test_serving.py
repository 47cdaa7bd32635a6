"""GPU-hour serving (pricing/model/serving.py): hand-computed cases, errors, scalar = vectorised."""

import pytest

from pricing.model.breakeven import evaluate, evaluate_many
from pricing.model.scenario import ScenarioError
from pricing.prices.store import bundled_catalog

CAT = bundled_catalog()
BASE = dict(
    queries_per_day=50_000, input_tokens=300, output_tokens=100, frontier_model="gpt-5.2",
    ft_model="fireworks-mistral-7b", training_tokens=1e6, epochs=1,
)  # fmt: skip


def test_one_h100_always_on_is_5840_a_month():
    # 50K queries/day x 400 tokens = 231 tokens/s, x3 at peak = 694 < one GPU's 5,556 (40,000 / 7.2B)
    r = evaluate(BASE, CAT)
    assert r.fixed_cost_month == 8.0 * 730 == 5840.0
    assert r.ft_cost_per_query == 0  # GPU time replaces token rates (Fireworks LoRA, S14)
    assert any(
        "1 x Fireworks H100 80GB at $8.00/h, 730 h/month (always on) = $5,840/month" in n for n in r.notes
    )


def test_gpus_follow_the_peak_and_the_uptime_share():
    # 2M queries x 400 tokens / 86,400 s x 3 = 27,778 tokens/s over 5,000 per GPU -> 6 GPUs
    r = evaluate(dict(BASE, queries_per_day=2_000_000, gpu_tokens_per_second=5000), CAT)
    assert r.fixed_cost_month == 6 * 8.0 * 730
    # scale to zero a third of the month, two GPUs kept at the least
    r = evaluate(dict(BASE, gpu_uptime_share=2 / 3, gpus_min=2), CAT)
    assert r.fixed_cost_month == pytest.approx(2 * 8.0 * 730 * 2 / 3)
    # a hosting override still wins over the GPU model
    assert evaluate(dict(BASE, hosting_per_month=100), CAT).fixed_cost_month == 100


def test_self_hosting_a_per_token_model_needs_its_throughput():
    with pytest.raises(ScenarioError, match="gpu_tokens_per_second must be given: the size of nova-micro"):
        evaluate(dict(BASE, ft_model="nova-micro", gpu_hourly_price=2.5), CAT)
    r = evaluate(dict(BASE, ft_model="nova-micro", gpu_hourly_price=2.5, gpu_tokens_per_second=2000), CAT)
    assert r.ft_cost_per_query == 0 and r.fixed_cost_month == pytest.approx(2.5 * 730 + 1.95)


@pytest.mark.parametrize(
    "field, value, allowed",
    [("peak_to_average", 0.5, ">= 1"), ("gpu_uptime_share", 1.5, "<= 1"), ("gpus_min", 0, ">= 1"),
     ("gpu_tokens_per_second", 0, "> 0"), ("gpu_hourly_price", -1, ">= 0")],
)  # fmt: skip
def test_bad_serving_inputs_name_the_field(field, value, allowed):
    with pytest.raises(ScenarioError) as err:
        evaluate(dict(BASE, **{field: value}), CAT)
    assert str(err.value).startswith(f"{field} must be") and allowed in str(err.value)


def test_scalar_and_vectorised_agree():
    rows = [dict(BASE, queries_per_day=q, peak_to_average=p) for q in (1e3, 5e4, 3e6) for p in (1, 3, 10)]
    rows.append(dict(BASE, ft_model="nova-micro", gpu_hourly_price=2.0, gpu_tokens_per_second=900))
    many = evaluate_many(rows, CAT)
    for row, r in zip(rows, many, strict=True):
        assert r.model_dump() == evaluate(row, CAT).model_dump()


def test_a_retired_model_is_refused_in_one_sentence():
    with pytest.raises(ScenarioError) as err:
        evaluate(dict(BASE, ft_model="gemini-2.5-flash"), CAT)
    text = str(err.value)
    assert text.startswith("ft_model gemini-2.5-flash was retired on 2026-10-20") and text.count(". ") == 0
    # before its retirement it could be tuned: the lifetime is cut at the shutdown instead
    r = evaluate(dict(BASE, ft_model="gemini-2.5-flash", start_date="2026-04-20"), CAT)
    assert r.lifetime_months == pytest.approx(6.0, abs=0.1)

"""The monthly schedule of one or many scenarios: queries, costs, savings and the cash flows.

Per-query costs, the price paths (declines, a one-off cut), retrains, the successor model and
the month-by-month net cash flow (month 0 = -upfront). pricing.model.breakeven reads it for the
headline figures and the schedule, pricing.model.finance for NPV, IRR and discounted payback:
both import this module, neither imports the other for it. Pure numpy: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from pricing.model import billing
from pricing.model.columns import EngineColumns
from pricing.prices.catalog import TOKENS_PER_MILLION


def query_cost(
    tokens_in,
    tokens_out,
    in_price,
    out_price,
    cached_price,
    cached_share,
    batch_share,
    batch_in,
    batch_out,
    bill: Mapping[str, Any] | None = None,
):
    """Cost of one query in USD; prices in $/1M; batch_in/out are batch/standard ratios.

    The batch discount on input applies to cached tokens too (cached x batch-input ratio).
    `bill` holds the billing options of pricing/model/billing.py (factors on the rates, and
    cache_write_share); without it the query is a plain API call.
    """
    if bill is None:
        input_rate = (1 - cached_share) * in_price + cached_share * cached_price
        standard = (tokens_in * input_rate + tokens_out * out_price) / TOKENS_PER_MILLION
        batched = (
            tokens_in * input_rate * batch_in + tokens_out * out_price * batch_out
        ) / TOKENS_PER_MILLION
        return (1 - batch_share) * standard + batch_share * batched
    w = bill["cache_write_share"]
    plain = 1 - cached_share - w  # prompt tokens neither read from nor written to cache
    long_in, long_cached = in_price * bill["long_in"], cached_price * bill["long_cached"]
    writes = w * in_price * bill["write"]
    # flex / priority price the queries not sent through the Batch API
    tier_rate = plain * long_in * bill["tier_in"] + cached_share * long_cached * bill["tier_cached"] + writes
    batch_rate = plain * long_in + cached_share * long_cached + writes
    out_rate = out_price * bill["long_out"]
    standard = (tokens_in * tier_rate + tokens_out * out_rate * bill["tier_out"]) / TOKENS_PER_MILLION
    batched = (tokens_in * batch_rate * batch_in + tokens_out * out_rate * batch_out) / TOKENS_PER_MILLION
    return ((1 - batch_share) * standard + batch_share * batched) * bill["uplift"]


def billing_options(c: EngineColumns, side: str) -> dict[str, np.ndarray] | None:
    """One side's billing factors for query_cost; None where every row is a plain API call, so
    those rows are computed by the very formula they always were."""
    bill = {f: getattr(c, f"{side}_{f}") for f in billing.FACTORS}
    plain = not c.cache_write_share.any() and all((v == billing.NEUTRAL[f]).all() for f, v in bill.items())
    return None if plain else {**bill, "cache_write_share": c.cache_write_share}


def per_query_costs(c: EngineColumns) -> tuple[np.ndarray, np.ndarray]:
    frontier = query_cost(
        c.input_tokens,
        c.output_tokens,
        c.frontier_input,
        c.frontier_output,
        c.frontier_cached,
        c.cached_share,
        c.batch_share,
        c.frontier_batch_factor_in,
        c.frontier_batch_factor_out,
        billing_options(c, "frontier"),
    )
    ft = query_cost(
        c.ft_input_tokens,
        c.ft_output_tokens,
        c.ft_input,
        c.ft_output,
        c.ft_cached,
        c.cached_share,
        c.batch_share,
        c.ft_batch_factor_in,
        c.ft_batch_factor_out,
    )
    return frontier, ft


def price_paths(c: EngineColumns, months: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, months) multipliers of month-1 per-query prices: frontier (yearly decline and the
    one-off cut from its month on) and fine-tuned (its own yearly decline). A path that does
    not move for any row is a (1, months) row of ones, which broadcasts."""
    m = np.arange(months, dtype=float)[None, :]  # m-1 for month m
    flat = np.ones((1, months))

    def yearly(decline: np.ndarray) -> np.ndarray:
        return np.exp(np.log1p(-decline)[:, None] * (m / 12)) if decline.any() else flat

    frontier = yearly(c.frontier_price_decline_annual)
    cut = c.frontier_price_cut
    if cut.any():
        frontier = frontier * np.where(m + 1 >= c.frontier_price_cut_month[:, None], (1 - cut)[:, None], 1.0)
    return frontier, yearly(c.ft_price_decline_annual)


def monthly_matrix(c: EngineColumns, months: int) -> dict[str, np.ndarray]:
    """Months 1..months as (n, months) arrays: queries, costs, savings, quality, fixed, net."""
    frontier_q, ft_q = per_query_costs(c)
    m = np.arange(months, dtype=float)[None, :]  # m-1 for month m
    queries = (c.queries_per_day * c.days_per_month)[:, None] * (1 + c.volume_growth_monthly)[:, None] ** m
    frontier_path, ft_path = price_paths(c, months)
    frontier_q_m = frontier_q[:, None] * frontier_path
    ft_q_m = ft_q[:, None] * ft_path
    share = c.ft_traffic_share[:, None]
    frontier_cost = queries * frontier_q_m
    ft_cost = queries * (share * ft_q_m + (1 - share) * frontier_q_m)
    quality = queries * share * (c.accuracy_lift * c.value_per_correct)[:, None]
    fixed = np.broadcast_to(c.fixed_cost_month[:, None], queries.shape)
    net = frontier_cost - ft_cost + quality - fixed
    return {
        "queries": queries,
        "frontier_cost": frontier_cost,
        "ft_cost": ft_cost,
        "inference_savings": frontier_cost - ft_cost,
        "quality_value": quality,
        "fixed_cost": fixed,
        "net_benefit": net,
    }


def retrain_outflows(c: EngineColumns, months: int) -> np.ndarray:
    """(n, months+1) array of upfront (month 0) and retrain payments (every lifetime).

    Retrain k falls in month ceil(k * lifetime); none in the last month, none once the model
    has stopped serving (service_months). Counted in closed form,
    F(m) = floor(m / lifetime) retrains by the end of month m, so a lifetime far below a month
    (thousands of retrains a month) costs no more than a long one.
    """
    upfront = c.training_cost + c.other_upfront
    life = np.asarray(c.lifetime_months, dtype=float)
    out = np.zeros((len(life), months + 1))
    out[:, 0] = upfront
    if months < 2:
        return out
    m = np.arange(months, dtype=float)  # months 0..months-1 may hold a retrain
    with np.errstate(divide="ignore", invalid="ignore"):
        by_end = np.floor((m[None, :] + 1e-9) / life[:, None])
    by_end = np.where(life[:, None] > 0, by_end, 0.0)
    # no retrain once the model has stopped serving: retrain k needs k x lifetime < service
    service = np.asarray(c.service_months, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        last_k = np.maximum(np.ceil(service / life - 1e-9) - 1, 0.0)
    by_end = np.minimum(by_end, np.where(np.isfinite(service) & (life > 0), last_k, np.inf)[:, None])
    count = np.diff(by_end, axis=1, prepend=0.0)
    out[:, :months] += count * (c.retrain_cost_share * upfront)[:, None]
    return out


def row_sums(x: np.ndarray) -> np.ndarray:
    """Sum along rows in month order. np.sum's pairwise grouping depends on the row length, so a
    row would round differently next to a longer-lived scenario; a running sum does not."""
    return np.cumsum(x, axis=1)[:, -1] if x.shape[1] else np.zeros(x.shape[0])


def lifetime_weights(lifetime: np.ndarray, months: int) -> np.ndarray:
    """Share of each month 1..months inside the lifetime (fractional last month)."""
    m = np.arange(months, dtype=float)[None, :]
    return np.clip(lifetime[:, None] - m, 0.0, 1.0)


def cash_flows(c: EngineColumns, months: int) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """(monthly figures, outflows, net cash flow) with month 0 = -upfront; shape (n, months+1).

    The fine-tuned flows stop when the model stops serving (service_months: shut down, or a
    retrain its vendor no longer accepts): the traffic returns to the frontier model, so those
    months cost what the frontier costs and net nothing. A model with lifetime 0 earns nothing.
    """
    monthly = monthly_matrix(c, months)
    service = np.asarray(c.service_months, dtype=float)
    outflow = retrain_outflows(c, months)
    if (service < months).any():  # (the common case needs no copy of every matrix)
        if (c.succ_service_end > service).any():
            monthly = _with_successor(c, monthly, months)
            outflow = outflow + successor_outflows(c, months)
        else:
            monthly = _until_service_ends(monthly, service, months)
    flows = -outflow
    flows[:, 1:] += monthly["net_benefit"]
    return monthly, outflow, flows


def _until_service_ends(
    monthly: dict[str, np.ndarray], service: np.ndarray, months: int
) -> dict[str, np.ndarray]:
    """Monthly figures weighted by the share of each month the fine-tuned model still serves."""
    w = lifetime_weights(service, months)
    out = {k: v * w if k not in ("queries", "frontier_cost") else v for k, v in monthly.items()}
    out["ft_cost"] = w * monthly["ft_cost"] + (1 - w) * monthly["frontier_cost"]
    return out


def _with_successor(c: EngineColumns, monthly: dict[str, np.ndarray], months: int) -> dict[str, np.ndarray]:
    """Monthly figures with ft_model serving until service_months, the successor from then until
    succ_service_end, and the frontier model after that (each weighted by its share of a month)."""
    service, end = c.service_months, c.succ_service_end
    has = end > service
    # rows without a successor keep their own rates (weight 0): no NaN reaches the sums
    c2 = replace(
        c,
        ft_input=np.where(has, c.succ_ft_input, c.ft_input),
        ft_output=np.where(has, c.succ_ft_output, c.ft_output),
        ft_cached=np.where(has, c.succ_ft_cached, c.ft_cached),
        ft_batch_factor_in=np.where(has, c.succ_ft_batch_factor_in, c.ft_batch_factor_in),
        ft_batch_factor_out=np.where(has, c.succ_ft_batch_factor_out, c.ft_batch_factor_out),
        fixed_cost_month=np.where(has, c.succ_fixed_month, c.fixed_cost_month),
    )
    second = monthly_matrix(c2, months)
    w1 = lifetime_weights(service, months)
    w2 = lifetime_weights(np.maximum(end, service), months) - w1
    out = {k: w1 * v + w2 * second[k] for k, v in monthly.items() if k not in ("queries", "frontier_cost")}
    out["queries"], out["frontier_cost"] = monthly["queries"], monthly["frontier_cost"]
    out["ft_cost"] = (
        w1 * monthly["ft_cost"] + w2 * second["ft_cost"] + (1 - w1 - w2) * monthly["frontier_cost"]
    )
    return out


def successor_outflows(c: EngineColumns, months: int) -> np.ndarray:
    """(n, months+1) payments for the successor: its training and the one-off costs again when it
    takes over (month ceil(service_months)), then retrain_cost_share of that every lifetime
    while it serves (as retrain_outflows counts them; none in the last month)."""
    s1, end, life = c.service_months, c.succ_service_end, c.succ_lifetime_months
    has = (end > s1) & np.isfinite(life)
    upfront = np.where(has, c.succ_training_cost + c.other_upfront, 0.0)
    out = np.zeros((len(s1), months + 1))
    m = np.arange(months, dtype=float)[None, :]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        since = m - np.where(has, s1, np.inf)[:, None] + 1e-9  # months since the switch
        started = since >= 0
        life_ = np.where(has, life, 1.0)[:, None]
        retrains = np.where(started, np.floor(since / life_), 0.0)
        last_k = np.maximum(np.ceil((np.where(has, end - s1, 0.0)) / life_[:, 0] - 1e-9) - 1, 0.0)
    retrains = np.minimum(retrains, np.where(np.isfinite(end), last_k, np.inf)[:, None])
    first = np.diff(started.astype(float), axis=1, prepend=0.0)
    again = np.diff(retrains, axis=1, prepend=0.0)
    out[:, :months] = (first + again * c.retrain_cost_share[:, None]) * upfront[:, None]
    return out


def schedule_rows(c: EngineColumns, months: int) -> list[list[dict[str, float]]]:
    monthly, outflow, flows = cash_flows(c, months)
    cumulative = np.cumsum(flows, axis=1)
    zero = np.zeros((flows.shape[0], 1))
    padded = {k: np.hstack([zero, v]) for k, v in monthly.items()}
    out = []
    for i in range(flows.shape[0]):
        out.append(
            [
                {
                    "month": m,
                    "queries": float(padded["queries"][i, m]),
                    "frontier_cost": float(padded["frontier_cost"][i, m]),
                    "ft_cost": float(padded["ft_cost"][i, m]),
                    "inference_savings": float(padded["inference_savings"][i, m]),
                    "quality_value": float(padded["quality_value"][i, m]),
                    "fixed_cost": float(padded["fixed_cost"][i, m]),
                    "upfront_and_retrain": float(outflow[i, m]),
                    "net_cash_flow": float(flows[i, m]),
                    "cumulative_net": float(cumulative[i, m]),
                }
                for m in range(months + 1)
            ]
        )
    return out

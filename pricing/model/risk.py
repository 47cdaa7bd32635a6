"""Uncertainty on top of the cost model: Monte Carlo, tornado and two-way sensitivity tables.

Every function evaluates all its points in one vectorised pass of the engine:
- the points are a table of Scenario columns (pricing.model.table: validated column by column, then
  resolved in one pass), so a point is exactly what `evaluate` would give that scenario;
- names that are engine columns but not Scenario fields (training_cost, other_upfront,
  fixed_cost_month, frontier_input, ... : pricing.model.columns.EngineColumns) are set on the
  resolved columns directly (a dataclasses.replace copy);
- headline figures come from breakeven.headline, NPV and discounted payback from
  finance.finance_figures, on those columns. No pydantic per point.

Each tool varies only the inputs it names and holds every other input at the scenario's value,
so a point is `evaluate` of the scenario with just those inputs changed. Fine-tuned tokens the
scenario leaves unset follow the frontier's (as in `evaluate`); ones it sets stay put, unless the
user turns on `couple_tokens` (COUPLE_TOKENS_NOTE): then they scale with the frontier's tokens
(a shorter fine-tuned prompt stays proportionally shorter), and the output says so.

The catalog is passed in, as to the engine: None means no catalog (every rate given explicitly).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel

from pricing.model import breakeven
from pricing.model.columns import NAMES as COLUMN_NAMES
from pricing.model.columns import EngineColumns
from pricing.model.figures import HEADLINE
from pricing.model.finance import FIGURES as FINANCE_FIGURES
from pricing.model.finance import finance_figures
from pricing.model.input_docs import variable_label
from pricing.model.inputs import resolve_table
from pricing.model.risk_options import DEFAULT_DRAWS, DEFAULT_TORNADO_OUTPUT, DISTRIBUTIONS, OUTPUTS  # noqa: F401
from pricing.model.scenario import BIG, Scenario, ScenarioError, field_allowed
from pricing.model.table import INTEGER, NUMERIC, validate_table
from pricing.prices.catalog import Catalog

# Engine columns that are not Scenario fields: set on the resolved columns, any value >= 0.
COLUMN_ONLY: tuple[str, ...] = tuple(f for f in COLUMN_NAMES if f not in Scenario.model_fields)
VARIABLES: tuple[str, ...] = NUMERIC + COLUMN_ONLY
MAX_DRAWS = 1_000_000
MAX_GRID_CELLS = 250_000
TOKEN_PAIRS = {"input_tokens": "ft_input_tokens", "output_tokens": "ft_output_tokens"}
COUPLE_TOKENS_NOTE = "coupling on: fine-tuned tokens scale with the frontier tokens varied"


class RiskResult(BaseModel):
    """Monte Carlo summary. Payback percentiles treat "never pays back" as +infinity and are
    None where the percentile falls there; NPV is over the horizon at the discount rate."""

    name: str = ""
    draws: int
    seed: int
    distribution: str
    uncertain: dict[str, tuple[float, float, float]]
    couple_tokens: bool = False  # fine-tuned tokens scaled with the frontier's (COUPLE_TOKENS_NOTE)
    payback_p10: float | None
    payback_p50: float | None
    payback_p90: float | None
    discounted_payback_p10: float | None
    discounted_payback_p50: float | None
    discounted_payback_p90: float | None
    npv_p10: float
    npv_p50: float
    npv_p90: float
    npv_mean: float
    prob_payback_within_lifetime: float  # simple payback <= the draw's lifetime
    prob_npv_positive: float
    base_payback_months: float | None  # the scenario itself, for reference
    base_npv: float


class TornadoRow(BaseModel):
    """One driver of a tornado: the output at the driver's low and high value (others at base).
    None = the output does not exist there (never pays back); swing is then infinite."""

    driver: str
    label: str = ""  # the driver as a person reads it (pricing.model.input_docs.variable_label)
    low_value: float
    high_value: float
    output_at_low: float | None
    output_at_high: float | None
    swing: float
    base_output: float | None
    output: str


# ---------------------------------------------------------------- points -> engine columns


def _check_name(name: str, where: str) -> None:
    if name not in VARIABLES:
        allowed = f"a numeric input or engine column ({', '.join(VARIABLES[:6])}, ...)"
        raise ScenarioError(where, name, allowed)


def _check_output(output: str) -> None:
    if output not in OUTPUTS:
        raise ScenarioError("output", output, f"one of {', '.join(OUTPUTS)}")


def _allowed(name: str) -> str:
    if name in Scenario.model_fields:
        return field_allowed(name)
    return f"a number >= 0 and <= {BIG:g} (engine column)"  # beyond it draws overflow to inf


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise ScenarioError(name, value, _allowed(name))
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ScenarioError(name, value, _allowed(name)) from None
    if not math.isfinite(x):
        raise ScenarioError(name, value, f"{_allowed(name)} (finite)")
    return x


def _scenario_columns(s: Scenario, n: int) -> dict[str, Any]:
    """The raw table of n copies of a scenario (unset optional fields left out: NaN = unset)."""
    cols: dict[str, Any] = {}
    for f in Scenario.model_fields:
        value = getattr(s, f)
        if value is None:
            continue
        if f in NUMERIC:
            cols[f] = np.full(n, float(value))
        else:
            cols[f] = [value] * n
    return cols


def _base_value(s: Scenario, base: EngineColumns, name: str) -> float:
    """The scenario's own value of a variable (resolved, for engine columns); NaN if unset."""
    if name in Scenario.model_fields:
        v = getattr(s, name)
        if v is None and name in COLUMN_NAMES:  # e.g. ft_input_tokens defaults to input_tokens
            return float(getattr(base, name)[0])
        return math.nan if v is None else float(v)
    return float(getattr(base, name)[0])


def points(
    scenario: Scenario | Mapping[str, Any],
    values: Mapping[str, np.ndarray],
    n: int,
    catalog: Catalog | None = None,
    couple_tokens: bool = False,
) -> EngineColumns:
    """Engine columns of n points: the scenario with each named variable set per point, every
    other input as the scenario has it (couple_tokens: see the module's docstring).

    Scenario fields go through the table validator (an out-of-range value raises ScenarioError
    naming it); engine-only columns are set after resolving, and must be finite and >= 0.
    """
    s = breakeven.as_scenario(scenario)
    for name in values:
        _check_name(name, "variable")
    raw = _scenario_columns(s, n)
    for name, vals in values.items():
        if name in Scenario.model_fields:
            v = np.broadcast_to(np.asarray(vals, dtype=float), (n,))
            # NaN = leave the optional field unset (blank cell) at that point
            if np.isnan(v).any():
                raw[name] = [None if math.isnan(x) else x for x in v.tolist()]
            else:
                raw[name] = v
    for name, ft_name in TOKEN_PAIRS.items():
        own = getattr(s, ft_name)
        if couple_tokens and name in values and ft_name not in values and own is not None:
            given = getattr(s, name)
            ratio = np.asarray(values[name], dtype=float) / given if given else 1.0
            raw[ft_name] = own * np.broadcast_to(ratio, (n,))
    cols = _resolve(s, raw, n, catalog)
    set_columns = {}
    for name, vals in values.items():
        if name in COLUMN_ONLY:
            v = np.broadcast_to(np.asarray(vals, dtype=float), (n,))
            bad = ~np.isfinite(v) | (v < 0) | (v > BIG)
            if bad.any():
                raise ScenarioError(name, float(v[np.argmax(bad)]), _allowed(name))
            set_columns[name] = v.copy()
    return replace(cols, **set_columns) if set_columns else cols


def _resolve(s: Scenario, raw: Mapping[str, Any], n: int, catalog: Catalog | None) -> EngineColumns:
    table = validate_table(raw, n)
    resolved = resolve_table(table, catalog)
    for err in resolved.errors:
        if err is not None:
            raise err
    return resolved.columns


def figures(columns: EngineColumns, outputs: Sequence[str]) -> dict[str, np.ndarray]:
    """The named outputs (NaN where one does not exist) for engine columns."""
    out = breakeven.headline(columns)
    need = [k for k in FINANCE_FIGURES if k in outputs]
    if need:
        out.update(finance_figures(columns, which=need))
    return {k: np.asarray(out[k], dtype=float) for k in outputs}


def _opt(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


# ---------------------------------------------------------------- Monte Carlo


def default_uncertain(
    scenario: Scenario | Mapping[str, Any], catalog: Catalog | None = None
) -> dict[str, tuple[float, ...]]:
    """Ranges used when none are given, each centred on the scenario's own value (likely = the
    input, low and high equally far either side), so the base case sits in the middle of the
    draws: traffic 0.5x/1x/1.5x; tokens 0.8x/1x/1.2x; training cost 0.5x/1x/1.5x (failed runs,
    a cheaper search); a non-zero accuracy lift +/-50% (within -1..1); a non-zero frontier price
    decline +/-0.2 (within 0..0.99). Inputs at 0 (or that would not move) are left out."""
    s = breakeven.as_scenario(scenario)
    out: dict[str, tuple[float, float, float]] = {}

    def centred(name: str, value: float, half: float) -> None:
        if half > 0:
            out[name] = (value - half, value, value + half)

    centred("queries_per_day", s.queries_per_day, 0.5 * s.queries_per_day)
    for name in ("input_tokens", "output_tokens"):
        v = getattr(s, name)
        centred(name, v, min(0.2 * v, 1e8 - v))
    training = float(points(s, {}, 1, catalog).training_cost[0])
    centred("training_cost", training, 0.5 * training)
    if s.accuracy_lift != 0 and s.value_per_correct > 0:
        lift = s.accuracy_lift
        centred("accuracy_lift", lift, min(0.5 * abs(lift), 1 - abs(lift)))
    d = s.frontier_price_decline_annual
    centred("frontier_price_decline_annual", d, min(0.2, d, 0.99 - d))
    return out


def with_defaults(
    scenario: Scenario | Mapping[str, Any],
    given: Mapping[str, Sequence[float]] | None,
    catalog: Catalog | None = None,
) -> dict[str, tuple[float, ...]]:
    """The default ranges with the user's ranges replacing only the inputs they name."""
    out = default_uncertain(scenario, catalog)
    out.update({k: tuple(v) for k, v in (given or {}).items()})
    return out


def _ranges(uncertain: Mapping[str, Sequence[float]]) -> dict[str, tuple[float, float, float]]:
    out = {}
    for name, rng in uncertain.items():
        _check_name(name, "uncertain")
        if isinstance(rng, (str, bytes)) or len(rng) != 3:
            raise ScenarioError(name, rng, "a (low, likely, high) triple")
        low, likely, high = (_number(name, x) for x in rng)
        if not low <= likely <= high:
            raise ScenarioError(name, (low, likely, high), "low <= likely <= high")
        out[name] = (low, likely, high)
    return out


def _draw(
    rng: np.random.Generator, low: float, likely: float, high: float, n: int, distribution: str
) -> np.ndarray:
    if high == low:
        return np.full(n, low)
    if distribution == "pert":
        a = 1 + 4 * (likely - low) / (high - low)
        b = 1 + 4 * (high - likely) / (high - low)
        return low + (high - low) * rng.beta(a, b, n)
    return rng.triangular(low, likely, high, n)


def sample(
    scenario: Scenario | Mapping[str, Any],
    uncertain: Mapping[str, Sequence[float]],
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    distribution: str = "triangular",
    catalog: Catalog | None = None,
) -> dict[str, np.ndarray]:
    """The drawn values of every uncertain input (numpy Generator seeded with `seed`; the
    inputs are drawn in the order given). Whole-number fields are rounded."""
    whole = isinstance(draws, (int, np.integer)) and not isinstance(draws, bool)
    if not whole or not 1 <= draws <= MAX_DRAWS:
        raise ScenarioError("draws", draws, f"a whole number from 1 to {MAX_DRAWS:,}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ScenarioError("seed", seed, "a whole number >= 0")
    if distribution not in DISTRIBUTIONS:
        raise ScenarioError("distribution", distribution, f"one of {', '.join(DISTRIBUTIONS)}")
    ranges = _ranges(uncertain)
    s = breakeven.as_scenario(scenario)
    # each range's ends must be valid values of the input: checked once, with the field's message
    check = {k: np.array(v) for k, v in ranges.items()}
    try:
        points(s, check, 3, catalog)
    except ScenarioError as exc:
        raise _built_in_range_error(s, ranges, exc, catalog) from None
    rng = np.random.default_rng(int(seed))
    out = {}
    for name, (low, likely, high) in ranges.items():
        x = _draw(rng, low, likely, high, int(draws), distribution)
        out[name] = np.clip(np.round(x), low, high) if name in INTEGER else x
    return out


def _built_in_range_error(
    s: Scenario, ranges: Mapping[str, tuple[float, float, float]], exc: ScenarioError, catalog: Catalog | None
) -> ScenarioError:
    """A range error that tells the truth: a built-in range the user never typed says it was
    derived from their input, and names it (else the error is returned as it was)."""
    name = getattr(exc, "field", None)
    built_in = default_uncertain(s, catalog).get(name)
    if name not in ranges or built_in is None or tuple(ranges[name]) != tuple(built_in):
        return exc
    low, likely, high = built_in
    err = ScenarioError(name, exc.value, exc.allowed)
    try:
        reached = f"{float(exc.value):g}"
    except (TypeError, ValueError):
        reached = repr(exc.value)
    err.args = (
        f"the built-in risk range of {name} ({low:g} / {likely:g} / {high:g}, derived from your "
        f"{name} = {getattr(s, name):g}) reaches {reached}, outside what {name} allows "
        f"({exc.allowed}); give {name} a range of your own",
    )
    return err


def _percentile(sorted_values: np.ndarray, q: float) -> float:
    """Linear percentile of sorted values that may end in +inf (inf where it reaches one)."""
    n = sorted_values.size
    pos = q / 100 * (n - 1)
    lo, hi = math.floor(pos), math.ceil(pos)
    a, b = float(sorted_values[lo]), float(sorted_values[hi])
    if math.isinf(b):
        return a if hi == lo or pos == lo else math.inf
    return a + (b - a) * (pos - lo)


def monte_carlo(
    scenario: Scenario | Mapping[str, Any],
    uncertain: Mapping[str, Sequence[float]] | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    catalog: Catalog | None = None,
    distribution: str = "triangular",
    couple_tokens: bool = False,
) -> RiskResult:
    """P10/P50/P90 of payback and NPV over `draws` scenarios drawn from (low, likely, high)
    triangular (or PERT) ranges of the uncertain inputs; the rest stay at the scenario's values.

    `uncertain` maps input names (Scenario numeric fields, or engine columns such as
    training_cost) to (low, likely, high); None uses `default_uncertain`. Reproducible: the
    same seed gives the same draws and the same result.
    """
    s = breakeven.as_scenario(scenario)
    ranges = _ranges(default_uncertain(s, catalog) if uncertain is None else uncertain)
    drawn = sample(s, ranges, draws, seed, distribution, catalog)
    cols = points(s, drawn, int(draws), catalog, couple_tokens)
    fig = figures(cols, ("payback_months", "npv", "discounted_payback_months", "lifetime_months"))
    base = figures(points(s, {}, 1, catalog), ("payback_months", "npv"))
    payback = np.where(np.isnan(fig["payback_months"]), np.inf, fig["payback_months"])
    dpb = fig["discounted_payback_months"]
    dpb = np.where(np.isnan(dpb), np.inf, dpb)
    npv = fig["npv"]
    p_sorted, d_sorted, n_sorted = np.sort(payback), np.sort(dpb), np.sort(npv)
    q = {
        f"{k}_p{p}": _opt(_percentile(arr, p))
        for k, arr in (("payback", p_sorted), ("discounted_payback", d_sorted))
        for p in (10, 50, 90)
    }
    return RiskResult(
        name=s.name,
        draws=int(draws),
        seed=int(seed),
        distribution=distribution,
        uncertain=ranges,
        couple_tokens=couple_tokens,
        **q,
        npv_p10=_percentile(n_sorted, 10),
        npv_p50=_percentile(n_sorted, 50),
        npv_p90=_percentile(n_sorted, 90),
        npv_mean=float(npv.mean()),
        prob_payback_within_lifetime=float(np.mean(payback <= fig["lifetime_months"])),
        prob_npv_positive=float(np.mean(npv > 0)),
        base_payback_months=_opt(float(base["payback_months"][0])),
        base_npv=float(base["npv"][0]),
    )


# ---------------------------------------------------------------- tornado and grid


def default_drivers(
    scenario: Scenario | Mapping[str, Any], output: str = "payback_months", catalog: Catalog | None = None
) -> dict[str, tuple[float, float]]:
    """±20% on traffic, tokens, training cost, other upfront and fixed monthly costs, the
    traffic share routed and the lifetime; ±0.2 on the frontier price decline; ±20% on a
    non-zero accuracy lift; ±5 points on the discount rate for NPV-type outputs. Drivers that
    would not move (zero, or pinned at a bound) are left out."""
    s = breakeven.as_scenario(scenario)
    base = points(s, {}, 1, catalog)
    out: dict[str, tuple[float, float]] = {}

    def pct(name: str, hi_cap: float = math.inf, lo_floor: float = 0.0) -> None:
        v = _base_value(s, base, name)
        if math.isfinite(v) and v != 0:
            out[name] = (max(0.8 * v, lo_floor), min(1.2 * v, hi_cap))

    pct("queries_per_day")
    pct("input_tokens", 1e8)
    pct("output_tokens", 1e8)
    pct("training_cost")
    pct("other_upfront")
    pct("fixed_cost_month")
    pct("ft_traffic_share", 1.0)
    pct("lifetime_months", 600.0)
    if s.value_per_correct > 0 and s.accuracy_lift != 0:
        lift = s.accuracy_lift
        ends = sorted(max(-1.0, min(1.0, k * lift)) for k in (0.8, 1.2))
        out["accuracy_lift"] = (ends[0], ends[1])
    d = s.frontier_price_decline_annual
    out["frontier_price_decline_annual"] = (max(0.0, d - 0.2), min(0.95, d + 0.2))
    if output in FINANCE_FIGURES:
        r = s.discount_rate_annual
        out["discount_rate_annual"] = (max(0.0, r - 0.05), min(10.0, r + 0.05))
    return {k: v for k, v in out.items() if v[0] != v[1]}


def tornado(
    scenario: Scenario | Mapping[str, Any],
    drivers: Mapping[str, Sequence[float]] | None = None,
    output: str = "payback_months",
    catalog: Catalog | None = None,
    couple_tokens: bool = False,
) -> list[TornadoRow]:
    """Each driver at its low and its high value, the others at the scenario's: rows ranked by
    swing = |output at high - output at low| (infinite where only one end pays back)."""
    _check_output(output)
    s = breakeven.as_scenario(scenario)
    if drivers is None:
        drivers = default_drivers(s, output, catalog)
    spans: dict[str, tuple[float, float]] = {}
    for name, span in drivers.items():
        _check_name(name, "driver")
        if isinstance(span, (str, bytes)) or len(span) != 2:
            raise ScenarioError(name, span, "a (low, high) pair")
        spans[name] = (_number(name, span[0]), _number(name, span[1]))
    if not spans:
        return []
    base_cols = points(s, {}, 1, catalog)
    n = 1 + 2 * len(spans)
    values = {}
    for j, (name, (low, high)) in enumerate(spans.items()):
        col = np.full(n, _base_value(s, base_cols, name))  # NaN: unset at the base
        col[1 + 2 * j], col[2 + 2 * j] = low, high
        values[name] = col
    fig = figures(points(s, values, n, catalog, couple_tokens), (output,))[output]
    base_out = _opt(float(fig[0]))
    rows = []
    for j, (name, (low, high)) in enumerate(spans.items()):
        at_low, at_high = _opt(float(fig[1 + 2 * j])), _opt(float(fig[2 + 2 * j]))
        if at_low is None and at_high is None:
            swing = 0.0
        elif at_low is None or at_high is None:
            swing = math.inf
        else:
            swing = abs(at_high - at_low)
        rows.append(
            TornadoRow(
                driver=name,
                label=variable_label(name),
                low_value=low,
                high_value=high,
                output_at_low=at_low,
                output_at_high=at_high,
                swing=swing,
                base_output=base_out,
                output=output,
            )
        )
    rows.sort(key=lambda r: r.swing, reverse=True)
    return rows


def grid(
    scenario: Scenario | Mapping[str, Any],
    x_field: str,
    x_values: Sequence[float],
    y_field: str,
    y_values: Sequence[float],
    output: str = "payback_months",
    catalog: Catalog | None = None,
    couple_tokens: bool = False,
) -> list[list[float | None]]:
    """Two-way table (Excel's two-variable data table): table[i][j] is the output with
    y_field = y_values[i] (down) and x_field = x_values[j] (across); None where the output does
    not exist (never pays back). All cells in one vectorised pass."""
    _check_output(output)
    _check_name(x_field, "x_field")
    _check_name(y_field, "y_field")
    if x_field == y_field:
        raise ScenarioError("y_field", y_field, f"a different input from x_field ({x_field})")
    xs = np.array([_number(x_field, v) for v in x_values], dtype=float)
    ys = np.array([_number(y_field, v) for v in y_values], dtype=float)
    if xs.size == 0 or ys.size == 0:
        return [[] for _ in ys]
    if xs.size * ys.size > MAX_GRID_CELLS:
        raise ScenarioError("x_values", f"{xs.size} x {ys.size} cells", f"at most {MAX_GRID_CELLS:,} cells")
    xx, yy = np.meshgrid(xs, ys)  # (ny, nx)
    cols = points(scenario, {x_field: xx.ravel(), y_field: yy.ravel()}, xx.size, catalog, couple_tokens)
    fig = figures(cols, (output,))[output].reshape(xx.shape)
    return [[_opt(float(v)) for v in row] for row in fig]


def output_kind(output: str) -> Literal["months", "money", "share", "queries"]:
    """How an output reads, for formatting (its kind in pricing.model.figures)."""
    kind = HEADLINE[output].kind
    return {"count": "queries", "money_per_query": "money"}.get(kind, kind)  # type: ignore[return-value]

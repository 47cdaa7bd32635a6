"""Business-case finance over the monthly cash-flow schedule: NPV, IRR, discounted payback.

Conventions (research/FINANCE_CONVENTIONS.md):
- Cash flows are monthly; flow 0 is the upfront outlay at month 0 (today, undiscounted).
- The monthly rate is the compound equivalent of the annual one: (1 + annual)^(1/12) - 1
  (`monthly_rate`), never annual / 12; `annual_rate` is its inverse.
- `npv(rate, cashflows)` follows numpy-financial: cashflows[0] is at t = 0, undiscounted.
  Excel's NPV(rate, v1..vn) discounts its first value one period (`npv_excel`), so Excel users
  write  =NPV(rate, v1..vn) + v0  for the same figure:
      npv_excel(r, v[1:]) + v[0] == npv(r, v) == numpy_financial.npv(r, v)
  (tests/test_finance.py checks that identity).
- `irr` is the monthly rate where NPV = 0, as numpy_financial.irr finds it: when the flows have
  more than one root it returns the one closest to zero. NaN where there is none (no sign
  change), or none between -99.99% and +1,000,000% a month (Excel's #NUM!). `irr_annual`
  compounds it to a year: (1 + irr)^12 - 1.
- `discounted_payback` is the first time the cumulative discounted flow reaches zero,
  interpolated linearly within the month that crosses.
Every function takes one row (1-D: returns a float) or many rows (2-D, one scenario per row:
returns an array). Pure numpy; numpy-financial is only used by the tests, as the reference.
"""

from __future__ import annotations

import functools
from collections.abc import Collection

import numpy as np

from pricing.model.cashflow import cash_flows
from pricing.model.columns import EngineColumns

IRR_LOW, IRR_HIGH = -0.9999, 1e6  # monthly rates searched for an IRR
IRR_GRID_STEP = 0.15  # bracketing grid: log(1 + r) = IRR_GRID_SCALE * sinh(u), u in steps of
IRR_GRID_SCALE = 0.02  # this: ~0.3% a month apart near 0, coarser for extreme rates
IRR_CHUNK = 8192  # rows per block of the grid (bounds memory)
IRR_ITERATIONS = 100  # Illinois false-position steps at most; converges in ~10-20
IRR_TOLERANCE = 1e-14  # on log(1 + r)

FIGURES = ("npv", "irr_annual", "discounted_payback_months")

# Above this annual IRR (or with a payback under a month) the rate says nothing a CFO can use:
# the CLI and the workbook show IRR_ABOVE_TEXT instead of the number, with IRR_ABOVE_REASON;
# JSON, CSV and the FT_ functions keep the number.
IRR_SHOWN_MAX = 10.0  # 1,000% a year
IRR_ABOVE_TEXT = ">1,000%"
IRR_ABOVE_REASON = (
    "above 1,000% a year the IRR only says the upfront cost is tiny next to the monthly benefit: "
    "read payback and NPV"
)


def irr_beyond_meaning(irr_annual: float | None, payback_months: float | None) -> bool:
    """True when the IRR is to be shown as IRR_ABOVE_TEXT (see IRR_SHOWN_MAX)."""
    high = irr_annual is not None and irr_annual > IRR_SHOWN_MAX
    return high or (irr_annual is not None and payback_months is not None and payback_months < 1)


def monthly_rate(annual):
    """Compound-equivalent monthly rate of an annual rate: (1 + annual)^(1/12) - 1."""
    return (1 + np.asarray(annual, dtype=float)) ** (1 / 12) - 1


def annual_rate(monthly):
    """Annual rate of a monthly one, compounded: (1 + monthly)^12 - 1."""
    with np.errstate(over="ignore"):
        return (1 + np.asarray(monthly, dtype=float)) ** 12 - 1


def _rows(values) -> tuple[np.ndarray, bool]:
    v = np.asarray(values, dtype=float)
    if v.ndim == 0 or v.ndim > 2:
        raise ValueError(f"cash flows must be one row (1-D) or rows (2-D), got shape {v.shape}")
    return (v[None, :], True) if v.ndim == 1 else (v, False)


def _out(x: np.ndarray, single: bool):
    return float(x[0]) if single else x


def _sums(x: np.ndarray) -> np.ndarray:
    # Month-order running sums: the same rounding however many months other rows have.
    return np.cumsum(x, axis=1)[:, -1] if x.shape[1] else np.zeros(x.shape[0])


def _discounted(rate, v: np.ndarray) -> np.ndarray:
    r = np.broadcast_to(np.asarray(rate, dtype=float), (v.shape[0],))
    t = np.arange(v.shape[1], dtype=float)[None, :]
    with np.errstate(over="ignore"):
        return v / (1 + r[:, None]) ** t


def npv(rate, cashflows):
    """Net present value: sum of cashflows[t] / (1 + rate)^t, t = 0, 1, ...

    numpy_financial.npv's convention (cashflows[0] is today, not discounted). For Excel's NPV,
    which discounts its first value one period, see `npv_excel`. `rate` is per period (monthly
    for the schedule: use `monthly_rate(annual)`); one rate, or one per row of a 2-D input.
    """
    v, single = _rows(cashflows)
    return _out(_sums(_discounted(rate, v)), single)


def npv_excel(rate, values):
    """Excel's NPV(rate, value1, ...): the first value is discounted one full period.

    npv_excel(r, v[1:]) + v[0] == npv(r, v): the month-0 outlay goes outside Excel's NPV.
    """
    v, single = _rows(values)
    return _out(_sums(_discounted(rate, v)) / (1 + np.asarray(rate, dtype=float)), single)


def _last_nonzero(v: np.ndarray) -> np.ndarray:
    nz = v != 0
    return np.where(nz.any(axis=1), v.shape[1] - 1 - np.argmax(nz[:, ::-1], axis=1), 0)


def _scaled_npv(v: np.ndarray, last: np.ndarray, g: np.ndarray, negative: np.ndarray) -> np.ndarray:
    """NPV at rate exp(g) - 1 for each row, times exp(g * last) where g < 0.

    The sign is the NPV's; the scaling keeps every power <= 1, so nothing overflows however
    long the flows or how close the rate gets to -100% (Horner's rule, month by month).
    """
    x = np.exp(-np.abs(g))  # <= 1 on both sides
    out = np.zeros(v.shape[0])
    pos = np.flatnonzero(~negative)
    if pos.size:  # g >= 0: sum v_t x^t
        p, xp, vp = np.zeros(pos.size), x[pos], v[pos]
        for t in range(v.shape[1] - 1, -1, -1):
            p = p * xp + vp[:, t]
        out[pos] = p
    neg = np.flatnonzero(negative)
    if neg.size:  # g < 0: sum v_t x^(last - t) over t <= last
        q, xn, vn, ln = np.zeros(neg.size), x[neg], v[neg], last[neg]
        for t in range(int(ln.max()) + 1):
            q = np.where(t <= ln, q * xn + vn[:, t], q)
        out[neg] = q
    return out


def _grid_npv(v: np.ndarray, last: np.ndarray, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scaled NPV (see _scaled_npv) and the sign-true slope of the NPV in g at every grid point,
    rows x points, as matrix products."""
    t = np.arange(v.shape[1], dtype=float)
    value = np.empty((v.shape[0], grid.size))
    slope = np.empty((v.shape[0], grid.size))
    pos = grid >= 0
    e = np.exp(-np.outer(t, grid[pos]))
    value[:, pos] = v @ e
    slope[:, pos] = v @ (-t[:, None] * e)
    neg = np.flatnonzero(~pos)
    ends = np.unique(last)
    for L in ends:  # rows that end in the same month share one matrix
        power = np.exp(np.outer(np.clip(L - t, 0, None), grid[neg]))  # x^(L - t), x = e^g
        weights = np.where((t <= L)[:, None], power, 0.0)
        d_weights = -t[:, None] * weights  # NPV's slope times e^(gL) > 0: same sign
        if ends.size == 1:
            value[:, neg], slope[:, neg] = v @ weights, v @ d_weights
        else:
            rows = np.flatnonzero(last == L)
            value[np.ix_(rows, neg)] = v[rows] @ weights
            slope[np.ix_(rows, neg)] = v[rows] @ d_weights
    return value, slope


def _slope_coefficients(v: np.ndarray) -> np.ndarray:
    """Coefficients whose _scaled_npv has the sign of the NPV's derivative in g = log(1 + r)
    (the scaling by e^(g last) on the negative side is positive, so signs agree)."""
    return v * -np.arange(v.shape[1], dtype=float)[None, :]


def _illinois(lo, hi, f_lo, f_hi, fn):
    """Illinois false position on brackets [lo, hi] with f_lo, f_hi of opposite signs (or 0);
    fn(index, g) evaluates the function for those brackets. Returns the roots."""
    side = np.zeros(lo.size)  # which end moved last (-1 lo, +1 hi)
    for _ in range(IRR_ITERATIONS):
        active = np.flatnonzero((hi - lo > IRR_TOLERANCE * (1 + np.abs(lo))) & (f_lo != 0) & (f_hi != 0))
        if not active.size:
            break
        a_lo, a_hi, fa_lo, fa_hi = lo[active], hi[active], f_lo[active], f_hi[active]
        g = np.clip((a_lo * fa_hi - a_hi * fa_lo) / (fa_hi - fa_lo), a_lo, a_hi)
        g = np.where(np.isfinite(g), g, (a_lo + a_hi) / 2)
        f = fn(active, g)
        move_lo = np.sign(f) == np.sign(fa_lo)
        s_a = side[active]
        # the end that stays twice in a row has its value halved (Illinois)
        fa_hi = np.where(move_lo & (s_a == -1), fa_hi / 2, fa_hi)
        fa_lo = np.where(~move_lo & (s_a == 1), fa_lo / 2, fa_lo)
        lo[active] = np.where(move_lo, g, a_lo)
        f_lo[active] = np.where(move_lo, f, fa_lo)
        hi[active] = np.where(move_lo, a_hi, g)
        f_hi[active] = np.where(move_lo, fa_hi, f)
        side[active] = np.where(move_lo, -1, 1)
    return np.where(f_lo == 0, lo, np.where(f_hi == 0, hi, (lo + hi) / 2))


@functools.cache
def _irr_grid() -> tuple[np.ndarray, int]:
    """(the bracketing grid in log(1 + r), the index of rate 0), built on the first IRR asked
    for, not at import: importing the engine computes nothing (issue 19)."""
    lo_u = np.arcsinh(np.log1p(IRR_LOW) / IRR_GRID_SCALE)
    hi_u = np.arcsinh(np.log1p(IRR_HIGH) / IRR_GRID_SCALE)
    u = np.concatenate(
        [-np.arange(0, -lo_u, IRR_GRID_STEP)[::-1], np.arange(IRR_GRID_STEP, hi_u, IRR_GRID_STEP)]
    )
    g = IRR_GRID_SCALE * np.sinh(np.concatenate([[lo_u], u, [hi_u]]))
    grid = np.unique(np.clip(g, np.log1p(IRR_LOW), np.log1p(IRR_HIGH)))
    return grid, int(np.flatnonzero(grid == 0)[0])  # rate 0 is a grid point


def irr(cashflows):
    """Monthly internal rate of return: the rate r where npv(r, cashflows) = 0.

    Agrees with numpy_financial.irr (the root closest to zero when there are several); NaN
    where the flows never change sign or no root lies between IRR_LOW and IRR_HIGH. Vectorised
    over rows: a grid in log(1 + r) brackets every sign change, then Illinois false position
    refines each bracket (a root of even multiplicity, which touches zero without crossing, is
    not reported; numpy-financial's complex roots drop those as well).
    """
    v, single = _rows(cashflows)
    n = v.shape[0]
    last = _last_nonzero(v)
    grid, z = _irr_grid()
    parts = []
    with np.errstate(all="ignore"):
        for i in range(0, max(n, 1), IRR_CHUNK):
            value, slope = _grid_npv(v[i : i + IRR_CHUNK], last[i : i + IRR_CHUNK], grid)
            parts.append((value > 0, value == 0, slope > 0))
    above = np.concatenate([p[0] for p in parts])
    zero = np.concatenate([p[1] for p in parts]) & (v != 0).any(axis=1)[:, None]
    rising = np.concatenate([p[2] for p in parts])
    nonzero_cell = ~zero[:, :-1] & ~zero[:, 1:]
    change = np.zeros_like(zero)
    change[:, :-1] = (above[:, :-1] != above[:, 1:]) & nonzero_cell
    # The root closest to zero is in the bracket nearest to rate 0 on either side: at most
    # two candidates a row. A bracket is [k, k + 1] on a sign change, or [k, k] on an exact 0.
    cand = change | zero
    up = cand[:, z:]
    has_up = up.any(axis=1)
    k_up = np.where(has_up, z + up.argmax(axis=1), grid.size)
    down = cand[:, :z][:, ::-1]
    has_down = down.any(axis=1)
    k_down = np.where(has_down, z - 1 - down.argmax(axis=1), -1)
    rows = np.concatenate([np.flatnonzero(has_up), np.flatnonzero(has_down)])
    k = np.concatenate([k_up[has_up], k_down[has_down]])
    exact = zero[rows, k]
    lo = grid[k]
    hi = np.where(exact, lo, grid[np.minimum(k + 1, grid.size - 1)])

    # Two roots inside one grid cell leave its ends with one sign; the NPV's slope then
    # changes sign in the cell. For such cells nearer to rate 0 than the bracket found, the
    # extremum (a root of the slope) tells: past zero there, [near end, extremum] brackets a
    # root. Flows with one sign change have a monotone NPV and never get here.
    hidden = np.zeros_like(zero)
    hidden[:, :-1] = nonzero_cell & (above[:, :-1] == above[:, 1:]) & (rising[:, :-1] != rising[:, 1:])
    # only cells whose near end is nearer to rate 0 than the farther end of the best bracket
    rate = np.abs(np.expm1(grid))
    reach = np.minimum(
        np.where(has_up, rate[np.minimum(k_up + 1, grid.size - 1)], np.inf),
        np.where(has_down, rate[np.maximum(k_down, 0)], np.inf),
    )
    cells = np.arange(grid.size)[None, :]
    near_rate = np.where(cells >= z, rate[None, :], rate[np.minimum(cells + 1, grid.size - 1)])
    hidden &= ((cells >= z) & (cells < k_up[:, None])) | ((cells < z) & (cells > k_down[:, None]))
    hidden &= near_rate < reach[:, None]
    h_rows, h_k = np.nonzero(hidden)
    if h_rows.size:
        h_neg = grid[h_k + 1] <= 0
        hv, hl = v[h_rows], last[h_rows]
        dv = _slope_coefficients(hv)
        with np.errstate(all="ignore"):
            e_lo, e_hi = grid[h_k].copy(), grid[h_k + 1].copy()
            d_lo, d_hi = _scaled_npv(dv, hl, e_lo, h_neg), _scaled_npv(dv, hl, e_hi, h_neg)
            ok = np.sign(d_lo) * np.sign(d_hi) <= 0
            g_star = _illinois(e_lo, e_hi, d_lo, d_hi, lambda i, g: _scaled_npv(dv[i], hl[i], g, h_neg[i]))
            f_star = _scaled_npv(hv, hl, g_star, h_neg)
        ends_above = above[h_rows, h_k]
        found = ok & ((f_star > 0) != ends_above) & (f_star != 0) | ok & (f_star == 0)
        # the root nearest rate 0: between the extremum and the cell's end nearer to 0
        near = np.where(h_neg, grid[h_k + 1], grid[h_k])
        rows = np.concatenate([rows, h_rows[found]])
        at_star = f_star == 0
        b_lo = np.where(h_neg | at_star, g_star, near)[found]
        b_hi = np.where(h_neg & ~at_star, near, g_star)[found]
        lo, hi = np.concatenate([lo, b_lo]), np.concatenate([hi, b_hi])
        exact = np.concatenate([exact, at_star[found]])

    negative = hi <= 0
    vp, lp = v[rows], last[rows]
    with np.errstate(all="ignore"):
        f_lo = np.where(exact, 0.0, _scaled_npv(vp, lp, lo, negative))
        f_hi = np.where(exact, 0.0, _scaled_npv(vp, lp, hi, negative))
        # the grid's products and this Horner sum round differently: a root within rounding
        # of a grid point can leave both ends with one sign; that end is then the root
        same = np.sign(f_lo) * np.sign(f_hi) > 0
        at_lo = same & (np.abs(f_lo) <= np.abs(f_hi))
        at_hi = same & ~at_lo
        hi, f_hi = np.where(at_lo, lo, hi), np.where(at_lo, 0.0, f_hi)
        lo, f_lo = np.where(at_hi, hi, lo), np.where(at_hi, 0.0, f_lo)
        root = _illinois(lo, hi, f_lo, f_hi, lambda i, g: _scaled_npv(vp[i], lp[i], g, negative[i]))
    rates = np.expm1(root) + 0.0  # no -0.0

    out = np.full(n, np.nan)
    if rows.size:
        order = np.lexsort((np.abs(rates), rows))  # per row, the root closest to zero first
        rows, rates = rows[order], rates[order]
        first = np.r_[True, rows[1:] != rows[:-1]]
        out[rows[first]] = rates[first]
    return _out(out, single)


def irr_annual(cashflows):
    """IRR of monthly flows compounded to a year: (1 + irr(cashflows))^12 - 1."""
    return annual_rate(irr(cashflows))


def discounted_payback(rate_monthly, cashflows):
    """Months until the cumulative discounted flow first reaches zero.

    Interpolated linearly within the month that crosses: (m - 1) + (what was still owed after
    month m - 1) / (month m's discounted flow). 0 when nothing is owed at month 0; NaN when it
    never reaches zero within the flows given, or when a flow is unknown (NaN: e.g. a successor
    model without a training rate), as NPV is then. A later retrain may push the cumulative flow
    below zero again: this is the first recovery, as finance texts define payback.
    """
    v, single = _rows(cashflows)
    n, months = v.shape
    discounted = _discounted(rate_monthly, v)
    cumulative = np.cumsum(discounted, axis=1)
    owed_before = np.concatenate([np.ones((n, 1), bool), cumulative[:, :-1] < 0], axis=1)
    hits = (cumulative >= 0) & owed_before & (np.arange(months) >= 1)[None, :]
    first = np.where(hits.any(axis=1), hits.argmax(axis=1), -1)
    rows = np.arange(n)
    m = np.clip(first, 1, max(months - 1, 1)) if months > 1 else np.ones(n, dtype=int)
    if months > 1:
        before, step = cumulative[rows, m - 1], discounted[rows, m]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            inside = np.where(step > 0, -before / np.where(step > 0, step, 1.0), 0.0)
        crossing = (m - 1) + inside
    else:
        crossing = np.full(n, np.nan)
    owed = v[:, 0] < 0 if months else np.zeros(n, bool)
    out = np.where(owed, np.where(first >= 1, crossing, np.nan), 0.0)
    out = np.where(np.isnan(v).any(axis=1), np.nan, out)  # an unknown flow: no payback to tell
    return _out(out, single)


def finance_figures(columns: EngineColumns, which: Collection[str] = FIGURES) -> dict[str, np.ndarray]:
    """NPV, annual IRR and discounted payback of every scenario's schedule to its horizon.

    The flows are pricing.model.cashflow.cash_flows (month 0 = -upfront, a retrain every lifetime),
    to each row's own horizon_months, discounted at monthly_rate(discount_rate_annual), i.e.
    (1 + annual)^(1/12) - 1. Rows are grouped by horizon, so a row gets exactly the figures
    it would get alone. `which` picks the figures (IRR is the dearest: Monte Carlo skips it).
    Arrays hold NaN where a figure does not exist (no IRR, never pays back).
    """
    unknown = set(which) - set(FIGURES)
    if unknown:
        raise ValueError(f"which must name figures among {FIGURES}, got {sorted(unknown)}")
    horizons = np.asarray(columns.horizon_months, dtype=float)
    n = horizons.size
    out = {k: np.full(n, np.nan) for k in FIGURES if k in which}
    rate = monthly_rate(columns.discount_rate_annual)
    for h in np.unique(horizons):
        rows = np.flatnonzero(horizons == h)
        sub = columns if rows.size == n else columns.take(rows)
        _, _, flows = cash_flows(sub, int(max(h, 0)))
        if "npv" in out:
            out["npv"][rows] = npv(rate[rows], flows)
        if "irr_annual" in out:
            out["irr_annual"][rows] = irr_annual(flows)
        if "discounted_payback_months" in out:
            out["discounted_payback_months"][rows] = discounted_payback(rate[rows], flows)
    return out

"""The yearly fall of list prices, measured from the price history per vendor and tier.

A family (history_models.json) is a vendor's lineage of frontier or small models in launch
order. Its price on a date is the blended rate of the newest lineage model listed by then:
0.75 x input + 0.25 x output (3 input tokens per output token, the usual blend for chat
traffic). Sampled on the 1st of every month, ln(price) is fitted by least squares to a straight
line in time; decline_annual = 1 - exp(slope per year). A negative decline is a price rise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from pricing.prices.history import PriceHistory, load_history_models

INPUT_WEIGHT = 0.75  # blended price = 0.75 x input + 0.25 x output
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class DeclineFit:
    decline_annual: float  # 0.3 = prices fall 30% a year
    r2: float
    samples: int
    start: date
    end: date
    first_price: float  # blended $/1M at start and end
    last_price: float

    def describe(self) -> str:
        return (
            f"{self.decline_annual:.0%}/year (log-linear fit of {self.samples} monthly blended"
            f" prices {self.start:%Y-%m} to {self.end:%Y-%m}, R² {self.r2:.2f})"
        )


def blended(rates: dict) -> float | None:
    inp, out = rates.get("input"), rates.get("output")
    if inp is None or out is None:
        return None
    return INPUT_WEIGHT * inp + (1 - INPUT_WEIGHT) * out


def fit_log_linear(samples: list[tuple[date, float]]) -> DeclineFit:
    """Least-squares fit of ln(price) = a + b x years; decline = 1 - exp(b)."""
    if len(samples) < 2:
        raise ValueError("a decline fit needs prices on at least two dates")
    t0 = samples[0][0]
    xs = [(d - t0).days / DAYS_PER_YEAR for d, _ in samples]
    ys = [math.log(p) for _, p in samples]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        raise ValueError("a decline fit needs prices on at least two dates")
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - (my + b * (x - mx))) ** 2 for x, y in zip(xs, ys, strict=True))
    r2 = 1 - ss_res / ss_tot if ss_tot > 0 else 1.0
    return DeclineFit(1 - math.exp(b), r2, n, samples[0][0], samples[-1][0], samples[0][1], samples[-1][1])


def months(start: date, end: date) -> list[date]:
    """The 1st of every month from start's month (or start itself if it is a 1st) to end."""
    out, y, m = [], start.year, start.month
    first = date(y, m, 1)
    if first < start:
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    while (d := date(y, m, 1)) <= end:
        out.append(d)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def family_price(history: PriceHistory, lineage: list[str], on: date) -> tuple[str, float] | None:
    """(model, blended price) of the newest lineage model listed on `on`."""
    for model in reversed(lineage):
        if not history.has(model):
            continue
        point = history.point_at(model, on)
        price = blended(point.rates) if point else None
        if price:
            return model, price
    return None


def family_samples(history: PriceHistory, lineage: list[str], start: date, end: date) -> list:
    out = []
    for d in months(start, end):
        found = family_price(history, lineage, d)
        if found:
            out.append((d, found[1]))
    return out


def family_of(model_id: str) -> str | None:
    """The family whose measured decline applies to a catalog model (None: no family)."""
    for name, fam in load_history_models()["families"].items():
        if model_id in fam["catalog_models"] or model_id in fam["lineage"]:
            return name
    return None


def measure(history: PriceHistory, family: str, end: date, start: date | None = None) -> DeclineFit:
    """The fitted decline of one family over [start (default: history start), end]."""
    lineage = load_history_models()["families"][family]["lineage"]
    return fit_log_linear(family_samples(history, lineage, start or history.start, end))


def measure_all(history: PriceHistory, end: date, start: date | None = None) -> dict[str, DeclineFit]:
    return {name: measure(history, name, end, start) for name in load_history_models()["families"]}


MEASURED = "measured"  # frontier_price_decline_annual="measured": the frontier family's fit


def measured_decline(model_id: str) -> tuple[float, str] | None:
    """The bundled history's fitted decline for a model's family, floored at 0 (the engine models
    falling prices only), and a note naming the family, the fit and the source; None: no family."""
    from pricing.prices.history import bundled_history

    family = family_of(model_id)
    if family is None:
        return None
    history = bundled_history()
    end = max(p.date for series in history.points.values() for p in series)
    fit = measure(history, family, end)
    used = max(fit.decline_annual, 0.0)
    note = f"{family} list prices measured: {fit.describe()}, from LiteLLM registries on PyPI"
    if used != fit.decline_annual:
        note += "; a rise counts as 0"
    return used, note


def decline_note(frontier_model: str, assumed: float) -> str:
    """The CLI's line beside a scenario's assumed decline: the measured one of its family."""
    found = measured_decline(frontier_model)
    if found is None:
        family = f"no measured history for {frontier_model}'s family"
        return f"frontier price decline {assumed:.0%}/year assumed; {family}"
    return f"frontier price decline {assumed:.0%}/year assumed; {found[1]}"


def declines_markdown() -> str:
    """The README's table of measured declines (tests/test_history.py keeps it current)."""
    from pricing.prices.history import bundled_history

    history = bundled_history()
    end = max(p.date for series in history.points.values() for p in series)
    whole = measure_all(history, end)
    recent = measure_all(history, end, date(end.year - 2, end.month, 1))
    lines = [
        "| family | fitted decline / year (R²), whole history | blended $/1M, first → last"
        " | last 24 months: change | fitted / year |",
        "|---|---|---|---|---|",
    ]
    for name, fit in whole.items():
        r = recent[name]
        lines.append(
            f"| {name} | {fit.decline_annual:.0%} ({fit.r2:.2f}), {fit.start:%Y-%m} to {fit.end:%Y-%m}"
            f" | {fit.first_price:.3g} → {fit.last_price:.3g} | {r.last_price / r.first_price - 1:+.0%}"
            f" ({r.first_price:.3g} → {r.last_price:.3g}) | {r.decline_annual:.0%} |"
        )
    return "\n".join(lines)

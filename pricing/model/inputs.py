"""Resolve validated scenarios against the catalog into columns of numbers for the engine.

Explicit prices in a scenario win; otherwise rates come from the catalog by model id, and
missing cached or batch rates are inferred by a named rule that ends up in the notes. Catalog
look-ups happen once per distinct (frontier model, fine-tuned model, start date); everything
per row is numpy, so a 100,000-row table resolves in one pass and one scenario is a table of one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date

import numpy as np

from pricing.model import billing
from pricing.model.billing import BillingRates, billing_rates
from pricing.model.columns import EngineColumns
from pricing.model.scenario import MissingRateError, ScenarioError
from pricing.model.serving import default_tokens_per_second, gpu_month, serving_gpu, serving_note
from pricing.model.table import Table
from pricing.prices.catalog import TOKENS_PER_MILLION, Catalog, ModelEntry, UnknownModelError

DAYS_PER_MONTH_AVG = 365.25 / 12
# The seed page budgets 0.5-1 ML engineer per fine-tuned model in production: the "with MLOps"
# verdict counts the lower end when the scenario counts none (mlops_fte = 0).
SEED_MLOPS_FTE = 0.5
CACHED_FALLBACK = 0.10  # cached input = 10% of input, the seed's convention
BATCH_FALLBACK = 0.50  # batch = 50% of standard


@dataclass
class SideRates:
    """One model's token rates as the engine bills them: $ per 1M tokens (NaN: the catalog has no
    rate) and batch rate / standard rate (the batch discount a rate override keeps)."""

    input: float = math.nan
    output: float = math.nan
    cached: float = math.nan
    batch_factor_in: float = BATCH_FALLBACK
    batch_factor_out: float = BATCH_FALLBACK


@dataclass
class TunedTerms:
    """What a fine-tuned model costs besides its tokens, and how long it can serve."""

    training_per_1m: float = math.nan  # $ per 1M training tokens
    training_per_hour: float = math.nan  # $ per training hour (hourly-priced models)
    min_job_charge: float = 0.0  # $ a training job costs at least
    hosting_month: float = 0.0
    storage_month: float = 0.0
    lifetime_cap: float = math.inf  # months from the start until it shuts down or retires
    jobs_until_months: float = math.inf  # months from the start until the vendor takes no new jobs


def _no_successor() -> TunedTerms:
    return TunedTerms(hosting_month=math.nan, storage_month=math.nan)


# The models whose token rates a scenario uses, as ModelRates attributes and column prefixes.
RATE_SIDES = ("frontier", "ft", "baseline", "succ_ft")


@dataclass
class ModelRates:
    """What the catalog says about one (frontier, fine-tuned) pair; NaN = the catalog has no rate."""

    frontier: SideRates = field(default_factory=SideRates)
    ft: SideRates = field(default_factory=SideRates)
    baseline: SideRates = field(default_factory=SideRates)  # NaN: no baseline model in the scenario
    succ_ft: SideRates = field(default_factory=SideRates)  # the successor_ft_model; NaN: none named
    tuned: TunedTerms = field(default_factory=TunedTerms)
    succ_tuned: TunedTerms = field(default_factory=_no_successor)  # NaN costs: none named
    succ_name: str = ""
    gpu_hourly: float = math.nan  # $/GPU-hour when the tuned model is served on dedicated GPUs
    gpu_tokens_per_second: float = math.nan  # one GPU's throughput for the model's size
    lifetime_cap_note: str = ""  # said when the cap cuts a scenario's planned lifetime
    end_text: str = ""  # "retires on 2027-01-14", for the note saying when the flows stop
    jobs_text: str = ""  # "OpenAI accepts no new fine-tuning jobs after 2027-01-06"
    frontier_name: str = "the frontier model"
    ft_name: str = "the fine-tuned model"
    gpu_name: str = "GPU"
    notes: list[str] = field(default_factory=list)  # said of every scenario on this pair
    cached_notes: list[str] = field(default_factory=list)  # said only when cached_share > 0
    batch_notes: list[str] = field(default_factory=list)  # said only when batch_share > 0
    # cache writes, long-context and service tiers, regional uplift (pricing/model/billing.py)
    frontier_billing: BillingRates | None = None
    baseline_billing: BillingRates | None = None

    def numbers(self) -> list[float]:
        """Every rate, in the order of RATE_NAMES (the same loops)."""
        return [
            self.gpu_hourly,
            self.gpu_tokens_per_second,
            *(getattr(getattr(self, side), f) for side in RATE_SIDES for f in _SIDE_FIELDS),
            *(getattr(terms, f) for terms in (self.tuned, self.succ_tuned) for f in _TUNED_FIELDS),
        ]


_SIDE_FIELDS = tuple(f.name for f in fields(SideRates))
_TUNED_FIELDS = tuple(f.name for f in fields(TunedTerms))
# The flat names of the rate columns: `frontier_input`, `ft_batch_factor_in`, `training_per_1m`
# (the fine-tuned model's terms), `succ_training_per_1m` (the successor's), ...
RATE_NAMES: tuple[str, ...] = (
    "gpu_hourly",
    "gpu_tokens_per_second",
    *(f"{side}_{f}" for side in RATE_SIDES for f in _SIDE_FIELDS),
    *(prefix + f for prefix in ("", "succ_") for f in _TUNED_FIELDS),
)


def _num(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _factor(entry: ModelEntry, batch_attr: str, base_attr: str) -> float:
    """Batch rate as a share of the standard rate, so price overrides keep the discount."""
    batch, base = getattr(entry, batch_attr), getattr(entry, base_attr)
    return float(batch) / float(base) if batch is not None and base else BATCH_FALLBACK


def _side_rates(
    entry: ModelEntry, input_attr: str, output_attr: str, cached_attr: str, batch_in: str, batch_out: str
) -> SideRates:
    """A model's rates read from the catalog fields named (the batch ones as factors)."""
    return SideRates(
        input=_num(getattr(entry, input_attr)),
        output=_num(getattr(entry, output_attr)),
        cached=_num(getattr(entry, cached_attr)),
        batch_factor_in=_factor(entry, batch_in, input_attr),
        batch_factor_out=_factor(entry, batch_out, output_attr),
    )


def _base_rates(entry: ModelEntry) -> SideRates:
    """The model used as it is (prompted): its base rates, never fine-tuned ones."""
    return _side_rates(entry, "input", "output", "cached_input", "batch_input", "batch_output")


def _status_note(entry: ModelEntry, attr: str, who: str) -> str | None:
    note = entry.field_status.get(attr)
    if note is None or getattr(entry, attr) is None:
        return None
    return f"{who} {attr.replace('_', ' ')} {note.status}: {note.rule}"


def _frontier(rates: ModelRates, fr: ModelEntry, start: date) -> None:
    rates.frontier_name = fr.id
    rates.frontier_billing = billing_rates(fr, fr.id)
    if fr.deprecation_date is not None and fr.deprecation_date <= start:
        # the workbook's Checks sheet flags the same: the saving is against a model that is gone
        rates.notes.append(
            f"frontier {fr.id} is past its deprecation date ({fr.deprecation_date.isoformat()}): "
            "compare against the model that replaces it"
        )
    rates.frontier = _base_rates(fr)
    if (n := _status_note(fr, "cached_input", f"{fr.id}")) is not None:
        rates.cached_notes.append(n)
    for attr in ("batch_input", "batch_output"):
        if (n := _status_note(fr, attr, f"{fr.id}")) is not None:
            rates.batch_notes.append(n)


def _fine_tuned(rates: ModelRates, ft: ModelEntry, start: date, catalog: Catalog) -> None:
    if not ft.fine_tunable:
        raise ScenarioError(
            "ft_model", ft.id, "a fine-tunable model (see FT_MODELS or `ft-breakeven prices`)"
        )
    if ft.retired_by(start):
        raise retired_error(ft)
    _offer_notes(rates, ft, catalog)
    rates.ft_name = ft.id
    # The vendor's fine-tuned rates, else the base model's (tuned models billed at base rates).
    own = ft.ft_input is not None
    in_attr, out_attr = ("ft_input", "ft_output") if own else ("input", "output")
    cached_attr = "ft_cached_input" if ft.ft_cached_input is not None else "cached_input"
    rates.ft = _side_rates(
        ft,
        in_attr,
        out_attr,
        cached_attr,
        "ft_batch_input" if ft.ft_batch_input else "batch_input",
        "ft_batch_output" if ft.ft_batch_output else "batch_output",
    )
    if not own:
        rates.notes.append(f"fine-tuned {ft.id} billed at base-model rates (inferred)")
    for attr in ("ft_input", "training_per_1m", "hosting_per_hour", "storage_per_month"):
        if (n := _status_note(ft, attr, ft.id)) is not None:
            rates.notes.append(n)
    terms = rates.tuned
    terms.training_per_1m = _num(ft.training_per_1m)
    terms.training_per_hour = _num(ft.training_per_hour)
    terms.min_job_charge = ft.min_job_charge or 0.0
    terms.storage_month = ft.storage_per_month or 0.0
    terms.hosting_month = ft.monthly_fixed_cost() - terms.storage_month
    _lifetime_cap(rates, ft, start)


def retired_error(ft: ModelEntry) -> ScenarioError:
    """One sentence: the model, the date it was retired and what to do."""
    err = ScenarioError("ft_model", ft.id, "a model still offered for fine-tuning")
    err.args = (
        f"ft_model {ft.retirement_sentence()}: it can no longer be fine-tuned or served; "
        "pick a model still offered (`ft-breakeven prices`)",
    )
    return err


def _offer_notes(rates: ModelRates, ft: ModelEntry, catalog: Catalog) -> None:
    """Deprecated or preview fine-tuning, and dedicated-GPU serving, said on every scenario."""
    if ft.fine_tuning_state == "deprecated":
        rates.notes.append(f"{ft.vendor} fine-tuning is deprecated: check it is still offered to you")
    elif ft.fine_tuning_state == "preview":
        rates.notes.append(f"{ft.id} fine-tuning is in preview: terms and prices may change")
    gpu = serving_gpu(catalog, ft)
    if gpu is not None:
        rates.gpu_hourly, rates.gpu_name = gpu.per_hour, f"{gpu.vendor} {gpu.gpu}"
        if gpu.status == "unverified":
            rates.notes.append(f"{gpu.id} rate unverified: {gpu.rule}")
    rates.gpu_tokens_per_second = default_tokens_per_second(ft.params_b)


def _lifetime_cap(rates: ModelRates, ft: ModelEntry, start: date) -> None:
    """Months the fine-tuned model can serve from `start`: its shutdown or retirement date."""
    if ft.jobs_available_until is not None and start > ft.jobs_available_until:
        raise _no_lifetime(
            ft, f"{ft.vendor} accepts no new fine-tuning jobs since {ft.jobs_available_until.isoformat()}"
        )
    ends = [(d, why) for d, why in ((ft.shutdown_date, "shuts down"), (ft.deprecation_date, "retires")) if d]
    if ends:
        end, why = min(ends)
        if end <= start:
            raise _no_lifetime(ft, f"{'retired' if why == 'retires' else 'shut down'} on {end.isoformat()}")
        cap = rates.tuned.lifetime_cap = max(0.0, (end - start).days / DAYS_PER_MONTH_AVG)
        rates.end_text = f"fine-tuned {ft.id} {why} on {end.isoformat()}"
        rates.lifetime_cap_note = f"{rates.end_text}: lifetime cut to {cap:.1f} months"
    if ft.jobs_available_until is not None:
        rates.tuned.jobs_until_months = (ft.jobs_available_until - start).days / DAYS_PER_MONTH_AVG
        rates.jobs_text = (
            f"{ft.vendor} accepts no new fine-tuning jobs after {ft.jobs_available_until.isoformat()}"
        )
        rates.notes.append(f"{rates.jobs_text}: retrains must move")


def _no_lifetime(ft: ModelEntry, why: str) -> ScenarioError:
    """A fine-tuned model that cannot serve a day from the start date: refused, not costed."""
    err = ScenarioError("ft_model", ft.id, "a model that can still be fine-tuned and served")
    err.args = (f"ft_model {ft.id}: {why}: no lifetime left (pick another model or an earlier start_date)",)
    return err


def _baseline(rates: ModelRates, b: ModelEntry) -> None:
    """The cheaper model used as it is (prompted): its base rates, never fine-tuned ones."""
    rates.baseline_billing = billing_rates(b, f"{b.id} (baseline_model)")
    rates.baseline = _base_rates(b)


def _successor(rates: ModelRates, catalog: Catalog, successor_id: str, start: date) -> None:
    """The model fine-tuned next when ft_model stops serving: its rates, training and dates."""
    nxt = ModelRates()
    try:
        _fine_tuned(nxt, catalog.get(successor_id), start, catalog)
    except ScenarioError as exc:  # the same refusal, naming the input that chose this model
        err = ScenarioError("successor_ft_model", successor_id, exc.allowed)
        err.args = (str(exc).replace("ft_model", "successor_ft_model", 1),)
        raise err from None
    rates.succ_ft, rates.succ_tuned, rates.succ_name = nxt.ft, nxt.tuned, nxt.ft_name


def model_rates(
    catalog: Catalog | None,
    frontier_id: str,
    ft_id: str,
    start: date,
    baseline_id: str = "",
    successor_id: str = "",
) -> ModelRates:
    rates = ModelRates()
    if (frontier_id or ft_id or baseline_id or successor_id) and catalog is None:
        field, value = next(
            (f, v)
            for f, v in (
                ("frontier_model", frontier_id),
                ("ft_model", ft_id),
                ("baseline_model", baseline_id),
                ("successor_ft_model", successor_id),
            )
            if v
        )
        raise ScenarioError(field, value, "empty when no catalog is loaded")
    if baseline_id:
        _baseline(rates, catalog.get(baseline_id))
    if successor_id:
        _successor(rates, catalog, successor_id, start)
    if frontier_id:
        _frontier(rates, catalog.get(frontier_id), start)  # UnknownModelError names close ids
    if ft_id:
        _fine_tuned(rates, catalog.get(ft_id), start, catalog)
    return rates


@dataclass
class Resolved:
    """Engine columns for n scenarios, with per-row notes and errors (None = fine)."""

    columns: EngineColumns
    notes: Sequence[list[str]]
    errors: list[Exception | None]


def service_months(lifetime: np.ndarray, shutdown: np.ndarray, jobs_until: np.ndarray) -> np.ndarray:
    """Months the fine-tuned model serves traffic: until it shuts down, or until the first
    retrain that falls due after its vendor stopped taking jobs (it cannot be retrained then).
    After that the traffic returns to the frontier model. Infinite when nothing stops it."""
    if not np.isfinite(jobs_until).any():  # the common case: no vendor has stopped taking jobs
        return np.where(lifetime > 0, shutdown, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        # retrains fall due at k x lifetime; the first with k x lifetime > jobs_until cannot run
        blocked = (np.floor(jobs_until / lifetime) + 1) * lifetime
    blocked = np.where(np.isfinite(jobs_until) & (lifetime > 0), np.maximum(blocked, 0.0), np.inf)
    return np.where(lifetime > 0, np.minimum(shutdown, blocked), 0.0)


def successor_columns(x, g, c, tokens, by_hours, by_tokens) -> dict[str, np.ndarray]:
    """The successor's engine columns: it is trained when ft_model stops serving (month
    service_months), on the same data (its own rate and minimum charge), serves at its own rates
    and fixed costs, is retrained every lifetime (its shutdown permitting) until it stops too
    (succ_service_end, months from the start). Rows without a successor: NaN rates and costs,
    succ_service_end = service_months, so nothing changes."""
    s1 = c["service_months"]
    if not np.isfinite(g["succ_ft_input"]).any():  # the common case: no successor on any row
        nan = np.broadcast_to(np.float64(math.nan), s1.shape)
        out = {f"succ_{k}": nan for k in ("ft_input", "ft_output", "ft_cached", "training_cost")}
        out.update({f"succ_{k}": g[f"succ_{k}"] for k in ("ft_batch_factor_in", "ft_batch_factor_out")})
        out.update(succ_fixed_month=nan, succ_lifetime_months=nan, succ_service_end=s1)
        return out
    per_run = np.where(
        by_hours,
        x["training_hours"] * g["succ_training_per_hour"],
        np.where(by_tokens, token_training_cost(tokens, x["epochs"], g["succ_training_per_1m"]), 0.0),
    )
    per_run = np.where(by_hours | by_tokens, np.maximum(per_run, g["succ_min_job_charge"]), per_run)
    has = np.isfinite(g["succ_ft_input"]) & np.isfinite(s1) & (s1 > 0)
    with np.errstate(invalid="ignore"):
        life = np.where(has, np.minimum(x["lifetime_months"], g["succ_lifetime_cap"] - s1), np.nan)
        life = np.where(has & (life > 0), life, np.nan)
        ok = np.isfinite(life)
        end = s1 + service_months(
            np.where(ok, life, 0.0),
            np.where(ok, g["succ_lifetime_cap"] - s1, 0.0),
            g["succ_jobs_until_months"] - s1,
        )
    out = side_columns("succ_ft", x, g)
    out["succ_training_cost"] = per_run * x["training_runs"]
    fixed = g["succ_hosting_month"] + g["succ_storage_month"]
    out["succ_fixed_month"] = fixed + x["mlops_fte"] * x["engineer_annual_cost"] / 12
    out["succ_lifetime_months"] = life
    out["succ_service_end"] = np.where(ok, end, s1)
    return out


def side_columns(side: str, x: dict[str, np.ndarray], g: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """One model's five rate columns (`side` in RATE_SIDES; its SideRates as engine columns, said
    once): the scenario's price where it gives one (`frontier_input_price`, ...), else the
    catalog's; a cached rate neither gives is CACHED_FALLBACK of the input rate."""

    def given(what: str, catalog_value: np.ndarray) -> np.ndarray:
        override = x.get(f"{side}_{what}_price")
        return catalog_value if override is None else _pick(override, catalog_value)

    price_in = given("input", g[f"{side}_input"])
    return {
        f"{side}_input": price_in,
        f"{side}_output": given("output", g[f"{side}_output"]),
        f"{side}_cached": given("cached", _pick(g[f"{side}_cached"], price_in * CACHED_FALLBACK)),
        f"{side}_batch_factor_in": g[f"{side}_batch_factor_in"],
        f"{side}_batch_factor_out": g[f"{side}_batch_factor_out"],
    }


def token_training_cost(tokens, epochs, training_per_1m):
    """One training run billed by the token: tokens x epochs x $ per 1M tokens (FT_TRAINING_COST
    uses it too)."""
    return tokens * epochs * training_per_1m / TOKENS_PER_MILLION


def _pick(override: np.ndarray, catalog_value: np.ndarray) -> np.ndarray:
    """The override where given, else the catalog's value. A column given in full or not at all
    (a read-only broadcast) is passed through: no full-length np.where for it (issue 19)."""
    if override.ndim == 1 and override.size and override.strides[0] == 0:  # one value for all rows
        return np.broadcast_to(catalog_value, override.shape) if math.isnan(override[0]) else override
    missing = np.isnan(override)
    if not missing.any():
        return override
    return np.where(missing, catalog_value, override)


def _group_rates(
    t: Table, catalog: Catalog | None, today: date
) -> tuple[list[ModelRates | None], np.ndarray, list[Exception | None]]:
    """Catalog rates once per distinct (frontier, fine-tuned, start date): (groups, row -> group, errors)."""
    index: dict[tuple[str, str, date, str, str], int] = {}
    groups: list[ModelRates | None] = []
    group_errors: list[Exception | None] = []
    row_group = np.empty(t.n, dtype=np.intp)
    fr_ids, ft_ids, b_ids = t.texts["frontier_model"], t.texts["ft_model"], t.texts["baseline_model"]
    s_ids = t.texts["successor_ft_model"]
    columns = (fr_ids, ft_ids, t.dates, b_ids, s_ids)
    if t.n > 1 and all(col.count(col[0]) == t.n for col in columns):  # (no 100,000-element sets)
        # the common sweep: one pair of models and one start date for every row
        keys, row_group = [tuple(col[0] for col in columns)], np.zeros(t.n, dtype=np.intp)
    else:
        keys = list(zip(*columns, strict=True))
    for i, (fr, ft, start, base, nxt) in enumerate(keys):
        key = (fr, ft, start or today, base, nxt)
        k = index.get(key)
        if k is None:
            k = index[key] = len(groups)
            try:
                groups.append(model_rates(catalog, *key))
                group_errors.append(None)
            except (ScenarioError, UnknownModelError) as exc:
                groups.append(None)
                group_errors.append(exc)
        row_group[i] = k
    if len(groups) == 1:
        return groups, row_group, group_errors * t.n
    return groups, row_group, [group_errors[k] for k in row_group]


def _rate_columns(groups: Sequence[ModelRates | None], row_group: np.ndarray) -> dict[str, np.ndarray]:
    """Every rate (RATE_NAMES) as a column: each row gets its group's."""
    numbers = [(g or ModelRates()).numbers() for g in groups]
    if len(groups) == 1:  # one model pair for every row: a read-only broadcast, no copies
        one = zip(RATE_NAMES, numbers[0], strict=True)
        return {n: np.broadcast_to(np.float64(v), row_group.shape) for n, v in one}
    by_rate = np.ascontiguousarray(np.array(numbers, dtype=float).T)  # (rate, group)
    return dict(zip(RATE_NAMES, by_rate.take(row_group, axis=1), strict=True))  # each row contiguous


def resolve_table(t: Table, catalog: Catalog | None, today: date | None = None) -> Resolved:
    """Columns of engine inputs for every row of a validated table."""
    x = t.numbers
    groups, row_group, errors = _group_rates(t, catalog, today or date.today())
    if any(t.errors):
        errors = [t.errors[i] or errors[i] for i in range(t.n)]
    g = _rate_columns(groups, row_group)
    c: dict[str, np.ndarray] = {}
    for name in (
        "queries_per_day",
        "days_per_month",
        "volume_growth_monthly",
        "input_tokens",
        "output_tokens",
        "cached_share",
        "batch_share",
        "ft_traffic_share",
        "retrain_cost_share",
        "accuracy_lift",
        "value_per_correct",
        "discount_rate_annual",
        "frontier_price_decline_annual",
        "horizon_months",
        "frontier_price_cut",
        "ft_price_decline_annual",
    ):
        c[name] = x[name]
    c["frontier_price_cut_month"] = np.where(
        np.isnan(x["frontier_price_cut_month"]), np.inf, x["frontier_price_cut_month"]
    )
    c["ft_input_tokens"] = _pick(x["ft_input_tokens"], x["input_tokens"])
    c["ft_output_tokens"] = _pick(x["ft_output_tokens"], x["output_tokens"])

    for side in ("frontier", "ft", "baseline"):  # the baseline's: NaN when the scenario names none
        c.update(side_columns(side, x, g))
    # rates a row cannot be priced without, and the input that would give each
    needed = ("frontier_input", "frontier_output", "ft_input", "ft_output")
    rate_errors = {col: f"{col}_price" for col in needed}

    tokens = _pick(x["training_tokens"], x["training_examples"] * x["tokens_per_example"])
    price = _pick(x["training_per_1m"], g["training_per_1m"])
    hours = x["training_hours"]
    by_hours = ~np.isnan(hours)
    with np.errstate(invalid="ignore"):  # training_tokens = 0: no job is run, nothing is billed
        by_tokens = ~by_hours & (tokens > 0)
    per_run = np.where(
        by_hours,
        hours * g["training_per_hour"],
        np.where(by_tokens, token_training_cost(tokens, x["epochs"], price), 0.0),
    )
    per_run = np.where(by_hours | by_tokens, np.maximum(per_run, g["min_job_charge"]), per_run)
    c["training_cost"] = per_run * x["training_runs"]
    c["other_upfront"] = x["eval_cost"] + x["data_prep_cost"] + x["other_upfront_cost"]
    serving = _gpu_serving(x, g, c)
    c["fixed_cost_month"] = (
        _pick(x["hosting_per_month"], np.where(serving["on"], serving["cost"], g["hosting_month"]))
        + _pick(x["storage_per_month"], g["storage_month"])
        + x["mlops_fte"] * x["engineer_annual_cost"] / 12
    )
    # what the seed's MLOps budget adds when the scenario counts none (the "with MLOps" verdict)
    seed_mlops = SEED_MLOPS_FTE * x["engineer_annual_cost"] / 12
    c["mlops_extra_month"] = np.where(x["mlops_fte"] > 0, 0.0, seed_mlops)
    start = today or date.today()
    if any(t.dates):
        c["start_ordinal"] = np.array([(d or start).toordinal() for d in t.dates], dtype=float)
    else:  # the common table: every row starts today
        c["start_ordinal"] = np.broadcast_to(np.float64(start.toordinal()), (t.n,))
    c["lifetime_months"] = np.minimum(x["lifetime_months"], g["lifetime_cap"])
    c["service_months"] = service_months(c["lifetime_months"], g["lifetime_cap"], g["jobs_until_months"])
    c.update(successor_columns(x, g, c, tokens, by_hours, by_tokens))
    budget, fl, tl = x["latency_budget_ms"], x["frontier_latency_ms"], x["ft_latency_ms"]
    with np.errstate(invalid="ignore"):
        ft_meets = tl <= budget
        c["latency_driven"] = (ft_meets & (fl > budget)).astype(float)

    baselines = t.texts["baseline_model"]
    named = np.array([bool(b) for b in baselines], dtype=bool) if any(baselines) else np.zeros(t.n, bool)
    c["cache_write_share"] = x["cache_write_share"]
    c.update(_billing(t, groups, row_group, errors, named))

    row_groups = groups * t.n if len(groups) == 1 else [groups[k] for k in row_group.tolist()]
    notes = _RowNotes(x, row_groups, ft_meets, np.isnan(tokens) & ~by_hours, c["service_months"], serving)
    notes.succ_end = c["succ_service_end"]
    missing = np.zeros(t.n, dtype=bool)
    for col in rate_errors:
        missing |= np.isnan(c[col])
    missing |= by_hours & np.isnan(g["training_per_hour"]) | by_tokens & np.isnan(price)
    missing |= serving["on"] & np.isnan(serving["cost"])
    for i in np.flatnonzero(missing):  # rows whose rates are still missing cannot be priced
        if errors[i] is not None:
            continue
        if serving["on"][i] and math.isnan(serving["cost"][i]):
            errors[i] = ScenarioError(
                "gpu_tokens_per_second",
                None,
                f"given: the size of {(row_groups[i] or ModelRates()).ft_name} is not in the catalog",
            )
            continue
        for col, override in rate_errors.items():
            if math.isnan(c[col][i]):
                grp = row_groups[i] or ModelRates()
                who = grp.frontier_name if col.startswith("frontier") else grp.ft_name
                errors[i] = MissingRateError(override, None, f"given: no {col.split('_')[-1]} rate for {who}")
                break
        else:
            if by_hours[i] and math.isnan(g["training_per_hour"][i]):
                errors[i] = ScenarioError(
                    "training_hours", x["training_hours"][i], "used only with an hourly-priced model"
                )
            elif by_tokens[i] and math.isnan(price[i]):
                errors[i] = MissingRateError(
                    "training_per_1m", None, f"given: no training rate for {row_groups[i].ft_name}"
                )
    for col, override in (
        ("baseline_input", "baseline_input_price"),
        ("baseline_output", "baseline_output_price"),
    ):
        half = named & np.isnan(c[col])  # a baseline model whose rate the catalog lacks
        for i in np.flatnonzero(half):
            if errors[i] is None:
                errors[i] = MissingRateError(
                    override, None, f"given: no rate for {t.texts['baseline_model'][i]}"
                )
    if any(errors):  # failed rows carry zeros, never NaN (the baseline's NaN means "none")
        ok = np.array([e is None for e in errors])
        c = {k: np.where(ok, v, 0.0 if not k.startswith("baseline_") else v) for k, v in c.items()}
    return Resolved(columns=EngineColumns(**c), notes=notes, errors=errors)


def _billing(
    t: Table, groups: Sequence[ModelRates | None], row_group: np.ndarray, errors: list, named: np.ndarray
) -> dict[str, np.ndarray]:
    """Billing-option factors of the frontier and baseline models (pricing/model/billing.py)."""
    cols: dict[str, np.ndarray] = {}
    for side, applies, who in (
        ("frontier", np.ones(t.n, dtype=bool), "the frontier model (no frontier_model named)"),
        ("baseline", named, "the baseline model"),
    ):
        rates = [
            (getattr(g, f"{side}_billing", None) or BillingRates(name=who)) if g is not None else None
            for g in groups
        ]
        cols.update(
            billing.billing_columns(
                side, rates, row_group, t.numbers, t.texts, t.numbers["input_tokens"], applies, errors
            )
        )
    return cols


def _gpu_serving(x: dict, g: dict, c: dict) -> dict[str, np.ndarray]:
    """GPU-hour serving per row: on where the catalog serves the tuned model on dedicated GPUs
    or the scenario gives its own GPU rate (self-hosting) and no hosting override. On those rows
    the tuned model's token rates are 0 unless the scenario gives them: GPU time replaces them."""
    own_rate = ~np.isnan(x["gpu_hourly_price"])
    on = (own_rate | ~np.isnan(g["gpu_hourly"])) & np.isnan(x["hosting_per_month"])
    if not on.any():
        zero = np.zeros(on.shape)
        return {"on": on, "gpus": zero, "cost": zero, "hourly": zero}
    for col, override in (("ft_input", "ft_input_price"), ("ft_output", "ft_output_price")):
        c[col] = np.where(on & np.isnan(x[override]), 0.0, c[col])
    c["ft_cached"] = np.where(on & np.isnan(x["ft_cached_price"]), 0.0, c["ft_cached"])
    cols = {
        "gpu_queries_per_day": x["queries_per_day"] * x["ft_traffic_share"],
        "gpu_tokens_per_query": c["ft_input_tokens"] + c["ft_output_tokens"],
        "peak_to_average": x["peak_to_average"],
        "gpu_tokens_per_second": _pick(x["gpu_tokens_per_second"], g["gpu_tokens_per_second"]),
        "gpus_min": x["gpus_min"],
        "gpu_uptime_share": x["gpu_uptime_share"],
        "gpu_hourly": _pick(x["gpu_hourly_price"], g["gpu_hourly"]),
    }
    gpus, cost = gpu_month(cols)
    cost = np.where(np.isnan(cols["gpu_tokens_per_second"]), math.nan, cost)
    return {"on": on, "gpus": gpus, "cost": cost, "hourly": cols["gpu_hourly"]}


class _RowNotes(Sequence[list[str]]):
    """Per-row notes, worded only for the rows someone reads (an array call asks for none)."""

    def __init__(self, x, groups, ft_meets, no_training_size, service, serving=None):
        self.x, self.groups, self.ft_meets, self.no_size = x, groups, ft_meets, no_training_size
        self.service = service
        self.serving = serving or {"on": np.zeros(len(groups), dtype=bool)}

    def __len__(self) -> int:
        return len(self.groups)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        x, grp = self.x, self.groups[i]
        row = list(grp.notes) if grp else []
        if grp and grp.tuned.lifetime_cap < x["lifetime_months"][i]:
            row.insert(0, grp.lifetime_cap_note)
        if grp and 0 < self.service[i] < x["horizon_months"][i]:
            at = 1 if row and row[0] == grp.lifetime_cap_note else 0
            row.insert(at, _service_note(grp, self.service[i], self.succ_end[i], x["horizon_months"][i]))
        if grp and x["cached_share"][i] > 0:
            row += grp.cached_notes
            if math.isnan(x["frontier_cached_price"][i]) and math.isnan(grp.frontier.cached):
                row.append(f"{grp.frontier_name} cached-input rate inferred: cached = 10% of input")
        if grp and x["batch_share"][i] > 0:
            row += grp.batch_notes
        s = self.serving
        if s["on"][i] and not math.isnan(s["cost"][i]):
            own = not math.isnan(x["gpu_hourly_price"][i])
            name = (
                "your GPU"
                if own and math.isnan(grp.gpu_hourly if grp else math.nan)
                else (grp.gpu_name if grp else "GPU")
            )
            row.append(
                serving_note(s["gpus"][i], name, s["hourly"][i], x["gpu_uptime_share"][i], s["cost"][i])
            )
        if self.no_size[i]:
            row.append("no training data size given: the upfront cost counts only the one-off costs")
        if x["mlops_fte"][i] == 0:
            row.append(
                "MLOps not costed: budget 0.5-1 engineer per model in production (mlops_fte); "
                "the verdict with MLOps counted counts 0.5"
            )
        if x["accuracy_lift"][i] != 0 and x["value_per_correct"][i] == 0:
            row.append(
                f"accuracy_lift {x['accuracy_lift'][i]:.0%} is valued at $0: give value_per_correct "
                "(the value of one more correct answer) to count it"
            )
        budget, tl = x["latency_budget_ms"][i], x["ft_latency_ms"][i]
        if not math.isnan(budget) and not math.isnan(tl) and not self.ft_meets[i]:
            row.append(f"fine-tuned model misses the latency budget ({tl:g} ms > {budget:g} ms)")
        return row


def _service_note(
    grp: ModelRates, service: float, succ_end: float = math.nan, horizon: float = math.inf
) -> str:
    """Why and when the fine-tuned flows stop within the horizon (see service_months), and what
    takes over: the frontier model, or the successor (successor_columns) until it stops too."""
    why = (
        f"{grp.end_text}: no retrains after it"
        if service >= grp.tuned.lifetime_cap
        else f"{grp.jobs_text}: the retrain due in month {service:.1f} cannot run"
    )
    if grp.succ_name and succ_end > service:
        after = (
            f", then traffic returns to {grp.frontier_name} from month {succ_end:.1f}"
            if succ_end < horizon
            else ""
        )
        return f"{why}; {grp.succ_name} is fine-tuned and takes over from month {service:.1f}{after}"
    return f"{why}; traffic returns to {grp.frontier_name} from month {service:.1f} to the end of the horizon"

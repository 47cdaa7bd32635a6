"""The Cash flow chain's steps for the billing options (pricing/model/billing.py), in native
formulas: cache writes, long-context and service tiers, the regional uplift of the frontier and
baseline models. A chosen option whose rate the Pricing sheet lacks gives #N/A, as the engine
refuses it (it never falls back to the plain rate)."""

from __future__ import annotations

from collections.abc import Callable

from pricing.model.billing import FACTORS, NEUTRAL
from pricing.prices.catalog import TOKENS_PER_MILLION
from workbook.fields import label as input_label

Add = Callable[..., None]
Price = Callable[[str, str], str]  # (model row step, catalog field) -> a Pricing sheet look-up


def _ratio(rate: str, standard: str) -> str:
    """rate / standard of the catalog, #N/A unless both are numbers and the standard is not 0."""
    return f"IF(AND(ISNUMBER({rate}),ISNUMBER({standard})),IF({standard}<>0,{rate}/{standard},NA()),NA())"


def input_steps(add: Add, inp: Callable[[str], str], fmt_pct: str) -> None:
    """The four inputs as the engine reads them (blank: a plain API call)."""
    for field, default, fmt in (("cache_write_share", 0, fmt_pct), ("cache_ttl_minutes", 5, "0")):
        x = inp(field)
        add(field, input_label(field), f'IF({x}="",{{@default}},{x})', fmt, default=default)
    for field, default in (("service_tier", "standard"), ("data_residency", "global")):
        x = inp(field)
        add(field, input_label(field), f'IF({x}="","{default}",{x})', "@")
    add("one_hour_ttl", "cache time-to-live billed at the 1-hour write rate (minutes)", 60, "0")


def factor_steps(add: Add, price: Price, side: str, row: str, named: str | None = None) -> None:
    """The factors of one side (`frontier` or `baseline`) on its standard rates; `named` is a
    condition for the side to be priced at all (the baseline: a baseline_model is named)."""

    def p(field: str) -> str:
        return price(row, field)

    tier = "{service_tier}"

    def tier_rate(kind: str) -> str:
        return f'IF({tier}="flex",{p(f"flex_{kind}")},{p(f"priority_{kind}")})'

    cached_none = "IF({cached_share}>0,NA(),1)"  # a rate only cached tokens need
    long = f"{side}_long"
    ttl_rate = f"IF({{cache_ttl_minutes}}={{one_hour_ttl}},{p('cache_write_1h')},{p('cache_write_5m')})"
    formulas = {
        "tier_in": f'IF({tier}="standard",1,{_ratio(tier_rate("input"), p("input"))})',
        "tier_out": f'IF({tier}="standard",1,{_ratio(tier_rate("output"), p("output"))})',
        "tier_cached": (
            f'IF({tier}="standard",1,'
            f"IFERROR({_ratio(tier_rate('cached_input'), p('cached_input'))},{cached_none}))"
        ),
        "long_in": f"IF({{{long}}},IFERROR({_ratio(p('long_input'), p('input'))},1),1)",
        "long_out": f"IF({{{long}}},{_ratio(p('long_output'), p('output'))},1)",
        "long_cached": (
            f"IF({{{long}}},IFERROR({_ratio(p('long_cached_input'), p('cached_input'))},{cached_none}),1)"
        ),
        "write": (
            f'IF({{cache_write_share}}>0,IF(OR({tier}<>"standard",{{{long}}}),NA(),'
            f"{_ratio(ttl_rate, p('input'))}),0)"
        ),
        "uplift": (
            f'IF({{data_residency}}="regional",'
            f"IF(ISNUMBER({p('regional_uplift')}),{p('regional_uplift')},NA()),1)"
        ),
    }
    threshold = p("long_context_threshold")
    is_long = f"AND(ISNUMBER({threshold}),ISNUMBER({p('long_input')}),{{input_tokens}}>N({threshold}))"
    add(
        long,
        f"{side}: prompt above the long-context threshold?",
        is_long if named is None else f"AND({named},{is_long})",
    )
    labels = {
        "tier_in": "service tier input / standard",
        "tier_out": "service tier output / standard",
        "tier_cached": "service tier cached input / standard",
        "long_in": "long-context input / standard",
        "long_out": "long-context output / standard",
        "long_cached": "long-context cached input / standard",
        "write": "cache-write rate / input rate (for cache_ttl_minutes)",
        "uplift": "regional uplift on every rate",
    }
    for f in FACTORS:
        formula = formulas[f]
        if named is not None:
            formula = f"IF({named},{formula},{NEUTRAL[f]:g})"
        add(f"{side}_{f}", f"{side}: {labels[f]}", formula, "0.####")


def billed_query_cost(tin: str, tout: str, p: str) -> str:
    """pricing.model.cashflow.query_cost with the billing factors of side `p`."""
    c, w = "{cached_share}", "{cache_write_share}"
    plain = f"(1-{c}-{w})"
    long_in = f"{{{p}_input}}*{{{p}_long_in}}"
    long_cached = f"{{{p}_cached}}*{{{p}_long_cached}}"
    writes = f"{w}*{{{p}_input}}*{{{p}_write}}"
    tier_rate = f"({plain}*{long_in}*{{{p}_tier_in}}+{c}*{long_cached}*{{{p}_tier_cached}}+{writes})"
    batch_rate = f"({plain}*{long_in}+{c}*{long_cached}+{writes})"
    out_rate = f"{{{p}_output}}*{{{p}_long_out}}"
    per_m = TOKENS_PER_MILLION
    std = f"({{{tin}}}*{tier_rate}+{{{tout}}}*{out_rate}*{{{p}_tier_out}})/{per_m}"
    bat = f"({{{tin}}}*{batch_rate}*{{{p}_batch_in}}+{{{tout}}}*{out_rate}*{{{p}_batch_out}})/{per_m}"
    return f"((1-{{batch_share}})*{std}+{{batch_share}}*{bat})*{{{p}_uplift}}"

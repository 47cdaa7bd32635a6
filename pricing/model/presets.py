"""The seed page's scenarios as presets (pricing/data/presets.json), with the seed's own figures."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel

from pricing.model.figures import HEADLINE, VERDICT_FIGURES, labels, verdict_text
from pricing.model.scenario import Scenario, make_scenario, normalise_label
from pricing.prices.catalog import Catalog


class Preset(BaseModel):
    id: str
    scenario: Scenario
    seed: dict[str, Any]  # the seed page's figures for this scenario: acceptance targets
    seed_text: str
    # seed figures the December 2026 market contradicts, with why (the README says so too)
    seed_contradicted: dict[str, Any] = {}


@cache
def _load() -> tuple[Preset, ...]:
    raw = json.loads(resources.files("pricing").joinpath("data/presets.json").read_text("utf-8"))
    return tuple(
        Preset(
            id=p["id"],
            scenario=make_scenario(p["scenario"]),
            seed=p["seed"],
            seed_text=p["seed_text"],
            seed_contradicted=p.get("seed_contradicted", {}),
        )
        for p in raw["presets"]
    )


def presets() -> list[Preset]:
    """Every preset, in the seed's order (team sizes first, then applications)."""
    return list(_load())


def preset(name: str) -> Preset:
    """Find a preset by id or name, ignoring case, spaces and punctuation; a unique prefix works."""
    key = normalise_label(name).replace("'", "").replace("/", "")
    names = {normalise_label(p.id): p for p in _load()}
    names.update({normalise_label(p.scenario.name).replace("'", "").replace("/", ""): p for p in _load()})
    if key in names:
        return names[key]
    hits = {id(p): p for k, p in names.items() if k.startswith(key)} if key else {}
    if len(hits) == 1:
        return next(iter(hits.values()))
    known = ", ".join(p.id for p in _load())
    raise KeyError(f"unknown preset {name!r}; known presets: {known}")


# The README's figures beside the seed's; headers and formats from pricing.model.figures
SEED_COLUMNS = ("frontier_cost_month", "inference_savings_month", "upfront_cost", "payback_months", "verdict")


def seed_comparison_markdown(catalog: Catalog) -> str:
    """README table: for every preset, the seed page's figure beside ours ("seed / ours"), priced
    from `catalog` (the README's is the bundled snapshot: xl_addin.presets_table prints it)."""
    from pricing.model.breakeven import evaluate  # presets are data; the engine is needed only here

    head = "| Preset | Models (frontier -> fine-tuned) | " + " | ".join(labels(SEED_COLUMNS)) + " |"
    lines = [head, "|" + "---|" * (len(SEED_COLUMNS) + 2)]
    for p in presets():
        r = evaluate(p.scenario, catalog)
        cells = []
        for field in SEED_COLUMNS:
            fmt = HEADLINE[field].text_format
            ours = getattr(r, field)
            ours_text = "never" if ours is None else fmt.format(ours)
            if field in VERDICT_FIGURES:  # a latency-driven "Yes" says why
                ours_text = verdict_text(ours, r.mode)
            seed = p.seed.get(field)
            cells.append(f"{fmt.format(seed)} / **{ours_text}**" if seed is not None else f"- / {ours_text}")
        models = f"{p.scenario.frontier_model} -> {p.scenario.ft_model}"
        lines.append(f"| {p.scenario.name} | {models} | " + " | ".join(cells) + " |")
    return "\n".join(lines)

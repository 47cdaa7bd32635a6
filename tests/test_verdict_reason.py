"""A verdict says why where its payback alone would not: the voice-intent preset is "Yes" with a
negative net benefit because only the fine-tuned model meets its latency budget (#18)."""

import json
import re

import pytest

from pricing.model.breakeven import evaluate
from pricing.model.figures import LATENCY_REASON, label, verdict_text
from pricing.model.presets import preset, seed_comparison_markdown
from pricing.prices.store import bundled_catalog
from tests.helpers import on_gpt41
from xl_addin.cli import main

CAT = bundled_catalog()
REASONED = f"Yes: {LATENCY_REASON}"


def test_voice_intent_is_a_latency_driven_yes_that_loses_money():
    r = evaluate(preset("voice-intent").scenario, CAT)
    assert (r.verdict, r.mode) == ("Yes", "latency")
    assert r.net_benefit_month < 0 and r.payback_months is None  # the economics alone say no
    assert verdict_text(r.verdict, r.mode) == REASONED


@pytest.mark.parametrize(
    ("verdict", "mode", "shown"),
    [
        ("Yes", "latency", REASONED),
        ("Yes", "volume", "Yes"),  # a Yes on its payback needs no reason
        ("Strong yes", "latency", "Strong yes"),  # above the latency floor: the payback says it
        ("Don't fine-tune", "latency", "Don't fine-tune"),  # no lifetime left: no floor
        ("", "latency", ""),  # no baseline named
    ],
)
def test_only_the_latency_floor_carries_the_reason(verdict, mode, shown):
    assert verdict_text(verdict, mode) == shown


def test_a_budget_only_the_fine_tuned_model_meets_lifts_and_explains():
    # 1 query a day never pays back: "Don't fine-tune"; with a 300 ms budget only the fine-tuned
    # model (200 ms vs 900 ms) meets, the verdict is lifted to Yes and says why
    plain = evaluate(on_gpt41(queries_per_day=1), CAT)
    budget = dict(frontier_latency_ms=900, ft_latency_ms=200, latency_budget_ms=300)
    lifted = evaluate(on_gpt41(queries_per_day=1, **budget), CAT)
    assert plain.verdict == "Don't fine-tune" and verdict_text(plain.verdict, plain.mode) == plain.verdict
    assert verdict_text(lifted.verdict, lifted.mode) == REASONED


def test_cli_report_and_readme_table_say_why_while_json_keeps_the_value(capsys):
    assert main(["report", "--preset", "voice-intent"]) == 0
    rows = dict(
        re.split(r"\s{2,}", line.strip(), maxsplit=1)
        for line in capsys.readouterr().out.splitlines()
        if "  " in line.strip()
    )
    assert rows[label("verdict")] == rows[label("verdict_with_mlops")] == REASONED
    assert main(["report", "--all"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("Voice intent"))
    assert row.endswith(REASONED)
    assert main(["report", "--preset", "voice-intent", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["verdict"] == "Yes"  # data keeps the engine's value
    readme_row = next(r for r in seed_comparison_markdown(CAT).splitlines() if r.startswith("| Voice intent"))
    assert readme_row.endswith(f"/ {REASONED} |")

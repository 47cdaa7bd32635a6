"""Serving modes side by side (issue 21 item 5): hand-computed figures per mode, the cheapest
mark, modes not offered or not priced, the catalog's vendor facts, FT_SERVING_MODES through the
Office.js path and the CLI."""

import json
import math

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from pricing.model.presets import presets
from pricing.model.scenario import ScenarioError, make_scenario
from pricing.model.serving_modes import HEADERS, MODE_LABELS, serving_modes, table_rows
from pricing.prices.catalog import SERVING_MODES, GpuRate, ModelEntry, ServingOffer
from pricing.prices.store import bundled_catalog
from tests.helpers import BAD_CURRENCY_FLAGS, EUR_CAPTION, EUR_FLAGS, EUR_RECORD, catalog_of
from tests.libreoffice import SOFFICE, convert_many
from tests.officejs import NUM, call
from workbook.sheets import calculator
from xl_addin.cli import main


def offer(state, note, **kw):
    return ServingOffer(state=state, note=note, source=f"test source: {note}", **kw)


CATALOG = catalog_of(
    ModelEntry(
        id="front", vendor="Frontier Inc", display_name="Front", input=3.0, output=15.0, cached_input=0.3
    ),
    ModelEntry(
        id="tuned-8b",
        vendor="Together AI",
        display_name="Tuned 8B",
        input=0.2,
        output=0.2,
        cached_input=0.02,
        fine_tunable=True,
        training_per_1m=0.5,
        ft_input=0.0,
        ft_output=0.0,
        ft_cached_input=0.0,
        serving_gpu="t-h100",
        params_b=8.0,
    ),
    gpus=[GpuRate(id="t-h100", vendor="Together AI", gpu="H100 80GB", per_hour=4.0, source="test")],
    serving_modes={
        "Together AI": {
            "hosted": offer("not_offered", "only as serverless LoRA or dedicated"),
            "serverless_lora": offer("offered", "adapter at the base rate"),
            "dedicated": offer("offered", "per GPU-hour", gpu="t-h100"),
            "own_gpus": offer("offered", "download the weights"),
        }
    },
)
# 10,000 queries/day x 30 days = 300,000 queries; 1,000 prompt + 200 completion tokens each
SCENARIO = dict(
    name="modes",
    queries_per_day=10_000,
    input_tokens=1000,
    output_tokens=200,
    frontier_model="front",
    ft_model="tuned-8b",
    training_tokens=10e6,
    epochs=2,
    gpu_hourly_price=2.0,
)
FRONTIER_MONTH = 300_000 * (1000 * 3.0 + 200 * 15.0) / 1e6  # $1,800
UPFRONT = 10e6 * 2 * 0.5 / 1e6  # $10 of training


def by_mode(answers):
    return {a.mode: a for a in answers}


def test_each_mode_equals_the_hand_computed_bill():
    rows = by_mode(serving_modes(make_scenario(SCENARIO), CATALOG))
    assert FRONTIER_MONTH == pytest.approx(1800)
    # serverless LoRA: per token at the base rate, no hosting: 300,000 x (1,000 x 0.2 + 200 x 0.2) / 1e6
    lora = rows["serverless_lora"]
    assert lora.monthly_cost == pytest.approx(72.0)
    assert lora.result.net_benefit_month == pytest.approx(1800 - 72)
    assert lora.result.payback_months == pytest.approx(UPFRONT / 1728)
    # dedicated: peak 10,000 x 1,200 / 86,400 x 3 = 417 tokens/s < 5,000 (40,000 / 8B): one H100,
    # 730 h x $4 = $2,920 and no token charge
    dedicated = rows["dedicated"]
    assert dedicated.monthly_cost == pytest.approx(2920.0)
    assert dedicated.result.net_benefit_month == pytest.approx(1800 - 2920)
    assert dedicated.result.payback_months is None  # never pays back
    # own GPUs: the same one GPU at the scenario's $2/h: $1,460
    own = rows["own_gpus"]
    assert own.monthly_cost == pytest.approx(1460.0)
    assert own.result.payback_months == pytest.approx(UPFRONT / 340)
    assert "$2.00/GPU-hour" in own.basis and "$4.00/GPU-hour" in dedicated.basis


def test_the_cheapest_mode_is_marked_once():
    answers = serving_modes(make_scenario(SCENARIO), CATALOG)
    assert [a.mode for a in answers if a.cheapest] == ["serverless_lora"]
    table = table_rows(answers)
    assert [row[HEADERS.index("Cheapest")] for row in table[1:]] == ["", "cheapest", "", ""]
    # own GPUs at $0.05/h (36.50 a month) undercut the serverless $72: the mark moves
    cheap = make_scenario({**SCENARIO, "gpu_hourly_price": 0.05})
    assert [a.mode for a in serving_modes(cheap, CATALOG) if a.cheapest] == ["own_gpus"]


def test_a_mode_not_offered_says_why_and_is_never_zero():
    answers = serving_modes(make_scenario(SCENARIO), CATALOG)
    hosted = by_mode(answers)["hosted"]
    assert (hosted.state, hosted.result, hosted.cheapest) == ("not_offered", None, False)
    assert math.isnan(hosted.monthly_cost)
    row = table_rows(answers)[1 + SERVING_MODES.index("hosted")]
    assert row[1] == "not offered"
    assert row[HEADERS.index("How it is billed, or why not")] == "only as serverless LoRA or dedicated"
    assert 0 not in row and 0.0 not in row
    assert by_mode(answers)["hosted"].record()["monthly_cost"] is None


def test_own_gpus_without_a_rate_and_an_undocumented_vendor_are_not_priced():
    no_rate = {k: v for k, v in SCENARIO.items() if k != "gpu_hourly_price"}
    own = by_mode(serving_modes(make_scenario(no_rate), CATALOG))["own_gpus"]
    assert own.state == "not_priced" and own.result is None
    assert "give gpu_hourly_price" in own.basis
    bare = CATALOG.model_copy(update={"serving_modes": {}})
    answers = serving_modes(make_scenario(SCENARIO), bare)
    assert {a.state for a in answers} == {"not_priced"}
    assert all("not documented for Together AI" in a.basis for a in answers)


def test_the_scenario_own_refusals_come_first():
    with pytest.raises(ScenarioError, match="ft_model"):
        serving_modes(make_scenario({**SCENARIO, "ft_model": ""}), CATALOG)
    with pytest.raises(ScenarioError, match="frontier_input_price"):
        serving_modes(make_scenario({**SCENARIO, "frontier_model": ""}), CATALOG)


def test_every_vendor_that_tunes_has_each_mode_with_a_source():
    catalog = bundled_catalog()
    vendors = {m.vendor for m in catalog.models if m.fine_tunable}
    assert vendors <= set(catalog.serving_modes)
    for vendor in vendors:
        offers = catalog.serving_modes[vendor]
        assert set(offers) == set(SERVING_MODES), vendor
        for mode, o in offers.items():
            assert o.note and o.source and o.verified, (vendor, mode)
            if mode == "dedicated" and o.state == "offered":
                assert catalog.gpu(o.gpu or "") is not None, vendor
    # what the vendors document (research/FT_PRICES_2026-12.md S14; docs.together.ai)
    fw, tg = catalog.serving_modes["Fireworks"], catalog.serving_modes["Together AI"]
    assert (fw["hosted"].state, fw["serverless_lora"].state, fw["dedicated"].state) == (
        "not_offered",
        "not_offered",
        "offered",
    )
    assert tg["serverless_lora"].state == "offered" and tg["own_gpus"].state == "offered"
    assert catalog.serving_modes["OpenAI"]["own_gpus"].state == "not_offered"


# --- FT_SERVING_MODES through xlwings' Office.js call path, on the bundled catalog ------------

BLOCK = [
    ["queries_per_day", 10_000],
    ["input_tokens", 1000],
    ["output_tokens", 200],
    ["frontier_input_price", 3],
    ["frontier_output_price", 15],
    ["ft_model", "together-llama-3.1-8b"],
    ["training_tokens", 10e6],
    ["epochs", 2],
]


def test_ft_serving_modes_spills_the_labelled_table():
    out = call("ft_serving_modes", BLOCK)
    assert out[0] == list(HEADERS)
    assert [row[0] for row in out[1:]] == [
        "Hosted fine-tuned endpoint (per token)",
        "Serverless LoRA at base price",
        "Dedicated GPUs at the vendor (per GPU-hour)",
        "Own GPUs (per GPU-hour)",
    ]
    hosted, lora, dedicated, own = out[1:]
    assert hosted[1] == "not offered" and own[1] == "not priced"  # no gpu_hourly_price in the block
    # Together's Llama 3.1 8B: $0.20/$0.20 per 1M serverless; an H100 at $3.99/h x 730 h
    col = {h: HEADERS.index(h) for h in HEADERS}
    assert lora[1] == pytest.approx(72.0) and lora[col["Cheapest"]] == "cheapest"
    assert dedicated[1] == pytest.approx(3.99 * 730) and dedicated[col["Cheapest"]] == ""
    assert dedicated[col["Payback"]] == NUM  # never pays back: #NUM!, as every FT_ figure that does not exist
    assert lora[col["Source"]].startswith("https://docs.together.ai/docs/lora-inference")
    assert hosted[2:4] == ["", ""] and hosted[col["Verdict"]] == ""


def test_ft_serving_modes_prices_own_gpus_at_the_rate_given():
    own = call("ft_serving_modes", BLOCK, 2.5)[1 + SERVING_MODES.index("own_gpus")]
    assert own[1] == pytest.approx(730 * 2.5)  # one GPU carries 417 tokens/s at peak
    assert "$2.50/GPU-hour" in own[HEADERS.index("How it is billed, or why not")]
    blank = call("ft_serving_modes", BLOCK, 0)[1 + SERVING_MODES.index("own_gpus")]  # an empty cell
    assert blank[1] == "not priced"
    with pytest.raises(Exception, match="gpu_hourly_price"):
        call("ft_serving_modes", BLOCK, -1)


def test_ft_serving_modes_bad_input_is_value_error_naming_it():
    with pytest.raises(Exception, match="queries_per_day"):
        call("ft_serving_modes", [["queries_per_day", -1], *BLOCK[1:]])
    assert call("ft_serving_modes", [*BLOCK[:5], ["ft_model", "no-such-model"], *BLOCK[6:]]) == [
        [{"type": "Error", "errorType": "NotAvailable"}]
    ]


# --- the CLI ----------------------------------------------------------------------------------


def test_cli_table_and_json(tmp_path, capsys):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({**dict(BLOCK), "name": "cli", "gpu_hourly_price": 2.0}))
    assert main(["serving-modes", "--scenario", str(path)]) == 0
    text = capsys.readouterr().out
    lines = {line.split("  ")[0]: line for line in text.splitlines()}
    assert "$72" in lines["Serverless LoRA at base price"]
    assert lines["Serverless LoRA at base price"].endswith("<- cheapest")
    assert "not offered" in lines["Hosted fine-tuned endpoint (per token)"]
    assert "$1,460" in lines["Own GPUs (per GPU-hour)"]
    assert "source: https://docs.fireworks.ai" not in text and "source: https://docs.together.ai" in text
    assert main(["serving-modes", "--scenario", str(path), "--format", "json"]) == 0
    modes = json.loads(capsys.readouterr().out)["modes"]
    assert [m["state"] for m in modes] == ["not_offered", "offered", "offered", "offered"]
    assert modes[0]["monthly_cost"] is None and modes[1]["cheapest"] is True


def test_cli_in_euros_by_hand(tmp_path, capsys):
    # at 0.9 EUR a USD: serverless LoRA $72 -> EUR 64.80 a month, net benefit ($1,800 - $72)
    # x 0.9 = EUR 1,555.20; own GPUs 730 h x $2 = $1,460 -> EUR 1,314; paybacks and verdicts stay
    path = tmp_path / "s.json"
    path.write_text(json.dumps({**dict(BLOCK), "name": "cli", "gpu_hourly_price": 2.0}))
    assert main(["serving-modes", "--scenario", str(path), *EUR_FLAGS]) == 0
    text = capsys.readouterr().out
    assert EUR_CAPTION in text
    lines = {line.split("  ")[0]: line for line in text.splitlines()}
    assert (
        "EUR 65" in lines["Serverless LoRA at base price"]
        and "EUR 1,555" in lines["Serverless LoRA at base price"]
    )
    assert "EUR 1,314" in lines["Own GPUs (per GPU-hour)"]
    assert not any("$" in lines[label] for label in MODE_LABELS.values())  # the basis below quotes USD rates
    assert main(["serving-modes", "--scenario", str(path), "--format", "json"]) == 0
    usd = json.loads(capsys.readouterr().out)["modes"]
    assert main(["serving-modes", "--scenario", str(path), "--format", "json", *EUR_FLAGS]) == 0
    eur = json.loads(capsys.readouterr().out)
    assert eur["currency"] == EUR_RECORD
    lora = eur["modes"][1]
    assert lora["monthly_cost"] == pytest.approx(64.8) and lora["net_benefit_month"] == pytest.approx(1555.2)
    assert lora["payback_months"] == usd[1]["payback_months"] and lora["verdict"] == usd[1]["verdict"]
    assert [m["cheapest"] for m in eur["modes"]] == [m["cheapest"] for m in usd]
    assert main(["serving-modes", "--scenario", str(path), "--format", "csv", *EUR_FLAGS]) == 0
    header, _, lora_row = capsys.readouterr().out.splitlines()[:3]
    assert header.endswith("currency,fx_rate,fx_date,fx_source") and lora_row.endswith(
        "EUR,0.9,2026-12-01,ECB"
    )
    assert lora_row.split(",")[3:5] == ["64.8", "1555.2"]


@pytest.mark.parametrize(("flags", "words"), BAD_CURRENCY_FLAGS)
def test_cli_refuses_a_bad_currency_in_one_sentence(capsys, flags, words):
    assert main(["serving-modes", "--preset", "faisal", *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("ft-breakeven serving-modes: --") and "\n" not in err
    assert all(w in err for w in words), err


def test_cli_bad_scenario_is_one_sentence(tmp_path, capsys):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({**dict(BLOCK), "ft_model": "gpt-4.1-nano"}))
    assert main(["serving-modes", "--scenario", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("ft-breakeven serving-modes: ft_model gpt-4.1-nano was retired") and "\n" not in err


# --- the Calculator's block -------------------------------------------------------------------


def _block_top(ws) -> int:
    """The row of the block's table header (two rows under its title)."""
    title = next(r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value).startswith("Serving modes:"))
    return title + 2


def _built_table():
    catalog = bundled_catalog()
    inputs = calculator.python_inputs(presets()[1].scenario, catalog)  # the build's default selection
    return table_rows(serving_modes(make_scenario(inputs), catalog, 2.05))  # SelfHostedGpuHour


def test_the_calculator_holds_ft_serving_modes_with_the_engine_answer(runtime_files):
    path = runtime_files["lite"]
    ws = openpyxl.load_workbook(path)[calculator.SHEET]
    top = _block_top(ws)
    formula = ws.cell(top, 1).value
    assert "FT_SERVING_MODES(InputBlock,SelfHostedGpuHour)" in formula.text
    assert formula.ref == f"A{top}:{get_column_letter(len(HEADERS))}{top + len(SERVING_MODES)}"
    cached = openpyxl.load_workbook(path, data_only=True)[calculator.SHEET]
    want = _built_table()
    for i, row in enumerate(want):
        for j, v in enumerate(row):
            got = cached.cell(top + i, 1 + j).value
            if isinstance(v, float) and math.isnan(v):
                assert got == "#NUM!"
            elif isinstance(v, float):
                assert got == pytest.approx(v, rel=1e-12)
            else:
                assert (got or "") == v, (i, j)
    assert "cheapest" in [row[HEADERS.index("Cheapest")] for row in want]
    assert f"$A$1:$J${top + len(SERVING_MODES)}," in ws.print_area  # printed with the answer


@pytest.mark.skipif(SOFFICE is None, reason="needs LibreOffice")
def test_the_file_without_add_in_shows_the_table_while_current_and_stale_after(runtime_files, tmp_path):
    src = runtime_files["none"]
    wb = openpyxl.load_workbook(src)
    ws = wb[calculator.SHEET]
    top = _block_top(ws)
    assert ws.cell(top - 1, 1).value == "=PythonStamp"
    changed, rate_changed = tmp_path / "changed.xlsx", tmp_path / "rate_changed.xlsx"
    rate_cell = wb.defined_names["SelfHostedGpuHour"].attr_text.split("!")[1].replace("$", "")
    ws[rate_cell] = 9.99  # the own-GPU row's rate: not a scenario input, still stamped
    wb.save(rate_changed)
    ws[rate_cell] = 2.05
    ws.cell(calculator.field_rows()["queries_per_day"], 3).value = 123
    wb.save(changed)
    out = tmp_path / "out"
    current, stale, rate_stale = convert_many([src, changed, rate_changed], "xlsx", out)
    shown = openpyxl.load_workbook(current, data_only=True)[calculator.SHEET]
    want = _built_table()
    for i, row in enumerate(want[1:], 1):
        got = [shown.cell(top + i, 1 + j).value for j in range(len(HEADERS))]
        for g, v in zip(got, row, strict=True):
            if isinstance(v, float) and math.isnan(v):
                assert g == "never"
            elif isinstance(v, float):
                assert g == pytest.approx(v, rel=1e-9)
            else:
                assert (g or "") == v
    after = openpyxl.load_workbook(stale, data_only=True)[calculator.SHEET]
    assert {after.cell(top + i, 2).value for i in range(1, 1 + len(SERVING_MODES))} == {"stale"}
    assert "stale" in after.cell(top - 1, 1).value
    rate = openpyxl.load_workbook(rate_stale, data_only=True)[calculator.SHEET]
    assert {rate.cell(top + i, 2).value for i in range(1, 1 + len(SERVING_MODES))} == {"stale"}

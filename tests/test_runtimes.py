"""`ft-breakeven build --runtime lite|classic|server|none`: the files each runtime needs.

classic: a .xlsm whose VBA project (xlwings' quickstart.xlsm, RunPython) survives, an active
xlwings.conf sheet and the sibling <name>.py of "Run main". lite: the .xlsx with main.py and
requirements.txt stored as xlwings Lite settings; the stored main.py is run through xlwings'
Office.js code path (the one Lite uses) and must register every FT_ function with the engine's
answers, also alone in a fresh interpreter. Whether Excel itself runs them is not testable here
(docs/RUNTIMES.md says what is verified).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import types
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
import xlwings as xw
import xlwings.server as xs
from oletools.olevba import VBA_Parser

from pricing.model.breakeven import evaluate
from pricing.model.risk import grid, monte_carlo
from pricing.prices import fetch as fetch_module
from pricing.prices import refresh as refresh_module
from pricing.prices.fetch import FetchError
from tests.helpers import EMPTY_CATALOG, priced
from tests.libreoffice import SOFFICE, convert
from tests.officejs import call
from tests.test_workbook_files import _formulas
from workbook.package import Package
from workbook.runtimes import RUNTIMES, lite
from workbook.runtimes import webextension as wx
from xl_addin import functions, lite_fetch, scripts
from xl_addin.cli import main
from xl_addin.lite_main import bundle_files, requirements_txt

ROOT = Path(__file__).resolve().parents[1]
FT_IDS = {f["id"] for f in xs.custom_functions_meta(functions)["functions"]}
BLOCK = priced()


@pytest.fixture(scope="module")
def built(runtime_files):
    return runtime_files


@pytest.fixture(scope="module")
def lite_main_file(built, tmp_path_factory):
    path = tmp_path_factory.mktemp("lite") / "main.py"
    path.write_text(lite.read_settings(built["lite"])["main.py"], "utf-8")
    return path


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _xml(z: zipfile.ZipFile, name: str) -> ET.Element:
    return ET.fromstring(z.read(name))


def _rels(z: zipfile.ZipFile, name: str) -> dict[str, str]:
    return {r.get("Type"): r.get("Target") for r in _xml(z, name)}


def _content_types(z: zipfile.ZipFile) -> dict[str, str]:
    return {o.get("PartName"): o.get("ContentType") for o in _xml(z, "[Content_Types].xml")}


# --- the command line ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--static", "--runtime", "lite"], ["--static", "--runtime lite"]),
        (["--runtime", "classic", "-o", "x.xlsx"], ["--output", "--runtime classic", ".xlsm"]),
        (["--runtime", "lite", "-o", "x.xlsm"], ["--output", "--runtime lite", ".xlsx"]),
        (["--runtime", "classic", "-o", "ft-breakeven.xlsm"], ["--output", "Python module"]),
        (["--runtime", "classic", "-o", "pricing.xlsm"], ["--output", "shadow"]),
    ],
)
def test_cli_refuses_what_cannot_work_and_says_which_flag(args, words, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative -o paths would land here if a check were missing
    assert main(["build", *args]) == 2
    err = capsys.readouterr().err
    for word in words:
        assert word in err, err
    assert not list(tmp_path.iterdir())


def test_cli_unknown_runtime_is_one_sentence_listing_the_runtimes(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--runtime", "web"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "--runtime" in err and "'web'" in err
    assert all(r in err for r in ("lite", "classic", "server", "none"))
    assert not list(tmp_path.iterdir())


def test_cli_static_is_runtime_none(tmp_path, capsys):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert main(["build", "--static", "-o", str(a)]) == 0
    assert main(["build", "--runtime", "none", "-o", str(b)]) == 0
    assert list(_formulas(a)) == list(_formulas(b))
    assert main(["build", "--static", "--runtime", "none", "-o", str(tmp_path / "c.xlsx")]) == 0
    assert main(["build", "--static", "--runtime", "server", "-o", str(tmp_path / "d.xlsx")]) == 2
    assert "--static" in capsys.readouterr().err


def test_cli_refuses_a_server_manifest_id_that_is_no_uuid(tmp_path, capsys):
    out = tmp_path / "s.xlsx"
    assert main(["build", "--runtime", "server", "--server-manifest-id", "abc", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--server-manifest-id" in err and "'abc'" in err and "UUID" in err
    assert not out.exists()


# --- the same sheets and formulas everywhere --------------------------------------------------


def _canonical(path: Path) -> list:
    """The file's formulas with each runtime's stored FT_ names put back to FT_..."""
    return [(s, r, re.sub(r"_xldudf_(XLWINGS_)?(?=FT_)", "", f)) for s, r, f in _formulas(path)]


def _expected_sheets(addin_sheets: list[str], runtime: str) -> list[str]:
    """The Audit sheet (native chain beside the add-in) is in add-in files only; the file without
    the add-in keeps a hidden copy of the Scenarios inputs its outputs were computed for."""
    if runtime != "none":
        return addin_sheets
    return [s for s in addin_sheets if s != "Audit"] + ["Scenarios as built"]


def test_same_sheets_and_formulas_in_every_runtime(built):
    # Lite stores _xldudf_FT_..., Server _xldudf_XLWINGS_FT_..., classic FT_... (workbook.formulas);
    # apart from that every add-in file holds exactly the same formulas.
    base = _canonical(built["classic"])
    assert len(base) > 100 and any("FT_" in f for _, _, f in base)
    for runtime in ("lite", "server"):
        assert _canonical(built[runtime]) == base, runtime
    for runtime in RUNTIMES:
        wb = openpyxl.load_workbook(built[runtime])
        sheets = openpyxl.load_workbook(built["lite"]).sheetnames
        # the Audit sheet sets the native chain beside the add-in's figures: add-in files only
        assert wb.sheetnames == _expected_sheets(sheets, runtime), runtime
        conf = wb["xlwings.conf"]
        assert (conf["A1"].value, conf["B1"].value) == ("UDF Modules", "xl_addin.functions")


# --- classic ---------------------------------------------------------------------------------


def test_classic_xlsm_structure(built):
    with zipfile.ZipFile(built["classic"]) as z:
        assert "xl/vbaProject.bin" in z.namelist()
        types_ = _content_types(z)
        assert types_["/xl/workbook.xml"] == "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
        defaults = {d.get("Extension"): d.get("ContentType") for d in _xml(z, "[Content_Types].xml")}
        assert defaults["bin"] == "application/vnd.ms-office.vbaProject"
        rels = _rels(z, "xl/_rels/workbook.xml.rels")
        assert rels["http://schemas.microsoft.com/office/2006/relationships/vbaProject"].endswith(
            "vbaProject.bin"
        )
        with zipfile.ZipFile(built["lite"]) as plain:  # the .xlsm is saved by openpyxl once too
            charts = [n for n in plain.namelist() if n.startswith("xl/charts/")]
            assert charts and all(z.read(n) == plain.read(n) for n in charts)
    wb = openpyxl.load_workbook(built["classic"], keep_vba=True)
    assert wb.code_name == "ThisWorkbook"
    codes = {ws.title: ws.sheet_properties.codeName for ws in wb.worksheets}
    # every document module of quickstart's VBA project keeps a sheet
    assert codes["xlwings.conf"] == "Sheet2" and codes[wb.sheetnames[0]] == "Sheet1"


def test_classic_vba_project_survives_with_runpython(built):
    parser = VBA_Parser(str(built["classic"]))
    try:
        assert parser.detect_vba_macros()
        modules = {Path(stream).name: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()
    assert {"ThisWorkbook", "Sheet1", "Sheet2", "Module1"} <= set(modules)
    assert "RunPython" in modules["Module1"]


def test_classic_sibling_module_runs_the_refresh(built):
    sibling = built["classic"].with_suffix(".py")
    assert sibling.is_file()
    module = _load(sibling, "ft_breakeven_sibling")
    assert module.main is scripts.main  # Run main -> the Refresh prices code on Book.caller()
    assert built["classic"].name in sibling.read_text("utf-8")


# --- lite ------------------------------------------------------------------------------------


def test_lite_parts_are_wired_like_an_office_add_in(built):
    with zipfile.ZipFile(built["lite"]) as z:
        names = set(z.namelist())
        rels_part = "xl/webextensions/_rels/taskpanes.xml.rels"
        assert {wx.WEBEXT_PART, wx.TASKPANES_PART, rels_part} <= names
        assert _rels(z, "_rels/.rels")[wx.TASKPANES_REL] == wx.TASKPANES_PART
        assert _rels(z, rels_part)[wx.WEBEXT_REL] == "webextension1.xml"
        types_ = _content_types(z)
        assert types_[f"/{wx.WEBEXT_PART}"] == wx.WEBEXT_TYPE
        assert types_[f"/{wx.TASKPANES_PART}"] == wx.TASKPANES_TYPE
        ext = _xml(z, wx.WEBEXT_PART)
        ref = ext.find(f"{{{wx.WE_NS}}}reference")
        assert (ref.get("id"), ref.get("storeType")) == ("wa200008175", "OMEX")
        alt = ext.find(f"{{{wx.WE_NS}}}alternateReferences/{{{wx.WE_NS}}}reference")
        assert (alt.get("id"), alt.get("store")) == ("wa200008175", "WA200008175")  # as Excel writes
        pane = _xml(z, wx.TASKPANES_PART).find(f"{{{wx.TP_NS}}}taskpane")
        assert pane.get("visibility") == "1"  # opens with the workbook
        ref_id = pane.find(f"{{{wx.TP_NS}}}webextensionref").get(f"{{{wx.R_NS}}}id")
        assert ref_id == "rId1"
    props = wx.read_properties(built["lite"])
    assert props[wx.AUTO_SHOW] == "true"
    assert json.loads(props["xlwingsSettingsWorkbook"]) == {"startupBehavior": "taskpane"}
    with zipfile.ZipFile(built["lite"]) as z:
        for name in names:  # every XML part still parses
            if name.endswith((".xml", ".rels")):
                _xml(z, name)
    settings = lite.read_settings(built["lite"])
    assert set(settings) == {"main.py", "requirements.txt"}
    assert settings["requirements.txt"] == requirements_txt()
    reqs = settings["requirements.txt"].split()
    assert f"xlwings=={xw.__version__}" in reqs
    assert {"httpx", "platformdirs", "pydantic", "numpy", "openpyxl"} <= set(reqs)  # unpinned
    assert lite.read_settings(built["classic"]) == {} and lite.read_settings(built["none"]) == {}


def test_lite_refuses_a_second_add_in(built):
    package = Package.read(built["lite"])
    with pytest.raises(ValueError, match="already holds"):
        lite.add_addin(package, {"main.py": "x = 1\n"}, [])


def test_lite_main_registers_every_ft_function_and_the_refresh_script(lite_main_file, monkeypatch, tmp_path):
    # Our modules are imported already, so main.py re-uses them here; the fresh-interpreter test
    # below proves the bundle alone suffices. sys.path is restored after the test.
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where main.py unpacks
    module = _load(lite_main_file, "ft_breakeven_lite_main")
    ids = {f["id"] for f in xs.custom_functions_meta(module)["functions"]}
    assert ids == FT_IDS and len(ids) >= 15
    scripts_meta = xs.custom_scripts_meta(module)
    # One script per sheet button (Lite takes one button per script), with the same references.
    assert [s["function_name"] for s in scripts_meta] == ["refresh_prices", "refresh_prices_calculator"]
    assert [s["button"] for s in scripts_meta] == [s["button"] for s in xs.custom_scripts_meta(scripts)]
    assert call("ft_payback_months", 4000, 650, module=module) == [[pytest.approx(4000 / 650)]]
    r = evaluate(BLOCK, EMPTY_CATALOG)
    block = [[k, v] for k, v in BLOCK.items()]
    for output in ("payback_months", "npv", "net_benefit_month"):
        assert call("ft_scenario", block, output, module=module) == [[pytest.approx(getattr(r, output))]]
    assert call("ft_verdict", block, module=module) == [[r.verdict]]


SMOKE = """
import asyncio, importlib.util, json, os, sys
os.environ["XLWINGS_ON_SERVER"] = "true"
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
import xlwings as xw, xlwings.server as xs
spec = importlib.util.spec_from_file_location("main", sys.argv[1])
main = importlib.util.module_from_spec(spec)
spec.loader.exec_module(main)
import pricing, pydantic, workbook, xl_addin

def call(name, *args):
    data = {"func_name": name, "args": list(args), "caller_address": "[T.xlsx]Sheet1!A1",
            "culture_info_name": "en-US", "date_format": "M/d/yyyy", "version": xw.__version__,
            "runtime": "1.4"}
    return asyncio.run(xs.custom_functions_call(data, main))

block = json.loads(sys.argv[2])
print(json.dumps({
    "ids": sorted(f["id"] for f in xs.custom_functions_meta(main)["functions"]),
    "from": [m.__file__ for m in (pricing, workbook, xl_addin)],
    "pydantic": pydantic.VERSION,
    "payback": call("ft_payback_months", [[4000]], [[650]]),
    "npv": call("ft_scenario", block, [["npv"]]),
    "price": call("ft_price", [["claude-sonnet-4-6"]], [["input"]]),
    "risk": call("ft_risk", block, [[200]], [[1]], None),
    "grid": call("ft_grid", block, [["queries_per_day"]], [[1000, 5000]], [["epochs"]], [[1]], None),
}))
"""


def _interpreters():
    yield pytest.param(sys.executable, id="this-python")
    old = os.environ.get("FT_BREAKEVEN_OLD_PYDANTIC_PYTHON")  # e.g. a venv with pydantic 2.10
    yield pytest.param(
        old,
        id="old-pydantic",
        marks=pytest.mark.skipif(not old, reason="set FT_BREAKEVEN_OLD_PYDANTIC_PYTHON to run"),
    )


@pytest.mark.parametrize("python", _interpreters())
def test_lite_main_works_alone_in_a_fresh_interpreter(python, lite_main_file, tmp_path):
    """Nothing from the repository: every module comes from main.py's own bundle."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["TMPDIR"] = str(tmp_path)  # where main.py unpacks
    block = [[k, v] for k, v in BLOCK.items()]
    out = subprocess.run(
        [python, "-c", SMOKE, str(lite_main_file), json.dumps(block)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(got["ids"]) == FT_IDS
    assert all(f.startswith(str(tmp_path)) for f in got["from"]), got["from"]
    assert got["payback"] == [[pytest.approx(4000 / 650)]]
    assert got["npv"] == [[pytest.approx(evaluate(BLOCK, EMPTY_CATALOG).npv)]]
    assert got["price"] == call("ft_price", "claude-sonnet-4-6", "input")  # bundled catalog
    # the late-imported risk modules are in the bundle too
    assert got["risk"][3][2] == pytest.approx(monte_carlo(BLOCK, None, 200, 1, EMPTY_CATALOG).npv_p50)
    assert got["grid"][1][1:] == pytest.approx(grid(BLOCK, "queries_per_day", [1000, 5000], "epochs", [1])[0])


def test_lite_bundle_holds_what_the_functions_and_script_import():
    files = bundle_files()
    for name in (
        "xl_addin/functions.py",
        "xl_addin/scripts.py",
        "xl_addin/lite_fetch.py",
        "pricing/prices/store.py",
        "pricing/data/catalog.json",
        "workbook/sheets/pricing.py",
    ):
        assert name in files, name
    assert not any(n.startswith(("tests/", "bench/")) or n.endswith("cli.py") for n in files)


# Pyodide in xlwings Lite ships pydantic ~2.10: options added to pydantic later must not appear
# (a cheap guard; the fresh-interpreter test above runs the real thing on pydantic 2.10 when
# FT_BREAKEVEN_OLD_PYDANTIC_PYTHON points at such an interpreter).
NEWER_PYDANTIC = (
    "validate_by_name",
    "validate_by_alias",
    "serialize_by_alias",
    "exclude_if",
    "url_preserve_empty_path",
    "polymorphic_serialization",
)


def test_lite_bundle_uses_no_pydantic_newer_than_pyodide():
    for name, data in bundle_files().items():
        if name.endswith(".py"):
            text = data.decode("utf-8")
            assert not [w for w in NEWER_PYDANTIC if w in text], name


# --- downloads through the browser (Pyodide has no sockets) -----------------------------------


class FakeXHR:
    """The bits of the browser's XMLHttpRequest that BrowserTransport uses."""

    status, text, opened = 200, "", []

    @classmethod
    def new(cls):
        return cls()

    def open(self, method, url, is_async):
        FakeXHR.opened.append((method, url, is_async))

    def send(self, body):
        self.status, self.responseText = FakeXHR.status, FakeXHR.text


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setitem(sys.modules, "js", types.SimpleNamespace(XMLHttpRequest=FakeXHR))
    monkeypatch.setattr(FakeXHR, "opened", [])
    monkeypatch.setattr(fetch_module, "RETRY_BACKOFF", 0.0)
    monkeypatch.setattr(refresh_module, "fetch", refresh_module.fetch)  # restored afterwards
    return FakeXHR


def test_browser_transport_downloads_synchronously(browser, monkeypatch):
    monkeypatch.setattr(FakeXHR, "text", '{"gpt-4o": {"input_cost_per_token": 2.5e-06}}')
    url = "https://raw.githubusercontent.com/x/y/main/r.json"
    got = fetch_module.fetch(url, transport=lite_fetch.BrowserTransport(), retries=0)
    assert got.data == FakeXHR.text.encode() and FakeXHR.opened == [("GET", url, False)]


def test_browser_refusal_reads_as_could_not_reach(browser, monkeypatch):
    monkeypatch.setattr(FakeXHR, "status", 0)  # CORS refusal or offline
    with pytest.raises(FetchError) as exc:
        fetch_module.fetch("https://example.org/r.json", transport=lite_fetch.BrowserTransport(), retries=0)
    assert exc.value.kind == "offline" and "example.org" in str(exc.value)


def test_refresh_uses_the_browser_only_under_pyodide(browser):
    before = refresh_module.fetch
    assert lite_fetch.use_browser_fetch() is False and refresh_module.fetch is before
    assert lite_fetch.use_browser_fetch(force=True) is True
    assert isinstance(refresh_module.fetch.keywords["transport"], lite_fetch.BrowserTransport)


# --- LibreOffice ----------------------------------------------------------------------------


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("runtime", RUNTIMES)
def test_libreoffice_opens_it(built, runtime, tmp_path):
    out = convert(built[runtime], "xlsx", tmp_path)
    wb = openpyxl.load_workbook(out)
    sheets = openpyxl.load_workbook(built["lite"]).sheetnames
    assert wb.sheetnames == _expected_sheets(sheets, runtime)
    assert wb["xlwings.conf"]["A1"].value == "UDF Modules"

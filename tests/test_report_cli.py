"""`ft-breakeven report`: the same answers as the engine, in text a person reads and files a
program reads."""

import csv
import io
import json
import math

from pricing.model.breakeven import Result, evaluate
from pricing.model.presets import preset, presets
from pricing.prices.store import bundled_catalog
from xl_addin.cli import main


def run(capsys, *argv):
    code = main(["report", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_all_presets_as_a_table(capsys):
    code, out, _ = run(capsys, "--all")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 1 + len(presets())
    small = next(line for line in lines if line.startswith("Small team"))
    assert "-$6,059" in small and "$-" not in out  # accountants' minus
    assert small.rstrip().endswith("Don't fine-tune")
    npv_end = lines[0].index("NPV") + len("NPV")  # figures are right-aligned under their head
    assert all(line[npv_end - 1] != " " for line in lines[1:])


def test_json_equals_the_engine(capsys):
    code, out, _ = run(capsys, "--preset", "enterprise", "--format", "json")
    got = json.loads(out)
    want = evaluate(preset("enterprise").scenario, bundled_catalog())
    assert code == 0 and got["verdict"] == want.verdict == "Mandatory"
    for field in ("payback_months", "npv", "net_benefit_month", "breakeven_queries_per_day"):
        assert math.isclose(got[field], getattr(want, field), rel_tol=1e-11), field


def test_csv_has_every_result_field_and_one_row_per_preset(capsys):
    code, out, _ = run(capsys, "--all", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == len(presets())
    assert list(rows[0]) == list(Result.model_fields)
    assert rows[0]["payback_months"] == "43.5729847495"  # 12 significant digits, no float noise


def test_scenario_file_and_its_errors(capsys, tmp_path):
    good = tmp_path / "s.json"
    good.write_text(
        json.dumps(
            {
                "name": "mine",
                "queries_per_day": 5000,
                "input_tokens": 1300,
                "output_tokens": 100,
                "frontier_model": "claude-sonnet-4-6",
                "ft_model": "nova-pro",
                "training_tokens": 250_000_000,
                "epochs": 1,
            }
        )
    )
    code, out, _ = run(capsys, "--scenario", str(good))
    assert code == 0 and "Scenario: mine" in out and "Payback" in out
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "x", "queries_per_day": -5, "input_tokens": 1, "output_tokens": 1}))
    code, _, err = run(capsys, "--scenario", str(bad))
    assert code == 2 and "queries_per_day" in err and "-5" in err
    code, _, err = run(capsys, "--scenario", str(tmp_path / "missing.json"))
    assert code == 2 and "missing.json" in err


def test_list_presets(capsys):
    code, out, _ = run(capsys, "--list-presets")
    assert code == 0 and all(p.id in out for p in presets())


def test_version(capsys):
    import pytest

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    from importlib.metadata import version

    # the installed metadata (pyproject.toml reads xl_addin.__version__) and --version agree
    assert stop.value.code == 0 and capsys.readouterr().out == f"ft-breakeven {version('ft-breakeven')}\n"


def test_building_the_parser_loads_no_engine():
    """--help and --version build every sub-command's parser: none may import numpy or the
    engine, or the cold start (docs/PERFORMANCE.md, issue 19) is lost again."""
    import subprocess
    import sys

    probe = (
        "import sys; from xl_addin.cli import build_parser; build_parser(); "
        "print(sorted(m for m in sys.modules if m == 'numpy' or m.startswith(('pricing.model.breakeven', "
        "'pricing.prices.store', 'pydantic'))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

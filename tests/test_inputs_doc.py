"""Issue 15, point 9: the inputs documented inside the product, from one source."""

import csv
import io
import json

import pytest

from pricing.model.breakeven import evaluate_table
from pricing.model.input_docs import DOCS_PATH, input_rows, markdown
from pricing.model.scenario import FIELDS
from tests.helpers import EMPTY_CATALOG
from xl_addin.cli import main

README = DOCS_PATH.parent.parent / "README.md"


def test_docs_inputs_md_is_generated_from_the_metadata():
    assert DOCS_PATH.read_text(encoding="utf-8") == markdown(), "run `python -m pricing.model.input_docs`"


def test_every_input_is_listed_with_label_unit_allowed_and_default():
    rows = {r["name"]: r for r in input_rows()}
    assert list(rows) == list(FIELDS)
    assert rows["queries_per_day"] == {
        "name": "queries_per_day",
        "label": "Traffic in month 1",
        "unit": "queries/day",
        "allowed": "a number >= 0 and <= 1e+12",
        "default": "required",
    }
    assert rows["epochs"]["default"] == "3" and rows["cached_share"]["unit"] == "share 0-1"


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_inputs_command(fmt, capsys):
    assert main(["inputs", "--format", fmt]) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        assert json.loads(out) == input_rows()
    elif fmt == "csv":
        assert list(csv.DictReader(io.StringIO(out))) == input_rows()
    else:
        assert out.splitlines()[0].split() == ["name", "label", "unit", "allowed", "default"]
        assert len(out.splitlines()) == 1 + len(FIELDS)


def test_readme_links_the_inputs_inside_the_repository():
    text = README.read_text(encoding="utf-8")
    assert "(docs/INPUTS.md)" in text and "../shared" not in text


def test_a_misspelled_column_gets_did_you_mean():
    t = evaluate_table({"queries_per_dya": [5000], "input_tokens": [1], "output_tokens": [1]}, EMPTY_CATALOG)
    assert "did you mean queries_per_day?" in str(t.errors[0])

"""pricing.model.figures: every output said once, and every layer reading it (issue 18, item 1)."""

import pytest

from pricing.model import figures, risk
from pricing.model.breakeven import Result, schedule
from pricing.model.risk_tables import RISK_FIGURES
from pricing.model.scenario import normalise_label
from tests.helpers import EMPTY_CATALOG, priced
from tests.officejs import call
from xl_addin import functions
from xl_addin.excel_errors import ExcelValueError
from xl_addin.report import TABLE_ROWS, render_table

BLOCK = priced()


def test_the_registry_covers_every_output_of_the_engine():
    assert list(figures.HEADLINE) == [f for f in Result.model_fields if f != "name"]
    assert list(figures.SCHEDULE) == list(schedule(BLOCK, EMPTY_CATALOG, 2)[0])
    assert set(RISK_FIGURES) <= set(figures.FIGURES)


def test_labels_are_for_people_and_name_one_figure_each():
    every = [*figures.FIGURES.values(), *figures.SCHEDULE.values()]
    for f in every:
        assert "_" not in f.label and f.label[0].isupper(), f  # no engine name shown to a user
        assert f.description and "\n" not in f.description and len(f.description) <= 100, f
        assert f.kind in figures.KIND_FORMATS, f
    # a label or name read as `output` means one figure
    meant: dict[str, str] = {}
    for f in figures.FIGURES.values():
        for text in (f.name, f.label):
            assert meant.setdefault(normalise_label(text), f.name) == f.name, text
    assert len({normalise_label(f.label) for f in figures.SCHEDULE.values()}) == len(figures.SCHEDULE)


def test_the_report_table_shows_labels_not_engine_names():
    table = render_table([functions.evaluate(BLOCK, EMPTY_CATALOG)]).split("\n\nNotes")[0]
    shown = [line.strip().split("  ")[0] for line in table.splitlines()[2:]]
    assert shown == [
        figures.label(f) for f, _, _ in TABLE_ROWS if "baseline" not in f and f != "breakeven_accuracy_lift"
    ]
    assert "Payback" in shown and not [s for s in shown if "_" in s]


def _allowed(name, *args):
    with pytest.raises(ExcelValueError) as info:
        call(name, *args)
    allowed = str(info.value).split("one of ", 1)[1].split(", got ", 1)[0]
    return allowed.split(" (closest", 1)[0].split(", ")


def test_every_function_taking_an_output_accepts_the_same_figures():
    block = [[k, v] for k, v in BLOCK.items()]
    numeric = list(figures.NUMERIC_OUTPUTS)
    assert list(risk.OUTPUTS) == numeric
    assert _allowed("ft_sensitivity", block, "speed") == numeric
    assert _allowed("ft_grid", block, "queries_per_day", [[1000]], "epochs", [[1]], "speed") == numeric
    assert _allowed("ft_scenario", block, "speed") == list(functions.OUTPUTS) == list(figures.HEADLINE)
    table = [list(BLOCK), list(BLOCK.values())]
    assert _allowed("ft_scenarios", table, "speed") == list(figures.HEADLINE)
    with pytest.raises(Exception, match="output"):
        risk.tornado(BLOCK, None, "verdict", EMPTY_CATALOG)  # the engine refuses what Excel does


@pytest.mark.parametrize("output", figures.NUMERIC_OUTPUTS)
def test_every_numeric_output_is_computed_by_the_risk_tools(output):
    cells = risk.grid(BLOCK, "queries_per_day", [5000], "epochs", [1], output, EMPTY_CATALOG)
    assert len(cells) == 1 and len(cells[0]) == 1
    one = getattr(functions.evaluate(BLOCK, EMPTY_CATALOG), output)
    assert cells[0][0] == (None if one is None else pytest.approx(one))

"""FT_SCENARIOS' table reading (excel_args.table_columns) reads each cell once, typing a clean
numeric column as floats in one pass: it must give every row the same figures and the same
error, word for word, as reading every cell as it came."""

import datetime as dt
import math
import random

import numpy as np
import pytest

from pricing.model.breakeven import evaluate_table
from pricing.model.scenario import field_for_label
from pricing.model.table import Floats
from pricing.prices.store import load_catalog
from tests.officejs import NA, NUM, call
from xl_addin import excel_args as xa

ERROR_CELL = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}
FORMATTED = {"type": "FormattedNumber", "basicValue": 7.5, "numberFormat": "0.0"}
VALID = {
    "queries_per_day": lambda r: r.choice([r.randint(1, 10**6), r.uniform(1, 1e5)]),
    "input_tokens": lambda r: r.randint(0, 5000),
    "output_tokens": lambda r: r.uniform(0, 900),
    "frontier_input_price": lambda r: r.uniform(0.1, 20),
    "frontier_output_price": lambda r: r.uniform(0.1, 60),
    "ft_input_price": lambda r: r.uniform(0.05, 5),
    "ft_output_price": lambda r: r.uniform(0.05, 20),
    "training_tokens": lambda r: r.randint(0, 10**9),
    "training_per_1m": lambda r: r.uniform(0, 30),
}  # every row needs these (or a model to price it)
OPTIONAL = {
    "eval_cost": lambda r: r.uniform(0, 5000),
    "epochs": lambda r: r.randint(1, 5),
    "ft_traffic_share": lambda r: r.random(),
    "horizon_months": lambda r: r.randint(1, 60),
}
VALUES = VALID | OPTIONAL
HOSTILE = [
    None, "", "  ", "500", " 7 ", "5,000", "abc", True, False, math.nan, math.inf, -1, 1.5, 10**400,
    ERROR_CELL, FORMATTED, 0,
]  # fmt: skip
AMONG_NUMBERS = [True, False, math.nan, math.inf, -math.inf, 10**400, FORMATTED, "500", -1, 0.5]
TEXTS = ["a", "  b ", 4, 4.0, "", None, True, ERROR_CELL]
MODELS = ["", None, "gpt-4.1-mini", " GPT-4.1-MINI ", "no-such-model", 4, ERROR_CELL]
START_DATES = [46000, 46000.5, "2026-03-01", " 2026-03-01 ", "March", -5, None, ERROR_CELL, True]


def reference(value):
    """The plain reading: clean every cell, skip blank rows, hand each column over as a list."""
    rows = xa.matrix(value, "inputs_table")
    while all(xa.is_blank(c) for c in rows[0]):
        rows = rows[1:]
    header, body = rows[0], rows[1:]
    filled = [i for i, row in enumerate(body) if any(not xa.is_blank(c) for c in row)]
    columns = {
        field_for_label(label): [xa.table_cell(field_for_label(label), body[i][j]) for i in filled]
        for j, label in enumerate(header)
        if filled
    }
    return columns, filled, len(body)


def random_table(seed: int):
    r = random.Random(seed)
    n = r.choice([1, 2, 7, 40, 300])
    fields = [*VALID, *r.sample(sorted(OPTIONAL), r.randint(0, len(OPTIONAL)))]
    r.shuffle(fields)
    extra = r.sample(["name", "frontier_model", "start_date"], r.randint(0, 2))
    texts = {"name": TEXTS, "frontier_model": MODELS, "start_date": START_DATES}
    dirty = set(r.sample(fields, r.randint(0, 2)))  # columns with bad cells; the rest are clean
    # a dirty column's bad cells: of one kind (TRUE among numbers: the column looks numeric) or any
    one = {f: r.choice(AMONG_NUMBERS) if r.random() < 0.5 else None for f in dirty}
    header = [f.replace("_", " ").title() if r.random() < 0.3 else f for f in fields + extra]
    rows = []
    for _ in range(n):
        if r.random() < 0.05:
            rows.append([r.choice([None, "", " "]) for _ in header])  # a blank row
            continue
        row = [
            (r.choice(HOSTILE) if one[f] is None else one[f])
            if f in dirty and r.random() < 0.2
            else VALUES[f](r)
            for f in fields
        ]
        row += [r.choice(texts[f]) for f in extra]
        rows.append(row)
    lead = [[None] * len(header)] * r.choice([0, 0, 1, 2])  # blank rows above the header
    return [*lead, header, *rows]


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


@pytest.mark.parametrize("seed", range(60))
def test_typed_columns_give_every_row_the_same_figures_and_errors(seed):
    table = random_table(seed)
    catalog = load_catalog()
    columns, filled, n = xa.table_columns(table)
    want_columns, want_filled, want_n = reference(table)
    assert (filled, n) == (want_filled, want_n)
    got = evaluate_table(columns, catalog, n=len(filled))
    want = evaluate_table(want_columns, catalog, n=len(want_filled))
    assert [(type(e), str(e)) for e in got.errors] == [(type(e), str(e)) for e in want.errors]
    for output in ("payback_months", "npv", "net_benefit_month", "verdict", "breakeven_queries_per_day"):
        g, w = got.column(output), want.column(output)
        assert all(same(x, y) for x, y in zip(g, w, strict=True)), output


def test_a_clean_numeric_column_arrives_as_floats_and_any_other_as_its_cells():
    columns, filled, n = xa.table_columns(
        [
            ["queries_per_day", "epochs", "input_tokens", "output_tokens", "name", "start_date"],
            [500, True, 1000, "200", "a", 46000],
            [600.5, 2, 1000, 200, "b", "2026-03-01"],
        ]
    )
    assert (filled, n) == ([0, 1], 2)
    typed = columns["queries_per_day"]
    assert isinstance(typed, Floats) and typed.floats.dtype == np.float64
    assert typed.floats.tolist() == [500.0, 600.5] and list(typed) == [500, 600.5]  # cells as given
    assert columns["epochs"] == [True, 2]  # TRUE is not a number: its row fails, by its cell
    assert columns["output_tokens"] == ["200", 200]
    assert columns["name"] == ["a", "b"]
    assert columns["start_date"] == [dt.date(2025, 12, 9), dt.date(2026, 3, 1)]


def test_bad_cells_fail_their_own_rows_with_the_specific_error():
    """Through the Office.js path: each bad row its own error, blank rows blank, the rest figures."""
    head = ["queries_per_day", "input_tokens", "output_tokens", "frontier_input_price",
            "frontier_output_price", "ft_input_price", "ft_output_price", "training_tokens",
            "training_per_1m", "frontier_model"]  # fmt: skip
    good = [5000, 1000, 100, 3, 15, 0.8, 3.2, 1e6, 25, ""]
    rows = [
        good,
        [True, *good[1:]],
        [None] * len(head),
        [*good[:9], "no-such-model"],
        [*good[:5], 50, 50, *good[7:]],  # fine-tuning dearer: never pays back
        [math.nan, *good[1:]],
        [ERROR_CELL, *good[1:]],
        [FORMATTED, *good[1:]],
    ]
    out = [r[0] for r in call("ft_scenarios", [head, *rows], "payback_months")]
    value = {"type": "Error", "errorType": "Value"}
    assert isinstance(out[0], float) and out[0] > 0
    assert out[1:] == [value, "", NA, NUM, value, value, pytest.approx(out[0] * 5000 / 7.5)]

"""Trivial UDFs: the floor of xlwings' Office.js call path for bench/bench_functions.py.

Each is registered like the FT_ functions (the raw cell converter under Office.js) and does no
work of its own: the scalar ones return their first argument, the table one moves the table's
first column out as numbers with a fraction, as FT_SCENARIOS moves one column of figures out
(xlwings checks every float it sends back for NaN, which it skips for an int: a column of ints
would make the floor cheaper than any function returning figures could be). A one-line FT_
function's cost over these is what it adds: reading its arguments and computing its figure.
"""

from xlwings import arg, func

from xl_addin.functions import CELLS


@func
@arg("a", CELLS)
@arg("b", CELLS)
def trivial2(a, b):
    return a


@func
@arg("a", CELLS)
@arg("b", CELLS)
@arg("c", CELLS)
def trivial3(a, b, c):
    return a


@func
@arg("a", CELLS)
@arg("b", CELLS)
@arg("c", CELLS)
@arg("d", CELLS)
def trivial4(a, b, c, d):
    return a


@func
@arg("table", CELLS, ndim=2)
@arg("output", CELLS)
def trivial_table(table, output):
    """The table's first column under its header as floats, one cell a row (FT_SCENARIOS' shape)."""
    return [[float(row[0])] for row in table[1:]]

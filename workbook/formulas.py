"""How each runtime's file stores an FT_ call: the one place that decides it.

Sheets write every FT_ call in one canonical form, `FT_SCENARIO(InputBlock,"npv")`, through
BuildContext.ft / ft_spill; workbook.package rewrites the saved sheets with `stored()` below.

| runtime | stored name in the cell                  | why                                           |
|---------|------------------------------------------|-----------------------------------------------|
| lite    | `_xldudf_FT_SCENARIO(...)`               | xlwings Lite registers Office.js custom       |
|         |                                          | functions without a namespace; Excel binds    |
|         |                                          | them only through `_xldudf_` names listed in  |
|         |                                          | the add-in part's customFunctionIdList        |
| server  | `_xldudf_XLWINGS_FT_SCENARIO(...)`       | xlwings Server's manifest adds the namespace  |
|         |                                          | `functions_namespace` (default XLWINGS;       |
|         |                                          | xlwings-server config.py, manifest.xml)       |
| classic | `FT_SCENARIO(...)`                       | Import Functions writes VBA functions by name |
| none    | no formula: the engine's value           | for people without any add-in                 |

Excel itself writes Office.js custom functions this way (see
../shared/research/EXCEL_FIDELITY.md, finding 1: `_xldudf_CONTOSO_ADD(1,2)` in a file Excel
saved). Every cell with an FT_ call is stored as a dynamic array (package.py), so results spill
to their true size and single cells show no implicit-intersection `@`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UDF_PREFIX = "_xldudf_"
FT_CALL = re.compile(r"(?<![A-Za-z0-9_.])(FT_[A-Z0-9_]+)\(")
SERVER_NAMESPACE = "XLWINGS"  # xlwings Server's default functions_namespace in production


@dataclass(frozen=True)
class Storage:
    """How one runtime stores FT_ calls: `prefix` goes before each FT_ name (None: no formulas)."""

    runtime: str
    prefix: str | None

    @property
    def formulas(self) -> bool:
        return self.prefix is not None

    def name(self, function: str) -> str:
        """The stored name of one FT_ function, e.g. FT_NPV -> _xldudf_FT_NPV."""
        return f"{self.prefix}{function}"

    def stored(self, formula: str) -> str:
        """`formula` with each FT_ call renamed (text inside "..." is left alone)."""
        return _outside_strings(formula, lambda part: FT_CALL.sub(lambda m: self.name(m[1]) + "(", part))


def storage(runtime: str, namespace: str = SERVER_NAMESPACE) -> Storage:
    if runtime == "lite":
        return Storage(runtime, UDF_PREFIX)
    if runtime == "server":
        return Storage(runtime, UDF_PREFIX + (f"{namespace.upper()}_" if namespace else ""))
    if runtime == "classic":
        return Storage(runtime, "")
    if runtime == "none":
        return Storage(runtime, None)
    raise ValueError(f"unknown runtime {runtime!r}")


def ft_functions(formula: str) -> list[str]:
    """The FT_ functions a canonical formula calls, in order, outside string literals."""
    found: list[str] = []
    _outside_strings(formula, lambda part: found.extend(FT_CALL.findall(part)) or part)
    return found


def has_ft_call(formula: str) -> bool:
    return bool(ft_functions(formula))


def _outside_strings(formula: str, change) -> str:
    """Apply `change` to the parts of a formula that are not string literals ("" escapes ")."""
    parts = formula.split('"')
    # even-indexed parts are outside quotes; "" inside a literal splits into an empty odd part
    return '"'.join(change(p) if i % 2 == 0 else p for i, p in enumerate(parts))

"""Data validations that reject a bad entry with a message, as Excel's "Stop" alert does.

openpyxl's DataValidation leaves showErrorMessage off, so Excel would accept anything and never
show the error text (../shared/research/EXCEL_FIDELITY.md, finding 4). Every rule of the workbook
is made here, with the alert on.
"""

from __future__ import annotations

import math

from openpyxl.worksheet.datavalidation import DataValidation

from pricing.model.scenario import CHOICES, Scenario, field_bounds

TITLE_MAX = 32  # Excel's limit for an alert title
TEXT_MAX = 255  # and for its message


def rule(
    kind: str,
    formula1: str,
    *,
    error: str,
    title: str,
    formula2: str | None = None,
    operator: str | None = None,
    allow_blank: bool = False,
) -> DataValidation:
    """A validation of `kind` (list, whole, decimal, ...) that stops a bad entry with `error`."""
    if len(title) > TITLE_MAX or len(error) > TEXT_MAX:
        raise ValueError(f"validation texts too long for Excel: {title!r} / {error!r}")
    return DataValidation(
        type=kind,
        formula1=formula1,
        formula2=formula2,
        operator=operator,
        allow_blank=allow_blank,
        showErrorMessage=True,
        errorStyle="stop",
        error=error,
        errorTitle=title,
    )


def between(kind: str, low: str, high: str, *, error: str, title: str, allow_blank: bool = False):
    """A `kind` (whole, decimal) rule allowing low to high inclusive."""
    return rule(
        kind, low, formula2=high, operator="between", error=error, title=title, allow_blank=allow_blank
    )


def attach(ws, dv: DataValidation, *refs) -> DataValidation:
    """Put rule `dv` on the sheet and on each cell or range in `refs`."""
    ws.add_data_validation(dv)
    for ref in refs:
        dv.add(ref)
    return dv


def choice(values: list[str] | tuple[str, ...], *, error: str, title: str, allow_blank: bool = False):
    """A drop-down of fixed values."""
    text = '"' + ",".join(values) + '"'
    if len(text) > TEXT_MAX:
        raise ValueError(f"list too long for an Excel validation ({len(text)} characters)")
    return rule("list", text, error=error, title=title, allow_blank=allow_blank)


def number_bounds(name: str) -> tuple[float | None, float | None, bool]:
    """(lowest, highest, whole number?) an input allows, from the Scenario model."""
    low, _, high, _ = field_bounds(name)
    finite = (v if math.isfinite(v) else None for v in (low, high))
    return *finite, Scenario.model_fields[name].annotation is int


def for_input(name: str, label: str) -> DataValidation | None:
    """A number rule for a numeric input (its bounds from the Scenario model), a drop-down for an
    input with a few allowed values, else None."""
    if name in CHOICES:
        values = tuple(str(v) for v in CHOICES[name])
        return choice(
            values, error=f"{label}: one of {', '.join(values)}.", title=name[:TITLE_MAX], allow_blank=True
        )
    low, high, whole = number_bounds(name)
    if low is None and high is None:
        return None
    low = -1e307 if low is None or not math.isfinite(low) else low
    high = 1e307 if high is None or not math.isfinite(high) else high
    kind = "whole" if whole else "decimal"
    allowed = f"a {'whole ' if whole else ''}number from {_num(low)} to {_num(high)}"
    return between(
        kind,
        _num(low),
        _num(high),
        allow_blank=True,
        error=f"{label}: {allowed} (blank takes the default).",
        title=name[:TITLE_MAX],
    )


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))

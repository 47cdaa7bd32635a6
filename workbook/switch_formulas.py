"""The constraint switches' rules (pricing.model.constraints) written as Excel formulas.

`ref` turns a switch's or an assumption's name into a reference: on the Calculator the name
itself (each is a workbook-level name), in tests a cell of their own row.
"""

from __future__ import annotations

from collections.abc import Callable

from pricing.model import constraints
from pricing.model.constraints import Value


def _same(name: str) -> str:
    return name


def _text(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def _excel(v: Value, own: str, ref: Callable[[str], str]) -> str:
    if v.kind == "number":
        return f"{v.number:g}"
    if v.kind == "blank":
        return '""'
    if v.kind == "assumed":
        return ref(v.assumption)
    if v.kind == "assumed_unless_given":
        return f'IF(OR({own}="",{own}=0),{ref(v.assumption)},{own})'
    raise ValueError(f"unknown rule value {v.kind!r}")


def ruled_formula(field: str, own: str, ref: Callable[[str], str] = _same) -> str:
    """The expression (no leading =) of one input after the rules; `own` is its expression
    without them. The first rule is the outermost IF, as pricing.model.constraints.ruled_value
    tries the rules in order."""
    expr = own
    for rule in reversed(constraints.rules_for(field)):
        otherwise = expr if rule.otherwise is None else _excel(rule.otherwise, own, ref)
        expr = f"IF({ref(rule.switch)}={_text(rule.when)},{_excel(rule.then, own, ref)},{otherwise})"
    return expr


def notes_formula(ref: Callable[[str], str] = _same) -> str:
    """The expression (no leading =) of the constraints' notes, joined as constraints.notes."""
    parts = [f'IF({ref(n.switch)}={_text(n.when)},{_text(n.text)},"")' for n in constraints.NOTES]
    return "&".join(parts) if parts else '""'

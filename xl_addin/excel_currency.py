"""The FT_ functions' optional `fx_rate` and `currency` arguments (pricing.model.currency).

`fx_rate` is the units of the reporting currency one USD buys (the Calculator passes its FxRate
cell); money figures are multiplied by it, everything else is unchanged. `currency` (the ISO
code) only names the amounts written inside the notes; without it they read "XXX", ISO 4217's
code for "no currency", whenever the rate is not 1.
"""

from __future__ import annotations

from typing import Any

from pricing.model.currency import Currency, fx_rate, make_currency
from xl_addin import excel_args as xa

FX_DOC = (
    "[optional] Units of your reporting currency one USD buys, e.g. 0.92 for EUR (the Calculator's "
    "FxRate): money figures are multiplied by it. Default (or blank) 1: USD."
)
CODE_DOC = "[optional] ISO 4217 code of that currency, e.g. EUR: names the amounts in the notes. Default USD."
NO_CURRENCY = "XXX"


def excel_currency(rate: Any = None, code: Any = None) -> Currency:
    """The checked currency of the arguments (#VALUE! naming the argument when bad)."""
    value = fx_rate(xa.single(rate, "fx_rate"), "fx_rate")
    given = xa.single(code, "currency")
    if xa.is_blank(given):
        return Currency("USD" if value == 1.0 else NO_CURRENCY, value)
    return make_currency(given, value, names=("currency", "fx_rate", "fx_date", "fx_source"))

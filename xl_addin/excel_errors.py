"""How Python problems become Excel errors: one mapping for every FT_ function.

| problem                                 | Excel   | how                                        |
|-----------------------------------------|---------|--------------------------------------------|
| bad argument: text, bool, NaN, negative,| #VALUE! | raise ExcelValueError (an XlwingsError)    |
|   share > 1, unknown label, ragged block|         | whose message names the field, the value   |
|                                         |         | and what is allowed (shown on hover)       |
| unknown model id                        | #N/A    | return "#N/A": Office.js makes it a real   |
|                                         |         | error cell, so ISNA()/IFNA() work. No      |
|                                         |         | message: FT_MODEL_CHECK(id) names the      |
|                                         |         | closest known ids                          |
| a figure that does not exist: never     | #NUM!   | return "#NUM!" (a real error cell)         |
|   pays back, FT never cheaper per query |         |                                            |
| FT_PRICE: a rate the catalog lacks      | #N/A    | return "#N/A" (value not available)        |
| a scenario needs a rate the catalog     | #N/A    | MissingRateError: a model without a price  |
|   lacks (e.g. no training rate)         |         | is not available, never $0; the Pricing    |
|                                         |         | sheet shows the blank, `ft-breakeven       |
|                                         |         | report` names the input to give            |

Array functions (FT_SCENARIOS) never fail the whole column for one bad row: each row's cell
holds "#VALUE!", "#N/A" or "#NUM!" by the same rules.

Why not raise for #N/A too? In Office.js every exception becomes #VALUE!, which ISNA() cannot
tell apart from a typo in a number. Why raise for #VALUE! instead of returning "#VALUE!"? The
exception's message is the only way to tell the user which argument is wrong and why.
Classic (Windows COM) xlwings shows a returned "#N/A" as text and an exception's message as
text in the cell; the meaning is the same, only ISNA() does not see it there.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, TypeVar

from xlwings import XlwingsError

from pricing.model.scenario import MissingRateError, ScenarioError
from pricing.prices.catalog import UnknownModelError

NA = "#N/A"
NUM = "#NUM!"
VALUE = "#VALUE!"

F = TypeVar("F", bound=Callable[..., Any])


class ExcelValueError(XlwingsError):
    """A bad argument: Excel shows #VALUE! with this message (XlwingsError text is shown even
    by xlwings Server in production, which hides other exceptions' messages)."""


def value_error(exc: BaseException, function: str | None = None) -> ExcelValueError:
    message = str(exc)
    return ExcelValueError(f"{function}: {message}" if function else message)


def excel_errors(fn: F) -> F:
    """Run a UDF body, mapping problems to Excel errors per the table above.

    Applied below @func/@arg: functools.wraps keeps the name, docstring and signature that
    xlwings reads to register the function.
    """
    excel_name = fn.__name__.upper()

    @functools.wraps(fn)
    def wrapper(*args: Any) -> Any:
        try:
            return fn(*args)
        except (UnknownModelError, MissingRateError):
            return NA
        except XlwingsError:
            raise
        except (ScenarioError, ValueError, OverflowError) as exc:
            raise value_error(exc, excel_name) from None
        except Exception as exc:  # unforeseen: still one sentence, never a traceback
            first = (str(exc).splitlines() or [""])[0][:200]
            raise ExcelValueError(f"{excel_name}: unexpected error ({type(exc).__name__}: {first})") from None

    # Excel shows the docstring as the description: one line, however the source wraps it.
    wrapper.__doc__ = " ".join((fn.__doc__ or "").split()) or None
    return wrapper  # type: ignore[return-value]


def error_code(exc: BaseException) -> str:
    """The per-cell error of an array function's row."""
    if isinstance(exc, (UnknownModelError, MissingRateError)):
        return NA
    if isinstance(exc, (ScenarioError, ValueError, OverflowError)):
        return VALUE
    raise exc


def figure(value: Any, missing: str = NUM) -> Any:
    """A headline figure for a cell: None/NaN (does not exist, e.g. never pays back) -> #NUM!."""
    if value is None:
        return missing
    if isinstance(value, float) and not math.isfinite(value):
        return missing
    return value


def figure_column(values: list[Any]) -> list[list[Any]]:
    """[[figure(v)] for v in values], an array function's answer column. A column of finite
    floats (a sweep's usual answer) is checked by one sum: NaN or inf anywhere makes it non-finite."""
    if set(map(type, values)) == {float} and math.isfinite(sum(values)):
        return [[v] for v in values]
    return [[figure(v)] for v in values]

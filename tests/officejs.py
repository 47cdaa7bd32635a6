"""Calling FT_ functions the way Excel's Office.js runtime does, through xlwings' real code path.

xlwings Lite and xlwings Server hand `xlwings.server.custom_functions_call` a payload in which
every argument is a 2-D matrix (research/XLWINGS.md); error cells come back as dicts.
"""

import asyncio
from types import ModuleType

import xlwings as xw
import xlwings.server as xs

from xl_addin import functions

NA = {"type": "Error", "errorType": "NotAvailable"}
NUM = {"type": "Error", "errorType": "Num"}


def m(value):
    """An argument as Office.js sends it: a scalar becomes a 1x1 matrix; None stays None."""
    if value is None or isinstance(value, list):
        return value
    return [[value]]


def call(name, *args, module: ModuleType = functions):
    """FT_ function `name` through custom_functions_call, each argument shaped by `m`."""
    data = {
        "func_name": name,
        "args": [m(a) for a in args],
        "caller_address": "[T.xlsx]Sheet1!A1",
        "culture_info_name": "en-US",
        "date_format": "M/d/yyyy",
        "version": xw.__version__,
        "runtime": "1.4",
    }
    return asyncio.run(xs.custom_functions_call(data, module))

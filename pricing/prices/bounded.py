"""Bounded reads: a file by bytes, JSON by nesting depth, numbers by digits.

Every file or download the tool reads goes through these, so a hostile input (/dev/zero, a
JSON array nested 10,000 deep, an integer of 5,000 digits) fails with one sentence instead of
exhausting memory or raising from deep inside the json module. Each failure is a ReadRefused
whose text is a clause for the user ("the file is not UTF-8 text"); the caller names the input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MAX_DEPTH = 64  # a registry row is 3 deep and a scenario 2; 64 leaves room and stays far from
# Python's recursion limit (the json module recurses once per level)
MAX_NUMBER_CHARS = 100  # a number literal longer than this is no price or count anyone meant


class ReadRefused(ValueError):
    """A file or text that is too big, too deep or not JSON; str(e) is a clause for the user."""


def read_bytes(path: str | Path, max_bytes: int) -> bytes:
    """At most `max_bytes` bytes of a file; ReadRefused when there are more (the reported size
    is not trusted: /dev/zero and pipes report 0). OSError propagates for the caller to word."""
    with open(path, "rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ReadRefused(f"it is larger than the {max_bytes:,}-byte limit")
    return data


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise ReadRefused(f"it holds a number of {len(text):,} digits (at most {MAX_NUMBER_CHARS})")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise ReadRefused(f"it holds a number of {len(text):,} characters (at most {MAX_NUMBER_CHARS})")
    return float(text)


def depth(value: Any) -> int:
    """Nesting depth of parsed JSON (a scalar is 0), walked without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, level + 1)
        stack.extend((child, level + 1) for child in item if isinstance(child, (dict, list)))
    return deepest


def loads(data: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse UTF-8 JSON with bounded depth and number length; ReadRefused says what is wrong."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            bad = data[exc.start]
            raise ReadRefused(f"it is not UTF-8 text (byte {exc.start:,} is 0x{bad:02x})") from None
    try:
        value = json.loads(data, parse_int=_int, parse_float=_float)
    except RecursionError:
        raise ReadRefused(f"it is JSON nested deeper than {max_depth} levels") from None
    except json.JSONDecodeError as exc:
        raise ReadRefused(f"it is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if depth(value) > max_depth:
        raise ReadRefused(f"it is JSON nested deeper than {max_depth} levels")
    return value

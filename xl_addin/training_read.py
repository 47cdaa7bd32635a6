"""Read a training file as examples: line by line, each line and the whole file bounded.

pricing.model.training_file says what each line holds; here the file is opened, its lines read
at most MAX_LINE_BYTES at a time (so /dev/zero or a file with no newline cannot exhaust memory),
parsed with pricing.prices.bounded (nesting depth, number length) and every problem becomes a
TrainingFileError: one sentence naming the file, the line and what is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from pricing.model.token_count import Counting, FileCount, count_examples
from pricing.model.training_file import ALLOWED, SHAPES, Example, ShapeError, parse_example
from pricing.prices.bounded import ReadRefused, loads

MAX_LINE_BYTES = 64 * 1024 * 1024  # one example; a 1M-token context is ~4 MB of text
MAX_FILE_BYTES = 2 * 1024**3  # more is no file to count on one machine in minutes: split it


class TrainingFileError(ValueError):
    """A training file that cannot be read as examples; str(e) is one sentence for the user."""


def _syntax_error(raw: bytes) -> str:
    """Why a line is not JSON, by column (bounded.loads words it by line, always 1 here)."""
    try:
        json.loads(raw.decode("utf-8-sig"))
    except json.JSONDecodeError as exc:
        return f"is not valid JSON ({exc.msg} at column {exc.colno})"
    except UnicodeDecodeError as exc:
        return f"is not UTF-8 text (byte {exc.start + 1:,} of the line)"
    return "is not valid JSON"


def _example(raw: bytes, where: str) -> Example:
    try:
        return parse_example(loads(raw))
    except ReadRefused as exc:
        text = str(exc)  # "it is ...": the clause without its subject
        clause = _syntax_error(raw) if "not valid JSON" in text or "UTF-8" in text else text[3:]
        raise TrainingFileError(f"{where} {clause}; each line must be {ALLOWED}") from None
    except ShapeError as exc:
        raise TrainingFileError(f"{where} {exc}; each line must be {ALLOWED}") from None


def _open(path: str | Path):
    name = str(path)
    if Path(path).is_dir():
        raise TrainingFileError(f"{name} is a folder, not a JSONL training file")
    try:
        return open(path, "rb")  # noqa: SIM115 - the generator below closes it
    except FileNotFoundError:
        raise TrainingFileError(f"{name} does not exist (give a JSONL training file)") from None
    except OSError as exc:
        raise TrainingFileError(f"{name} cannot be read ({exc.strerror or exc})") from None


def read_examples(path: str | Path) -> Iterator[Example]:
    """The examples of a JSONL file, in order. Blank lines are skipped; one shape for the whole
    file, as the vendors require."""
    name = str(path)
    fh = _open(path)
    first_shape, seen, total = "", 0, 0
    try:
        for number, raw in enumerate(iter(lambda: fh.readline(MAX_LINE_BYTES + 1), b""), start=1):
            total += len(raw)
            where = f"{name} line {number}"
            if len(raw) > MAX_LINE_BYTES:
                raise TrainingFileError(
                    f"{where} is longer than the {MAX_LINE_BYTES:,}-byte limit of one example"
                )
            if total > MAX_FILE_BYTES:
                raise TrainingFileError(f"{name} is larger than the {MAX_FILE_BYTES:,}-byte limit (split it)")
            if not raw.strip():
                continue
            example = _example(raw, where)
            if first_shape and example.shape != first_shape:
                raise TrainingFileError(
                    f"{where} is a {SHAPES[example.shape]} example but the file began with "
                    f"{SHAPES[first_shape]} ones; a training file holds one format"
                )
            first_shape = first_shape or example.shape
            seen += 1
            yield example
    except OSError as exc:
        raise TrainingFileError(f"{name} cannot be read ({exc.strerror or exc})") from None
    finally:
        fh.close()
    if not seen:
        raise TrainingFileError(f"{name} holds no examples (it is empty); each line must be {ALLOWED}")


def count_file(path: str | Path, countings: Iterable[Counting]) -> FileCount:
    """Read the file once and count it with each method."""
    return count_examples(read_examples(path), countings, str(path))

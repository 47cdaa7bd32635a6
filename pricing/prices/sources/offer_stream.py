"""Read a large JSON object member by member, without building the whole tree.

An AWS Price List offer file is one JSON object; for Amazon Bedrock the part we need is a few
products out of thousands. `iter_members` walks the object as the bytes arrive and yields the
members under the paths asked for, one decoded value at a time, so memory stays at the size of
one member (at most `max_member` characters), not of the file.

    for path, key, value in iter_members(chunks, open_under={(), ("terms",)},
                                         emit_under={("products",), ("terms", "OnDemand")}):
        ...

Members of an object in `open_under` whose value is an object are opened (walked into); other
members of such an object are yielded as they are (e.g. the top level's offerCode). Members of an
object in `emit_under` are decoded whole and yielded. Everything else is decoded and dropped.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator
from typing import Any

from pricing.prices.guards import RejectedDownload

Path = tuple[str, ...]
MAX_MEMBER = 1024 * 1024  # characters of one member (a Bedrock product or its terms: ~1-3 KB)
_WS = " \t\r\n"
_DECODER = json.JSONDecoder()


class _Reader:
    """A text buffer over byte chunks, refilled on demand and trimmed as it is consumed."""

    def __init__(self, chunks: Iterable[bytes], what: str, max_member: int):
        self.chunks = iter(chunks)
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.buf, self.pos, self.done = "", 0, False
        self.what, self.max_member = what, max_member

    def more(self) -> bool:
        """Append the next chunk; False once everything has been read."""
        if self.done:
            return False
        try:
            chunk = next(self.chunks)
        except StopIteration:
            self.done = True
            text = self.decoder.decode(b"", final=True)
        else:
            text = self.decoder.decode(bytes(chunk))
        self.buf, self.pos = self.buf[self.pos :] + text, 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            shown = repr(found) if found else "the end"
            raise RejectedDownload(f"{self.what} is not valid JSON (expected {char!r}, found {shown})")
        self.pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError:
                if len(self.buf) - self.pos > self.max_member:
                    raise RejectedDownload(
                        f"{self.what} has an entry over {self.max_member:,} characters, or is not valid JSON"
                    ) from None
                if not self.more():
                    raise RejectedDownload(f"{self.what} ends early or is not valid JSON") from None
                continue
            if end == len(self.buf) and isinstance(value, int | float) and self.more():
                continue  # a number at the end of the buffer may go on in the next chunk
            self.pos = end
            return value


def iter_members(
    chunks: Iterable[bytes],
    *,
    open_under: set[Path],
    emit_under: set[Path],
    what: str = "the download",
    max_member: int = MAX_MEMBER,
) -> Iterator[tuple[Path, str, Any]]:
    """(path of the parent object, key, value) for each member asked for; see the module doc."""
    reader = _Reader(chunks, what, max_member)
    first = reader.peek()
    if first == "<":
        raise RejectedDownload(f"{what} is an HTML page, not JSON")
    if first != "{":
        raise RejectedDownload(f"{what} is not a JSON object")
    reader.pos += 1
    stack: list[Path] = [()]
    fresh = [True]  # no member read yet in this object (so no comma before the next)
    while stack:
        path = stack[-1]
        if reader.peek() == "}":
            reader.pos += 1
            stack.pop()
            fresh.pop()
            continue
        if not fresh[-1]:
            reader.expect(",")
        fresh[-1] = False
        key = reader.value()
        if not isinstance(key, str):
            raise RejectedDownload(f"{what} is not valid JSON (an object key is not a string)")
        reader.expect(":")
        if path in open_under and reader.peek() == "{":
            reader.pos += 1
            stack.append((*path, key))
            fresh.append(True)
            continue
        value = reader.value()
        if path in emit_under or path in open_under:
            yield path, key, value
    if reader.peek() != "":
        raise RejectedDownload(f"{what} is not valid JSON (text after the end)")

"""Download a registry: https only (loopback http for tests), bounded size, retries and time.

A source is an https URL, an http URL on the loopback interface (127.0.0.1, localhost, [::1]),
a `file://` URL or a local path. Every failure raises FetchError whose text is a clause for the
user ("Could not reach example.org"; the caller adds what happens next) and a `kind`:
"offline" (could not connect / timed out), "refused" (URL not allowed), "http" (the server
answered an error status), "too_big" (size cap), "local" (file unreadable), "deadline" (the
whole download took longer than its deadline).

Bounds: a local file is read up to the cap whatever size it reports (/dev/zero reports 0); a
download is capped on the wire and again after undoing every Content-Encoding layer, each layer
inflated at most the cap (a double-gzip bomb stops at 20 MB, not 6 GB); and the whole download,
retries included, has an overall deadline: each read waits at most what is left of it.
"""

from __future__ import annotations

import hashlib
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from pricing.prices.bounded import ReadRefused, read_bytes

MAX_BYTES = 20 * 1024 * 1024  # the registry is ~3.5 MB; 20 MB leaves room for growth
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEADLINE = 300.0  # seconds for the whole download, retries included: well inside the store
# lock's 15-minute stale limit, so a slow download cannot outlive its lock
RETRIES = 2  # extra attempts after the first, for connect errors, timeouts, 429 and 5xx
RETRY_BACKOFF = 0.5  # seconds, doubled per attempt
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
CHUNK = 64 * 1024
# Content-Encoding -> zlib wbits; we ask only for these (httpx would also offer br and zstd).
DECODERS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
ACCEPT_ENCODING = "gzip, deflate"

Progress = Callable[[int, int | None], None]  # (bytes received, total bytes or None)


class FetchError(Exception):
    """A download that did not happen; str(e) is a clause for the user, without final stop."""

    def __init__(self, message: str, kind: str, host: str = ""):
        super().__init__(message)
        self.kind = kind
        self.host = host


@dataclass(frozen=True)
class Download:
    data: bytes
    source: str  # the URL or absolute file path it came from
    sha256: str


def host_of(source: str) -> str:
    """The host of a URL, or the file path for a local source (for messages)."""
    parts = urlsplit(source)
    return parts.hostname or source if parts.scheme in ("http", "https") else source


def check_url(url: str) -> None:
    """Raise FetchError(kind="refused") unless url is https, or http on the loopback interface."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme == "https" and host:
        return
    if scheme == "http" and host in LOOPBACK_HOSTS:
        return
    if scheme == "http":
        raise FetchError(
            f"Refused plain-http source {url} (use https; http only for 127.0.0.1, localhost, [::1])",
            "refused",
            host,
        )
    raise FetchError(f"Refused source {url} (only https URLs and local files)", "refused", host)


def _local_path(source: str) -> Path:
    parts = urlsplit(source)
    if parts.scheme.lower() == "file":
        return Path(unquote(parts.path))
    return Path(source).expanduser()


def _read_local(source: str, max_bytes: int, progress: Progress | None) -> Download:
    path = _local_path(source)
    try:
        data = read_bytes(path, max_bytes)  # the size a file reports is not trusted
    except ReadRefused:
        raise FetchError(f"{path} is larger than the {max_bytes:,}-byte cap", "too_big") from None
    except OSError as exc:
        raise FetchError(f"Could not read {path} ({exc.strerror or exc})", "local") from exc
    if progress:
        progress(len(data), len(data))
    return Download(data, str(path.resolve()), hashlib.sha256(data).hexdigest())


class _Layers:
    """Undo a response's Content-Encoding layers, each layer's output capped at `max_bytes`."""

    def __init__(self, header: str, host: str, max_bytes: int):
        names = [n.strip().lower() for n in header.split(",") if n.strip()]
        names = [n for n in names if n != "identity"]
        unknown = [n for n in names if n not in DECODERS]
        if unknown:
            raise FetchError(
                f"{host} sent Content-Encoding {unknown[0]!r} (only {ACCEPT_ENCODING} are read)",
                "refused",
                host,
            )
        self.wbits = [DECODERS[n] for n in reversed(names)]  # the last one applied comes off first
        self.decoders = [zlib.decompressobj(w) for w in self.wbits]
        self.produced = [0] * len(self.decoders)
        self.host, self.max_bytes = host, max_bytes

    def _too_big(self) -> FetchError:
        return FetchError(
            f"{self.host} sent more than the {self.max_bytes:,}-byte cap once decompressed",
            "too_big",
            self.host,
        )

    def _inflate(self, i: int, data: bytes) -> bytes:
        out = []
        while data:
            room = self.max_bytes - self.produced[i]
            piece = self.decoders[i].decompress(data, room + 1)
            self.produced[i] += len(piece)
            if self.produced[i] > self.max_bytes:
                raise self._too_big()
            out.append(piece)
            data = self.decoders[i].unconsumed_tail
            if not data and self.decoders[i].eof and self.decoders[i].unused_data:
                data = self.decoders[i].unused_data  # a second gzip member follows
                self.decoders[i] = zlib.decompressobj(self.wbits[i])
        return b"".join(out)

    def finish(self) -> None:
        """A compressed body that stops before its end is damaged, not a shorter file."""
        if any(not d.eof for d in self.decoders):
            raise FetchError(f"{self.host} sent a truncated compressed body", "http", self.host)

    def feed(self, data: bytes) -> bytes:
        try:
            for i in range(len(self.decoders)):
                data = self._inflate(i, data)
        except zlib.error as exc:
            damaged = f"{self.host} sent a damaged compressed body ({exc})"
            raise FetchError(damaged, "http", self.host) from None
        return data


def _check_deadline(host: str, ends: float) -> None:
    if time.monotonic() > ends:
        raise FetchError(f"The download from {host} took longer than its deadline", "deadline", host)


def _stream(
    client: httpx.Client,
    url: str,
    max_bytes: int,
    progress: Progress | None,
    ends: float = float("inf"),
) -> bytes:
    with client.stream("GET", url) as response:
        if response.status_code >= 400:
            raise httpx.HTTPStatusError(
                f"{response.status_code}", request=response.request, response=response
            )
        declared = response.headers.get("content-length")
        total = int(declared) if declared and declared.isdigit() and len(declared) < 20 else None
        if total is not None and total > max_bytes:
            raise FetchError(
                f"{host_of(url)} offers {total:,} bytes, above the {max_bytes:,}-byte cap",
                "too_big",
                host_of(url),
            )
        layers = _Layers(response.headers.get("content-encoding", ""), host_of(url), max_bytes)
        chunks: list[bytes] = []
        received = size = 0
        # As it arrives (a chunk size would wait for 64 KB); a transport that hands over the body
        # already read (xl_addin.lite_fetch: the browser's XMLHttpRequest) has it in memory.
        arriving = [response.content] if response.is_stream_consumed else response.iter_raw()
        for raw in arriving:
            _check_deadline(host_of(url), ends)
            received += len(raw)
            if received > max_bytes:
                raise FetchError(
                    f"{host_of(url)} sent more than the {max_bytes:,}-byte cap",
                    "too_big",
                    host_of(url),
                )
            chunk = layers.feed(raw)
            size += len(chunk)
            if size > max_bytes:
                raise layers._too_big()
            chunks.append(chunk)
            if progress:
                progress(received, total)
        _check_deadline(host_of(url), ends)
        layers.finish()
        return b"".join(chunks)


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code == 429 or exc.response.status_code >= 500
    return isinstance(exc, httpx.TransportError)


def _read_timeout(timeout: httpx.Timeout | float, left: float) -> httpx.Timeout:
    """The client's timeouts, none longer than the time left before the deadline."""
    base = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
    left = max(left, 0.001)

    def clip(x: float | None) -> float:
        return left if x is None else min(x, left)

    return httpx.Timeout(
        connect=clip(base.connect), read=clip(base.read), write=clip(base.write), pool=clip(base.pool)
    )


def fetch(
    source: str,
    *,
    progress: Progress | None = None,
    max_bytes: int = MAX_BYTES,
    timeout: httpx.Timeout | float = TIMEOUT,
    retries: int = RETRIES,
    transport: httpx.BaseTransport | None = None,
    deadline: float = DEADLINE,
) -> Download:
    """Bytes of `source` (URL or local file) with their SHA-256; raises FetchError.

    `deadline`: seconds for the whole download, retries and back-off included."""
    scheme = urlsplit(source).scheme.lower()
    if scheme in ("", "file") or len(scheme) == 1:  # a path (len 1: a Windows drive letter)
        return _read_local(source, max_bytes, progress)
    check_url(source)
    host = host_of(source)
    try:
        httpx.URL(source)
    except httpx.InvalidURL as exc:
        raise FetchError(f"Refused source {source} (not a valid URL: {exc})", "refused", host) from None
    ends = time.monotonic() + deadline

    def _guard_redirect(request: httpx.Request) -> None:
        check_url(str(request.url))  # a redirect to plain http is refused too

    def _guard_location(response: httpx.Response) -> None:
        """A redirect's target is checked before httpx parses it (data:, file:, javascript:)."""
        if not response.is_redirect:
            return
        target = urljoin(str(response.request.url), response.headers.get("location", ""))
        try:
            check_url(target)
        except FetchError as exc:
            shown = target if len(target) <= 120 else target[:117] + "..."
            raise FetchError(
                f"Refused the redirect from {host} to {shown} (only https, or http on the loopback "
                "interface, is followed)",
                "refused",
                host,
            ) from exc

    attempts = max(0, retries) + 1
    with httpx.Client(
        timeout=timeout,
        follow_redirects=True,
        max_redirects=5,
        event_hooks={"request": [_guard_redirect], "response": [_guard_location]},
        transport=transport,
        headers={"User-Agent": "ft-breakeven price refresh", "Accept-Encoding": ACCEPT_ENCODING},
    ) as client:
        for attempt in range(attempts):
            client.timeout = _read_timeout(timeout, ends - time.monotonic())
            try:
                data = _stream(client, source, max_bytes, progress, ends)
                return Download(data, source, hashlib.sha256(data).hexdigest())
            except httpx.HTTPStatusError as exc:
                if attempt + 1 < attempts and _retryable(exc) and _wait(attempt, ends):
                    continue
                reason = exc.response.reason_phrase or ""
                raise FetchError(
                    f"{host} answered {exc.response.status_code} {reason}".rstrip(),
                    "http",
                    host,
                ) from exc
            except httpx.TooManyRedirects as exc:
                raise FetchError(f"{host} redirected too often", "http", host) from exc
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:  # a redirect to data:, ...
                raise FetchError(
                    f"Refused a redirect from {host} to a URL that is not https ({exc})", "refused", host
                ) from exc
            except httpx.TransportError as exc:
                _check_deadline(host, ends)
                if attempt + 1 < attempts and _wait(attempt, ends):
                    continue
                raise FetchError(f"Could not reach {host}", "offline", host) from exc
            except httpx.HTTPError as exc:  # e.g. a malformed redirect URL
                raise FetchError(f"Could not download from {host} ({exc})", "http", host) from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _wait(attempt: int, ends: float) -> bool:
    """Back off before the next attempt; False when that would pass the deadline."""
    pause = RETRY_BACKOFF * 2**attempt
    if time.monotonic() + pause >= ends:
        return False
    time.sleep(pause)
    return True

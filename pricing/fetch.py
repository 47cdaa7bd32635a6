"""Download a registry: https only (loopback http for tests), bounded size, retries and time.

A source is an https URL, an http URL on the loopback interface (127.0.0.1, localhost, [::1]),
a `file://` URL or a local path. Every failure raises FetchError whose text is a clause for the
user ("Could not reach example.org"; the caller adds what happens next) and a `kind`:
"offline" (could not connect / timed out), "refused" (URL not allowed), "http" (the server
answered an error status), "too_big" (size cap), "local" (file unreadable).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

MAX_BYTES = 20 * 1024 * 1024  # the registry is ~3.5 MB; 20 MB leaves room for growth
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
RETRIES = 2  # extra attempts after the first, for connect errors, timeouts, 429 and 5xx
RETRY_BACKOFF = 0.5  # seconds, doubled per attempt
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
CHUNK = 64 * 1024

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
            f"Refused plain-http source {url} (use https; http only for 127.0.0.1, localhost, "
            "[::1])",
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
        size = path.stat().st_size
        if size > max_bytes:
            raise FetchError(
                f"{path} is {size:,} bytes, above the {max_bytes:,}-byte cap",
                "too_big",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise FetchError(f"Could not read {path} ({exc.strerror or exc})", "local") from exc
    if progress:
        progress(len(data), len(data))
    return Download(data, str(path.resolve()), hashlib.sha256(data).hexdigest())


def _stream(client: httpx.Client, url: str, max_bytes: int, progress: Progress | None) -> bytes:
    with client.stream("GET", url) as response:
        if response.status_code >= 400:
            raise httpx.HTTPStatusError(
                f"{response.status_code}", request=response.request, response=response
            )
        declared = response.headers.get("content-length")
        total = int(declared) if declared and declared.isdigit() else None
        if total is not None and total > max_bytes:
            raise FetchError(
                f"{host_of(url)} offers {total:,} bytes, above the {max_bytes:,}-byte cap",
                "too_big",
                host_of(url),
            )
        chunks: list[bytes] = []
        received = 0
        for chunk in response.iter_bytes(CHUNK):
            received += len(chunk)
            if received > max_bytes:
                raise FetchError(
                    f"{host_of(url)} sent more than the {max_bytes:,}-byte cap",
                    "too_big",
                    host_of(url),
                )
            chunks.append(chunk)
            if progress:
                progress(received, total)
        return b"".join(chunks)


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code == 429 or exc.response.status_code >= 500
    return isinstance(exc, httpx.TransportError)


def fetch(
    source: str,
    *,
    progress: Progress | None = None,
    max_bytes: int = MAX_BYTES,
    timeout: httpx.Timeout | float = TIMEOUT,
    retries: int = RETRIES,
    transport: httpx.BaseTransport | None = None,
) -> Download:
    """Bytes of `source` (URL or local file) with their SHA-256; raises FetchError."""
    scheme = urlsplit(source).scheme.lower()
    if scheme in ("", "file") or len(scheme) == 1:  # a path (len 1: a Windows drive letter)
        return _read_local(source, max_bytes, progress)
    check_url(source)
    host = host_of(source)

    def _guard_redirect(request: httpx.Request) -> None:
        check_url(str(request.url))  # a redirect to plain http is refused too

    attempts = max(0, retries) + 1
    with httpx.Client(
        timeout=timeout,
        follow_redirects=True,
        max_redirects=5,
        event_hooks={"request": [_guard_redirect]},
        transport=transport,
        headers={"User-Agent": "ft-breakeven price refresh"},
    ) as client:
        for attempt in range(attempts):
            try:
                data = _stream(client, source, max_bytes, progress)
                return Download(data, source, hashlib.sha256(data).hexdigest())
            except httpx.HTTPStatusError as exc:
                if attempt + 1 < attempts and _retryable(exc):
                    time.sleep(RETRY_BACKOFF * 2**attempt)
                    continue
                reason = exc.response.reason_phrase or ""
                raise FetchError(
                    f"{host} answered {exc.response.status_code} {reason}".rstrip(),
                    "http",
                    host,
                ) from exc
            except httpx.TooManyRedirects as exc:
                raise FetchError(f"{host} redirected too often", "http", host) from exc
            except httpx.TransportError as exc:
                if attempt + 1 < attempts:
                    time.sleep(RETRY_BACKOFF * 2**attempt)
                    continue
                raise FetchError(f"Could not reach {host}", "offline", host) from exc
    raise AssertionError("unreachable")  # pragma: no cover

"""Support for the hostile tests (no tests here): a loopback server that misbehaves on request,
a memory-limited subprocess runner, and the one-sentence check every failure must pass."""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.helpers import loopback_server

ROOT = Path(__file__).resolve().parents[1]

Reply = Callable[[BaseHTTPRequestHandler], None]


def body(data: bytes, status: int = 200, **headers: str) -> Reply:
    """A whole response: status, headers (Content-Length added) and body."""

    def reply(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        for k, v in {"Content-Type": "application/json", **headers}.items():
            h.send_header(k.replace("_", "-"), v)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    return reply


def redirect(location: str) -> Reply:
    def reply(h: BaseHTTPRequestHandler) -> None:
        h.send_response(302)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return reply


def drip(every: float = 0.2, total: int = 10_000) -> Reply:
    """Headers at once, then one byte every `every` seconds: each read succeeds, the download
    never ends (until the client gives up)."""

    def reply(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(total))
        h.end_headers()
        for _ in range(total):
            h.wfile.write(b" ")
            h.wfile.flush()
            time.sleep(every)

    return reply


def silent(seconds: float = 30.0) -> Reply:
    """Headers, then nothing: the client's read must time out."""

    def reply(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "100")
        h.end_headers()
        h.wfile.flush()
        time.sleep(seconds)

    return reply


def gated(gate: threading.Event, data: bytes) -> Reply:
    """The whole body, but only once `gate` is set (a refresh held mid-download)."""

    def reply(h: BaseHTTPRequestHandler) -> None:
        gate.wait(30)
        body(data)(h)

    return reply


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, Reply] = {}

    def do_GET(self):  # noqa: N802 (http.server's name)
        reply = self.routes.get(self.path)
        try:
            if reply is None:
                body(b"Not Found", 404)(self)
            else:
                reply(self)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up, as it should
            pass

    def log_message(self, *args):
        pass


class FaultServer:
    def __init__(self, httpd: ThreadingHTTPServer, handler: type[_Handler]):
        self.handler = handler
        self.base = f"http://127.0.0.1:{httpd.server_address[1]}"

    def route(self, path: str, reply: Reply) -> str:
        self.handler.routes[path] = reply
        return self.base + path


@contextmanager
def fault_server():
    handler = type("Handler", (_Handler,), {"routes": {}})
    with loopback_server(handler, daemon_threads=True) as httpd:  # a stalled reply must not block the exit
        yield FaultServer(httpd, handler)


# ---------------------------------------------------------------- limited subprocesses

_CHILD = """
import resource, sys
from xl_addin.cli import main          # imports first: numpy & co. map their libraries
soft = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (soft, soft))
sys.exit(main(sys.argv[2:]))
"""


def _vm_bytes() -> int:
    """The address space a fresh interpreter with the CLI imported takes (measured, not guessed)."""
    probe = "import xl_addin.cli, pricing.prices.refresh, xl_addin.report, xl_addin.build_cli; " + (
        "print(open('/proc/self/statm').read().split()[0])"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return int(out.stdout) * resource.getpagesize()


def run_limited(argv: list[str], headroom_mb: int = 400, env: dict | None = None):
    """`ft-breakeven argv` in a child whose address space is capped at what the imports take
    plus `headroom_mb` (RLIMIT_AS): an unbounded read dies with MemoryError instead of
    exhausting the machine."""
    soft = _vm_bytes() + headroom_mb * 1024 * 1024
    return subprocess.run(
        [sys.executable, "-c", _CHILD, str(soft), *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def run_with_file_limit(argv: list[str], max_file_bytes: int) -> subprocess.CompletedProcess:
    """`ft-breakeven argv` in a child that may write files of at most `max_file_bytes`
    (RLIMIT_FSIZE): a disk that fills up half-way through a write."""

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))

    return subprocess.run(
        [sys.executable, "-m", "xl_addin.cli", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        preexec_fn=limit,
    )


# ---------------------------------------------------------------- the one rule


def assert_one_sentence(text: str, *fragments: str) -> str:
    """A failure message: one line, no traceback, naming what the test expects."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text and not re.match(r"\w+(Error|Exception)\b", lines[0]), text
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes (what must survive a failure unchanged)."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

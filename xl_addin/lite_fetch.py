"""Price downloads inside xlwings Lite, where Python (Pyodide) has no sockets.

httpx cannot open a connection in the browser, so under Pyodide the refresh's httpx client gets
a transport that asks the browser instead (a synchronous XMLHttpRequest, as
pyodide.http.open_url does). The browser then enforces CORS: the registry must send
Access-Control-Allow-Origin, which raw.githubusercontent.com (the LiteLLM default) does.
Outside Pyodide nothing changes.
"""

from __future__ import annotations

import functools
import sys

import httpx


class BrowserTransport(httpx.BaseTransport):
    """An httpx transport over the browser's XMLHttpRequest (redirects are the browser's)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        from js import XMLHttpRequest  # Pyodide's bridge to the browser

        xhr = XMLHttpRequest.new()
        try:
            xhr.open(request.method, str(request.url), False)  # False: synchronous
            xhr.send(None)
        except Exception as exc:  # network error or blocked by CORS
            raise httpx.ConnectError(str(exc) or "request failed", request=request) from exc
        if xhr.status == 0:  # what a CORS refusal or an offline browser looks like
            raise httpx.ConnectError("the browser refused or could not send the request", request=request)
        body = str(xhr.responseText or "").encode("utf-8")
        return httpx.Response(xhr.status, content=body, request=request)


def in_browser() -> bool:
    return sys.platform == "emscripten"


def use_browser_fetch(force: bool = False) -> bool:
    """Under Pyodide (or with force), make the refresh download through the browser."""
    if not (force or in_browser()):
        return False
    from pricing.prices import fetch as fetch_module
    from pricing.prices import refresh as refresh_module

    # refresh() calls the `fetch` it imported by name; give it one bound to the transport.
    refresh_module.fetch = functools.partial(fetch_module.fetch, transport=BrowserTransport())
    return True

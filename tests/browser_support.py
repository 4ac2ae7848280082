"""Real Chromium for tests: Debian's /usr/bin/chromium driven by Playwright, and a
static file server on 127.0.0.1 that can add response headers (e.g. a strict CSP)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _Handler(http.server.SimpleHTTPRequestHandler):
    extra_headers: Mapping[str, str] = {}

    def end_headers(self) -> None:
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass


@contextlib.contextmanager
def serve_directory(root: Path, headers: Mapping[str, str] | None = None) -> Iterator[str]:
    """Serve ``root`` on a free port of 127.0.0.1; yield the base URL (no trailing slash)."""
    handler = type("Handler", (_Handler,), {"extra_headers": dict(headers or {})})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def launch_chromium(playwright):
    """Launch Debian's Chromium headless (Playwright cannot download its own here)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)

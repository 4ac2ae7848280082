"""The livereload endpoint of the local web app (:mod:`blog.serve.app`).

Pages listen to ``/__livereload/events`` (server-sent events, same origin: the strict
CSP's ``connect-src 'self'`` covers it) through ``/__livereload/client.js``, a static
file the server injects into HTML answers only when it runs for ``invoke livereload``:
the built files never contain it. The hub (:class:`LiveReload`) tells the open pages to
reload after a build, shows a failed build's error on top of the last good page, and
knows which pages are open.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from werkzeug.utils import send_file
from werkzeug.wrappers import Response

LIVE_PREFIX = "/__livereload/"
LIVE_SCRIPT_FILE = Path(__file__).with_name("livereload.js")
# ``v``: the version of the site the page came from, so that a page that connects after
# a newer build (or a restart) reloads at once instead of missing the event.
LIVE_TAG = '<script src="/__livereload/client.js?v={version}" defer></script>'

class LiveReload:
    """The livereload endpoint: pages listen to ``/__livereload/events`` (server-sent events).

    ``version`` changes at every successful build and at every start of the process, so
    a page that reconnects after a restart reloads. :meth:`reloaded` tells every open
    page to reload (or to swap one stylesheet), :meth:`failed` shows the error on top
    of the last good page.
    """

    def __init__(self, keepalive: float = 15.0) -> None:
        self._changed = threading.Condition()
        self._serial = 0
        self._event: tuple[str, str] = ("hello", "")
        self.run_id = uuid.uuid4().hex[:8]
        self.keepalive = keepalive
        self.browsers = 0
        self._pages: dict[str, int] = {}
        self.on_connect: Callable[[int], None] | None = None
        self.closing = False

    @property
    def version(self) -> str:
        return f"{self.run_id}-{self._serial}"

    def _send(self, kind: str, data: dict) -> None:
        with self._changed:
            if kind == "reload":
                self._serial += 1
            self._event = (kind, json.dumps(data | {"version": self.version}))
            self._changed.notify_all()

    def reloaded(self, css: str | None = None) -> None:
        """A new site is live: reload the open pages (only ``css`` when given)."""
        self._send("reload", {"css": css} if css else {})

    def failed(self, message: str) -> None:
        """The build failed: say so on the page, which keeps the last good version."""
        self._send("failed", {"message": message})

    def close(self) -> None:
        with self._changed:
            self.closing = True
            self._changed.notify_all()

    def open_pages(self) -> list[str]:
        """The paths of the pages open in a browser right now (for a build that renders
        them first), most watched first."""
        with self._changed:
            return sorted(self._pages, key=lambda page: -self._pages[page])

    def stream(self, page: str = "") -> Iterator[bytes]:
        """The event stream of one page: hello, then every event until it goes away."""
        with self._changed:
            self.browsers += 1
            self._pages[page] = self._pages.get(page, 0) + 1
            seen = self._event
            hello = json.dumps({"version": self.version})
        if self.on_connect is not None:
            self.on_connect(self.browsers)
        try:
            yield f"retry: 300\nevent: hello\ndata: {hello}\n\n".encode()
            if seen[0] == "failed":
                yield f"event: failed\ndata: {seen[1]}\n\n".encode()
            while not self.closing:
                with self._changed:
                    self._changed.wait_for(
                        lambda seen=seen: self._event is not seen or self.closing,
                        timeout=self.keepalive)
                    current = self._event
                if self.closing:
                    return
                if current is seen:
                    yield b": ping\n\n"  # a closed page shows up as a failed write
                    continue
                seen = current
                yield f"event: {current[0]}\ndata: {current[1]}\n\n".encode()
        finally:
            with self._changed:
                self.browsers -= 1
                self._pages[page] -= 1
                if not self._pages[page]:
                    del self._pages[page]

    def application(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == LIVE_PREFIX + "client.js":
            return send_file(LIVE_SCRIPT_FILE, environ, mimetype="text/javascript",
                             max_age=0)(environ, start_response)
        if path == LIVE_PREFIX + "events":
            from urllib.parse import parse_qs

            page = parse_qs(environ.get("QUERY_STRING", "")).get("page", ["/"])[0]
            response = Response(self.stream(page), mimetype="text/event-stream",
                                headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
            return response(environ, start_response)
        return Response("Non trovato", status=404)(environ, start_response)


def inject_live_script(page: bytes, version: str) -> bytes:
    """Add the livereload ``<script src>`` before ``</head>`` (or at the end)."""
    tag = LIVE_TAG.format(version=version).encode()
    at = page.find(b"</head>")
    return page[:at] + tag + page[at:] if at >= 0 else page + tag

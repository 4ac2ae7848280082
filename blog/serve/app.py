"""The one local web app behind ``serve``, ``reserve``, ``livereload``, ``comments`` and ``check``.

A WSGI application on werkzeug (:func:`app`) that serves a built site the way
deploy/nginx.conf does in production:

- static files, ``/a/`` → ``a/index.html``, ``/a`` → ``a.html`` (as Pelican's own server)
  or a redirect to ``/a/`` when it is a folder, and ``404.html`` with status 404;
- the production security headers of :mod:`blog.headers` (the source of
  deploy/security-headers.conf and ``_headers``) on every response: files, errors,
  redirects, ``/isso/`` and the livereload endpoint alike;
- optionally ``/isso/`` forwarded to a local Isso (:class:`IssoProxy`), its author pages
  under their own policy, ``/isso/login/`` and ``/isso/admin/`` rate-limited per client
  address (:class:`RateLimit`, 429 with an Italian page);
- optionally the livereload endpoint (:mod:`blog.serve.live`): a same-origin
  script, injected into HTML pages only by this server, that listens to server-sent events.

Every request serves from the folder ``site`` resolves to at that moment: when the build
switches ``output`` (a symlink) to a new version in one rename, a request sees either
the old site or the new one, never a half-written page.

:func:`serve` runs the app in a background thread (tests, ``invoke check``);
:func:`listen` binds the port first, with an Italian message when it is taken.
"""

from __future__ import annotations

import contextlib
import errno
import html
import mimetypes
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.middleware.http_proxy import ProxyMiddleware
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.utils import send_file
from werkzeug.wrappers import Response

from blog.headers import SECURITY_HEADERS, author_pages_headers
from blog.serve.live import LIVE_PREFIX, LiveReload, inject_live_script

__all__ = ["IssoProxy", "LiveReload", "PortBusy", "RateLimit", "RunningServer", "SiteApp",
           "app", "listen", "make", "run_site", "serve"]

PREFIX = "/isso"
# Isso's own pages for the author (moderation links, admin) are its templates with inline
# scripts and onclick handlers: deploy/nginx.conf gives them this policy instead of the
# site's (tests/test_csp.py checks the two agree).
AUTHOR_PAGES = re.compile(r"^/isso/(admin/|login/|id/[0-9]+/(activate|delete|edit)/)")
AUTHOR_PAGES_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# What deploy/nginx.conf's author-pages location sets besides the shared headers.
AUTHOR_OWN_HEADERS = {
    "Content-Security-Policy": AUTHOR_PAGES_CSP, "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow", "Cache-Control": "no-store",
}
# Admin login, as nginx's `limit_req zone=… rate=10r/m burst=5 nodelay`: per client
# address, 1 + 5 requests at once, then one more every 6 seconds.
LOGIN_PATHS = ("/isso/login/", "/isso/admin/")
LOGIN_RATE_PER_MINUTE = 10
LOGIN_BURST = 5
TOO_MANY = (
    "<!doctype html><html lang=\"it\"><head><meta charset=\"utf-8\"><title>Troppi tentativi"
    "</title></head><body><main><h1>Troppi tentativi</h1><p>Troppi tentativi di accesso "
    "da questo indirizzo: riprova fra un minuto.</p></main></body></html>"
)
NOT_BUILT_YET = (
    "<!doctype html><html lang=\"it\"><head><meta charset=\"utf-8\"><title>Pagina non "
    "trovata</title></head><body><main><h1>Pagina non trovata</h1><p>Qui non c’è niente"
    "{why}.</p></main></body></html>"
)
TEXT_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css",
              ".wasm": "application/wasm", ".webmanifest": "application/manifest+json",
              ".xml": "application/xml", ".json": "application/json", ".txt": "text/plain",
              ".html": "text/html", ".svg": "image/svg+xml"}


def _mimetype(path: Path) -> str:
    kind = TEXT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    kind = kind or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/xml", "application/json",
                                            "image/svg+xml", "application/manifest+json"):
        kind += "; charset=utf-8"
    return kind


class RateLimit:
    """nginx's ``limit_req`` in miniature: a token bucket per client address."""

    def __init__(self, per_minute: float = LOGIN_RATE_PER_MINUTE, burst: int = LOGIN_BURST,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 60.0 / per_minute
        self.capacity = burst + 1
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        """Take one token of ``client``'s bucket; ``False`` when it is empty."""
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.get(client, (float(self.capacity), now))
            tokens = min(self.capacity, tokens + (now - then) / self.interval)
            if tokens < 1:
                self._buckets[client] = (tokens, now)
                return False
            self._buckets[client] = (tokens - 1, now)
            return True

    def retry_after(self) -> int:
        return max(1, round(self.interval))


@dataclass
class IssoProxy:
    """Where ``/isso/`` goes: a local Isso on ``127.0.0.1:port`` (0: not running yet)."""

    port: int = 0
    limit: RateLimit = field(default_factory=RateLimit)

    def application(self) -> Callable:
        """The WSGI proxy, with the headers deploy/nginx.conf's ``location /isso/`` sets."""
        target = {"target": f"http://127.0.0.1:{self.port}", "host": None,
                  "headers": {"X-Script-Name": PREFIX, "X-Forwarded-Proto": "http"}}
        return ProxyMiddleware(_not_found, {PREFIX + "/": target}, timeout=30)


def _not_found(environ, start_response):  # pragma: no cover - the proxy always matches
    return Response(status=404)(environ, start_response)


class SiteApp:
    """The WSGI application; see the module docstring."""

    def __init__(
        self,
        site: Path,
        *,
        headers: Mapping[str, str] = SECURITY_HEADERS,
        isso: IssoProxy | None = None,
        livereload: LiveReload | None = None,
        no_cache: bool = True,
    ) -> None:
        self.site = Path(site)
        self.headers = dict(headers)
        self.isso = isso
        self.livereload = livereload
        self.no_cache = no_cache

    # -- headers -------------------------------------------------------------------
    def headers_for(self, path: str) -> dict[str, str]:
        """The security headers of a response to ``path`` (Isso's author pages differ)."""
        if AUTHOR_PAGES.match(path):
            return author_pages_headers(self.headers) | AUTHOR_OWN_HEADERS
        return dict(self.headers)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "") or "/"
        extra = self.headers_for(path)

        def with_headers(status, response_headers, exc_info=None):
            # Date and Server come from the HTTP server itself: an upstream's copy (Isso's)
            # would make two, which browsers join into an invalid date (nginx drops it too).
            names = {name.lower() for name in extra} | {"date", "server"}
            kept = [(k, v) for k, v in response_headers if k.lower() not in names]
            return start_response(status, kept + list(extra.items()), exc_info)

        return self._route(environ, path)(environ, with_headers)

    # -- routing -------------------------------------------------------------------
    def _route(self, environ, path: str):
        if self.livereload is not None and path.startswith(LIVE_PREFIX):
            return self.livereload.application
        if path == PREFIX or path.startswith(PREFIX + "/"):
            return self._isso(environ, path)
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return Response("Metodo non consentito", status=405, headers={"Allow": "GET, HEAD"})
        return self._static(environ, path)

    def _isso(self, environ, path: str):
        if self.isso is None or not self.isso.port:
            return _page(404, "Commenti non disponibili", "Qui Isso non gira: i commenti "
                         "si provano con <code>invoke comments</code>.")
        if path.startswith(LOGIN_PATHS):
            client = environ.get("REMOTE_ADDR", "")
            if not self.isso.limit.allow(client):
                response = Response(TOO_MANY, status=429, mimetype="text/html")
                response.headers["Retry-After"] = str(self.isso.limit.retry_after())
                return response
        if path == PREFIX:
            return Response(status=301, headers={"Location": PREFIX + "/"})
        environ["HTTP_X_FORWARDED_FOR"] = environ.get("REMOTE_ADDR", "")
        proxy = self.isso.application()

        def app(environ, start_response):
            try:
                return proxy(environ, start_response)
            except OSError:
                return _page(502, "Commenti non disponibili", "Isso non risponde.")(
                    environ, start_response)
        return app

    def _static(self, environ, path: str):
        from werkzeug.security import safe_join

        root = Path(os.path.realpath(self.site))  # one version of the site per request
        relative = path.lstrip("/")
        found: Path | None = None
        target = safe_join(str(root), relative) if relative else str(root)
        if target is not None:
            candidate = Path(target)
            if candidate.is_dir():
                if not path.endswith("/"):
                    query = environ.get("QUERY_STRING")
                    location = path + "/" + (f"?{query}" if query else "")
                    return Response(status=301, headers={"Location": location})
                candidate = candidate / "index.html"
            elif not candidate.is_file() and not path.endswith("/"):
                candidate = candidate.with_name(candidate.name + ".html")
            if candidate.is_file():
                found = candidate
        if found is None:
            return self._missing(root)
        return self._file(environ, found, 200)

    def _missing(self, root: Path):
        page = root / "404.html"
        if page.is_file():
            return lambda environ, start: self._file(environ, page, 404)(environ, start)
        why = "" if (root / "index.html").is_file() else (
            ": il sito non è ancora stato costruito (esegui <code>invoke build</code>)")
        body = NOT_BUILT_YET.format(why=why).encode()
        if self.livereload is not None:
            body = inject_live_script(body, self.livereload.version)
        return Response(body, status=404, mimetype="text/html")

    def _file(self, environ, path: Path, status: int):
        mimetype = _mimetype(path)
        if self.livereload is not None and path.suffix == ".html":
            version = self.livereload.version  # before reading: never older than the page
            body = inject_live_script(path.read_bytes(), version)
            response = Response(body, status=status, content_type=mimetype)
            response.headers["Cache-Control"] = "no-store"
            return response
        if status != 200:
            return Response(path.read_bytes(), status=status, content_type=mimetype)
        response = send_file(path, environ, max_age=0 if self.no_cache else None)
        response.headers["Content-Type"] = mimetype
        if self.no_cache:
            response.headers["Cache-Control"] = "no-cache"
        return response


def _page(status: int, title: str, text: str) -> Response:
    body = (f"<!doctype html><html lang=\"it\"><head><meta charset=\"utf-8\"><title>"
            f"{html.escape(title)}</title></head><body><main><h1>{html.escape(title)}</h1>"
            f"<p>{text}</p></main></body></html>")
    return Response(body, status=status, mimetype="text/html")


def app(
    site: Path,
    headers: Mapping[str, str] = SECURITY_HEADERS,
    isso: IssoProxy | None = None,
    livereload: LiveReload | None = None,
) -> SiteApp:
    """The local web app for ``site`` (see the module docstring)."""
    return SiteApp(site, headers=headers, isso=isso, livereload=livereload)


# ------------------------------------------------------------------------------ running


class PortBusy(Exception):
    """The port cannot be bound; the message is Italian and says what to do."""


class _Handler(WSGIRequestHandler):
    quiet = True

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if not self.quiet:
            super().log_request(code, size)

    def log_error(self, format: str, *args: object) -> None:
        if not self.quiet:
            super().log_error(format, *args)


def listen(host: str = "127.0.0.1", port: int = 0, *, hint: str = "--port") -> socket.socket:
    """A listening socket on ``host:port`` (0: any free port), or :class:`PortBusy`."""
    try:
        sock = socket.create_server((host, port), reuse_port=False)
    except OSError as exc:
        why = "è già in uso" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
        raise PortBusy(f"Non posso ascoltare su {host}:{port} ({why}): "
                       f"scegli un’altra porta con {hint} {port + 1 if port else 8001}") from None
    return sock


@dataclass
class RunningServer:
    """A werkzeug server of :func:`make`; ``url`` has no trailing slash."""

    server: BaseWSGIServer
    host: str

    @property
    def port(self) -> int:
        return int(self.server.socket.getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def serve_forever(self) -> None:
        self.server.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def make(application, sock: socket.socket, *, quiet: bool = True) -> RunningServer:
    """A threaded werkzeug server for ``application`` on an already listening socket."""
    handler = type("Handler", (_Handler,), {"quiet": quiet})
    host, port = sock.getsockname()[:2]
    server = make_server(host, port, application, threaded=True, request_handler=handler,
                         fd=sock.fileno())
    sock.close()  # werkzeug holds its own duplicate
    return RunningServer(server, host)


@contextlib.contextmanager
def serve(
    site: Path,
    headers: Mapping[str, str] = SECURITY_HEADERS,
    *,
    isso: IssoProxy | None = None,
    livereload: LiveReload | None = None,
    port: int = 0,
    quiet: bool = True,
) -> Iterator[RunningServer]:
    """:func:`app` on ``127.0.0.1:port`` in a background thread, for the ``with`` block."""
    running = make(app(site, headers, isso=isso, livereload=livereload), listen(port=port),
                   quiet=quiet)
    thread = threading.Thread(target=running.serve_forever, daemon=True, name="server")
    thread.start()
    try:
        yield running
    finally:
        if livereload is not None:
            livereload.close()
        running.shutdown()
        thread.join(timeout=5)



def run_site(site: Path, *, host: str = "127.0.0.1", port: int = 8000,
             say: Callable[[str], None] = print) -> None:
    """``invoke serve``: :func:`app` for ``site`` in the foreground until a signal.

    SIGINT, SIGTERM and SIGHUP stop it with one line; :class:`PortBusy` when the port
    is taken.
    """
    from blog.serve.signals import stop_on_signals

    running = make(app(site), listen(host, port), quiet=False)
    if not (Path(site) / "index.html").is_file():
        say(f"Attenzione: {Path(site).name}/ non contiene un sito: esegui prima invoke build.")
    say(f"In ascolto su {running.url}/ (intestazioni di sicurezza di produzione). "
        "Ctrl-C per fermare.")
    try:
        with stop_on_signals():
            running.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        running.server.server_close()
    say("Server fermato.")

"""Isso, the comment server, started from the repository's own configuration.

``isso/isso.cfg`` holds every setting; secrets and per-machine values come from the
environment (``ISSO_*``, see the top of that file). This module

- checks that environment (Isso itself would silently keep a literal ``$VARIABLE``),
- starts the real ``isso`` server on 127.0.0.1 (:class:`IssoServer`),
- serves a built site and proxies ``/isso/`` to Isso on the same origin, as nginx does
  in production (:func:`serve_site`), so that the comment widget, the counts and a
  strict Content-Security-Policy work exactly as they will online.

``invoke comments`` runs both for the author with a local database in
``.cache/isso/``; the browser tests use the same code with a temporary database.
In production run ``python -m buildtools.comments serve`` under the service manager.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.client
import http.server
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "isso" / "isso.cfg"
LOCAL_DB = ROOT / ".cache" / "isso" / "comments.db"
PREFIX = "/isso"

REQUIRED = (
    "ISSO_DBPATH", "ISSO_SITE_URL", "ISSO_PUBLIC_ENDPOINT", "ISSO_LISTEN",
    "ISSO_ADMIN_PASSWORD", "ISSO_HASH_SALT", "ISSO_NOTIFY",
)
SMTP = (
    "ISSO_SMTP_HOST", "ISSO_SMTP_PORT", "ISSO_SMTP_SECURITY", "ISSO_SMTP_USERNAME",
    "ISSO_SMTP_PASSWORD", "ISSO_SMTP_FROM", "ISSO_SMTP_TO",
)
# Isso's stdout notifier prints the author's moderation links.
ACTIVATE_LINE = re.compile(r"Activate comment: (\S+/id/(\d+)/activate/\S+)")
# Isso's own pages for the author (moderation links, admin) are its templates with inline
# scripts and onclick handlers: deploy/nginx.conf gives them this policy instead of the
# site's; the local server does the same (tests/test_csp.py checks the two agree).
AUTHOR_PAGES = re.compile(r"^/isso/(admin/|login/|id/[0-9]+/(activate|delete|edit)/)")
AUTHOR_PAGES_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Hop-by-hop headers never cross a proxy.
HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
    "trailer", "transfer-encoding", "upgrade",
}


class CommentsUnavailable(Exception):
    """Isso could not be started (missing variable, busy port, crash on start)."""


def missing_variables(env: Mapping[str, str]) -> list[str]:
    """The ``ISSO_*`` variables ``isso.cfg`` needs and ``env`` lacks (SMTP ones only
    when ``ISSO_NOTIFY`` asks for mail)."""
    needed = list(REQUIRED)
    if "smtp" in env.get("ISSO_NOTIFY", "").lower():
        needed += SMTP
    return [name for name in needed if not env.get(name)]


def local_environment(
    site_url: str, isso_port: int, database: Path, *, admin_password: str | None = None
) -> dict[str, str]:
    """Variables for a run on this machine: moderation links printed, not mailed.

    The admin password and the hash salt still come from the environment when set;
    otherwise a random password is made for this run (printed by ``invoke comments``).
    """
    site_url = site_url.rstrip("/")
    env = {
        "ISSO_DBPATH": str(database),
        "ISSO_SITE_URL": site_url,
        "ISSO_PUBLIC_ENDPOINT": site_url + PREFIX,
        "ISSO_LISTEN": f"http://127.0.0.1:{isso_port}",
        "ISSO_ADMIN_PASSWORD": admin_password
        or os.environ.get("ISSO_ADMIN_PASSWORD")
        or secrets.token_urlsafe(18),
        "ISSO_HASH_SALT": os.environ.get("ISSO_HASH_SALT") or "salt-locale-non-segreto",
        "ISSO_NOTIFY": "stdout",
    }
    # Unused with stdout notifications, but Isso reads the section: keep it well-formed.
    env |= {name: "" for name in SMTP} | {"ISSO_SMTP_PORT": "587", "ISSO_SMTP_SECURITY": "starttls"}
    return env


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def isso_executable() -> str:
    """The ``isso`` console script installed next to this Python."""
    candidate = Path(sys.executable).with_name("isso")
    return str(candidate) if candidate.exists() else (shutil.which("isso") or "isso")


@dataclass
class IssoServer:
    """The real Isso server as a child process on ``127.0.0.1:port``.

    ``log`` receives Isso's output (the author's moderation links are in it); by
    default it is kept in memory and read with :meth:`output`.
    """

    env: Mapping[str, str]
    config: Path = CONFIG
    log: IO[str] | None = None
    process: subprocess.Popen | None = field(default=None, init=False)
    _lines: list[str] = field(default_factory=list, init=False)
    _changed: threading.Condition = field(default_factory=threading.Condition, init=False)

    @property
    def port(self) -> int:
        return int(self.env["ISSO_LISTEN"].rsplit(":", 1)[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> IssoServer:
        """Start Isso and return once it answers ``/config``."""
        missing = missing_variables(self.env)
        if missing:
            raise CommentsUnavailable(
                "mancano le variabili d’ambiente " + ", ".join(missing)
                + f" (le legge {self.config.relative_to(ROOT)})"
            )
        Path(self.env["ISSO_DBPATH"]).parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [isso_executable(), "-c", str(self.config), "run"],
            env=os.environ | dict(self.env),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, encoding="utf-8", errors="replace",
        )
        threading.Thread(target=self._pump, daemon=True).start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CommentsUnavailable("Isso si è fermato all’avvio:\n" + self.output())
            try:
                with urllib.request.urlopen(self.url + "/config", timeout=2) as resp:
                    if resp.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        self.stop()
        raise CommentsUnavailable("Isso non risponde su " + self.url + ":\n" + self.output())

    def _pump(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            if self.log is not None:
                self.log.write(line)
                self.log.flush()
            with self._changed:
                self._lines.append(line)
                self._changed.notify_all()

    def output(self) -> str:
        """Everything Isso printed so far."""
        with self._changed:
            return "".join(self._lines)

    def activation_links(self) -> dict[int, str]:
        """``{comment id: activation URL}`` printed by Isso for comments held for moderation."""
        return {int(m[2]): m[1] for m in ACTIVATE_LINE.finditer(self.output())}

    def wait_for_activation_link(self, comment_id: int | None = None, timeout: float = 10.0) -> str:
        """The activation link of ``comment_id`` (or of the latest comment) once printed."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                links = {int(m[2]): m[1] for m in ACTIVATE_LINE.finditer("".join(self._lines))}
                if comment_id is None and links:
                    return links[max(links)]
                if comment_id in links:
                    return links[comment_id]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("nessun link di attivazione nel log di Isso")
                self._changed.wait(remaining)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> IssoServer:
        return self.start() if self.process is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files from the built site; ``/isso/…`` forwarded to Isso like nginx does."""

    isso: tuple[str, int] | None = None
    extra_headers: Mapping[str, str] = {}
    quiet = True

    def end_headers(self) -> None:
        author_page = AUTHOR_PAGES.match(self.path) is not None
        for name, value in self.extra_headers.items():
            if author_page and name.lower() == "content-security-policy":
                value = AUTHOR_PAGES_CSP
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        if not self.quiet:
            super().log_message(format, *args)

    def _is_isso(self) -> bool:
        return self.path == PREFIX or self.path.startswith(PREFIX + "/")

    def do_GET(self) -> None:
        if self._is_isso():
            self._proxy()
        else:
            super().do_GET()

    def do_HEAD(self) -> None:
        if self._is_isso():
            self._proxy()
        else:
            super().do_HEAD()

    def do_POST(self) -> None:
        self._proxy_or_405()

    def do_PUT(self) -> None:
        self._proxy_or_405()

    def do_DELETE(self) -> None:
        self._proxy_or_405()

    def do_OPTIONS(self) -> None:
        self._proxy_or_405()

    def _proxy_or_405(self) -> None:
        if self._is_isso():
            self._proxy()
        else:
            self.send_error(405)

    def _proxy(self) -> None:
        if self.isso is None:
            self.send_error(502, "Isso non è in esecuzione")
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {
            name: value for name, value in self.headers.items()
            if name.lower() not in HOP_BY_HOP and name.lower() != "host"
        }
        # The same headers as deploy/nginx.conf's `location /isso/`.
        headers |= {
            "Host": self.headers.get("Host", f"127.0.0.1:{self.server.server_address[1]}"),
            "X-Script-Name": PREFIX,
            "X-Forwarded-For": self.client_address[0],
            "X-Forwarded-Proto": "http",
        }
        upstream = http.client.HTTPConnection(*self.isso, timeout=30)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            payload = response.read()
        except OSError:
            self.send_error(502, "Isso non risponde")
            return
        finally:
            upstream.close()
        self.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP | {"content-length", "date", "server"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


@dataclass
class SiteServer:
    """A running :func:`serve_site`: its base URL and where ``/isso/`` goes."""

    url: str
    server: http.server.ThreadingHTTPServer

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def connect_isso(self, isso_port: int) -> None:
        """Start forwarding ``/isso/`` to Isso on ``127.0.0.1:isso_port``."""
        self.server.RequestHandlerClass.isso = ("127.0.0.1", isso_port)  # type: ignore[attr-defined]


@contextlib.contextmanager
def serve_site(
    site: Path,
    *,
    port: int = 0,
    isso_port: int | None = None,
    headers: Mapping[str, str] | None = None,
    quiet: bool = True,
) -> Iterator[SiteServer]:
    """Serve ``site`` on ``127.0.0.1:port`` (0: any free port) with ``/isso/`` proxied.

    ``headers`` are added to every response, Isso's included (e.g. a CSP), as the
    production server block does; like deploy/nginx.conf, Isso's author pages get
    :data:`AUTHOR_PAGES_CSP` instead of the site's policy.
    """
    handler = type("Handler", (_SiteHandler,), {
        "extra_headers": dict(headers or {}),
        "isso": ("127.0.0.1", isso_port) if isso_port else None,
        "quiet": quiet,
    })
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(handler, directory=str(site))
    )
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield SiteServer(f"http://127.0.0.1:{server.server_address[1]}", server)
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def site_with_comments(
    site: Path,
    database: Path,
    *,
    port: int = 0,
    isso_port: int = 0,
    headers: Mapping[str, str] | None = None,
    log: IO[str] | None = None,
    quiet: bool = True,
) -> Iterator[tuple[SiteServer, IssoServer]]:
    """The built ``site`` and a real Isso on one origin of 127.0.0.1."""
    isso_port = isso_port or free_port()
    with serve_site(site, port=port, isso_port=isso_port, headers=headers, quiet=quiet) as web:
        env = local_environment(web.url, isso_port, database)
        with IssoServer(env, log=log) as isso:
            yield web, isso


def run_for_author(site: Path, port: int = 8000, isso_port: int = 8081) -> int:
    """``invoke comments``: the site and Isso on http://127.0.0.1:port until Ctrl+C."""
    if not (site / "index.html").exists():
        print(f"Manca il sito in {site.name}/: esegui prima `invoke build`.", file=sys.stderr)
        return 1
    password_from_env = bool(os.environ.get("ISSO_ADMIN_PASSWORD"))
    try:
        with site_with_comments(
            site, LOCAL_DB, port=port, isso_port=isso_port, log=sys.stdout, quiet=False
        ) as (web, isso):
            print(
                f"\nSito con i commenti: {web.url}/  (Isso su {isso.url}, "
                f"database {LOCAL_DB.relative_to(ROOT)})\n"
                f"Moderazione: {web.url}{PREFIX}/admin/  password: "
                + ("quella di ISSO_ADMIN_PASSWORD" if password_from_env
                   else isso.env["ISSO_ADMIN_PASSWORD"] + "  (nuova a ogni avvio)")
                + "\nOgni nuovo commento stampa qui sotto il suo link «Activate comment».\n"
                "Ctrl+C per fermare.\n",
                flush=True,
            )
            while isso.process is not None and isso.process.poll() is None:
                time.sleep(0.5)
            print("Isso si è fermato:\n" + isso.output()[-2000:], file=sys.stderr)
            return 1
    except CommentsUnavailable as exc:
        print(f"Commenti non disponibili: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Impossibile usare la porta {port} o {isso_port}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nFermato.")
        return 0


def serve_production() -> int:
    """Start Isso in the foreground from ``isso/isso.cfg`` once the environment is complete."""
    missing = missing_variables(os.environ)
    if missing:
        print("Isso non parte: mancano " + ", ".join(missing), file=sys.stderr)
        return 2
    os.execv(isso_executable(), [isso_executable(), "-c", str(CONFIG), "run"])
    return 0  # pragma: no cover - execv does not return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m buildtools.comments",
        description="Isso per i commenti del blog (configurazione: isso/isso.cfg).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="avvia Isso in produzione (variabili ISSO_* nell’ambiente)")
    sub.add_parser("check", help="controlla che le variabili ISSO_* ci siano tutte")
    args = parser.parse_args(argv)
    if args.command == "check":
        missing = missing_variables(os.environ)
        print("Mancano: " + ", ".join(missing) if missing else "Variabili ISSO_* complete.")
        return 1 if missing else 0
    return serve_production()


if __name__ == "__main__":
    sys.exit(main())

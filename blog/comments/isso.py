"""Isso, the comment server, started from the repository's own configuration.

``isso/isso.cfg`` holds every setting; secrets and per-machine values come from the
environment (``ISSO_*``, see the top of that file). This module

- checks that environment (Isso itself would silently keep a literal ``$VARIABLE``),
- starts the real ``isso`` server on 127.0.0.1 (:class:`IssoServer`),
- serves a built site with the local web app of :mod:`blog.serve.app`, ``/isso/``
  proxied to Isso on the same origin as nginx does in production (:func:`serve_site`):
  the production security headers, Isso's author pages under their own policy and the
  admin login rate-limited, so that the comment widget, the counts and the strict
  Content-Security-Policy work (and fail) exactly as they will online.

``invoke comments`` runs both for the author with the local database
``commenti/comments.db`` (the author's data, outside ``.cache/``: :mod:`.store`; backups
and restore: :mod:`.backup`, :mod:`.restore`); SIGINT, SIGTERM and SIGHUP stop Isso with
it (and on Linux Isso ends with its parent even when that is killed outright). The
browser tests use the same code with a temporary database.
In production run ``python -m blog.comments.isso serve`` under the service manager.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
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

from blog.headers import SECURITY_HEADERS
from blog.paths import COMMENTS_DB, ROOT
from blog.serve.app import (  # noqa: F401 - AUTHOR_PAGES*: deploy/nginx.conf's twins
    AUTHOR_PAGES,
    AUTHOR_PAGES_CSP,
    PREFIX,
    IssoProxy,
    PortBusy,
    RunningServer,
    serve,
)
from blog.serve.signals import stop_on_signals

CONFIG = ROOT / "isso" / "isso.cfg"
LOCAL_DB = COMMENTS_DB

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


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, before exec
    """Linux: the child gets SIGTERM when the thread that started it ends, even by
    SIGKILL, so Isso never outlives ``invoke comments`` on its port."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


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
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
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


@contextlib.contextmanager
def serve_site(
    site: Path,
    *,
    port: int = 0,
    isso_port: int | None = None,
    headers: Mapping[str, str] | None = None,
    quiet: bool = True,
) -> Iterator[RunningServer]:
    """Serve ``site`` on ``127.0.0.1:port`` (0: any free port) with ``/isso/`` proxied.

    The local web app of :mod:`blog.serve.app`: the production security headers
    (``headers`` replaces them, e.g. a test's own policy) on every response, Isso's
    included; Isso's author pages get their own policy and the admin login its rate
    limit, as in deploy/nginx.conf.
    """
    proxy = IssoProxy(port=isso_port or 0)
    with serve(site, SECURITY_HEADERS if headers is None else headers, isso=proxy, port=port,
               quiet=quiet) as web:
        yield web


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
) -> Iterator[tuple[RunningServer, IssoServer]]:
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
    from blog.comments.store import local_database

    password_from_env = bool(os.environ.get("ISSO_ADMIN_PASSWORD"))
    database = local_database()
    try:
        with stop_on_signals(), site_with_comments(
            site, database, port=port, isso_port=isso_port, log=sys.stdout
        ) as (web, isso):
            print(
                f"\nSito con i commenti: {web.url}/  (Isso su {isso.url}, "
                f"database {database.relative_to(ROOT)}; backup: invoke comments-backup)\n"
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
    except PortBusy as exc:
        print(str(exc).replace("--port", "invoke comments --port"), file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl+C, SIGINT, SIGTERM or SIGHUP (stop_on_signals)
        print("\nFermato: Isso è spento.", flush=True)
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
        prog="python -m blog.comments.isso",
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

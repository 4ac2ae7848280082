"""``invoke livereload``: serve the site, rebuild on every change, refresh the browser.

Built on the ``livereload`` package's pieces (its websocket handler, its ``livereload.js``
and its script injector) with our own watcher and build loop, because the package's
own loop is what makes Pelican users' browsers not refresh: it runs the build inside
the server thread (pages hang while Pelican works) and drops any reload that comes
less than 3 s after the previous one.

Here:
- a poller (every 0.25 s) notices changes in ``content/``, ``theme/``, ``kit/``,
  ``plugins/`` and ``pelicanconf.py`` and waits until the files are quiet (editors
  save in several steps);
- the build is the staged build of ``invoke build`` (Pelican in a child process) in a
  worker thread, so the last good site keeps being served meanwhile; the search index
  is carried over and refreshed right after the reload (see :class:`SiteBuilder`);
- success: the browser reloads (a stylesheet-only change is swapped in place);
  failure: the error is printed, nothing is swapped, the browser keeps the last good
  page; the next save retries;
- the kit is rebuilt by the kit plugin only when ``kit/`` changed (its own cache);
- pages are sent with the production security headers (minus HSTS and the https
  upgrade), so a CSP problem shows up while writing, not after publishing. The only
  addition to the HTML is ``<script src="/livereload.js">``, same origin, so the CSP
  needs no exception for it.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WATCHED = ("content", "theme", "kit", "plugins", "pelicanconf.py")
POLL_SECONDS = 0.25
IGNORED_SUFFIXES = (".swp", ".swx", ".swo", ".tmp", ".pyc", "~")
IGNORED_DIRS = {"__pycache__", ".git", ".ipynb_checkpoints", "node_modules"}
LIVE_SCRIPT = b'<script src="/livereload.js" defer></script>'
# Served while no build has succeeded yet: it carries the reload script, so the page
# turns into the site by itself as soon as the author fixes the error.
NOT_BUILT_YET = (
    "<!doctype html><html lang=\"it\"><head><meta charset=\"utf-8\">"
    "<title>Sito non ancora costruito</title></head><body><main>"
    "<h1>Il sito non è ancora stato costruito</h1><p>La build è fallita: l’errore è nel "
    "terminale dove gira <code>invoke livereload</code>. Correggi il file e salva: questa "
    "pagina si aggiornerà da sola.</p></main></body></html>"
).encode()

Snapshot = dict[str, tuple[int, int]]


def _ignored(name: str) -> bool:
    return (name.startswith(".#") or name.endswith(IGNORED_SUFFIXES) or name == "4913"
            or (name.startswith(".") and name.endswith(".tmp")))


def snapshot(paths: Iterable[Path]) -> Snapshot:
    """``{path: (mtime_ns, size)}`` of every watched file (editor droppings ignored)."""
    found: Snapshot = {}
    stack = [p for p in paths if p.exists()]
    while stack:
        path = stack.pop()
        if path.is_file():
            if not _ignored(path.name):
                stat = path.stat()
                found[str(path)] = (stat.st_mtime_ns, stat.st_size)
            continue
        try:
            entries = list(os.scandir(path))
        except OSError:
            continue
        for entry in entries:
            if entry.name in IGNORED_DIRS:
                continue
            try:
                if entry.is_dir(follow_symlinks=True):
                    stack.append(Path(entry.path))
                elif not _ignored(entry.name):
                    stat = entry.stat()
                    found[entry.path] = (stat.st_mtime_ns, stat.st_size)
            except OSError:
                continue
    return found


def changed_paths(before: Snapshot, after: Snapshot) -> list[str]:
    """Files added, removed or modified between two snapshots, sorted."""
    keys = before.keys() | after.keys()
    return sorted(k for k in keys if before.get(k) != after.get(k))


@dataclass
class BuildOutcome:
    """One rebuild: did it work, how long, what to tell the browser."""

    ok: bool
    seconds: float
    reason: list[str]
    summary: str = ""
    error: str = ""


@dataclass
class RebuildLoop:
    """Watch, debounce, build in a worker thread, report; independent of the web server.

    ``on_built`` runs (in the worker thread) after every build with its outcome;
    ``when_idle`` (optional) after a successful build when no other change is waiting.
    """

    build: Callable[[list[str]], BuildOutcome]
    watch: list[Path]
    on_built: Callable[[BuildOutcome], None]
    when_idle: Callable[[], None] | None = None
    quiet_seconds: float = 0.15
    _snapshot: Snapshot = field(default_factory=dict)
    _pending: list[str] = field(default_factory=list)
    _last_change: float = 0.0
    _running: Future | None = None
    _executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="build"))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    builds: int = 0
    failures: int = 0

    def __post_init__(self) -> None:
        self._snapshot = snapshot(self.watch)

    def poll(self) -> None:
        """Called every ``POLL_SECONDS``: note changes; start a build once things are quiet."""
        now = time.monotonic()
        current = snapshot(self.watch)
        changes = changed_paths(self._snapshot, current)
        self._snapshot = current
        with self._lock:
            if changes:
                self._pending.extend(c for c in changes if c not in self._pending)
                self._last_change = now
                return
            busy = self._running is not None and not self._running.done()
            if not self._pending or busy or now - self._last_change < self.quiet_seconds:
                return
            reason, self._pending = self._pending, []
            self._running = self._executor.submit(self._build, reason)

    def _build(self, reason: list[str]) -> BuildOutcome:
        outcome = self.build(reason)
        self.builds += 1
        if not outcome.ok:
            self.failures += 1
        self.on_built(outcome)
        with self._lock:
            idle = not self._pending
        if outcome.ok and idle and self.when_idle is not None:
            self.when_idle()
        return outcome

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def _file_digest(path: Path) -> bytes | None:
    import hashlib

    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        return None


class SiteBuilder:
    """The rebuild function of ``invoke livereload``: the staged build of ``invoke build``.

    The first build indexes the site with Pagefind like ``invoke build``. Later rebuilds
    carry the previous search index over (hard links) so that the page reloads without
    waiting for Pagefind (about 2 ms a page); :meth:`refresh_search` then rebuilds the
    index beside the live site and swaps it in, when no other change is waiting.
    """

    def __init__(self, settings: Path, output: Path, *, drafts: bool = False,
                 root: Path = ROOT, say: Callable[[str], None] = print) -> None:
        self.settings = settings
        self.output = output.resolve()
        self.root = root
        self.say = say
        self.env: dict[str, str | None] = {"DELEGA_SHOW_DRAFTS": "1" if drafts else None}
        self.search_stale = False
        self.stopping = False  # set by DevServer on Ctrl-C: quiet about killed children

    def _kit_digest(self) -> bytes | None:
        folder = self.output / "kit"
        pdfs = sorted(folder.glob("*.pdf")) if folder.is_dir() else []
        return _file_digest(pdfs[0]) if pdfs else None

    def _carry_search_over(self, staging: Path) -> None:
        previous = self.output / "pagefind"
        if previous.is_dir():
            shutil.copytree(previous, staging / "pagefind", copy_function=os.link)
            self.search_stale = True
        else:
            self._index(staging)

    def _index(self, site: Path) -> None:
        from buildtools.search_index import index_site

        index_site(site)
        self.search_stale = False

    def __call__(self, reason: list[str]) -> BuildOutcome:
        from buildtools.report import seconds_it
        from buildtools.search_index import IndexFailed
        from buildtools.staging import BuildFailed, staged_build

        shown = ", ".join(_short(p, self.root) for p in reason[:3])
        if len(reason) > 3:
            shown += f" e altri {len(reason) - 3}"
        self.say(f"Modifica: {shown} → ricostruisco…" if reason else "Prima build del sito…")
        if any(Path(p).is_relative_to(self.root / "kit") for p in reason):
            self.say("      kit/ è cambiato: il PDF si ricompone (qualche secondo)…")
        kit_before = self._kit_digest()
        search = self._carry_search_over if reason else self._index
        began = time.perf_counter()
        try:
            summary = staged_build(self.settings, self.output, post_steps=[search], env=self.env)
        except (BuildFailed, IndexFailed) as exc:
            seconds = time.perf_counter() - began
            message = (f"Build fallita ({exc}), {seconds_it(seconds)}: continuo a servire "
                       "l’ultima versione riuscita. Correggi il file e salva: riprovo da solo.")
            self.say(message)
            return BuildOutcome(False, seconds, reason, error=message)
        seconds = time.perf_counter() - began
        kit_after = self._kit_digest()
        kit_note = ("kit rigenerato" if kit_before is not None and kit_after != kit_before
                    else "kit invariato")
        line = summary.line("Sito aggiornato" if reason else "Sito pronto") + f" ({kit_note})"
        self.say(line)
        return BuildOutcome(True, seconds, reason, summary=line)

    def refresh_search(self) -> None:
        """Index the live site beside it and swap the new ``pagefind/`` in."""
        from buildtools.report import seconds_it
        from buildtools.search_index import IndexFailed

        if not self.search_stale or not (self.output / "index.html").is_file():
            return
        began = time.perf_counter()
        side = Path(tempfile.mkdtemp(prefix=f".{self.output.name}.ricerca-",
                                     dir=self.output.parent))
        try:
            pages = 0
            for page in self.output.rglob("*.html"):
                rel = page.relative_to(self.output)
                if rel.parts[0] == "pagefind":
                    continue
                (side / rel).parent.mkdir(parents=True, exist_ok=True)
                os.link(page, side / rel)
                pages += 1
            self._index(side)
            live, trash = self.output / "pagefind", side / "pagefind-vecchio"
            if live.exists():
                os.replace(live, trash)
            os.replace(side / "pagefind", live)
        except (IndexFailed, OSError) as exc:
            if not self.stopping:
                self.say(f"Indice di ricerca non aggiornato ({exc}): resta quello precedente.")
            return
        finally:
            shutil.rmtree(side, ignore_errors=True)
        self.say(f"Indice di ricerca aggiornato ({pages} pagine, "
                 f"{seconds_it(time.perf_counter() - began)})")


def make_site_builder(
    settings: Path,
    output: Path,
    *,
    drafts: bool = False,
    root: Path = ROOT,
    say: Callable[[str], None] = print,
) -> SiteBuilder:
    """The rebuild function for :class:`DevServer` (see :class:`SiteBuilder`)."""
    return SiteBuilder(settings, output, drafts=drafts, root=root, say=say)


def _short(path: str, root: Path) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path


def reload_path(reason: list[str]) -> str:
    """What livereload.js should refresh: a stylesheet in place, else the whole page."""
    if reason and all(p.endswith(".css") and "/theme/" in p for p in reason):
        return Path(reason[0]).name
    return "*"


class PortBusy(Exception):
    """The port cannot be bound; the message is Italian."""


class DevServer:
    """The livereload web server around a :class:`RebuildLoop`."""

    def __init__(
        self,
        output: Path,
        builder: Callable[[list[str]], BuildOutcome],
        *,
        watch: Iterable[Path] = tuple(ROOT / name for name in WATCHED),
        host: str = "127.0.0.1",
        port: int = 8000,
        say: Callable[[str], None] = print,
    ) -> None:
        self.output = output
        self.host = host
        self.requested_port = port
        self.port = port
        self.say = say
        self.builder = builder
        self.watch = list(watch)
        self.loop: RebuildLoop | None = None
        self.ioloop = None
        self.browsers = 0

    def _application(self, extra_headers: Mapping[str, str]):
        from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
        from livereload.server import LiveScriptInjector
        from tornado import web

        server = self

        class _Watcher:  # livereload's handler logs ``watcher.filepath``
            filepath: str | None = None

        class Reload(LiveReloadHandler):
            def on_message(self, message: str) -> None:
                was = len(LiveReloadHandler.waiters)
                super().on_message(message)
                if len(LiveReloadHandler.waiters) > was:
                    server.browsers += 1
                    server.say(f"Browser collegato ({len(LiveReloadHandler.waiters)} aperti)")

        LiveReloadHandler.watcher = _Watcher()  # type: ignore[assignment]
        LiveReloadHandler.live_css = True
        LiveReloadHandler._last_reload_time = time.time()

        class Static(web.StaticFileHandler):
            def set_default_headers(self) -> None:
                for name, value in extra_headers.items():
                    self.set_header(name, value)
                self.set_header("Cache-Control", "no-store")

            def compute_etag(self) -> str | None:
                return None

            def should_return_304(self) -> bool:
                return False

            def write_error(self, status_code: int, **kwargs: object) -> None:
                page = server.output / "404.html"
                if status_code == 404:
                    self.set_header("Content-Type", "text/html; charset=utf-8")
                    self.finish(page.read_bytes() if page.is_file() else NOT_BUILT_YET)
                    return
                super().write_error(status_code, **kwargs)

        class Inject(LiveScriptInjector):
            script = LIVE_SCRIPT

        return web.Application(
            [
                (r"/livereload", Reload),
                (r"/livereload.js", LiveReloadJSHandler),
                (r"/(.*)", Static, {"path": str(self.output), "default_filename": "index.html"}),
            ],
            transforms=[Inject],
        )

    def reload_browsers(self, path: str = "*") -> None:
        """Tell every connected page to reload (call from the server's thread)."""
        from livereload.handlers import LiveReloadHandler

        LiveReloadHandler.reload_waiters(path)

    def _built(self, outcome: BuildOutcome) -> None:
        if outcome.ok and self.ioloop is not None:
            self.ioloop.add_callback(self.reload_browsers, reload_path(outcome.reason))

    def run(self, initial_build: bool = True, ready: Callable[[str], None] | None = None) -> None:
        """Build once, listen, then poll and rebuild until Ctrl-C."""
        import logging

        from tornado import httpserver, netutil
        from tornado.ioloop import IOLoop, PeriodicCallback

        from buildtools.headers import development_headers
        from buildtools.report import plural, seconds_it

        logging.getLogger("livereload").setLevel(logging.WARNING)
        logging.getLogger("tornado.access").setLevel(logging.WARNING)
        try:  # the port first: no point building for a server that cannot start
            sockets = netutil.bind_sockets(self.requested_port, address=self.host)
        except OSError as exc:
            why = "è già in uso" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise PortBusy(
                f"Non posso ascoltare su {self.host}:{self.requested_port} ({why}): "
                f"prova invoke livereload --port {self.requested_port + 1}"
            ) from None
        self.port = sockets[0].getsockname()[1]
        if initial_build:
            first = self.builder([])
            if not first.ok and not (self.output / "index.html").is_file():
                self.say("Non c’è ancora una versione riuscita da servire: correggi l’errore "
                         "qui sopra e salva, la pagina arriverà da sola.")
        url = f"http://{self.host}:{self.port}/"
        headers = development_headers(connect=(f"ws://{self.host}:{self.port}",))
        self.ioloop = IOLoop.current()
        http = httpserver.HTTPServer(self._application(headers))
        http.add_sockets(sockets)
        self.loop = RebuildLoop(build=self.builder, watch=self.watch, on_built=self._built,
                                when_idle=getattr(self.builder, "refresh_search", None))
        poller = PeriodicCallback(self.loop.poll, POLL_SECONDS * 1000)
        poller.start()
        watched = ", ".join(_short(str(p), ROOT) + ("/" if p.is_dir() else "") for p in self.watch)
        self.say(f"In ascolto su {url} — guardo {watched}. Ctrl-C per fermare.")
        if ready is not None:
            ready(url)
        began = time.perf_counter()
        try:
            self.ioloop.start()
        except KeyboardInterrupt:
            pass
        finally:
            if hasattr(self.builder, "stopping"):
                self.builder.stopping = True
            poller.stop()
            self.loop.shutdown()
            http.stop()
            failures = f" ({self.loop.failures} fallite)" if self.loop.failures else ""
            self.say(f"livereload fermato dopo {seconds_it(time.perf_counter() - began)}: "
                     f"{plural(self.loop.builds, 'ricostruzione', 'ricostruzioni')}{failures}")

    def stop(self) -> None:
        """Stop from another thread (tests, benchmarks)."""
        if self.ioloop is not None:
            self.ioloop.add_callback(self.ioloop.stop)

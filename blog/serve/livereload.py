"""``invoke livereload``: one long-running process that serves, watches, rebuilds, reloads.

- The port is bound first (an Italian message when it is taken), the site is built
  once, then :mod:`blog.serve.app`'s app serves it with the production security
  headers and the livereload endpoint (server-sent events and a same-origin script,
  injected into the pages by the server only: the built files stay clean and the
  strict CSP needs no exception).
- :mod:`blog.serve.watch` reports changes in ``content/``, ``theme/``, ``kit/``,
  ``plugins/`` and the settings files (``watchfiles``), after a check that no symbolic
  link there leads out of the project.
- A content, theme or kit change is rebuilt in a worker thread by the build engine,
  which keeps the last site in memory between builds (:mod:`blog.build.preview`) and
  updates the live version in place (a ``Purpose.LIVERELOAD`` plan): only the pages
  whose keys changed are rendered (``plugins/render_memo``), into a staging folder, and
  moved in one rename each once the whole build succeeded; what the build no longer
  makes is removed. The server keeps sending the last good site meanwhile, a request
  never sees a half-written page, and a failed build changes nothing.
- Instant preview: when the saved file is the source of a page open in a browser, that
  page is rendered first from the site in memory, swapped into the live version (one
  rename) and reloaded, in a fraction of a second at any site size; the full rebuild
  follows and reloads the open pages again only if it changed them. Success: the open
  pages reload (a theme stylesheet with a plain name is swapped in place); failure: the
  terminal and the page say which file and why, the page stays on the last good
  version, the next save retries.
- Search: right after a preview, the index part holding the previewed page is redone
  in a worker process on the other core while the rebuild runs; after the rebuild a
  check (only the pages that changed are read again) finds it up to date, or redoes
  the parts that changed. The terminal says «Indice di ricerca aggiornato».
- A change to a plugin or a settings file cannot be rebuilt in the same process (the
  modules are imported): the process restarts itself with ``exec``, keeping its
  listening socket, so the address and the open pages stay; they reload once the
  restarted process has built the site.
- SIGINT, SIGTERM and SIGHUP stop it with one summary line.
"""

from __future__ import annotations

import gc
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blog.paths import ROOT
from blog.serve.app import LiveReload, PortBusy, RunningServer, app, listen, make
from blog.serve.signals import stop_on_signals
from blog.serve.watch import (
    WATCHED_DIRS,
    BuildOutcome,
    Rebuilder,
    Watcher,
    needs_restart,
    short_path,
)

# The listening socket's descriptor and the reason, across a restart (exec).
SOCKET_ENV = "DELEGA_LIVERELOAD_FD"
RESTART_ENV = "DELEGA_LIVERELOAD_RIAVVIO"

__all__ = ["BuildOutcome", "LiveSession", "PortBusy", "UnsafeLinks", "needs_restart",
           "reload_css"]


class UnsafeLinks(Exception):
    """A symbolic link in a watched folder leads out of the project or round a loop:
    the watcher would follow it (all of a home folder, forever). The message is Italian."""


def check_links(root: Path, dirs: Iterable[str] = WATCHED_DIRS) -> None:
    """Raise :class:`UnsafeLinks` naming every link the build would refuse too."""
    from blog.build.settings import local_plugin

    guard = local_plugin("symlink_guard")
    found = guard.unsafe_links([root / d for d in dirs if (root / d).is_dir()], root)
    if found:
        lines = "\n".join(f"  {short_path(link, root)}: {reason}" for link, reason in found)
        raise UnsafeLinks("Non guardo le cartelle del sito: contengono collegamenti simbolici "
                          f"che la build rifiuta. Toglili e riavvia invoke livereload:\n{lines}")


def reload_css(paths: Iterable[str]) -> str | None:
    """The stylesheet to swap in place when only theme stylesheets changed, else ``None``."""
    paths = list(paths)
    if paths and all(p.endswith(".css") and "/theme/" in p for p in paths):
        return Path(paths[0]).name
    return None


class SiteBuilder:
    """The rebuild function: the build engine of ``invoke build``, kept for the session.

    The first build indexes the site with Pagefind like ``invoke build``. Later rebuilds
    update the live version in place (a ``Purpose.LIVERELOAD`` plan: only the changed
    pages are written, no new version folder) and leave its search index as it is, so
    that the page reloads without waiting for Pagefind; :meth:`refresh_search` then
    re-indexes the live version in a thread of its own (the next rebuild does not wait
    for it) and swaps the new index in. The parts of the index whose pages did not
    change are linked, not indexed again (:mod:`blog.build.search`): after an
    edit, Pagefind reads one part.
    """

    def __init__(self, settings: Path, output: Path, *, drafts: bool = False,
                 say: Callable[[str], None] = print) -> None:
        from blog.build.engine import Engine
        from blog.build.plan import Plan, Purpose

        self.output = output.absolute()
        self.say = say
        self.engine = Engine(say=say, keep_site=True)
        self.first_plan = Plan(settings, self.output, drafts=drafts, force=True)
        self.update_plan = Plan(settings, self.output, Purpose.LIVERELOAD, drafts=drafts)
        self.stopping = False
        # Set by LiveSession: the pages open in a browser, and "reload them now".
        self.open_pages: Callable[[], list[str]] = list
        self.reload_now: Callable[[], None] = lambda: None
        # Changes to the live site so far (builds, previews), and the one its search
        # index was made from; the pages' digests, kept for the next pass.
        self._generation = 0
        self._indexed = -1
        self._announced = -1  # the last index said to be up to date
        self._digests: dict = {}
        self._untidy = False  # a build left older versions, or no staging folder yet
        self._building = False
        self._pool: Any = None  # the search worker process (_search_pool)
        self._search_lock = threading.Lock()
        self._refreshing = False  # a refresh thread runs (read and set under the lock)

    def _live(self) -> Path:
        return Path(os.path.realpath(self.output))

    def _kit_digest(self) -> bytes | None:
        import hashlib

        folder = self._live() / "kit"
        pdfs = sorted(folder.glob("*.pdf")) if folder.is_dir() else []
        return hashlib.sha256(pdfs[0].read_bytes()).digest() if pdfs else None

    def preview(self, reason: list[str], open_pages: list[str]) -> list[str]:
        """Render first the open pages whose sources changed, from the site in memory,
        straight into the live version; their addresses (none: the rebuild decides)."""
        from blog.build.preview import publish

        site = self.engine.site
        if site is None or not open_pages:
            return []
        shown = []
        for path in reason:
            if site.url_of(path) not in open_pages:
                continue
            rendered = site.render(path)
            if rendered is not None:
                publish(rendered, self._live())
                shown.append(rendered)
        # The render memo sees these files changed (size, time) and renders them again.
        return [page.url for page in shown]

    def _open_files(self, pages: list[str]) -> dict[str, bytes | None]:
        live = self._live()
        found: dict[str, bytes | None] = {}
        for page in pages:
            path = live / page.lstrip("/")
            path = path / "index.html" if page.endswith("/") else path
            try:
                found[page] = path.read_bytes()
            except OSError:
                found[page] = None
        return found

    def __call__(self, reason: list[str]) -> BuildOutcome:
        """Build after the changes in ``reason`` (none: the first build)."""
        self._building = True  # until the session has said how it went (refresh_search)
        # No cyclic garbage collection while rebuilding: with the last site held in
        # memory, each full collection walks it again (~0.25 s of a rebuild at 1,000
        # posts). The search thread collects once the author has the page (_refresh).
        if not reason:  # the first build: nothing kept yet, and a cold build's garbage
            return self._rebuild(reason)
        gc.disable()
        try:
            return self._rebuild(reason)
        finally:
            gc.enable()

    def _rebuild(self, reason: list[str]) -> BuildOutcome:
        from blog.build.errors import BuildError
        from blog.report import seconds_it

        previewed: list[str] = []
        if reason:
            began = time.perf_counter()
            previewed = self.preview(reason, self.open_pages())
            if previewed:
                self.reload_now()
                self.say(f"Anteprima di {', '.join(previewed)} in "
                         f"{seconds_it(time.perf_counter() - began)}: aggiorno il resto…")
                # The previewed page is live: its part of the search index is redone on
                # the other core while the rest of the site is rebuilt on this one.
                with self._search_lock:
                    self._generation += 1
                self.refresh_search(idle=False)
        pages = self.open_pages() if previewed else []
        before = self._open_files(pages)
        kit_before = self._kit_digest()
        in_place = bool(reason) and (self._live() / "index.html").is_file()
        began = time.perf_counter()
        try:
            # The live version's search index stays until refresh_search redoes it; the
            # versions a full build leaves go after the reload, in the search thread.
            result = self.engine.build(self.update_plan if reason else self.first_plan)
        except BuildError as exc:
            return BuildOutcome(False, time.perf_counter() - began, reason, error=str(exc))
        with self._search_lock:
            self._generation += 1
            self._untidy = True
            if not in_place:
                # Indexed by the build (which said so); the search worker still reads
                # it once while idle, so that the next pass only looks at what changed.
                self._announced = self._generation
        kit_after = self._kit_digest()
        kit_note = ("kit rigenerato" if kit_before is not None and kit_after != kit_before
                    else "kit invariato")
        line = result.summary("Sito aggiornato" if reason else "Sito pronto") + f" ({kit_note})"
        # After a preview, reload again only if the full build changed an open page.
        reload = not previewed or self._open_files(pages) != before
        return BuildOutcome(True, result.seconds, reason, summary=line, reload=reload)

    @property
    def search_stale(self) -> bool:
        """The live site changed since its search index was made."""
        return self._indexed != self._generation

    def refresh_search(self, *, idle: bool = True) -> None:
        """Bring the live site's search index up to date in a thread of its own (one at a
        time), and remove what the rebuilds left when no build runs. ``idle``: called by
        the session once a build is over and said (else: by the build, beside it)."""
        with self._search_lock:
            if idle:
                self._building = False
            # Made beside the rebuild and not said yet: say it now, after the summary.
            owed = (idle and not self._refreshing and not self.search_stale
                    and self._announced != self._indexed)
            if owed:
                self._announced = self._indexed
        if owed:
            self.say("Indice di ricerca aggiornato insieme al sito")
        with self._search_lock:
            if self._refreshing or not (self.search_stale or self._untidy):
                return
            self._refreshing = True
        threading.Thread(target=self._refresh, daemon=True, name="search").start()

    def _refresh(self) -> None:
        # Again while the site changed during the last pass; the check and the end of
        # the thread are one step, so a build that ends meanwhile is never missed.
        while True:
            # Not while a build runs: the search goes on beside it, on the other core.
            tidied = self.engine.tidy(self.output, wait=False)
            with self._search_lock:
                self._untidy = self._untidy and not tidied
                done = not self.search_stale or self.stopping
            if done:
                gc.collect()  # what the last rebuild left (see __call__), while idle
                with self._search_lock:
                    if not self.search_stale or self.stopping:
                        self._refreshing = False
                        return
            if not self._refresh_once():
                with self._search_lock:
                    self._refreshing = False
                return

    def _search_pool(self) -> Any:
        """One worker process for the search passes, started on first use: Pagefind's
        bookkeeping (walking, hashing, mirroring pages) done in a thread of this process
        slowed the rebuild it runs beside by a third (one interpreter lock)."""
        if self.stopping:
            raise OSError("livereload si sta fermando")
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("forkserver"))
        return self._pool

    def close(self) -> None:
        """Stop the search worker (after the pass under way)."""
        self.stopping = True
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _refresh_once(self) -> bool:
        from blog.build.search import IndexFailed, refresh
        from blog.paths import CACHE
        from blog.report import seconds_it

        live = self._live()
        if not (live / "index.html").is_file():
            return False
        with self._search_lock:
            generation = self._generation
        began = time.perf_counter()
        work = self.first_plan.settings_file.resolve().parent / CACHE.name / "livereload"
        work.mkdir(parents=True, exist_ok=True)
        side = Path(tempfile.mkdtemp(prefix="ricerca-", dir=work))
        try:
            # Straight from the live version: a page an update replaces meanwhile makes
            # that part's digest stale, and the next pass (a newer generation) redoes it.
            current = live / "pagefind"
            made, self._digests = self._search_pool().submit(
                refresh, live, side / "pagefind", self._digests).result()
            with self._search_lock:
                if not made:
                    if self._live() != live:
                        return True  # a full build made a new version meanwhile: index it
                    if current.exists():
                        os.replace(current, side / "pagefind-vecchio")
                    os.replace(side / "pagefind", current)
                self._indexed = generation
                superseded = self._generation != generation
        except (IndexFailed, OSError) as exc:
            if self._live() != live:
                return True  # a newer version went live (and this one away): index that
            if not self.stopping:
                self.say(f"Indice di ricerca non aggiornato ({exc}): resta quello precedente.")
            return False
        finally:
            shutil.rmtree(side, ignore_errors=True)
        # Quiet when the site changed meanwhile (the next pass follows) or is changing
        # (the preview's pass, beside the rebuild: the pass after it speaks).
        with self._search_lock:
            quiet = superseded or self._building or self._announced == generation
            if not quiet:
                self._announced = generation
        if not quiet:
            self.say(f"Indice di ricerca aggiornato in {seconds_it(time.perf_counter() - began)}")
        return True


def make_site_builder(settings: Path, output: Path, *, drafts: bool = False,
                      say: Callable[[str], None] = print, **_: object) -> SiteBuilder:
    """The rebuild function of :class:`LiveSession`."""
    return SiteBuilder(settings, output, drafts=drafts, say=say)


@dataclass
class LiveSession:
    """The ``invoke livereload`` process (see the module docstring)."""

    output: Path
    builder: Callable[[list[str]], BuildOutcome]
    host: str = "127.0.0.1"
    port: int = 8000
    root: Path = ROOT
    say: Callable[[str], None] = print
    hub: LiveReload = field(default_factory=LiveReload)
    restart_reason: str = ""
    _restart: threading.Event = field(default_factory=threading.Event)
    _running: RunningServer | None = None

    def __post_init__(self) -> None:
        # Builds, the search refresh and the server print from their own threads: one
        # line at a time, never two glued together.
        lock, say = threading.Lock(), self.say

        def one_line_at_a_time(line: str) -> None:
            with lock:
                say(line)

        self.say = one_line_at_a_time
        for owner in (self.builder, getattr(self.builder, "engine", None)):
            if owner is not None and hasattr(owner, "say"):
                owner.say = one_line_at_a_time
        if hasattr(self.builder, "open_pages"):
            self.builder.open_pages = self.hub.open_pages
            self.builder.reload_now = self.hub.reloaded

    def _socket(self) -> socket.socket:
        inherited = os.environ.pop(SOCKET_ENV, None)
        if inherited is not None:
            sock = socket.socket(fileno=int(inherited))
            sock.set_inheritable(False)
            return sock
        return listen(self.host, self.port)

    def _changed(self, paths: set[str]) -> None:
        restart = sorted(p for p in paths if needs_restart(p, self.root))
        if restart:
            self.restart_reason = ", ".join(short_path(p, self.root) for p in restart)
            self._restart.set()
        elif not self._restart.is_set():
            self.rebuilder.submit(paths)

    def _build(self, reason: list[str]) -> BuildOutcome:
        from blog.report import seconds_it

        if reason:
            shown = ", ".join(short_path(p, self.root) for p in reason[:3])
            if len(reason) > 3:
                shown += f" e altri {len(reason) - 3}"
            self.say(f"Modifica: {shown} → ricostruisco…")
            if any(Path(p).is_relative_to(self.root / "kit") for p in reason):
                self.say("      kit/ è cambiato: il PDF si ricompone (qualche secondo)…")
        else:
            self.say("Prima build del sito…")
        outcome = self.builder(reason)
        if outcome.ok:
            self.say(outcome.summary)
        else:
            message = (f"Build fallita ({outcome.error}), {seconds_it(outcome.seconds)}: "
                       "continuo a servire l’ultima versione riuscita. Correggi il file e "
                       "salva: riprovo da solo.")
            self.say(message)
        return outcome

    def _built(self, outcome: BuildOutcome) -> None:
        if outcome.ok:
            if outcome.reload:
                self.hub.reloaded(reload_css(outcome.reason))
        else:
            self.hub.failed(outcome.error)

    def _serve(self, sock: socket.socket, watcher: Watcher) -> None:
        """The first build, then the server and the rebuilder, until a restart is due."""
        # Watch before the first build reads anything: no save falls between the two.
        watcher.start()
        first = self._build([])
        if not first.ok:
            self.hub.failed(first.error)
            if not (self.output / "index.html").is_file():
                self.say("Non c’è ancora una versione riuscita da servire: correggi "
                         "l’errore qui sopra e salva, la pagina arriverà da sola.")
        self.hub.on_connect = lambda n: self.say(
            f"Browser collegato ({n} {'aperto' if n == 1 else 'aperti'})")
        running = make(app(self.output, livereload=self.hub), sock, quiet=True)
        self._running = running  # for run(): shut down after the cleanup
        threading.Thread(target=running.serve_forever, daemon=True, name="server").start()
        self.rebuilder.start()
        watched = ", ".join(f"{d}/" for d in WATCHED_DIRS if (self.root / d).is_dir())
        self.say(f"In ascolto su {running.url}/ — guardo {watched} e le impostazioni. "
                 "Ctrl-C per fermare.")
        while not self._restart.wait(0.5):
            pass

    def run(self) -> int:
        """Serve and rebuild until a signal; restart in place when needed."""
        from blog.report import plural, seconds_it

        check_links(self.root)  # before the port, the build and the watcher
        sock = self._socket()  # PortBusy before any build
        restarted = os.environ.pop(RESTART_ENV, "")
        if restarted:
            self.say(f"Riavviato ({restarted} è cambiato): ricarico impostazioni e plugin.")

        began = time.perf_counter()
        self.rebuilder = Rebuilder(self._build, self._built,
                                   when_idle=getattr(self.builder, "refresh_search", None))
        watcher = Watcher(self.root, self._changed)
        try:
            with stop_on_signals():  # the previous handlers are back before the cleanup
                self._serve(sock, watcher)
        except KeyboardInterrupt:
            self._restart.clear()
        finally:
            if hasattr(self.builder, "stopping"):
                self.builder.stopping = True
            if hasattr(self.builder, "close"):
                self.builder.close()
            watcher.stop()
            self.rebuilder.close()
            self.hub.close()
        running = self._running
        if self._restart.is_set() and running is not None:
            self._reexec(running)
        if running is not None:
            running.shutdown()
        else:
            sock.close()
        failed = self.rebuilder.failures
        failures = f" ({failed} {'fallita' if failed == 1 else 'fallite'})" if failed else ""
        self.say(f"livereload fermato dopo {seconds_it(time.perf_counter() - began)}: "
                 f"{plural(self.rebuilder.builds, 'ricostruzione', 'ricostruzioni')}{failures}")
        return 0

    def _reexec(self, running: RunningServer) -> None:
        """Start this same command again in this process, on the same socket."""
        self.say(f"{self.restart_reason} è cambiato: riavvio livereload…")
        # Stop accepting but keep listening (werkzeug closes its socket on shutdown: a
        # duplicate keeps it open): from now on a browser's request waits in the queue
        # for the new process instead of being cut by exec.
        fd = os.dup(running.server.socket.fileno())
        running.server.shutdown()
        time.sleep(0.3)  # let the answers already under way finish
        os.set_inheritable(fd, True)
        env = os.environ | {SOCKET_ENV: str(fd), RESTART_ENV: self.restart_reason}
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)

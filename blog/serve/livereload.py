"""``invoke livereload``: serve the site and bring it up to date at every save, in one loop.

The port is bound first (an Italian message when it is taken), the watcher started
(:mod:`.watch`), the site built once in full with its search index, then served by
:mod:`.app` with the production security headers and the livereload endpoint
(:mod:`.live`: injected by the server only, the built files stay clean). Then, in the
main thread, for every batch of saved changes (:meth:`LiveSession.update`):

1. preview: each open page whose source changed is rendered from the last good site
   in memory (:mod:`blog.build.preview`), swapped into the live version (one rename)
   and reloaded, in a fraction of a second at any site size;
2. update the rest: the build engine's livereload plan updates the live version in
   place (only the pages whose keys changed are rendered, into a staging folder, and
   moved in once the whole build succeeded); a failed build changes nothing, the
   terminal and the open pages say which file and why, the next save retries;
3. reload the open pages if the update changed them (a theme stylesheet with a plain
   name is swapped in place), before the search: a page never waits for the index
   (after a template edit every part is redone, 2.6 s at 1,000 posts);
4. search: the previewed page's part of the index is redone in the worker process
   (:mod:`.live_search`) as soon as the page is live, beside the update; after it, one
   more pass redoes what the update changed, and the terminal says «Indice di
   ricerca aggiornato»;
5. tidy: older versions go, the staging folder is made ready for the next update, and
   the garbage of steps 1 and 2 is collected (the collector pauses during them).

A change to a plugin or a settings file cannot be taken in by this process (they are
imported once): it starts itself again with ``exec``, keeping its listening socket, so
the address and the open pages stay; they reload once the new process has built the
site (as Hugo reloads its configuration and Vite restarts on its own: the author is
not asked to restart). SIGINT, SIGTERM and SIGHUP stop it at once with one summary line (a build cut
short leaves the last good site, as a failed one does).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor
from pathlib import Path

from blog.build.engine import Engine
from blog.build.errors import BuildError
from blog.build.plan import Plan, Purpose
from blog.build.preview import swap_in
from blog.paths import CACHE, ROOT
from blog.report import plural, seconds_it
from blog.serve.app import LiveReload, PortBusy, RunningServer, app, listen, make
from blog.serve.live_search import LiveSearch, failure_line
from blog.serve.signals import stop_on_signals
from blog.serve.watch import (
    WATCHED_DIRS,
    UnsafeLinks,
    Watcher,
    needs_restart,
    refuse_unsafe_links,
    short_path,
)

# The listening socket's descriptor and the reason, across a restart (exec).
SOCKET_ENV = "DELEGA_LIVERELOAD_FD"
RESTART_ENV = "DELEGA_LIVERELOAD_RIAVVIO"

__all__ = ["LiveSession", "PortBusy", "UnsafeLinks", "reload_css"]

Say = Callable[[str], None]


def reload_css(paths: list[str]) -> str | None:
    """The stylesheet to swap in place when only theme stylesheets changed, else ``None``."""
    if paths and all(p.endswith(".css") and "/theme/" in p for p in paths):
        return Path(paths[0]).name
    return None


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """No cyclic garbage collection during steps 1 and 2: with the last site held in
    memory, the full collections an update triggers walk it again, ~0.2 s of a 1.9 s
    update at 1,000 posts (measured with ``gc.callbacks``); step 5 collects once."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _one_line_at_a_time(say: Say) -> Say:
    """``say`` for several threads (the loop, the server's «Browser collegato»)."""
    lock = threading.Lock()

    def said(line: str) -> None:
        with lock:
            say(line)
    return said


class LiveSession:
    """The ``invoke livereload`` process (see the module docstring)."""

    def __init__(self, settings: Path, output: Path, *, drafts: bool = False,
                 host: str = "127.0.0.1", port: int = 8000, root: Path = ROOT,
                 say: Say = print) -> None:
        self.output = output.absolute()
        self.host, self.port, self.root = host, port, root
        self.say = _one_line_at_a_time(say)
        # The last good site stays in memory (engine.site) for the previews.
        self.engine = Engine(say=self.say, keep_site=True)
        self.first_plan = Plan(settings, self.output, drafts=drafts, force=True)
        self.update_plan = Plan(settings, self.output, Purpose.LIVERELOAD, drafts=drafts)
        self.hub = LiveReload()
        self.hub.on_connect = lambda n: self.say(
            f"Browser collegato ({n} {'aperto' if n == 1 else 'aperti'})")
        self.watcher = Watcher(root)
        self.search = LiveSearch(self.output, settings.resolve().parent / CACHE.name
                                 / "livereload")

    def run(self) -> int:
        """Serve and update until a signal; start again in place when a restart is due."""
        refuse_unsafe_links(self.root)  # before the port, the build and the watcher
        sock = self._socket()  # PortBusy before any build
        restarted = os.environ.pop(RESTART_ENV, "")
        if restarted:
            self.say(f"Riavviato ({restarted} è cambiato): ricarico impostazioni e plugin.")
        began = time.perf_counter()
        running: RunningServer | None = None
        updates = failures = 0
        restart = ""
        try:
            with stop_on_signals():  # the previous handlers are back before the cleanup
                self.watcher.start()  # before the first build reads anything
                self._first_build()
                running = self._serve(sock)
                for changed in self.watcher.batches():
                    restart = ", ".join(short_path(p, self.root) for p in changed
                                        if needs_restart(p, self.root))
                    if restart:
                        break
                    built = self.update(changed)
                    updates, failures = updates + 1, failures + (not built)
        except KeyboardInterrupt:
            restart = ""
        finally:
            self.search.close()
            self.watcher.stop()
            self.hub.close()
        if restart and running is not None:
            self._reexec(running, restart)
        if running is not None:
            running.shutdown()
        else:
            sock.close()
        failed = f" ({failures} {'fallita' if failures == 1 else 'fallite'})" if failures else ""
        self.say(f"livereload fermato dopo {seconds_it(time.perf_counter() - began)}: "
                 f"{plural(updates, 'ricostruzione', 'ricostruzioni')}{failed}")
        return 0

    def update(self, changed: list[str]) -> bool:
        """One batch of saved changes, steps 1 to 5; False when the build failed."""
        self._announce(changed)
        began = time.perf_counter()
        with _cyclic_gc_paused():
            shown = self._preview(changed)  # 1
            if shown:
                self.hub.reloaded()
                self.say(f"Anteprima di {', '.join(shown)} in "
                         f"{seconds_it(time.perf_counter() - began)}: aggiorno il resto…")
                self.search.start()  # 4, early: the previewed page's part, beside step 2
            open_pages = self.hub.open_pages() if shown else []
            before = self._read(open_pages)
            built = self._build(self.update_plan, "Sito aggiornato")  # 2
        if built:
            if not shown or self._read(open_pages) != before:  # 3
                self.hub.reloaded(reload_css(changed))
            self._catch_up_search()  # 4
        self.engine.tidy(self.output, wait=False)  # 5
        gc.collect()  # what steps 1 and 2 left, once the author has the page
        return built

    def _announce(self, changed: list[str]) -> None:
        shown = ", ".join(short_path(p, self.root) for p in changed[:3])
        if len(changed) > 3:
            shown += f" e altri {len(changed) - 3}"
        self.say(f"Modifica: {shown} → ricostruisco…")
        if any(Path(p).is_relative_to(self.root / "kit") for p in changed):
            self.say("      kit/ è cambiato: il PDF si ricompone (qualche secondo)…")

    def _preview(self, changed: list[str]) -> list[str]:
        """Step 1: the open pages whose sources changed, from the site in memory, swapped
        into the live version; their addresses (none: the update decides)."""
        site, open_pages = self.engine.site, self.hub.open_pages()
        if site is None or not open_pages:
            return []
        live = self._live()
        shown = []
        for path in changed:
            if site.url_of(path) in open_pages and (rendered := site.render(path)):
                swap_in(rendered, live)  # the render memo sees it changed: rendered again
                shown.append(rendered.url)
        return shown

    def _build(self, plan: Plan, label: str) -> bool:
        """Run ``plan`` and say how it went (on the open pages too when it failed)."""
        kit = self._kit_digest()
        began = time.perf_counter()
        try:
            result = self.engine.build(plan)
        except BuildError as exc:
            self.say(f"Build fallita ({exc}), {seconds_it(time.perf_counter() - began)}: "
                     "continuo a servire l’ultima versione riuscita. Correggi il file e "
                     "salva: riprovo da solo.")
            self.hub.failed(str(exc))
            return False
        kit_note = ("kit rigenerato" if kit is not None and self._kit_digest() != kit
                    else "kit invariato")
        self.say(result.summary(label) + f" ({kit_note})")
        return True

    def _catch_up_search(self) -> None:
        """Step 4 after the update: one more pass (after the early one, if any)."""
        from blog.build.search import IndexFailed

        began = time.perf_counter()
        try:
            made = self.search.start().result()
        except (IndexFailed, OSError, BrokenExecutor) as exc:
            self.say(failure_line(exc, self.root, self.output))
            return
        self.say(f"Indice di ricerca aggiornato in {seconds_it(time.perf_counter() - began)}"
                 if made else "Indice di ricerca aggiornato insieme al sito")

    def _first_build(self) -> None:
        self.say("Prima build del sito…")
        if self._build(self.first_plan, "Sito pronto"):
            # Indexed by the build; the worker reads its pages once while the author has
            # not saved yet, so that each later pass reads only the pages that changed.
            self.search.start()
            self.engine.tidy(self.output, wait=False)
        elif not (self.output / "index.html").is_file():
            self.say("Non c’è ancora una versione riuscita da servire: correggi "
                     "l’errore qui sopra e salva, la pagina arriverà da sola.")

    def _serve(self, sock: socket.socket) -> RunningServer:
        running = make(app(self.output, livereload=self.hub), sock, quiet=True)
        threading.Thread(target=running.serve_forever, daemon=True, name="server").start()
        watched = ", ".join(f"{d}/" for d in WATCHED_DIRS if (self.root / d).is_dir())
        self.say(f"In ascolto su {running.url}/ — guardo {watched} e le impostazioni. "
                 "Ctrl-C per fermare.")
        return running

    def _live(self) -> Path:
        return Path(os.path.realpath(self.output))

    def _read(self, pages: list[str]) -> dict[str, bytes | None]:
        """The live files of ``pages`` (addresses), to tell whether an update changed them."""
        found: dict[str, bytes | None] = {}
        for page in pages:
            path = self._live() / page.lstrip("/")
            try:
                found[page] = (path / "index.html" if page.endswith("/") else path).read_bytes()
            except OSError:
                found[page] = None
        return found

    def _kit_digest(self) -> bytes | None:
        folder = self._live() / "kit"
        pdfs = sorted(folder.glob("*.pdf")) if folder.is_dir() else []
        return hashlib.sha256(pdfs[0].read_bytes()).digest() if pdfs else None

    def _socket(self) -> socket.socket:
        inherited = os.environ.pop(SOCKET_ENV, None)
        if inherited is None:
            return listen(self.host, self.port)
        sock = socket.socket(fileno=int(inherited))
        sock.set_inheritable(False)
        return sock

    def _reexec(self, running: RunningServer, reason: str) -> None:
        """Start this same command again in this process, on the same socket."""
        self.say(f"{reason} è cambiato: riavvio livereload…")
        # Stop accepting but keep listening (werkzeug closes its socket on shutdown: a
        # duplicate keeps it open): from now on a browser's request waits in the queue
        # for the new process instead of being cut by exec.
        fd = os.dup(running.server.socket.fileno())
        running.server.shutdown()
        time.sleep(0.3)  # let the answers already under way finish
        os.set_inheritable(fd, True)
        env = os.environ | {SOCKET_ENV: str(fd), RESTART_ENV: reason}
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)

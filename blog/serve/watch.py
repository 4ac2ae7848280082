"""What ``invoke livereload`` watches: ``watchfiles`` on the sources, the changes handed
to the loop in batches.

- :func:`refuse_unsafe_links`: before anything is watched, no symbolic link in the
  watched folders may lead out of the project (``watchfiles`` would follow it);
- :class:`Watcher`: ``content/``, ``theme/``, ``kit/``, ``plugins/`` recursively and the
  project folder itself non-recursively (its settings files only), so that an editor that
  saves by writing a new file and renaming it over the old one is seen too;
  :meth:`Watcher.batches` gives every change waiting as one batch: the changes saved
  while a batch is built make the next one;
- :func:`needs_restart`: the changes a running process cannot take in (plugin code,
  settings: they are imported once).
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from blog.paths import ROOT

WATCHED_DIRS = ("content", "theme", "kit", "plugins")
SETTINGS_FILES = ("pelicanconf.py", "publishconf.py")


class UnsafeLinks(Exception):
    """A symbolic link in a watched folder leads out of the project or round a loop:
    the watcher would follow it (all of a home folder, forever). The message is Italian."""


def short_path(path: str | Path, root: Path) -> str:
    """``path`` relative to ``root`` for the author's terminal, as given when outside."""
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return str(path)


def refuse_unsafe_links(root: Path, dirs: Iterable[str] = WATCHED_DIRS) -> None:
    """Raise :class:`UnsafeLinks` naming every link the build would refuse too."""
    from blog.build.settings import local_plugin

    guard = local_plugin("symlink_guard")
    found = guard.unsafe_links([root / d for d in dirs if (root / d).is_dir()], root)
    if found:
        lines = "\n".join(f"  {short_path(link, root)}: {reason}" for link, reason in found)
        raise UnsafeLinks("Non guardo le cartelle del sito: contengono collegamenti simbolici "
                          f"che la build rifiuta. Toglili e riavvia invoke livereload:\n{lines}")


def needs_restart(path: str | Path, root: Path = ROOT) -> bool:
    """A change the running process cannot take in: a plugin's code or a settings file."""
    path = Path(path)
    if path.parent == root:
        return path.name in SETTINGS_FILES
    return path.is_relative_to(root / "plugins") and path.suffix == ".py"


def _watch_filter(root: Path):
    from watchfiles import DefaultFilter

    default = DefaultFilter()

    def accept(change, path: str) -> bool:
        if not default(change, path):
            return False
        name = os.path.basename(path)
        if name.startswith(".#") or name.endswith((".tmp", ".swx", "~")) or name == "4913":
            return False
        parent = os.path.dirname(path)
        return parent != str(root) or name in SETTINGS_FILES
    return accept


class Watcher:
    """Two ``watchfiles`` watches (the folders recursively, the project folder not), in
    threads of their own from :meth:`start` to :meth:`stop`, feeding :meth:`batches`."""

    def __init__(self, root: Path, dirs: Iterable[str] = WATCHED_DIRS) -> None:
        self.root = root
        self.dirs = [root / d for d in dirs if (root / d).is_dir()]
        self._changes: queue.SimpleQueue[set[str]] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(paths, recursive),
                                          daemon=True, name="watch")
                         for paths, recursive in ((self.dirs, True), ([root], False)) if paths]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def batches(self) -> Iterator[list[str]]:
        """Wait for changes; then every changed path waiting, sorted, as one batch."""
        while True:
            changed = self._changes.get()
            while not self._changes.empty():
                changed |= self._changes.get()
            yield sorted(changed)

    def _run(self, paths: list[Path], recursive: bool) -> None:
        from watchfiles import watch

        for changes in watch(*paths, watch_filter=_watch_filter(self.root), recursive=recursive,
                             stop_event=self._stop, step=50, debounce=1600,
                             raise_interrupt=False):
            self._changes.put({path for _, path in changes})

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout=2)

"""What ``invoke livereload`` watches and how it rebuilds: ``watchfiles`` on the sources,
one worker thread that takes every change waiting and builds once.

- :class:`Watcher`: ``content/``, ``theme/``, ``kit/``, ``plugins/`` recursively and the
  project folder itself non-recursively (its settings files only), so that an editor that
  saves by writing a new file and renaming it over the old one is seen too;
- :func:`needs_restart`: the changes a running process cannot take in (plugin code,
  settings: they are imported once);
- :class:`Rebuilder`: the build worker; a build never runs twice at once, and the changes
  that arrive meanwhile make the next one.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from blog.paths import ROOT

WATCHED_DIRS = ("content", "theme", "kit", "plugins")
SETTINGS_FILES = ("pelicanconf.py", "publishconf.py")


@dataclass
class BuildOutcome:
    """One rebuild: did it work, how long, what to say."""

    ok: bool
    seconds: float
    reason: list[str]
    summary: str = ""
    error: str = ""
    # False when no open page changed (an instant preview already showed the edit).
    reload: bool = True


def short_path(path: str | Path, root: Path) -> str:
    """``path`` relative to ``root`` for the author's terminal, as given when outside."""
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return str(path)


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
    """Two ``watchfiles`` watches (the folders recursively, the project folder not)
    feeding ``on_change`` with the changed paths, until :meth:`stop`."""

    def __init__(self, root: Path, on_change: Callable[[set[str]], None],
                 dirs: Iterable[str] = WATCHED_DIRS) -> None:
        self.root = root
        self.on_change = on_change
        self.dirs = [root / d for d in dirs if (root / d).is_dir()]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for paths, recursive in ((self.dirs, True), ([self.root], False)):
            if paths:
                thread = threading.Thread(target=self._run, args=(paths, recursive),
                                          daemon=True, name="watch")
                thread.start()
                self._threads.append(thread)

    def _run(self, paths: list[Path], recursive: bool) -> None:
        from watchfiles import watch

        for changes in watch(*paths, watch_filter=_watch_filter(self.root), recursive=recursive,
                             stop_event=self._stop, step=50, debounce=1600,
                             raise_interrupt=False):
            self.on_change({path for _, path in changes})

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)


class Rebuilder:
    """One worker thread: takes every change waiting, builds once, reports; repeats."""

    def __init__(self, build: Callable[[list[str]], BuildOutcome],
                 on_built: Callable[[BuildOutcome], None],
                 when_idle: Callable[[], None] | None = None) -> None:
        self.build = build
        self.on_built = on_built
        self.when_idle = when_idle
        self.builds = 0
        self.failures = 0
        self._pending: list[str] = []
        self._wake = threading.Condition()
        self._closing = False
        self._busy = False
        self._thread = threading.Thread(target=self._run, daemon=True, name="build")

    def start(self) -> None:
        self._thread.start()

    def submit(self, paths: Iterable[str]) -> None:
        with self._wake:
            self._pending.extend(p for p in sorted(paths) if p not in self._pending)
            self._wake.notify_all()

    def _run(self) -> None:
        while True:
            with self._wake:
                self._wake.wait_for(lambda: self._pending or self._closing)
                if self._closing:
                    return
                reason, self._pending = self._pending, []
                self._busy = True
            try:
                outcome = self.build(reason)
                self.builds += 1
                self.failures += not outcome.ok
                self.on_built(outcome)
                with self._wake:
                    idle = not self._pending
                if outcome.ok and idle and self.when_idle is not None:
                    self.when_idle()
            finally:
                with self._wake:
                    self._busy = False
                    self._wake.notify_all()

    def close(self, timeout: float = 300) -> None:
        """Stop after the build under way (if any) has finished."""
        with self._wake:
            self._closing = True
            self._wake.notify_all()
            self._wake.wait_for(lambda: not self._busy, timeout=timeout)

"""Who may touch a build's files at the same time, with ``flock(2)`` (released by the
kernel when a process dies, so a killed build never leaves a lock behind):

- one build of an output at a time: the versions folder's ``.lock``, exclusive
  (:func:`blog.build.outputs.locked`);
- builds share the project's caches and ``invoke clean`` removes them: every build holds
  the ``.cache`` folder itself shared, ``clean`` holds it exclusive
  (:func:`caches_in_use`, :func:`caches_exclusive`).

Whoever has to wait says so once («Aspetto che finisca un’altra build…»). A lock's file
removed while someone waited for it (``clean`` removes the versions folder and
``.cache``) is noticed after the wait: the waiter locks the new one instead, so two
builds can never hold two different files.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

Say = Callable[[str], None]


def _open(path: Path, folder: bool) -> int:
    if folder:
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            path.unlink()  # a file where the folder goes (the build says nothing more)
        path.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except IsADirectoryError:  # a folder where the lock file goes: it is only a lock
        shutil.rmtree(path)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)


def _still_there(fd: int, path: Path) -> bool:
    try:
        mine, now = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (mine.st_dev, mine.st_ino) == (now.st_dev, now.st_ino)


@contextlib.contextmanager
def hold(path: Path, *, folder: bool = False, shared: bool = False, wait: bool = True,
         say: Say | None = None, waiting: str = "") -> Iterator[None]:
    """Hold the lock of ``path`` (a file, or with ``folder`` a folder) for the block.
    ``wait=False``: raise :class:`BlockingIOError` at once when someone holds it;
    else ``say(waiting)`` once, then wait."""
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    while True:
        fd = _open(path, folder)
        try:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
            except BlockingIOError:
                if not wait:
                    raise
                if say is not None and waiting:
                    say(waiting)
                    waiting = ""
                fcntl.flock(fd, mode)
            if _still_there(fd, path):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # removed while waiting: lock the one that replaced it
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def caches_in_use(root: Path, say: Say | None = None) -> contextlib.AbstractContextManager:
    """A build's hold on the project's caches (``.cache``), shared with other builds."""
    return hold(root / ".cache", folder=True, shared=True, say=say,
                waiting="Aspetto che invoke clean finisca di pulire .cache/…")


def caches_exclusive(root: Path, say: Say | None = None) -> contextlib.AbstractContextManager:
    """``invoke clean``'s hold on ``.cache``: no build is running meanwhile."""
    return hold(root / ".cache", folder=True, say=say,
                waiting="Aspetto che finiscano le build in corso (poi pulisco)…")

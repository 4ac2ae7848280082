"""Disk chores: whether a folder's disk is full (the question to ask when a tool that
does not check its writes, Pagefind exits 0 on a full disk, leaves files short), and
removing what is in the way of a cache file or folder."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from pathlib import Path

FULL = (errno.ENOSPC, errno.EDQUOT)


def raise_if_full(folder: Path, size: int = 1 << 20) -> None:
    """Raise ``OSError`` ENOSPC (or EDQUOT) when ``size`` bytes cannot be written in
    ``folder``; return quietly otherwise (or when the folder cannot be written at all:
    the caller's own error says more)."""
    probe = folder / f".spazio-{os.getpid()}"
    try:
        with open(probe, "wb") as handle:
            handle.write(b"\0" * size)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        if exc.errno in FULL:
            raise OSError(exc.errno, os.strerror(exc.errno), str(folder)) from None
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


def remove(path: Path) -> None:
    """Remove ``path``, a folder with all it holds or a file (a symlink itself, never
    what it points at); nothing when it is not there. Raise ``OSError`` otherwise."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        pass

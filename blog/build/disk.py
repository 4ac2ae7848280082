"""Whether a folder's disk is full: the question to ask when a tool that does not check
its writes (Pagefind exits 0 on a full disk) leaves files short."""

from __future__ import annotations

import contextlib
import errno
import os
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

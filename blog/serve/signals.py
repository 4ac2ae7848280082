"""Stop a foreground server the same way on Ctrl+C, SIGTERM and SIGHUP.

Python turns SIGINT into ``KeyboardInterrupt`` only when the process did not start
with SIGINT ignored; a background job of a non-interactive shell (and some CI runners
and process managers) does start that way, and then Ctrl+C or ``kill -INT`` did
nothing. :func:`stop_on_signals` installs one handler for all three signals, so the
servers' ``finally`` blocks (stopping Isso, the watcher, the search worker) always run.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class StopRequested(KeyboardInterrupt):
    """One of :data:`STOP_SIGNALS` arrived: stop like Ctrl+C (its name in ``args``)."""


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Raise :class:`StopRequested` in the main thread on SIGINT, SIGTERM or SIGHUP while
    inside; the previous handlers come back on the way out."""
    def stop(signum: int, frame: object) -> None:
        raise StopRequested(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

"""New cards drawn by worker processes, on every core but one, while Pelican renders the
pages on that one (a card is ~7 ms of CPU: 1,000 new cards would add seconds to a cold
build on the building thread).

The workers are forked from multiprocessing's fork server (a small process with no
threads), never from the build itself: the build may run inside livereload, whose server,
watcher and search threads a fork would copy mid-step (a lock one of them holds stays held
in the child for ever). Such a worker does not know this plugin (Pelican imports it from
``PLUGIN_PATHS``): each first imports it the same way under the same name
(``pelican_adapter.local_plugins.worker_pool``).
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from .card import Card, Painter, render

# Below this many new cards a pool costs more than it saves: a worker takes ~0.2 s of CPU
# to start (this plugin, Pillow), about what drawing 24 cards takes.
POOL_THRESHOLD = 24


def draw_batch(jobs: list[tuple[Card, str]]) -> int:
    """Draw ``(card, cache path)`` pairs with one painter; return how many."""
    painter = Painter()
    for card, path in jobs:
        render(card, Path(path), painter=painter)
    return len(jobs)


class Drawing:
    """Cards being drawn, by worker processes when there are many, else at :meth:`wait`."""

    def __init__(self, jobs: list[tuple[Card, str]], pool: ProcessPoolExecutor | None = None,
                 futures: list[Future] | None = None) -> None:
        self.jobs = jobs
        self.pool = pool
        self.futures = futures or []

    @classmethod
    def start(cls, missing: dict[Path, Card], workers: int | None = None) -> Drawing:
        """Start drawing ``{cache path: card}`` on ``workers`` processes (default: every
        core, at most 8)."""
        # Absolute: the fork server's workers keep the folder it was started in.
        jobs = [(card, os.path.abspath(path)) for path, card in missing.items()]
        if len(jobs) < POOL_THRESHOLD:
            return cls(jobs)
        # Imported here: a worker imports this module, and pelican_adapter imports Pelican.
        from pelican_adapter.local_plugins import worker_pool

        workers = workers or min(os.cpu_count() or 1, 8)
        pool = worker_pool(__package__, workers)
        chunks = [jobs[n::workers] for n in range(workers)]
        return cls(jobs, pool, [pool.submit(draw_batch, chunk) for chunk in chunks])

    def wait(self) -> None:
        """Every card drawn (a worker's error is raised here)."""
        if self.pool is None:
            draw_batch(self.jobs)
            return
        try:
            for future in self.futures:
                future.result()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)

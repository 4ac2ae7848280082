"""New variants made by worker processes on every core, while Pelican renders the pages.

As for the social cards (``og_image/drawing.py``), the workers come from
multiprocessing's fork server (a small process with no threads), never from a fork of
the build, which may run inside livereload's threads; each first imports this plugin
under the name Pelican gave it (``pelican_adapter.local_plugins.worker_pool``).

A photo is ~0.9 s of one core (four widths, three formats), so work is shared by
photo; when there are fewer photos than twice the workers, a photo's widths go to
different workers (each decodes it, ~50 ms) so that one new photo in an edit build
uses both cores.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from .encode import Job, make_all

# Below this many pixels to encode, a worker costs more than it saves (measured when a
# worker's ~0.25 s of CPU to start included Pelican's ~0.2 s): ~1.5 million pixels is a
# 736 px and a 368 px width of one photo.
POOL_PIXELS = 1_500_000

Result = tuple[str, list[tuple[str, int]], str]


def _pixels(jobs: list[Job]) -> int:
    return sum(width * height for _, variants in jobs for width, height, *_ in variants)


def _split(jobs: list[Job], workers: int) -> list[Job]:
    """One job per photo; with few photos, one per photo and width."""
    if len(jobs) >= 2 * workers:
        return jobs
    parts: list[Job] = []
    for source, variants in jobs:
        by_width: dict[int, list] = {}
        for variant in variants:
            by_width.setdefault(variant[0], []).append(variant)
        parts.extend((source, group) for group in by_width.values())
    return parts


class Encoding:
    """Variants being made: by worker processes when there is enough work, else in the
    build at :meth:`wait`."""

    def __init__(self, jobs: list[Job], cache: Path, pool: ProcessPoolExecutor | None = None,
                 futures: list[Future] | None = None) -> None:
        self.jobs = jobs
        self.cache = cache
        self.pool = pool
        self.futures = futures or []

    @classmethod
    def start(cls, jobs: list[Job], cache: Path, workers: int | None = None) -> Encoding:
        """Start making ``jobs`` (default: on every core, at most 8)."""
        cache = cache.absolute()  # the fork server's workers keep its working folder
        if _pixels(jobs) < POOL_PIXELS:
            return cls(jobs, cache)
        workers = workers or min(os.cpu_count() or 1, 8)
        # Imported here: a worker imports this package, and pelican_adapter imports Pelican.
        from pelican_adapter.local_plugins import worker_pool

        parts = _split(jobs, workers)
        # The biggest first, dealt round: the workers finish together.
        parts.sort(key=lambda job: -_pixels([job]))
        workers = min(workers, len(parts))
        shares = [parts[n::workers] for n in range(workers)]
        pool = worker_pool(__package__, workers)
        futures = [pool.submit(make_all, share, str(cache)) for share in shares]
        return cls(jobs, cache, pool, futures)

    def wait(self) -> list[Result]:
        """Every variant made; one result per job part (errors in Italian, not raised)."""
        if self.pool is None:
            return make_all(self.jobs, str(self.cache))
        results: list[Result] = []
        try:
            for future in self.futures:
                results.extend(future.result())
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)
        return results

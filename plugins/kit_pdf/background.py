"""The kit rendered by a worker process while Pelican reads the posts.

A render is a few seconds of WeasyPrint: on the other core it costs the build little.
The worker is forked from multiprocessing's fork server (a small process with no
threads), never from the build itself: the build may run inside livereload, whose server,
watcher and search threads a fork would copy mid-step (a lock one of them holds stays held
in the child for ever). Such a worker does not know this plugin (Pelican imports it from
``PLUGIN_PATHS``): before its first task it runs ``worker_init.py``, which imports it the
same way under the same name.
"""

from __future__ import annotations

import multiprocessing
import runpy
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .builder import KitInfo, build_kit
from .site import SiteInfo

# Measured on a 2-core machine, a 3-page kit through KitGenerator, fresh process each:
# ready after 1.04 s forked, 1.11 s from the fork server, 1.24 s spawned. The fork server
# (started once per process, shared with every other pool: 45-85 ms of the building
# thread) forks workers that need not start an interpreter nor import ``__main__`` again.
START_METHOD = "forkserver"
PACKAGE = Path(__file__).resolve().parent
WORKER_INIT = PACKAGE / "worker_init.py"


def worker_pool(workers: int = 1) -> ProcessPoolExecutor:
    """A pool of ``workers`` fresh processes that can run this plugin's functions."""
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context(START_METHOD),
        initializer=runpy.run_path,
        initargs=(str(WORKER_INIT), {"PLUGIN_NAME": __package__,
                                     "PLUGIN_FOLDER": str(PACKAGE.parent)}),
    )


class Rendering:
    """One kit being rendered by its own worker process."""

    def __init__(self, source: Path, cache: Path, site: SiteInfo) -> None:
        self._pool = worker_pool()
        self._future = self._pool.submit(build_kit, source, cache, site=site)

    def result(self) -> KitInfo:
        """The rendered kit; a :class:`KitBuildError` of the worker is raised here."""
        try:
            return self._future.result()
        finally:
            self._pool.shutdown(wait=True)

"""The kit rendered by a worker process while Pelican reads the posts.

A render is a few seconds of WeasyPrint: on the other core it costs the build little.
The worker is forked from multiprocessing's fork server (a small process with no
threads), never from the build itself: the build may run inside livereload, whose server,
watcher and search threads a fork would copy mid-step (a lock one of them holds stays held
in the child for ever). Such a worker does not know this plugin (Pelican imports it from
``PLUGIN_PATHS``): before its first task it imports it the same way under the same name
(``pelican_adapter.local_plugins.worker_pool``, with the fork server's measurements).
"""

from __future__ import annotations

from pathlib import Path

from .builder import KitInfo, build_kit
from .site import SiteInfo


class Rendering:
    """One kit being rendered by its own worker process."""

    def __init__(self, source: Path, cache: Path, site: SiteInfo) -> None:
        # Imported here: a worker imports this module, and pelican_adapter imports Pelican.
        from pelican_adapter.local_plugins import worker_pool

        self._pool = worker_pool(__package__)
        self._future = self._pool.submit(build_kit, source, cache, site=site)

    def result(self) -> KitInfo:
        """The rendered kit; a :class:`KitBuildError` of the worker is raised here."""
        try:
            return self._future.result()
        finally:
            self._pool.shutdown(wait=True)

"""The sitemap of pelican-sitemap, with no state surviving from one Pelican run to the next.

``pelican.plugins.sitemap`` keeps one module-level ``SitemapGenerator`` for the whole
process: its ``init`` remembers the first Pelican object it sees and its ``finalize``
writes ``sitemap.xml`` only for that object, then forgets it. A run that fails between
the two (a template error in livereload, a content cache that cannot be read and makes
the build engine start Pelican again) leaves the dead run remembered, with its queued
pages: every later run of the process writes no sitemap at all, and nothing says so.

This plugin uses the same class (same file, same bytes) but makes a new one at the start
of every run (``get_generators``, sent by each ``Pelican.run``) and drops it when the
run ends: a failed run cannot leak into the next. Only the clock is the process's, as
with the upstream plugin: undated pages get the time this module was imported (without
``SOURCE_DATE_EPOCH``), so two runs of one process write the same sitemap.

List it in ``PLUGINS`` instead of ``pelican.plugins.sitemap`` (never both: two
writers), before ``reproducible`` and ``seo_meta``, which rewrite the written file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pelican import signals
from pelican.plugins.sitemap.sitemap import SitemapGenerator


class _Runs:
    """The sitemap of the run under way, if any."""

    def __init__(self) -> None:
        self.current: SitemapGenerator | None = None

    def start(self, pelican: Any) -> None:
        current = SitemapGenerator()
        current.now = _CLOCK
        current.init(pelican)
        self.current = current

    def queue(self, path: str, context: dict[str, Any]) -> None:
        if self.current is not None:
            self.current.queue_page(path, context)

    def finish(self, pelican: Any) -> None:
        current, self.current = self.current, None
        if current is not None:
            current.finalize(pelican)


_CLOCK = datetime.now()
_RUNS = _Runs()


def _start(pelican: Any) -> None:
    """``get_generators``: a fresh sitemap for this run (adds no generator)."""
    _RUNS.start(pelican)


def register() -> None:
    """Pelican entry point (connecting again is idempotent)."""
    signals.get_generators.connect(_start)
    signals.content_written.connect(_RUNS.queue)
    signals.finalized.connect(_RUNS.finish)

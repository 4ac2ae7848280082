"""Publish only the static files something points at.

Pelican copies everything under ``STATIC_PATHS`` (``content/images``, ``content/extra``)
whether a page links it or not: a forgotten invoice, a photo never used, a folder of
notes. With ``STATIC_PRUNE_UNREFERENCED = True`` (``publishconf.py``: every production
build, even a bare ``pelican -s publishconf.py``) this plugin, once everything is
written (``finalized``, registered last), removes from the output the static files that
no HTML, CSS, JS, feed, sitemap, ``robots.txt`` or ``_redirects`` points at, and says
which. ``STATIC_KEEP = ["extra/verifica-google.html", "images/stampa/*"]`` (glob
patterns on the source path under ``content/`` or the output path) keeps files that
are fetched by name only; ``favicon.ico``, ``robots.txt``, ``_redirects``, ``_headers``,
``CNAME`` and ``.well-known/`` are always kept. ``invoke check`` reports the same files
on any build (``references.unreferenced``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from pelican import signals
from pelican.generators import StaticGenerator

from .references import unreferenced

logger = logging.getLogger(__name__)


class _Build:
    """The static files of the current build (reset when a build starts)."""

    def __init__(self) -> None:
        self.candidates: dict[str, str] = {}

    def reset(self, pelican) -> None:
        self.candidates = {}

    def collect(self, generator) -> None:
        if isinstance(generator, StaticGenerator):
            for static in generator.staticfiles:
                self.candidates[static.save_as] = Path(static.relative_source_path).as_posix()

    def prune(self, pelican) -> None:
        settings = pelican.settings
        if not settings.get("STATIC_PRUNE_UNREFERENCED"):
            return
        output = Path(pelican.output_path)
        orphans = unreferenced(output, self.candidates, settings.get("STATIC_KEEP") or ())
        for out in orphans:
            path = output / out
            path.unlink()
            for folder in path.parents:
                if folder == output or not folder.is_relative_to(output):
                    break
                try:
                    folder.rmdir()  # only when empty
                except OSError:
                    break
        if orphans:
            names = ", ".join(f"content/{src}" for src in orphans.values())
            noun = "file statico" if len(orphans) == 1 else "file statici"
            logger.info("Non pubblico %d %s che nessuna pagina collega (per pubblicarli "
                        "comunque: STATIC_KEEP): %s", len(orphans), noun, names)
        self.candidates = {}


BUILD = _Build()


def register() -> None:
    signals.initialized.connect(BUILD.reset)
    signals.static_generator_finalized.connect(BUILD.collect)
    signals.finalized.connect(BUILD.prune)


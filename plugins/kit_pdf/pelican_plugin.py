"""Pelican glue: one :class:`KitGenerator` per Pelican run (the ``get_generators`` signal).

Pelican makes its generators when a run starts, with the context they all share. The
kit's generator then takes the cached PDF when it is still good, or starts rendering it
in a worker process (:mod:`.background`) while Pelican reads the posts. Its
``generate_context`` comes once every post and page is read, before any template
renders: it waits for the kit and puts what the pages show in that shared context
(``KIT``: page count, size, addresses…; ``KIT_WEB``: the web edition, :mod:`.web`); a
mistake in ``kit/`` (:class:`KitBuildError`) stops the build there, with the same
message. Its ``generate_output`` copies the files, and the vendored pdf.js that fills
the PDF in the browser (:mod:`.vendor`), into ``OUTPUT_PATH/KIT_OUTPUT``.

The settings are only read. Everything about one run lives on that run's generator, so
a later run of the same Pelican object (autoreload) checks the kit again by itself.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from . import cache as kit_cache
from .background import Rendering
from .builder import DAMAGED_CACHE, DEFAULT_FILENAME, KitInfo, examine_cache
from .copy_files import copy_filler, copy_kit_files
from .site import SiteInfo
from .vendor import vendor_files
from .web import web_for_templates

logger = logging.getLogger(__name__)
WHILE_READING = "il PDF si ricompone mentre Pelican legge gli articoli"
# Why the kit is rendered again, said once as the run starts.
STALE = {
    kit_cache.MISSING: "Kit non ancora nella cache: il PDF si compone mentre Pelican legge "
                       "gli articoli",
    kit_cache.CHANGED: f"kit/ è cambiato: {WHILE_READING}",
    kit_cache.DAMAGED: f"{DAMAGED_CACHE} ({WHILE_READING})",
}


def kit_paths(settings: dict[str, Any]) -> tuple[Path, Path, Path]:
    """(project root, kit source, kit cache) as the settings name them (relative paths
    are relative to the project root, the folder of the content folder)."""
    root = Path(settings["PATH"]).resolve().parent
    source = root / (settings.get("KIT_SOURCE") or "kit")
    cache = root / (settings.get("KIT_CACHE") or ".cache/kit")
    return root, source, cache


class KitGenerator:
    """The kit of one Pelican run."""

    def __init__(self, context: dict[str, Any], settings: dict[str, Any], path: str,
                 theme: str, output_path: str, **_: Any) -> None:
        self.context = context
        self.settings = settings
        self.output_path = output_path
        self.folder = str(settings.get("KIT_OUTPUT", "kit"))
        self.filename = str(settings.get("KIT_FILENAME", DEFAULT_FILENAME))
        root, source, cache = kit_paths(settings)
        site = SiteInfo.from_project(root, fallback=settings)
        found = examine_cache(source, cache, site=site)
        if isinstance(found, KitInfo):
            logger.info("Cache valida: nessuna modifica in kit/")
            self.kit: KitInfo | Rendering = found
        else:
            logger.info(STALE[found])
            self.kit = Rendering(source, cache, site)
        self.filler = vendor_files()

    def generate_context(self) -> None:
        """Every post is read, no page rendered yet: the kit's facts into ``KIT``, its web
        edition into ``KIT_WEB``."""
        if isinstance(self.kit, Rendering):
            self.kit = self.kit.result()
        info = self.kit
        kit = info.for_templates(self.folder, self.filename)
        self.context["KIT"] = kit
        base = self.folder.strip("/")
        urls = {key: f"{base}/{name}" if base else name for key, (_, name) in self.filler.items()}
        self.context["KIT_WEB"] = info.web and web_for_templates(info.web, kit, self.filename,
                                                                 urls)
        if info.rendered:
            logger.info("Kit: %s pagine, %s, %s campi", info.pages, info.size_label, info.fields)
        else:
            logger.info("Kit invariato (cache)")

    def generate_output(self, writer: Any) -> None:
        """Copy the PDF, its preview, thumbnails, card and the filling code into
        ``OUTPUT_PATH/KIT_OUTPUT``."""
        assert isinstance(self.kit, KitInfo), "generate_context comes first"
        copy_kit_files(self.kit, Path(self.output_path) / self.folder, self.filename)
        copy_filler(Path(self.output_path) / self.folder, self.filler)


def kit_generator(pelican: Any) -> type[KitGenerator]:
    """``get_generators``: this run's kit is a generator of its own."""
    return KitGenerator

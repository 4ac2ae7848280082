"""Pelican glue: build the kit on ``initialized``, set ``KIT``, copy it on ``finalized``.

When the cached PDF is still good it is taken at once. When it must be rendered again
(a few seconds of WeasyPrint), a worker process renders it while Pelican reads the
posts on the other core, and the build waits for it on ``get_writer`` (once every post is read),
before any template (the kit page shows its page count and size) is rendered; a
mistake in ``kit/`` fails the build there, with the same message.

No module state: the build of one Pelican run is kept in its own settings
(``KIT_BUILD``) and Pelican object, so nothing outlives the run that made it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from .builder import DEFAULT_FILENAME, build_kit, cached_kit
from .publish import publish
from .site import SiteInfo

logger = logging.getLogger(__name__)

BUILD_KEY = "KIT_BUILD"
FRESH_KEY = "KIT_BUILD_FRESH"


def _paths(settings: dict[str, Any]) -> tuple[Path, Path, Path]:
    root = Path(settings["PATH"]).resolve().parent
    source = Path(settings.get("KIT_SOURCE") or root / "kit")
    cache = Path(settings.get("KIT_CACHE") or root / ".cache" / "kit")
    if not source.is_absolute():
        source = root / source
    if not cache.is_absolute():
        cache = root / cache
    return root, source, cache


def _render(source: Path, cache: Path, site: SiteInfo) -> Any:
    """In the worker process: render the kit (its progress lines are printed there)."""
    return build_kit(source, cache, progress=logger.info, site=site)


def _build(pelican: Any, *, background: bool = False) -> None:
    settings = pelican.settings
    root, source, cache = _paths(settings)
    site = SiteInfo.from_project(root, fallback=settings)
    cached = cached_kit(source, cache, site=site, progress=logger.info) if background else None
    if background and cached is None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # Filled in place once rendered: the context Pelican copies now sees it then.
        settings["KIT"] = {}
        settings[FRESH_KEY] = True  # get_generators: this run's kit is under way
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        # On the Pelican object, not in the settings: Pelican pickles those in its cache.
        pelican.kit_rendering = (pool, pool.submit(_render, source, cache, site))
        logger.info("kit/ è cambiato: il PDF si ricompone mentre Pelican legge gli articoli")
        return
    _use(settings, cached or build_kit(source, cache, progress=logger.info, site=site))


def _use(settings: dict[str, Any], info: Any) -> None:
    settings[BUILD_KEY] = info
    settings[FRESH_KEY] = True
    kit = info.settings_dict(
        settings.get("KIT_OUTPUT", "kit"), settings.get("KIT_FILENAME", DEFAULT_FILENAME)
    )
    current = settings.get("KIT")
    if isinstance(current, dict):
        current.clear()  # same dict object: a context copied earlier sees the update
        current.update(kit)
    else:
        settings["KIT"] = kit
    if info.rendered:
        logger.info("Kit: %s pagine, %s, %s campi", info.pages, info.size_label, info.fields)
    else:
        logger.info("Kit invariato (cache)")


def on_initialized(pelican: Any) -> None:
    """Reuse the kit, or start rendering it in a worker process."""
    _build(pelican, background=True)


def on_get_writer(pelican: Any) -> None:
    """Before any template renders: the kit rendered in the background (its
    KitBuildError propagates from here)."""
    rendering = getattr(pelican, "kit_rendering", None)
    if rendering is None:
        return
    del pelican.kit_rendering
    pool, future = rendering
    try:
        _use(pelican.settings, future.result())
    finally:
        pool.shutdown(wait=True)


def on_get_generators(pelican: Any) -> None:
    """A later run of the same Pelican object (autoreload): pick up kit changes.

    The run that ``initialized`` started has just built the kit: no second hash.
    """
    if pelican.settings.pop(FRESH_KEY, False):
        return
    _build(pelican)


def on_finalized(pelican: Any) -> None:
    """Copy the PDF, its preview, thumbnails and card into ``OUTPUT_PATH/KIT_OUTPUT``."""
    settings = pelican.settings
    info = settings.get(BUILD_KEY)
    if info is None:
        return
    folder = Path(settings["OUTPUT_PATH"]) / settings.get("KIT_OUTPUT", "kit")
    publish(info, folder, settings.get("KIT_FILENAME", DEFAULT_FILENAME))

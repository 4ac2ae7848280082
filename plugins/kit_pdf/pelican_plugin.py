"""Pelican glue: build the kit on ``initialized``, set ``KIT``, copy it on ``finalized``.

No module state: the build of one Pelican run is kept in its own settings
(``KIT_BUILD``), so nothing outlives the run that made it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from .builder import DEFAULT_FILENAME, build_kit
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


def _build(pelican: Any) -> None:
    settings = pelican.settings
    root, source, cache = _paths(settings)
    site = SiteInfo.from_project(root, fallback=settings)
    info = build_kit(source, cache, progress=logger.info, site=site)
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
    """Build (or reuse) the kit before any template renders; KitBuildError propagates."""
    _build(pelican)


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

"""Pelican glue: build the kit on ``initialized``, set ``KIT``, copy it on ``finalized``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from .builder import DEFAULT_FILENAME, KitInfo, build_kit
from .cache import source_hash
from .publish import publish

logger = logging.getLogger(__name__)

_BUILDS: dict[int, KitInfo] = {}


def _paths(settings: dict[str, Any]) -> tuple[Path, Path]:
    root = Path(settings["PATH"]).resolve().parent
    source = Path(settings.get("KIT_SOURCE") or root / "kit")
    cache = Path(settings.get("KIT_CACHE") or root / ".cache" / "kit")
    if not source.is_absolute():
        source = root / source
    if not cache.is_absolute():
        cache = root / cache
    return source, cache


def _build(pelican: Any) -> None:
    settings = pelican.settings
    source, cache = _paths(settings)
    info = build_kit(source, cache)
    _BUILDS[id(pelican)] = info
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
    """Re-check the kit at the start of every run (autoreload): only a hash when unchanged."""
    info = _BUILDS.get(id(pelican))
    if info is not None and source_hash(_paths(pelican.settings)[0]) == info.digest:
        return
    _build(pelican)


def on_finalized(pelican: Any) -> None:
    """Copy the PDF and its preview into ``OUTPUT_PATH/KIT_OUTPUT``."""
    settings = pelican.settings
    info = _BUILDS.get(id(pelican))
    if info is None:
        return
    folder = Path(settings["OUTPUT_PATH"]) / settings.get("KIT_OUTPUT", "kit")
    publish(info, folder, settings.get("KIT_FILENAME", DEFAULT_FILENAME))

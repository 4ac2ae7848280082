"""kit_pdf: builds the «kit sulla delega» PDF workbook from ``kit/`` for the Pelican site.

Pelican plugin (``PLUGINS = ["kit_pdf"]``) and command line (``kit_pdf.main``). Modules:
``data`` (kit.yaml), ``site`` (production address), ``render`` (Jinja2 → HTML), ``fonts``
(font checks), ``pdf`` (WeasyPrint), ``finish`` (forms and links, WeasyPrint's finisher hook),
``preview`` (PNGs), ``cache`` (hash, manifest), ``builder`` (one build), ``publish`` (copy),
``cli`` and ``pelican_plugin``.
"""

from __future__ import annotations

from .builder import DEFAULT_FILENAME, KitInfo, build_kit, size_label
from .cli import main
from .errors import KitBuildError
from .site import SiteInfo

__all__ = [
    "DEFAULT_FILENAME",
    "KitBuildError",
    "KitInfo",
    "SiteInfo",
    "build_kit",
    "main",
    "register",
    "size_label",
]


def register() -> None:
    """Connect the kit build to Pelican's signals."""
    from pelican import signals

    from . import pelican_plugin

    signals.initialized.connect(pelican_plugin.on_initialized)
    signals.get_generators.connect(pelican_plugin.on_get_generators)
    signals.get_writer.connect(pelican_plugin.on_get_writer)
    signals.finalized.connect(pelican_plugin.on_finalized)

"""kit_pdf: builds the «kit sulla delega» PDF workbook from ``kit/`` for the Pelican site.

Pelican plugin (``PLUGINS = ["kit_pdf"]``) and command line (``kit_pdf.main``). Modules:
``data`` (kit.yaml), ``fields`` (every field's name), ``site`` (production address),
``render`` (Jinja2 → HTML), ``fonts`` (font checks), ``pdf`` (WeasyPrint), ``finish``
(forms and links, WeasyPrint's finisher hook), ``marks`` (what the form fields look
like), ``preview`` (PNGs), ``cache`` (hash, manifest), ``builder`` (one build), ``web``
(the web edition's data), ``vendor`` (pdf.js, which fills the PDF in the browser),
``copy_files`` (into a site), ``cli``, ``background`` (a render in a worker process) and
``pelican_plugin`` (the kit's Pelican generator).
"""

from __future__ import annotations

from .builder import DEFAULT_FILENAME, KitInfo, build_kit, size_label
from .cli import main
from .errors import KitBuildError
from .pelican_plugin import kit_paths
from .site import SiteInfo

__all__ = [
    "DEFAULT_FILENAME",
    "KitBuildError",
    "KitInfo",
    "SiteInfo",
    "build_kit",
    "kit_paths",
    "main",
    "register",
    "size_label",
]


def register() -> None:
    """Give every Pelican run the kit's generator, and the site's templates the kit's
    ``kit_inline`` and ``kit_plain`` filters."""
    from pelican import signals

    from .pelican_plugin import kit_generator
    from .web import add_filters

    signals.get_generators.connect(kit_generator)
    signals.generator_init.connect(add_filters)

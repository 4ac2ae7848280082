"""What a build is for, as one value: :class:`Plan`.

Every task that builds says which plan it runs; the engine derives from it everything
that used to be a flag (reuse pages, skip an unchanged build, update in place, tidy
old versions). What depends on the environment (URLs, caches, one search index or
parts) is the settings file's business, so plain ``pelican -s publishconf.py`` agrees.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PostStep = Callable[[Path], None]


class Purpose(enum.Enum):
    """Why the site is built."""

    #: ``invoke build``, ``regenerate``, ``check --build``, livereload's first build:
    #: unchanged pages are taken from the live site (the render memo).
    DEVELOPMENT = "sviluppo"
    #: ``invoke preview`` and ``invoke publish``: every page rendered.
    PRODUCTION = "produzione"
    #: livereload after a save: the live version updated in place, search left to
    #: livereload (a full development build when nothing is live yet).
    LIVERELOAD = "livereload"


@dataclass(frozen=True)
class Plan:
    """One build: which settings, into which output, for what."""

    settings_file: Path
    output: Path
    purpose: Purpose = Purpose.DEVELOPMENT
    #: Also the drafts, under ``/bozze/`` (the settings' ``DRAFTS_PREVIEW``).
    drafts: bool = False
    #: Build even when nothing changed since the live version was built.
    force: bool = False
    #: Settings on top of the file's (publish: ``CSP_META`` for GitHub Pages).
    settings: Mapping[str, Any] = field(default_factory=dict)
    #: Run on the new version before the switch (publish: the headers file).
    then: tuple[PostStep, ...] = ()

    @property
    def reuses_pages(self) -> bool:
        """Unchanged pages may come from the live site; never in production."""
        return self.purpose is not Purpose.PRODUCTION

    @property
    def may_skip(self) -> bool:
        """An unchanged build may return the live version as it is."""
        return not self.force and not self.then and self.purpose is not Purpose.LIVERELOAD

    @property
    def in_place(self) -> bool:
        """Update the live version instead of making a new one (when there is one)."""
        return self.purpose is Purpose.LIVERELOAD and not self.then

    @property
    def tidy(self) -> bool:
        """Remove older versions at the switch (livereload removes them after the
        reload, from its search thread)."""
        return self.purpose is not Purpose.LIVERELOAD

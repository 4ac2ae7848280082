""":class:`BuildContext`: what the engine and the local plugins share during one build.

The engine puts one in the settings (``BUILD_CONTEXT``) before Pelican starts; a plugin
reads what it was asked for and writes back what it found, on the same object. Nothing
else goes through the settings both ways. Plugins never import this module: they use
the attributes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

SETTING = "BUILD_CONTEXT"


class BuildContext:
    """One build's shared state."""

    def __init__(self, render_memo: dict[str, Any] | None = None,
                 templates: dict[str, Any] | None = None) -> None:
        #: For ``plugins/render_memo``: memo file, live version, inputs digest,
        #: ``in_place``; None: render every page.
        self.render_memo = render_memo
        #: Templates parsed by the render memo, by name, kept by the engine between the
        #: builds of one process (parsing them is ~0.1 s a build).
        self.templates: dict[str, Any] = {} if templates is None else templates
        #: Written by the render memo: pages rendered and reused, the reused files,
        #: and (in place) how to save the memo once the pages are in.
        self.rendered: int | None = None
        self.reused: int | None = None
        self.reused_pages: set[str] = set()
        self.save_memo: Callable[[Path], None] | None = None
        #: The render memo's own state while Pelican runs (the plugin's business).
        self.memo_build: Any = None
        #: The live version (None: nothing live yet). A plugin may take a file from it
        #: when it holds exactly the bytes the build would write (``og_image``: a card
        #: is linked from there, or in place not written at all), never from a cache.
        self.live: Path | None = None
        #: Pelican writes into the staging folder of :attr:`live` (livereload).
        self.in_place = False
        #: Written by such a plugin, in place: files of the live version it kept as
        #: they are (moved in like the reused pages, see ``outputs.apply``).
        self.kept_files: set[str] = set()

    def __reduce__(self) -> tuple[Any, ...]:
        # Pelican's content cache pickles the settings with every post: a context is
        # one build's, so it is stored empty.
        return (BuildContext, ())

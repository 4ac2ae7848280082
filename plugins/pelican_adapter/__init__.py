"""Every use of Pelican's private API in the project, in one place.

Pelican's public seams (signals, settings, ``get_writer``, ``Writer.write_file``) cover
almost everything; what they do not cover lives here, each with a test in
``tests/test_pelican_adapter.py`` that fails on a Pelican release where it no longer
holds. The lock pins Pelican to :data:`TESTED_MINOR`, and importing this module on
another minor release says so at once.

Not a Pelican plugin (it registers nothing): an installed module (``pyproject.toml``
finds it in ``plugins/``) that local plugins and ``blog.build`` import by name.

The uses:

- :class:`HookedWriter`: a ``Writer`` whose subclasses decide how a page's file is
  opened (``Writer._open_w``), with Pelican's own check that no two pages share a file
  (``_written_files``, ``_overridden_files``) — the render memo links unchanged pages;
- :func:`intrasite_links`: where a post's ``{filename}`` links lead
  (``Content._get_intrasite_link_regex``, ``Content._link_replacer``);
- :func:`raw_html`, :func:`set_raw_html`: a post's HTML before Pelican resolves its
  links (``Content._content``), the place plugins change it on ``content_object_init``;
- :func:`forget_rendered_contents`: Pelican memoises ``Content.get_content`` and
  ``get_summary`` for the life of the process, keyed by each post (``memoized.cache``):
  a long-running livereload would keep every post of every build (~35 MB a save at
  1,000 posts);
- :mod:`.local_plugins`: a local plugin imported as Pelican's ``load_legacy_plugin``
  imports it (one module by name), in the build or in a plugin's worker processes.
"""

from __future__ import annotations

import logging
import os
from typing import Any, TextIO

import pelican
from pelican.writers import FileOverwriteFailedError, Writer

TESTED_MINOR = "4.12"

if not pelican.__version__.startswith(TESTED_MINOR + "."):
    logging.getLogger(__name__).warning(
        "pelican_adapter è provato con Pelican %s.x, installato %s: esegui make setup "
        "(requirements.lock) o i test di tests/test_pelican_adapter.py",
        TESTED_MINOR, pelican.__version__)


class HookedWriter(Writer):
    """Pelican's writer with one overridable step: :meth:`open_page`."""

    def open_page(self, filename: str, encoding: str, override: bool) -> TextIO:
        """Open the file a rendered page is written to (default: as Pelican does)."""
        return super()._open_w(filename, encoding, override)

    def claim(self, filename: str, override: bool) -> str:
        """Pelican's check that no two pages share a file, without opening it; the file to
        write (``os.devnull``: Pelican skips this one)."""
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" a second time '
                    "(was previously overwritten)")
            return os.devnull
        if filename in self._written_files and not override:
            raise FileOverwriteFailedError(
                f'Failed to overwrite "{filename}" as Pelican has already written to '
                "it previously (set `override=True` if intended)")
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        return filename

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        return self.open_page(filename, encoding, override)


def intrasite_links(content: Any) -> list[str]:
    """The addresses a post's ``{filename}``/``{static}`` links resolve to, in order."""
    raw = raw_html(content)
    if not raw:
        return []
    return [content._link_replacer("", match)
            for match in content._get_intrasite_link_regex().finditer(raw)]


def raw_html(content: Any) -> str:
    """A post's HTML as its reader made it, before links are resolved."""
    return getattr(content, "_content", None) or ""


def set_raw_html(content: Any, html: str) -> None:
    """Replace a post's HTML before Pelican resolves its links (``content_object_init``)."""
    content._content = html


def forget_rendered_contents() -> int:
    """Empty Pelican's memo of rendered contents and summaries; how many entries went."""
    from pelican.contents import Content

    forgotten = 0
    for name in ("get_content", "get_summary"):
        cache = getattr(Content.__dict__.get(name), "cache", None)
        if isinstance(cache, dict):
            forgotten += len(cache)
            cache.clear()
    return forgotten

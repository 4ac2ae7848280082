"""Titles and summaries are plain text: escape them once, as soon as they are read.

Pelican treats ``Title`` and ``Summary`` as HTML: a title such as
``Perché <script> non basta & “altro”`` would reach pages and feeds as live markup,
and the feed writer would strip the tag instead of showing it. This plugin turns
both into escaped HTML (``markupsafe.Markup``) right after each document is read, so:

* templates print them as they are (with Jinja autoescape on, no double escaping);
* ``|striptags`` gives back the author's exact text for attributes and JSON-LD,
  where autoescape (or the JSON encoder) escapes it again for that context;
* Pelican's feed writer, which strips tags from titles and uses the summary as
  HTML, shows the author's text literally.

It needs ``FORMATTED_FIELDS = []`` (the summary must arrive unformatted): an
automatic summary cut from the body stays HTML, as Pelican makes it.
"""

from __future__ import annotations

import logging

from markupsafe import Markup, escape
from pelican import signals

logger = logging.getLogger(__name__)


def as_html_text(value: str) -> Markup:
    """Escape author text for HTML, keeping an already escaped value unchanged."""
    return value if isinstance(value, Markup) else escape(value)


def escape_text_fields(content) -> None:
    """Replace the title and the summary metadata of ``content`` by escaped HTML."""
    title = content.metadata.get("title")
    if isinstance(title, str):
        content.metadata["title"] = content.title = as_html_text(title)
    summary = content.metadata.get("summary")
    if isinstance(summary, str) and not isinstance(summary, Markup):
        html = Markup("<p>%s</p>") % summary.strip()
        content.metadata["summary"] = html


def _check_settings(pelican) -> None:
    if "summary" in pelican.settings.get("FORMATTED_FIELDS", []):
        logger.error(
            "plain_text_meta: FORMATTED_FIELDS contiene «summary»: il riassunto "
            "sarebbe già HTML; imposta FORMATTED_FIELDS = [] in pelicanconf.py"
        )


def register() -> None:
    signals.initialized.connect(_check_settings)
    signals.content_object_init.connect(escape_text_fields)

"""Put the kit's download box inside the author's call-to-action block.

The author writes the call to action in Markdown as
``<aside class="cta cta-kit" markdown="1">…</aside>``; the ``kit_cta`` filter
renders ``partials/kit_box.html`` (preview, pages, size read from this build)
and places it at the end of that block. Content without the block is unchanged.
"""

from __future__ import annotations

import re

from jinja2 import pass_context
from markupsafe import Markup
from pelican import signals

CTA_BLOCK = re.compile(r'(<aside class="[^"]*\bcta-kit\b[^"]*">.*?)(</aside>)', re.S)


@pass_context
def kit_cta(context, html: str, kit: dict | None = None, siteurl: str = "") -> Markup:
    """Return ``html`` with the kit box rendered inside its ``cta-kit`` aside."""
    if not kit or "cta-kit" not in html:
        return Markup(html)
    box = context.environment.get_template("partials/kit_box.html").render(
        context.get_all() | {"KIT": kit, "SITEURL": siteurl}
    )
    return Markup(CTA_BLOCK.sub(lambda m: m.group(1) + box + m.group(2), html, count=1))


def _add_filter(pelican) -> None:
    pelican.settings.setdefault("JINJA_FILTERS", {})["kit_cta"] = kit_cta


def register() -> None:
    signals.initialized.connect(_add_filter)

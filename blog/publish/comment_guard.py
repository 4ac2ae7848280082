"""No page may call a comment server the deploy target does not have.

``invoke publish`` builds for a target without Isso (GitHub Pages, ``"comments": False``)
with ``ISSO_URL`` empty, so the theme leaves out the form, the comment counts and the
comment script. This guard reads the built pages back: one that would still call Isso
(a theme override, a template that ignores ``ISSO_URL``) stops the publish, naming it
and saying what to set.
"""

from __future__ import annotations

import re
from pathlib import Path

# What the theme writes only when comments are on: the thread, the counts, the script's
# address for Isso (theme/templates/partials/comments.html, comment_count.html, scripts.html).
_CALLS = re.compile(rb'data-isso-id=|data-comment-count=|data-comments=|/isso/(?:js|count)')


def pages_calling_comments(site: Path, limit: int = 5) -> list[str]:
    """Up to ``limit`` pages of ``site`` (relative paths) that would call a comment server."""
    found: list[str] = []
    for page in sorted(site.rglob("*.html")):
        if _CALLS.search(page.read_bytes()):
            found.append(page.relative_to(site).as_posix())
            if len(found) >= limit:
                break
    return found


def refusal(site: Path, where: str) -> str | None:
    """The Italian refusal when a page of ``site`` calls comments ``where`` has not."""
    pages = pages_calling_comments(site)
    if not pages:
        return None
    listed = "\n".join(f"  - {page}" for page in pages)
    return (
        f"{where} non ha un server di commenti, ma queste pagine lo chiamerebbero "
        f"(modulo o conteggio dei commenti):\n{listed}\n"
        "Il tema mostra i commenti solo se ISSO_URL non è vuoto: controlla che nessun "
        "modello li scriva comunque, oppure, se il server ha davvero Isso dietro /isso/ "
        "(deploy/nginx.conf), pubblica con rsync e «comments»: True in DEPLOY "
        "(publishconf.py).")

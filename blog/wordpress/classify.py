"""What each export item becomes: an article, a page, a draft of either, or nothing.

Only ``post`` and ``page`` items are content. Attachments feed images and featured
images; menu items, revisions, blocks, templates and other post types are skipped
(and counted). Everything that was not public on WordPress – drafts, pending review,
scheduled, private, password-protected – becomes ``Status: draft``: never public here.
"""

from __future__ import annotations

from dataclasses import dataclass

from blog.wordpress.wxr import Item

KIND = {"post": "article", "page": "page"}
DRAFT_REASONS = {
    "draft": "bozza",
    "pending": "in attesa di revisione",
    "future": "programmato",
    "private": "privato",
    "auto-draft": "bozza automatica",
}
SKIPPED_TYPES = {
    "attachment": "allegati",
    "nav_menu_item": "voci di menu",
    "revision": "revisioni",
}


@dataclass(frozen=True)
class Verdict:
    kind: str | None  # "article", "page" or None (not content)
    draft: bool = False
    reason: str = ""  # why a draft, or why skipped


def classify(item: Item) -> Verdict:
    """The verdict for one item of the export."""
    kind = KIND.get(item.post_type)
    if kind is None:
        return Verdict(None, reason=SKIPPED_TYPES.get(item.post_type, f"tipo «{item.post_type}»"))
    if item.status == "trash":
        return Verdict(None, reason="nel cestino")
    if item.status == "inherit":
        return Verdict(None, reason="revisioni")
    if item.password:
        return Verdict(kind, draft=True, reason="protetto da password")
    if item.status == "publish":
        return Verdict(kind)
    reason = DRAFT_REASONS.get(item.status, f"stato «{item.status}»")
    return Verdict(kind, draft=True, reason=reason)

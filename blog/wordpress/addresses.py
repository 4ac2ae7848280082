"""Each item's new address (slug, file, URL) and what its old addresses become.

Slugs are stable: what the last import chose for an id comes first, so re-running an
import never moves a page. A child page lives under its parent's new address. Every
old address of a public or kept item (its permalink, ``/?p=123``, its attachments'
pages) is mapped to the new one, with the terms', authors' and images' old addresses.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from blog.wordpress import body as body_mod
from blog.wordpress.manifest import Manifest
from blog.wordpress.media import Media
from blog.wordpress.plans import Plan
from blog.wordpress.redirects import Redirects
from blog.wordpress.site import Site
from blog.wordpress.slugs import MAX_SLUG, ascii_slug, unique
from blog.wordpress.summary import Report
from blog.wordpress.terms import Terms, add_author_redirects
from blog.wordpress.wxr import Export, Item


def assign(plans: list[Plan], items: dict[int, Item], by_id: dict[int, Plan],
           manifest: Manifest, taken: set[str], settings: dict, content: str,
           report: Report, reserved: dict[str, str]) -> None:
    """Give every plan not kept from ``content/`` its slug, file and URL (in place).

    ``taken`` (slugs and first segments already used) grows with each new slug; the
    manifest remembers each id's file for the next import. ``reserved``: the first
    segments the build uses, with what it puts there (for the summary)."""
    # Stable slugs: what the last import chose for this id comes first.
    ordered = sorted(plans, key=lambda p: str(p.item.id) not in manifest.items)
    for plan in ordered:
        if plan.kept:
            continue
        previous = manifest.items.get(str(plan.item.id))
        folder = "articles" if plan.kind == "article" else "pages"
        if plan.kind == "page":
            segments = _page_segments(plan, items)
            base = ascii_slug("-".join(segments)) if len(segments) > 1 else segments[0]
        else:
            segments = []
            base = ascii_slug(plan.item.name) or ascii_slug(plan.title)
        if previous and Path(previous).stem not in taken:
            plan.slug = Path(previous).stem
            taken.add(plan.slug)
        else:
            prefix = "articolo" if plan.kind == "article" else "pagina"
            plan.slug = unique(base, taken, f"{prefix}-{plan.item.id}")
            if len(segments) <= 1:  # a child page's address is its parent's plus its own
                _explain(plan, base, reserved, report)
        plan.relpath = f"{folder}/{plan.slug}.md"
        url_key = "ARTICLE_URL" if plan.kind == "article" else "PAGE_URL"
        plan.url = settings.get(url_key, "{slug}/").format(slug=plan.slug)
        plan.nested = plan.kind == "page" and len(segments) > 1 and plan.public
        manifest.items[str(plan.item.id)] = f"{content}/{plan.relpath}"
    for plan in plans:
        if plan.nested:
            plan.url = _nested_url(plan, by_id, set())


def _explain(plan: Plan, base: str, reserved: dict[str, str], report: Report) -> None:
    """Say in the summary why the new address is not WordPress's own."""
    wordpress = unquote(plan.item.name)
    if plan.slug != base and base:
        why = (f"«{base}» è riservato alla build ({reserved[base]})" if base in reserved
               else f"«{base}» è già l’indirizzo di un’altra pagina")
        report.change(f"{plan.label}: indirizzo /{plan.slug}/", why)
    elif not base:
        report.change(f"{plan.label}: indirizzo /{plan.slug}/",
                      "il titolo non dà un indirizzo (solo simboli)")
    elif wordpress and not wordpress.isascii():
        report.change(f"/{wordpress}/ → /{plan.slug}/",
                      "indirizzi in caratteri latini: i nomi dei file e i link restano leggibili "
                      "ovunque (il vecchio indirizzo porta al nuovo)")
    elif len(ascii_slug(wordpress, 1000)) > len(plan.slug):
        report.change(f"{plan.label}: indirizzo /{plan.slug}/",
                      f"accorciato a {MAX_SLUG} caratteri: i nomi dei file restano entro i limiti "
                      "di ogni disco (il vecchio indirizzo porta al nuovo)")


def _page_segments(plan: Plan, items: dict[int, Item]) -> list[str]:
    chain, seen, item = [], set(), plan.item
    while item is not None and item.id not in seen:
        seen.add(item.id)
        chain.append(ascii_slug(item.name) or ascii_slug(body_mod.plain_text(item.title))
                     or f"pagina-{item.id}")
        item = items.get(item.parent) if item.parent else None
        if item is not None and item.post_type != "page":
            break
    return list(reversed(chain))


def _nested_url(plan: Plan, by_id: dict[int, Plan], seen: set[int]) -> str:
    """A child page's address: its parent's NEW address (renamed if its slug was
    taken or reserved, or the page kept from content/) plus its own name."""
    parent = by_id.get(plan.item.parent)
    if parent is None or parent.kind != "page" or plan.item.id in seen:
        return plan.new_url
    seen.add(plan.item.id)
    base = (parent.new_url if parent.kept or not parent.nested
            else _nested_url(parent, by_id, seen))
    own = (ascii_slug(plan.item.name) or ascii_slug(plan.title) or f"pagina-{plan.item.id}")
    return base.rstrip("/") + "/" + own + "/"


def old_paths(item: Item) -> list[str]:
    """The item's old site path (its permalink, when it is a plain path), as the export
    writes it; :class:`Redirects` normalises it (``wordpress_redirects.rules``)."""
    parsed = urlparse(item.link)
    if not parsed.path.strip("/") or parsed.query:
        return []
    last = unquote(parsed.path).rsplit("/", 1)[-1]
    return [parsed.path if parsed.path.endswith("/") or "." in last else parsed.path + "/"]


def plan_redirects(export: Export, plans: list[Plan], by_id: dict[int, Plan], terms: Terms,
                   media: Media, site: Site) -> Redirects:
    """Every old address → its new one (the first mapping of an old address wins)."""
    r = Redirects(base=urlparse(export.base_url).path.rstrip("/"))
    for plan in plans:
        if not (plan.public or plan.kept):
            continue
        new = "/" + plan.new_url
        for old in old_paths(plan.item):
            r.add_path(old, new, plan.label)
        r.add_query("page_id" if plan.kind == "page" else "p", str(plan.item.id), new)
    terms.add_redirects(r, site)
    # Attachment pages (/2019/05/12/post/foto/) → the post they belong to.
    for item in export.items:
        parent = by_id.get(item.parent)
        if item.post_type == "attachment" and parent and (parent.public or parent.kept):
            for old in old_paths(item):
                r.add_path(old, "/" + parent.new_url, "pagina di un allegato")
    add_author_redirects(export, site, r)
    feed = str(site.settings.get("FEED_ALL_ATOM") or "")
    if feed and site.builds("/" + feed):
        r.add_site_path("/feed/", "/" + feed, "feed")
    for old, target in media.old_paths.items():
        r.add_site_path(old, "/" + target, "file caricato")
    return r

"""One article or page as a Markdown file: Pelican's front matter, then the converted body.

The front matter carries what the theme reads (title, dates, author, category and tags,
slug, summary, featured image, draft status, ``Comments`` on a page whose readers
commented) and ``Wordpress_id``; a child page adds its ``Url`` and ``Save_as``. It is
made in two steps: :meth:`Posts.front` first (everything the build derives pages from,
so that the site can be predicted before any link is resolved), then
:meth:`Posts.markdown` with the body and its summary. The featured image, which
WordPress themes show above the post, opens the body when the body does not show it.
Whatever did not convert cleanly becomes a note in the report.
"""

from __future__ import annotations

import html

from blog.wordpress import body as body_mod
from blog.wordpress import frontmatter
from blog.wordpress.links import Links
from blog.wordpress.media import Media
from blog.wordpress.plans import Plan, pelican_date, rss_date
from blog.wordpress.summary import Report
from blog.wordpress.terms import Terms, author_name
from blog.wordpress.wxr import Export

SUMMARY_MAX = 300


class Posts:
    """Writes the Markdown of each item, noting in ``report`` what to look at."""

    def __init__(self, export: Export, terms: Terms, media: Media, report: Report,
                 commented_pages: set[int]) -> None:
        self.export = export
        self.terms = terms
        self.media = media
        self.report = report
        self.commented_pages = commented_pages
        self.attachments = {  # id → (url, alternative text)
            i.id: (i.attachment_url, i.meta.get("_wp_attachment_image_alt", "")
                   or body_mod.plain_text(i.title))
            for i in export.items if i.post_type == "attachment" and i.attachment_url
        }
        self._fronts: dict[int, list[tuple[str, str]]] = {}

    def front(self, plan: Plan) -> list[tuple[str, str]]:
        """The front matter of ``plan`` but its summary (computed once)."""
        if plan.item.id not in self._fronts:
            self._fronts[plan.item.id] = self._metadata(plan)
        return self._fronts[plan.item.id]

    def front_text(self, plan: Plan) -> str:
        return frontmatter.render(self.front(plan))

    def markdown(self, plan: Plan, links: Links) -> bytes:
        """The file of ``plan`` (not kept from ``content/``), front matter and body."""
        item = plan.item
        self.report.counts["draft" if plan.draft else plan.kind] += 1
        if plan.draft:
            self.report.note(plan.label, f"{plan.reason}: importato come bozza (Status: draft)")
        resolvers = body_mod.Resolvers(
            link=lambda href: links.link(plan, href),
            media=links.file,
            attachments=self.attachments,
        )
        links.lost = []
        converted = body_mod.convert(item.content, resolvers)
        for problem in converted.problems:
            self.report.note(plan.label, problem)
        lost = sorted(set(links.lost))
        if lost:
            what = "file non copiato" if len(lost) == 1 else "file non copiati"
            self.report.note(plan.label, f"{what}, tenuto solo il testo: {', '.join(lost)}")
        meta = list(self.front(plan))
        markdown = converted.markdown
        featured = dict(meta).get("Image")
        if featured and "{static}/" + featured not in markdown:
            alt = dict(meta).get("Image_alt", "")
            markdown = (f'<figure>\n<img src="{html.escape("{static}/" + featured)}" '
                        f'alt="{html.escape(alt)}">\n</figure>\n\n' + markdown)
        if not markdown.strip():
            markdown = "*(Questo contenuto era vuoto su WordPress.)*\n"
            self.report.note(plan.label, "contenuto vuoto")
        summary = body_mod.plain_text(item.excerpt) or converted.more_text
        if summary:
            if len(summary) > SUMMARY_MAX:
                summary = summary[:SUMMARY_MAX].rsplit(" ", 1)[0] + "…"
            after = max(i for i, (key, _) in enumerate(meta) if key in ("Slug", "Url", "Save_as"))
            meta.insert(after + 1, ("Summary", " ".join(summary.split())))
        return (frontmatter.render(meta) + markdown).encode("utf-8")

    def _metadata(self, plan: Plan) -> list[tuple[str, str]]:
        item = plan.item
        meta: list[tuple[str, str]] = [("Title", plan.title)]
        date = (pelican_date(item.date) or pelican_date(item.modified)
                or rss_date(item.pub_date))
        if date:
            meta.append(("Date", date))
        modified = pelican_date(item.modified)
        if modified and modified > date:
            meta.append(("Modified", modified))
        author = author_name(self.export, item)
        if author:
            meta.append(("Author", author))
        if plan.kind == "article":
            category, extra = self.terms.category_of(item)
            meta.append(("Category", category))
            for name in extra:
                self.report.change(f"«{name}»", "categorie diventate tag negli articoli che le "
                                   "avevano dopo la prima (qui un articolo ha una sola categoria)")
            tags = self.terms.tags_of(item, extra)
            if tags:
                meta.append(("Tags", ", ".join(tags)))
        meta.append(("Slug", plan.slug))
        if plan.nested:
            meta += [("Url", plan.url), ("Save_as", plan.url + "index.html")]
        if plan.draft:
            meta.append(("Status", "draft"))
        if item.sticky:
            meta.append(("Sticky", "true"))
        thumb = item.meta.get("_thumbnail_id", "")
        if thumb.isdigit() and int(thumb) in self.attachments:
            url, alt = self.attachments[int(thumb)]
            static = self.media.resolve(url)
            if static:
                meta.append(("Image", static.removeprefix("{static}/")))
                if alt:
                    meta.append(("Image_alt", alt))
            else:
                self.report.note(plan.label, "immagine in evidenza non copiata")
        if plan.kind == "page" and item.id in self.commented_pages:
            meta.append(("Comments", "true"))
        meta.append(("Wordpress_id", str(item.id)))
        return [(k, " ".join(v.split())) for k, v in meta]

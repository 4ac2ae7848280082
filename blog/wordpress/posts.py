"""One article or page as a Markdown file: Pelican's front matter, then the converted body.

The front matter carries what the theme reads (title, dates, author, category and tags,
slug, summary, featured image, draft status) and ``Wordpress_id``; a child page adds its
``Url`` and ``Save_as``. Whatever did not convert cleanly becomes a note in the report.
"""

from __future__ import annotations

from blog.wordpress import body as body_mod
from blog.wordpress.links import Links
from blog.wordpress.media import Media
from blog.wordpress.plans import Plan, pelican_date, rss_date
from blog.wordpress.summary import Report
from blog.wordpress.terms import Terms, author_name
from blog.wordpress.wxr import Export

SUMMARY_MAX = 300


class Posts:
    """Writes the Markdown of each item, noting in ``report`` what to look at."""

    def __init__(self, export: Export, terms: Terms, links: Links, media: Media,
                 report: Report) -> None:
        self.export = export
        self.terms = terms
        self.links = links
        self.media = media
        self.report = report
        self.attachments = {  # id → (url, alternative text)
            i.id: (i.attachment_url, i.meta.get("_wp_attachment_image_alt", "")
                   or body_mod.plain_text(i.title))
            for i in export.items if i.post_type == "attachment" and i.attachment_url
        }

    def markdown(self, plan: Plan) -> bytes:
        """The file of ``plan`` (not kept from ``content/``), front matter and body."""
        item = plan.item
        self.report.counts["draft" if plan.draft else plan.kind] += 1
        if plan.draft:
            self.report.note(plan.label, f"{plan.reason}: importato come bozza (Status: draft)")
        resolvers = body_mod.Resolvers(
            link=lambda href: self.links.link(plan, href),
            media=self.links.file,
            attachments=self.attachments,
        )
        self.links.lost = []
        converted = body_mod.convert(item.content, resolvers)
        for problem in converted.problems:
            self.report.note(plan.label, problem)
        lost = sorted(set(self.links.lost))
        if lost:
            what = "file non copiato" if len(lost) == 1 else "file non copiati"
            self.report.note(plan.label, f"{what}, tenuto solo il testo: {', '.join(lost)}")
        meta = self._metadata(plan, converted)
        markdown = converted.markdown
        if not markdown.strip():
            markdown = "*(Questo contenuto era vuoto su WordPress.)*\n"
            self.report.note(plan.label, "contenuto vuoto")
        text = "".join(f"{key}: {value}\n" for key, value in meta) + "\n" + markdown
        return text.encode("utf-8")

    def _metadata(self, plan: Plan, converted: body_mod.Body) -> list[tuple[str, str]]:
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
            meta.append(("Author", " ".join(author.split())))
        if plan.kind == "article":
            category, extra = self.terms.category_of(item)
            meta.append(("Category", category))
            tags = [body_mod.plain_text(t.name) for t in item.tags] + extra
            if extra:
                self.report.note(plan.label, "più categorie: la prima è la categoria, le altre "
                                             "sono diventate tag")
            tags = list(dict.fromkeys(" ".join(t.replace(",", " ").split()) for t in tags if t))
            if tags:
                meta.append(("Tags", ", ".join(tags)))
        meta.append(("Slug", plan.slug))
        if plan.nested:
            meta += [("Url", plan.url), ("Save_as", plan.url + "index.html")]
        summary = body_mod.plain_text(item.excerpt) or converted.more_text
        if summary:
            if len(summary) > SUMMARY_MAX:
                summary = summary[:SUMMARY_MAX].rsplit(" ", 1)[0] + "…"
            meta.append(("Summary", summary))
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
                    meta.append(("Image_alt", " ".join(alt.split())))
            else:
                self.report.note(plan.label, "immagine in evidenza non copiata")
        meta.append(("Wordpress_id", str(item.id)))
        return [(k, " ".join(v.split())) for k, v in meta]

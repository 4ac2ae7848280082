"""``invoke import-wordpress``: plan everything from the export, then write.

Nothing is written before the whole export has been read and every file planned, so
a malformed export, a missing ``--uploads`` folder or an unset production database
stops the import with the project untouched.
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from blog.wordpress import body as body_mod
from blog.wordpress.classify import classify
from blog.wordpress.errors import ImportFailed
from blog.wordpress.isso_import import CommentPlan, Thread, sort_comments, write_comments
from blog.wordpress.manifest import MANIFEST, Manifest, digest
from blog.wordpress.media import Media
from blog.wordpress.plans import (
    Plan,
    item_title,
    pelican_date,
    read_existing,
    rss_date,
)
from blog.wordpress.redirects import DATA_FILE, NGINX_CONF, NGINX_MAP, Redirects
from blog.wordpress.slugs import ascii_slug, reserved_segments, title_key, unique
from blog.wordpress.summary import Report
from blog.wordpress.wxr import Export, Item, parse

UNCATEGORIZED = {"uncategorized", "senza-categoria", "non-categorizzato"}
SUMMARY_MAX = 300


@dataclass
class Outputs:
    files: dict[str, bytes] = field(default_factory=dict)  # project-relative → bytes
    copies: dict[str, Path] = field(default_factory=dict)  # project-relative → source


class Importer:
    def __init__(self, export: Export, root: Path, settings: dict, uploads: Path | None):
        self.export = export
        self.root = root
        self.settings = settings
        self.content = root / settings.get("PATH", "content")
        self.manifest = Manifest.load(self.content / MANIFEST)
        self.report = Report()
        hosts = {(urlparse(u).hostname or "").removeprefix("www.")
                 for u in (export.base_url, export.link) if u}
        self.media = Media(uploads, hosts - {""})
        self.plans: list[Plan] = []
        self.by_id: dict[int, Plan] = {}
        self.by_old_path: dict[str, Plan] = {}
        self.categories: dict[str, str] = {}  # WP nicename → name, of public articles
        self.tags: dict[str, str] = {}
        self.public_categories: set[str] = set()
        self.public_tags: set[str] = set()
        self.wp_public_terms: set[tuple[str, str]] = set()  # had a public page on WordPress
        self.comments = CommentPlan()
        self.attachments = {
            i.id: (i.attachment_url, i.meta.get("_wp_attachment_image_alt", "")
                   or body_mod.plain_text(i.title))
            for i in export.items if i.post_type == "attachment" and i.attachment_url
        }
        self.redirects = Redirects()
        self._lost: list[str] = []  # files the item being converted could not get

    # ---------------------------------------------------------------- planning
    def plan(self) -> Outputs:
        by_slug, by_title, taken_roots = read_existing(self.content, self.manifest, self.root,
                                                       self.settings)
        taken = set(by_slug) | reserved_segments(self.settings) | taken_roots
        items = self.export.by_id()
        for item in self.export.items:
            verdict = classify(item)
            if verdict.kind is None:
                self.report.skipped[verdict.reason] += 1
                continue
            title, note = item_title(item)
            plan = Plan(item, verdict.kind, verdict.draft, verdict.reason, title)
            if note:
                self.report.note(plan.label, note)
            wp_slug = ascii_slug(item.name)
            kept = by_slug.get(wp_slug) or by_title.get(title_key(title))
            if kept:
                plan.kept = kept
                self.report.kept.append(f"{plan.label} → content/{kept.relpath}")
            self.plans.append(plan)
            self.by_id[item.id] = plan
        # Stable slugs: what the last import chose for this id comes first.
        ordered = sorted(self.plans, key=lambda p: str(p.item.id) not in self.manifest.items)
        for plan in ordered:
            if plan.kept:
                continue
            previous = self.manifest.items.get(str(plan.item.id))
            folder = "articles" if plan.kind == "article" else "pages"
            if plan.kind == "page":
                segments = self._page_segments(plan, items)
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
            plan.relpath = f"{folder}/{plan.slug}.md"
            url_key = "ARTICLE_URL" if plan.kind == "article" else "PAGE_URL"
            plan.url = self.settings.get(url_key, "{slug}/").format(slug=plan.slug)
            plan.nested = plan.kind == "page" and len(segments) > 1 and plan.public
            self.manifest.items[str(plan.item.id)] = f"{self.content.name}/{plan.relpath}"
        for plan in self.plans:
            if plan.nested:
                plan.url = self._nested_url(plan, set())
        for plan in self.plans:
            for old in self._old_paths(plan.item):
                self.by_old_path[old] = plan
        self._collect_terms()
        out = Outputs()
        for plan in self.plans:
            self._plan_item(plan, out)
        self._plan_redirects(out)
        for target, source in self.media.copies.items():
            out.copies[f"{self.content.name}/{target}"] = source
        self.report.missing = dict(self.media.missing)
        return out

    def _page_segments(self, plan: Plan, items: dict[int, Item]) -> list[str]:
        chain, seen, item = [], set(), plan.item
        while item is not None and item.id not in seen:
            seen.add(item.id)
            chain.append(ascii_slug(item.name) or ascii_slug(body_mod.plain_text(item.title))
                         or f"pagina-{item.id}")
            item = items.get(item.parent) if item.parent else None
            if item is not None and item.post_type != "page":
                break
        return list(reversed(chain))

    def _nested_url(self, plan: Plan, seen: set[int]) -> str:
        """A child page's address: its parent's NEW address (renamed if its slug was
        taken or reserved, or the page kept from content/) plus its own name."""
        parent = self.by_id.get(plan.item.parent)
        if parent is None or parent.kind != "page" or plan.item.id in seen:
            return plan.new_url
        seen.add(plan.item.id)
        base = parent.new_url if parent.kept or not parent.nested else self._nested_url(parent,
                                                                                         seen)
        own = (ascii_slug(plan.item.name) or ascii_slug(plan.title) or f"pagina-{plan.item.id}")
        return base.rstrip("/") + "/" + own + "/"

    def _old_paths(self, item: Item) -> list[str]:
        paths = []
        for link in (item.link,):
            parsed = urlparse(link)
            if parsed.path and parsed.path != "/" and not parsed.query:
                path = unquote(parsed.path)
                paths.append(path if path.endswith("/") or "." in path.rsplit("/", 1)[-1]
                             else path + "/")
        return paths

    def _collect_terms(self) -> None:
        for plan in self.plans:
            if plan.item.status == "publish":
                self.wp_public_terms.update(("category", t.nicename) for t in plan.item.categories)
                self.wp_public_terms.update(("tag", t.nicename) for t in plan.item.tags)
            for term in plan.item.categories:
                self.categories[term.nicename] = (
                    str(self.settings.get("DEFAULT_CATEGORY", "Senza categoria"))
                    if term.nicename in UNCATEGORIZED else body_mod.plain_text(term.name))
                if plan.public and plan.kind == "article":
                    self.public_categories.add(term.nicename)
            for term in plan.item.tags:
                self.tags[term.nicename] = body_mod.plain_text(term.name)
                if plan.public and plan.kind == "article":
                    self.public_tags.add(term.nicename)

    def _category_of(self, plan: Plan) -> tuple[str, list[str]]:
        names = [body_mod.plain_text(t.name) for t in plan.item.categories
                 if t.nicename not in UNCATEGORIZED]
        default = str(self.settings.get("DEFAULT_CATEGORY", "Senza categoria"))
        if not names:
            return default, []
        return names[0], names[1:]

    # ------------------------------------------------------------------ links
    def _link(self, plan: Plan, href: str) -> str | None:
        if href.startswith(("#", "mailto:", "tel:")):
            return href
        if urlparse(href).scheme not in ("", "http", "https"):
            self.report.note(plan.label, f"link {href[:40]} tolto (indirizzo non sicuro)")
            return None
        if self.media.upload_path(href) is not None:
            return self._media(href)
        if not self.media.is_old_site(href):
            return href
        parsed = urlparse(href)
        query = parse_qs(parsed.query)
        target: Plan | None = None
        for name in ("p", "page_id"):
            if query.get(name, [""])[0].isdigit():
                target = self.by_id.get(int(query[name][0]))
        path = unquote(parsed.path) or "/"
        if target is None and path not in ("/", ""):
            target = self.by_old_path.get(path if path.endswith("/") else path + "/")
        fragment = f"#{parsed.fragment}" if parsed.fragment else ""
        if target is not None:
            if target.link_target:
                return "{filename}/" + target.link_target + fragment
            self.report.note(plan.label, f"link a {target.label} tolto (non è pubblico), "
                                         "resta il testo")
            return None
        parts = [p for p in path.split("/") if p]
        if len(parts) >= 2 and parts[0] in ("category", "tag"):
            nicename = parts[-1]
            # Pelican slugifies the name after {category}/{tag}: the slug is its own slug.
            if parts[0] == "category" and nicename in self.public_categories:
                return "{category}" + self._slug_of(self.categories[nicename])
            if parts[0] == "tag" and nicename in self.public_tags:
                return "{tag}" + self._slug_of(self.tags[nicename])
        if path in ("/", "") and not query:
            return "{index}"
        self.report.note(plan.label, f"link al vecchio sito {href} tolto (nessuna pagina "
                                     "corrispondente), resta il testo")
        return None

    def _media(self, url: str) -> str | None:
        """``Media.resolve``, remembering for the current item what could not be copied."""
        target = self.media.resolve(url)
        if target is None and url and not url.startswith("data:"):
            self._lost.append(self.media.upload_path(url) or url)
        return target

    def _slug_of(self, name: str) -> str:
        from pelican.settings import DEFAULT_CONFIG
        from pelican.urlwrappers import Category

        return Category(name, DEFAULT_CONFIG | self.settings).slug

    # --------------------------------------------------------------- one item
    def _plan_item(self, plan: Plan, out: Outputs) -> None:
        item = plan.item
        threads_uri = "/" + plan.new_url
        kept_comments = sort_comments(item.comments, self.comments)
        if kept_comments:
            self.comments.threads.append(Thread(threads_uri, plan.title, kept_comments))
            if plan.kind == "page":
                self.report.note(plan.label, "commenti importati, ma il tema mostra i commenti "
                                             "solo negli articoli")
        if plan.kept:
            return
        self.report.counts["draft" if plan.draft else plan.kind] += 1
        if plan.draft:
            self.report.note(plan.label, f"{plan.reason}: importato come bozza (Status: draft)")
        attachments = self.attachments
        resolvers = body_mod.Resolvers(
            link=lambda href: self._link(plan, href),
            media=self._media,
            attachments=attachments,
        )
        self._lost = []
        converted = body_mod.convert(item.content, resolvers)
        for problem in converted.problems:
            self.report.note(plan.label, problem)
        lost = sorted(set(self._lost))
        if lost:
            what = "file non copiato" if len(lost) == 1 else "file non copiati"
            self.report.note(plan.label, f"{what}, tenuto solo il testo: {', '.join(lost)}")
        meta = self._metadata(plan, converted, attachments)
        markdown = converted.markdown
        if not markdown.strip():
            markdown = "*(Questo contenuto era vuoto su WordPress.)*\n"
            self.report.note(plan.label, "contenuto vuoto")
        text = "".join(f"{key}: {value}\n" for key, value in meta) + "\n" + markdown
        out.files[f"{self.content.name}/{plan.relpath}"] = text.encode("utf-8")

    def _metadata(self, plan: Plan, converted: body_mod.Body,
                  attachments: dict[int, tuple[str, str]]) -> list[tuple[str, str]]:
        item = plan.item
        meta: list[tuple[str, str]] = [("Title", plan.title)]
        date = (pelican_date(item.date) or pelican_date(item.modified)
                or rss_date(item.pub_date))
        if date:
            meta.append(("Date", date))
        modified = pelican_date(item.modified)
        if modified and modified > date:
            meta.append(("Modified", modified))
        author = self.export.authors.get(item.author, item.author)
        if author:
            meta.append(("Author", " ".join(author.split())))
        if plan.kind == "article":
            category, extra = self._category_of(plan)
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
        if thumb.isdigit() and int(thumb) in attachments:
            url, alt = attachments[int(thumb)]
            static = self.media.resolve(url)
            if static:
                meta.append(("Image", static.removeprefix("{static}/")))
                if alt:
                    meta.append(("Image_alt", " ".join(alt.split())))
            else:
                self.report.note(plan.label, "immagine in evidenza non copiata")
        meta.append(("Wordpress_id", str(item.id)))
        return [(k, " ".join(v.split())) for k, v in meta]

    # -------------------------------------------------------------- redirects
    def _plan_redirects(self, out: Outputs) -> None:
        r = self.redirects
        for plan in self.plans:
            if not (plan.public or plan.kept):
                continue
            new = "/" + plan.new_url
            for old in self._old_paths(plan.item):
                r.add_path(old, new)
            r.add_query("page_id" if plan.kind == "page" else "p", str(plan.item.id), new)
        from pelican.settings import DEFAULT_CONFIG
        from pelican.urlwrappers import Category, Tag

        settings = DEFAULT_CONFIG | self.settings
        # Only terms WordPress showed (a term of drafts only had no page, and its name
        # may be private).
        for nicename, name in self.categories.items():
            if ("category", nicename) not in self.wp_public_terms:
                continue
            if nicename in self.public_categories:
                new = "/" + Category(name, settings).url
            else:
                new = "/" + str(self.settings.get("CATEGORIES_URL", ""))
            r.add_path(f"/category/{nicename}/", new)
        for nicename, name in self.tags.items():
            if ("tag", nicename) not in self.wp_public_terms:
                continue
            new = ("/" + Tag(name, settings).url if nicename in self.public_tags
                   else "/" + str(self.settings.get("TAGS_URL", "")))
            r.add_path(f"/tag/{nicename}/", new)
        # Attachment pages (/2019/05/12/post/foto/) → the post they belong to.
        for item in self.export.items:
            parent = self.by_id.get(item.parent)
            if item.post_type == "attachment" and parent and (parent.public or parent.kept):
                for old in self._old_paths(item):
                    r.add_path(old, "/" + parent.new_url)
        # Author archives (/author/giulia/) of authors with published articles.
        from pelican.urlwrappers import Author

        for login, name in self.export.authors.items():
            if login and any(p.public and p.kind == "article" and not p.kept
                             and p.item.author == login for p in self.plans):
                r.add_path(f"/author/{login}/", "/" + Author(" ".join(name.split()), settings).url)
        if self.settings.get("FEED_ALL_ATOM"):
            r.add_path("/feed/", "/" + str(self.settings["FEED_ALL_ATOM"]))
        for old, target in self.media.old_paths.items():
            r.add_path(old, "/" + target)
        self.report.redirects = r.count()
        out.files[f"{self.content.name}/{DATA_FILE}"] = r.data().encode("utf-8")
        out.files[f"deploy/{NGINX_MAP}"] = r.nginx_map().encode("utf-8")
        out.files[f"deploy/{NGINX_CONF}"] = r.nginx_conf().encode("utf-8")

    # ---------------------------------------------------------------- writing
    def write(self, out: Outputs, databases: list[Path]) -> Report:
        report = self.report
        planned = {rel: data for rel, data in out.files.items()}
        planned |= {rel: src.read_bytes() for rel, src in out.copies.items()}
        for rel, data in sorted(planned.items()):
            state = self.manifest.state(self.root, rel, data)
            if state == "same":
                report.unchanged += 1
                self.manifest.files[rel] = digest(data)
            elif state in ("new", "ours"):
                target = self.root / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                self.manifest.files[rel] = digest(data)
                report.written.append(rel)
            elif state == "edited":
                report.protected.append(f"{rel} (modificato dopo l’ultimo import: lo lascio com’è; "
                                        "per riprenderlo da WordPress cancellalo e rilancia)")
            else:
                report.protected.append(f"{rel} (c’era già e non l’ha scritto l’import: "
                                        "lo lascio com’è)")
        report.images_copied = len(out.copies)
        report.comments = self.comments.counts
        for database in databases:
            added = write_comments(database, self.comments.threads)
            shown = (database.relative_to(self.root) if database.is_relative_to(self.root)
                     else database)
            report.comments_added[str(shown)] = added
        manifest_bytes = self.manifest.text().encode("utf-8")
        manifest_rel = f"{self.content.name}/{MANIFEST}"
        if self.manifest.state(self.root, manifest_rel, manifest_bytes) != "same":
            self.manifest.path.write_bytes(manifest_bytes)
            if report.written:
                report.written.append(manifest_rel)
        return report


def production_database(root: Path, environ: dict[str, str] | None = None) -> Path:
    """Isso's ``dbpath`` from ``isso/isso.cfg``, with the environment's variables."""
    env = dict(os.environ if environ is None else environ)
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(root / "isso" / "isso.cfg", encoding="utf-8")
    raw = parser.get("general", "dbpath", fallback="")
    value = raw
    for name, val in env.items():
        value = value.replace("${" + name + "}", val).replace("$" + name, val)
    if not value or "$" in value:
        raise ImportFailed(
            f"Per scrivere i commenti nel database di produzione serve ISSO_DBPATH "
            f"(isso/isso.cfg dice dbpath = {raw}): impostala, es. "
            "ISSO_DBPATH=/var/lib/isso/comments.db. Non ho scritto nulla."
        )
    return Path(value)


def run_import(
    export_file: Path,
    root: Path,
    *,
    uploads: Path | None = None,
    production_db: bool = False,
    environ: dict[str, str] | None = None,
) -> Report:
    """Import ``export_file`` into the project at ``root``; return the report."""
    from blog.build.engine import read_settings
    from blog.comments.isso import LOCAL_DB
    from blog.comments.isso import ROOT as COMMENTS_ROOT

    if uploads is not None and not uploads.is_dir():
        raise ImportFailed(f"La cartella --uploads {uploads} non esiste: indica la copia di "
                           "wp-content/uploads. Non ho scritto nulla.")
    settings = read_settings(root / "pelicanconf.py")
    databases = [root / LOCAL_DB.relative_to(COMMENTS_ROOT)]
    if production_db:
        databases.append(production_database(root, environ))
    export = parse(export_file)
    importer = Importer(export, root, settings, uploads)
    outputs = importer.plan()
    return importer.write(outputs, databases)

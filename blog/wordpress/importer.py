"""``invoke import-wordpress``: plan everything from the export, check it, then write.

Nothing is written before the whole export has been read, every file planned and the
plan checked against the strict build's own rules (:mod:`.preflight`), so a malformed
export, a missing ``--uploads`` folder, an unset production database or a file the
build would refuse stops the import with the project untouched.

The plan, in order: what each item becomes (:mod:`.classify`, :mod:`.plans`), its new
address (:mod:`.addresses`), its terms (:mod:`.terms`) and comments; then each file's
front matter (:mod:`.posts`), from which the site the build will make is predicted
(:mod:`.site`); then the bodies, whose links to categories and tags point only at
pages of that site (:mod:`.links`); then the files are read back as the build reads
them and checked, and every old address (:mod:`.addresses`) is aimed at a page the
build makes. Writing keeps the author's edits (:mod:`.manifest`).
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from blog.comments.backup import backup_before
from blog.wordpress import addresses, preflight
from blog.wordpress.classify import classify
from blog.wordpress.errors import ImportFailed
from blog.wordpress.isso_import import CommentPlan, Thread, sort_comments, write_comments
from blog.wordpress.links import Links
from blog.wordpress.manifest import MANIFEST, Manifest, digest
from blog.wordpress.media import Media
from blog.wordpress.plans import Plan, item_title, read_existing
from blog.wordpress.posts import Posts
from blog.wordpress.redirects import DATA_FILE, NGINX_CONF, NGINX_MAP, rules
from blog.wordpress.site import read_sources
from blog.wordpress.slugs import reserved_segments, title_key
from blog.wordpress.summary import Report
from blog.wordpress.terms import Terms
from blog.wordpress.wxr import Export, parse

MISSING_LIST = ".wordpress-mancanti.txt"


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
        self.media.learn_attachments([i.attachment_url for i in export.items
                                      if i.post_type == "attachment" and i.attachment_url])
        self.plans: list[Plan] = []
        self.by_id: dict[int, Plan] = {}
        self.by_old_path: dict[str, Plan] = {}
        self.comments = CommentPlan()
        self.thread_plans: dict[str, Plan] = {}  # Isso thread → the item it belongs to

    # ---------------------------------------------------------------- planning
    def plan(self) -> Outputs:
        sources = read_sources(self.content, self.settings)  # read once, used three times
        by_slug, by_title, taken_roots = read_existing(self.content, self.manifest,
                                                       self.settings, sources)
        reserved = self._reserved()
        taken = set(by_slug) | set(reserved) | taken_roots
        for item in self.export.items:
            verdict = classify(item)
            if verdict.kind is None:
                self.report.skipped[verdict.reason] += 1
                continue
            title, note = item_title(item)
            plan = Plan(item, verdict.kind, verdict.draft, verdict.reason, title)
            if note:
                self.report.note(plan.label, note)
            # The same post or page the author already has: same kind, same title (a
            # file that only shares the slug is another page: this one gets another).
            # The author's draft never hides a post WordPress published.
            kept = by_title.get((verdict.kind, title_key(title)))
            if kept and not kept.public and not verdict.draft:
                self.report.note(plan.label, f"c’è già una bozza con lo stesso titolo, "
                                             f"content/{kept.relpath}: importo anche questo, "
                                             "che su WordPress era pubblico")
                kept = None
            if kept:
                plan.kept = kept
                self.report.kept.append(f"{plan.label} → content/{kept.relpath}")
            self.plans.append(plan)
            self.by_id[item.id] = plan
        addresses.assign(self.plans, self.export.by_id(), self.by_id, self.manifest, taken,
                         self.settings, self.content.name, self.report, reserved)
        for plan in self.plans:
            for old in addresses.old_paths(plan.item):
                self.by_old_path[rules().old_address(old) or old] = plan
        commented = self._plan_comments()
        terms = Terms.collect(self.plans, self.settings, self.report)
        posts = Posts(self.export, terms, self.media, self.report, commented)
        fresh = [plan for plan in self.plans if not plan.kept]
        # The site the build will make, from the front matter alone: the bodies' links to
        # categories and tags may point only at its pages.
        fronts = {plan.relpath: posts.front_text(plan).encode("utf-8") for plan in fresh}
        site = preflight.predict(self.settings, self.content, fronts, set(self.media.copies),
                                 sources)
        links = Links(self.media, terms, self.report, self.by_id, self.by_old_path, site,
                      base=urlparse(self.export.base_url).path.rstrip("/"))
        planned = {plan.relpath: posts.markdown(plan, links) for plan in fresh}
        # What will be written, read back as the build reads it and judged by its rules.
        site = preflight.predict(self.settings, self.content, planned, set(self.media.copies),
                                 sources)
        preflight.refuse(preflight.check_documents(site, self.content, planned,
                                                   set(self.media.copies)))
        redirects = addresses.plan_redirects(self.export, self.plans, self.by_id, terms,
                                             self.media, site)
        preflight.check_redirects(site, redirects, self.report)
        self._check_threads(site)
        self.report.redirects = redirects.count()
        out = Outputs()
        out.files = {f"{self.content.name}/{rel}": data for rel, data in planned.items()}
        out.files[f"{self.content.name}/{DATA_FILE}"] = redirects.data().encode("utf-8")
        out.files[f"deploy/{NGINX_MAP}"] = redirects.nginx_map().encode("utf-8")
        out.files[f"deploy/{NGINX_CONF}"] = redirects.nginx_conf().encode("utf-8")
        for target, source in self.media.copies.items():
            out.copies[f"{self.content.name}/{target}"] = source
        self.report.missing = dict(self.media.missing)
        if self.media.missing:
            self.report.missing_file = f"{self.content.name}/{MISSING_LIST}"
            out.files[self.report.missing_file] = "".join(
                f"{name}\t{why}\n" for name, why in sorted(self.media.missing.items())
            ).encode("utf-8")
        return out

    def _reserved(self) -> dict[str, str]:
        """First address segments the build uses, with what it puts there."""
        reserved = dict.fromkeys(reserved_segments(self.settings), "la build li usa")
        try:
            from blog.build.settings import plugin_module

            reserved |= plugin_module("reserved_paths", self.settings).reserved_paths(
                self.settings)
        except ImportError:  # the list above still holds
            pass
        return reserved

    def _plan_comments(self) -> set[int]:
        """Every thread for Isso; the ids of the pages whose readers commented."""
        threads: dict[str, Thread] = {}
        commented: set[int] = set()
        for plan in self.plans:
            kept = sort_comments(plan.item.comments, self.comments)
            self._thread(threads, plan, kept)
        # An attachment's page (its photo) had comments too: they join its post's thread.
        for item in self.export.items:
            if item.post_type != "attachment" or not item.comments:
                continue
            kept = sort_comments(item.comments, self.comments)
            parent = self.by_id.get(item.parent)
            if parent is not None and (parent.public or parent.kept):
                self._thread(threads, parent, kept)
            else:
                self.comments.counts["lost"] += sum(c.approved == "1" for c in kept)
        for plan in self.plans:
            thread = threads.get("/" + plan.new_url)
            if thread is None:
                continue
            approved = sum(c.approved == "1" for c in thread.comments)
            if plan.draft and not plan.kept:
                self.comments.counts["on_drafts"] += approved
            if plan.kind == "page" and approved:
                commented.add(plan.item.id)
        self.comments.threads = list(threads.values())
        return commented

    def _thread(self, threads: dict[str, Thread], plan: Plan, comments: list) -> None:
        if not comments:
            return
        uri = "/" + plan.new_url
        thread = threads.setdefault(uri, Thread(uri, plan.title, []))
        thread.comments.extend(comments)
        self.thread_plans[uri] = plan

    def _check_threads(self, site) -> None:
        """Every approved comment of a public post or page on a page that shows it."""
        hidden = {}
        for uri, plan in self.thread_plans.items():
            if plan.kept and plan.kind == "page":
                document = site.documents.get(plan.kept.relpath)
                if document is not None and str(document.values.get("comments", "")) != "true":
                    hidden[uri] = f"content/{plan.kept.relpath}"
        public = {uri: plan.public or bool(plan.kept) for uri, plan in self.thread_plans.items()}
        lost = preflight.check_threads(site, public, self.report, hidden)
        if lost:
            raise ImportFailed("i commenti di " + ", ".join(lost[:5]) + " finirebbero su "
                               "indirizzi che la build non fa (è un errore dell’importatore). "
                               "Non ho scritto nulla.")

    # ---------------------------------------------------------------- writing
    def write(self, out: Outputs, databases: list[Path]) -> Report:
        report = self.report
        planned = dict(out.files)
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
            backup_before("import-wordpress", database)
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
    from blog.build.settings import read_settings
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

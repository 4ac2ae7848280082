"""``invoke import-wordpress``: plan everything from the export, then write.

Nothing is written before the whole export has been read and every file planned, so
a malformed export, a missing ``--uploads`` folder or an unset production database
stops the import with the project untouched.

The plan, in order: what each item becomes (:mod:`.classify`, :mod:`.plans`), its new
address (:mod:`.addresses`), its terms (:mod:`.terms`), its comments and its Markdown
(:mod:`.posts`, with :mod:`.links` for the body), then every old address
(:mod:`.addresses`). Writing keeps the author's edits (:mod:`.manifest`).
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from blog.wordpress import addresses
from blog.wordpress.classify import classify
from blog.wordpress.errors import ImportFailed
from blog.wordpress.isso_import import CommentPlan, Thread, sort_comments, write_comments
from blog.wordpress.links import Links
from blog.wordpress.manifest import MANIFEST, Manifest, digest
from blog.wordpress.media import Media
from blog.wordpress.plans import Plan, item_title, read_existing
from blog.wordpress.posts import Posts
from blog.wordpress.redirects import DATA_FILE, NGINX_CONF, NGINX_MAP
from blog.wordpress.slugs import ascii_slug, reserved_segments, title_key
from blog.wordpress.summary import Report
from blog.wordpress.terms import Terms
from blog.wordpress.wxr import Export, parse


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
        self.comments = CommentPlan()

    # ---------------------------------------------------------------- planning
    def plan(self) -> Outputs:
        by_slug, by_title, taken_roots = read_existing(self.content, self.manifest, self.root,
                                                       self.settings)
        taken = set(by_slug) | reserved_segments(self.settings) | taken_roots
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
        addresses.assign(self.plans, self.export.by_id(), self.by_id, self.manifest, taken,
                         self.settings, self.content.name)
        for plan in self.plans:
            for old in addresses.old_paths(plan.item):
                self.by_old_path[old] = plan
        terms = Terms.collect(self.plans, self.settings)
        links = Links(self.media, terms, self.report, self.by_id, self.by_old_path)
        posts = Posts(self.export, terms, links, self.media, self.report)
        out = Outputs()
        for plan in self.plans:
            self._plan_comments(plan)
            if not plan.kept:
                out.files[f"{self.content.name}/{plan.relpath}"] = posts.markdown(plan)
        redirects = addresses.plan_redirects(self.export, self.plans, self.by_id, terms,
                                             self.media, self.settings)
        self.report.redirects = redirects.count()
        out.files[f"{self.content.name}/{DATA_FILE}"] = redirects.data().encode("utf-8")
        out.files[f"deploy/{NGINX_MAP}"] = redirects.nginx_map().encode("utf-8")
        out.files[f"deploy/{NGINX_CONF}"] = redirects.nginx_conf().encode("utf-8")
        for target, source in self.media.copies.items():
            out.copies[f"{self.content.name}/{target}"] = source
        self.report.missing = dict(self.media.missing)
        return out

    def _plan_comments(self, plan: Plan) -> None:
        kept_comments = sort_comments(plan.item.comments, self.comments)
        if kept_comments:
            self.comments.threads.append(Thread("/" + plan.new_url, plan.title, kept_comments))
            if plan.kind == "page":
                self.report.note(plan.label, "commenti importati, ma il tema mostra i commenti "
                                             "solo negli articoli")

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

"""Before anything is written: the import's files and redirects against the build's rules.

The bytes the importer is about to write are read back as the strict build reads them
(:mod:`.site`: Pelican's metadata processors, slugs and URL patterns) and judged by the
rules of the build's own plugins, called here on data instead of on a finished site:

- ``reserved_paths``: no page at an address the build uses (``tag/``, ``feeds/``, …);
- ``strict_links``: every ``{filename}``/``{static}`` link names a file that will exist;
- Pelican: a title, a date for an article, a known status, an address for every slug,
  category, tag and author, no two sources writing the same file;
- ``wordpress_redirects``: every redirect points at a page the build makes, and no old
  address hides a page the site now has (nginx and ``_redirects`` would send readers
  away from it);
- Isso: every thread of a public post or page is the address of a page that shows it.

A redirect that breaks a rule is dropped (or re-aimed by :mod:`.terms` beforehand) and
the summary says why; a file that breaks one stops the import, naming file, line and
rule, with nothing written.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote

from blog.wordpress.errors import ImportFailed
from blog.wordpress.redirects import Redirects
from blog.wordpress.site import Document, Site, read_sources
from blog.wordpress.summary import Report
from blog.wordpress.terms import term_slug

STATUSES = {"published", "hidden", "draft"}


@dataclass
class Finding:
    file: str  # content-relative
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"content/{self.file}" + (f":{self.line}" if self.line else "")
        return f"{where}: {self.reason}"


def predict(settings: dict, content: Path, planned: dict[str, bytes], copies: set[str],
            sources: dict[str, tuple[str, str]] | None = None) -> Site:
    """The site the build will make once ``planned`` (content-relative → bytes) and the
    ``copies`` are written, with the author's other files as they are (``sources``, as
    :func:`~blog.wordpress.site.read_sources` read them; read here when not given)."""
    site = Site(settings)
    site.add_folder(read_sources(content, settings) if sources is None else sources,
                    skip=set(planned))
    for relpath, data in planned.items():
        kind = "page" if any(relpath.startswith(f + "/") for f in settings.get("PAGE_PATHS", [])) \
            else "article"
        site.add_source(relpath, kind, data.decode("utf-8"))
    site.add_static(content, copies)
    return site.finish()


def _line(text: str, key: str) -> int | None:
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            return None
        if line.lower().startswith(key.lower() + ":"):
            return number
    return None


def check_documents(site: Site, content: Path, planned: dict[str, bytes],
                    copies: set[str]) -> list[Finding]:
    """Every rule the build applies to a source, on the planned files."""
    from blog.build.settings import plugin_module

    reserved_paths = plugin_module("reserved_paths", site.settings)
    strict_links = plugin_module("strict_links", site.settings)
    reserved = reserved_paths.reserved_paths(site.settings)
    findings: list[Finding] = []
    for relpath, data in planned.items():
        text = data.decode("utf-8")
        doc = site.documents[relpath]
        findings += [Finding(relpath, _line(text, key), f"{key}: Pelican non lo legge ({why})")
                     for rel, key, why in site.errors if rel == relpath]
        findings += _metadata_findings(doc, text, site.settings)
        if doc.published_as:  # a draft too: the address it will have (as the plugin does)
            for _source, _line_no, reason in reserved_paths.clashes(
                    [(SimpleNamespace(source_path=str(content / relpath)), doc.published_as)],
                    reserved):
                findings.append(Finding(relpath, _line(text, "slug"), reason))
        for what, target in strict_links.links(text):
            if target and not _exists(content, relpath, target, planned, copies):
                findings.append(Finding(relpath, None, f"link interno rotto {{{what}}}{target}"))
        image = doc.values.get("image")
        if image and not _exists(content, relpath, "/" + str(image), planned, copies):
            findings.append(Finding(relpath, _line(text, "image"), f"Image: {image} non esiste"))
    findings += _same_slugs(site, planned)
    for path, first, second in site.clashes:
        mine = [w.removeprefix("content/") for w in (first, second)
                if w.removeprefix("content/") in planned]
        if mine:
            findings.append(Finding(mine[0], None, f"scriverebbe {path}, che scrive già {first}"))
    return findings


def _same_slugs(site: Site, planned: dict[str, bytes]) -> list[Finding]:
    """Pelican takes two sources of one kind and status with the same slug (and language)
    for translations of each other, and warns: one of them must be a planned file."""
    groups: dict[tuple, list[str]] = {}
    for doc in site.documents.values():
        lang = doc.values.get("lang", site.settings.get("DEFAULT_LANG"))
        groups.setdefault((doc.kind, doc.status, doc.slug, lang), []).append(doc.relpath)
    found = []
    for (_kind, _status, slug, _lang), files in groups.items():
        mine = sorted(f for f in files if f in planned)
        if len(files) > 1 and mine:
            others = ", ".join(f"content/{f}" for f in sorted(files) if f != mine[0])
            found.append(Finding(mine[0], None, f"lo slug «{slug}» è anche quello di {others}"))
    return found


def _metadata_findings(doc: Document, text: str, settings: dict) -> list[Finding]:
    found = []
    values = doc.values
    if not str(values.get("title") or "").strip():
        found.append(Finding(doc.relpath, _line(text, "title"), "manca il titolo"))
    if doc.kind == "article" and doc.status != "draft" and "date" not in values:
        found.append(Finding(doc.relpath, _line(text, "date"), "manca la data"))
    if doc.status not in STATUSES:
        found.append(Finding(doc.relpath, _line(text, "status"), f"stato «{doc.status}» ignoto"))
    if not doc.slug:
        found.append(Finding(doc.relpath, _line(text, "slug"), "lo slug è vuoto"))
    named = [("category", values.get("category")), ("author", values.get("author"))]
    named += [("tag", tag) for tag in values.get("tags") or []]
    for kind, wrapper in named:
        if wrapper is not None and not term_slug(kind, wrapper.name, settings):
            found.append(Finding(doc.relpath, _line(text, "tags" if kind == "tag" else kind),
                                 f"«{wrapper.name}» non dà un indirizzo"))
    return found


def _exists(content: Path, relpath: str, target: str, planned: dict[str, bytes],
            copies: set[str]) -> bool:
    """``strict_links``' own resolution: from the content root or the source's folder."""
    target = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if target.startswith("/"):
        rel = target.lstrip("/")
    else:
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(relpath), target))
    return rel in planned or rel in copies or (content / rel).exists()


def check_redirects(site: Site, redirects: Redirects, report: Report) -> None:
    """Drop every redirect the build would refuse or that would hide a page; say why."""
    for old, new in list(redirects.paths.items()):
        what = redirects.why.get(old) or "vecchio indirizzo"
        if site.builds(old):
            del redirects.paths[old]
            report.change(f"{old} ({what}) resta la pagina del sito, non porta a {new}",
                          "il vecchio indirizzo è ora una pagina del sito nuovo")
        elif not site.builds(new):
            del redirects.paths[old]
            report.change(f"{old} ({what}) portava a {new}",
                          "reindirizzamento tolto: la build non fa quella pagina")
    for name, values in redirects.queries.items():
        for value, new in list(values.items()):
            if not site.builds(new):
                del values[value]
                report.change(f"/?{name}={value} (portava a {new})",
                              "reindirizzamento tolto: la build non fa quella pagina")
    for old, address in sorted(redirects.normalised.items()):
        if address in redirects.paths:
            why = ("vecchi indirizzi con una barra doppia: il server la riduce a una, il "
                   "reindirizzamento anche" if "//" in old else
                   "vecchi indirizzi scritti come li serve WordPress (UTF-8, %xx minuscolo)")
            report.change(f"{old} → {address}", why)


def check_threads(site: Site, threads: dict[str, bool], report: Report,
                  pages_without_comments: dict[str, str]) -> list[str]:
    """Isso threads of public items (uri → True) that no page of the site shows."""
    lost = [uri for uri, public in threads.items() if public and not site.builds(uri)]
    for uri, file in sorted(pages_without_comments.items()):
        report.note(f"pagina {uri}", f"ha commenti importati, ma {file} non li mostra: "
                                     "aggiungi «Comments: true» alla sua intestazione")
    return lost


def refuse(findings: list[Finding]) -> None:
    """Stop the import when a planned file breaks a rule of the build."""
    if findings:
        shown = "\n".join(f"  {finding}" for finding in findings[:20])
        more = f"\n  … e altri {len(findings) - 20}" if len(findings) > 20 else ""
        raise ImportFailed(
            "l’import scriverebbe file che la build rifiuta (è un errore dell’importatore: "
            f"segnalalo con questo elenco):\n{shown}{more}\nNon ho scritto nulla.")

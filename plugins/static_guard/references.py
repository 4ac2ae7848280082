"""Which static files of a built site nothing points at (no HTML, CSS, JS, feed, …).

Pure functions, no Pelican: the plugin uses them on the build it has just written, and
``invoke check`` on a built folder. A reference is any URL-like token in a text file of
the site (HTML attributes, ``srcset``, CSS ``url()``, JS strings, feed bodies, sitemap,
``robots.txt``, ``_redirects``, ``_headers``) that resolves, relative to that file, to
the static file's address; the site's own and any other origin count alike, so nothing
linked through an absolute URL is mistaken for unreferenced. A file referenced only by
files that are themselves unreferenced is unreferenced too.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

TEXT_SUFFIXES = frozenset({".html", ".htm", ".xml", ".css", ".js", ".mjs", ".json",
                           ".webmanifest", ".txt", ".svg", ".atom", ".rss"})
TEXT_NAMES = frozenset({"_redirects", "_headers"})
# Asked for by name by browsers, crawlers and hosts: never pruned.
ALWAYS_KEEP = ("favicon.ico", "robots.txt", "_redirects", "_headers", "CNAME", ".nojekyll",
               ".well-known/*")
DELIMITERS = frozenset(" \t\r\n\f\v\"'`()<>,;{}\\|^")
_ATTRIBUTE = re.compile(r"^[\w:.-]+=")


def is_text(path: Path) -> bool:
    return path.suffix.lower() in TEXT_SUFFIXES or path.name in TEXT_NAMES


def _names(candidates: Iterable[str]) -> re.Pattern[str]:
    """Matches a token that may name one of ``candidates`` (its file name, or encoded)."""
    names = {posixpath.basename(c) for c in candidates}
    variants = {v for name in names for v in (name, quote(name), quote(name, safe=""))}
    return re.compile("|".join(re.escape(v) for v in sorted(variants)) or r"(?!)",
                      re.IGNORECASE)


def _tokens_around(text: str, names: re.Pattern[str]) -> set[str]:
    """The URL-like tokens (runs of non-delimiters) of ``text`` holding a ``names`` match."""
    tokens = set()
    for match in names.finditer(text):
        start, end = match.start(), match.end()
        while start > 0 and text[start - 1] not in DELIMITERS:
            start -= 1
        while end < len(text) and text[end] not in DELIMITERS:
            end += 1
        tokens.add(text[start:end])
    return tokens


def _targets(text: str, rel: str, names: re.Pattern[str]) -> set[str]:
    """Site paths (``images/a.png``) the URL-like tokens of ``text`` that ``names``
    matches point at (the others cannot name a candidate: skipped, for speed)."""
    folder = posixpath.dirname(rel)
    found: set[str] = set()
    if "&" in text:  # escaped markup (feeds): the entities around URLs become spaces
        for entity in ("&quot;", "&#34;", "&#x22;", "&#39;", "&#x27;", "&lt;", "&gt;"):
            text = text.replace(entity, " ")
        text = text.replace("&amp;", "&")
    for token in _tokens_around(text, names):
        token = _ATTRIBUTE.sub("", token)  # unquoted attribute: src=a.png
        parts = urlsplit(token)
        if parts.scheme and parts.scheme not in ("http", "https"):
            continue
        path = unquote(parts.path)
        if not path:
            continue
        if parts.scheme or parts.netloc or path.startswith("/"):
            target = path.lstrip("/")
        else:
            target = posixpath.join(folder, path)
        target = posixpath.normpath(target)
        if not target.startswith("../"):
            found.add(target)
    return found


def kept(path: str, keep: Iterable[str]) -> bool:
    """Does ``path`` (an output or source path) match an always-kept or listed pattern?"""
    return any(fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(path, f"*/{pattern}")
               for pattern in (*ALWAYS_KEEP, *keep))


def unreferenced(site: Path, candidates: Mapping[str, str],
                 keep: Sequence[str] = ()) -> dict[str, str]:
    """``{output path: source path}`` of the ``candidates`` (``{output: source}``, both
    POSIX and relative, to the site and to the content folder) nothing in ``site`` points
    at, leaving out those ``keep`` (glob patterns on either path) lists."""
    present = {out: src for out, src in candidates.items() if (site / out).is_file()}
    names = _names(present)
    links: dict[str, set[str]] = {}
    for root, _dirs, files in os.walk(site):  # never follows links
        for name in files:
            path = Path(root, name)
            if not is_text(path):
                continue
            rel = path.relative_to(site).as_posix()
            if rel.startswith("pagefind/"):
                continue
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            links[rel] = _targets(text, rel, names)
    orphans = {out for out in present if not kept(out, keep) and not kept(present[out], keep)}
    while True:
        referenced = set().union(*(targets for rel, targets in links.items()
                                   if rel not in orphans))
        still = {out for out in orphans if out not in referenced}
        if still == orphans:
            return {out: present[out] for out in sorted(orphans)}
        orphans = still


def static_candidates(settings: Mapping) -> dict[str, str]:
    """``{output path: source path}`` of the files Pelican copies from ``STATIC_PATHS``,
    computed from the settings the way Pelican maps them (``EXTRA_PATH_METADATA``
    ``path``/``save_as``, ``STATIC_EXCLUDES``, ``STATIC_SAVE_AS = "{path}"``)."""
    content = Path(settings["PATH"])
    extra = settings.get("EXTRA_PATH_METADATA") or {}
    excludes = [e.strip("/") for e in settings.get("STATIC_EXCLUDES") or []]
    ignores = settings.get("IGNORE_FILES") or []
    candidates: dict[str, str] = {}
    for static in settings.get("STATIC_PATHS") or []:
        base = content / static
        walk = [(str(content), [], [static])] if base.is_file() else os.walk(base)
        for root, dirs, files in walk:
            rel_root = Path(root).relative_to(content).as_posix()
            dirs[:] = [d for d in dirs if posixpath.join(rel_root, d) not in excludes
                       and not any(fnmatch.fnmatch(d, i) for i in ignores)]
            for name in files:
                if any(fnmatch.fnmatch(name, i) for i in ignores):
                    continue
                source = posixpath.normpath(posixpath.join(rel_root, name))
                meta = extra.get(source, {})
                out = meta.get("save_as") or meta.get("path") or source
                candidates[out] = source
    return candidates

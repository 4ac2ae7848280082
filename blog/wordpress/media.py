"""Images and other uploads the posts use: from ``wp-content/uploads`` to ``content/images``.

An upload of the old site is an address under ``/wp-content/uploads/`` on its hosts,
on WordPress.com's ``<blog>.files.wordpress.com`` (sizes asked by query string,
``?w=300``) or through Jetpack's ``i0.wp.com/<host>/…``. It is looked up in the folder
given with ``--uploads`` (a copy of ``wp-content/uploads``) as its ORIGINAL: WordPress
keeps beside each upload the sizes it made (``foto-300x200.jpg``, ``foto-1024x683.jpg``)
and, for big photos, ``foto-scaled.jpg``; the site makes its own sizes, so every size of
a photo becomes one copy of the original in ``content/images/wordpress/<year>/<month>/``
and every post points at it. An original missing from the copy is listed, and the
biggest size found stands in for it under the original's name (a later import with the
original replaces it). Not found at all, or on another site: the importer keeps only the
text (an image's alternative text) and lists the file.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from blog.wordpress.slugs import ascii_slug

UPLOADS = "/wp-content/uploads/"
TARGET = "images/wordpress"
SIZE = re.compile(r"-(\d+)x(\d+)(?=\.[A-Za-z0-9]+$)")
SCALED = re.compile(r"-scaled(?=\.[A-Za-z0-9]+$)")
PHOTON = re.compile(r"^i\d\.wp\.com$")
FILES_WPCOM = ".files.wordpress.com"


def original_of(relative: str) -> str:
    """``2019/05/foto.jpg`` for ``2019/05/foto-300x200.jpg`` or ``foto-scaled.jpg``."""
    return SCALED.sub("", SIZE.sub("", relative))


@dataclass
class Media:
    uploads: Path | None
    old_hosts: set[str]
    originals: set[str] = field(default_factory=set)  # upload paths of the attachments
    upload_hosts: set[str] = field(default_factory=set)  # <blog>.files.wordpress.com
    copies: dict[str, Path] = field(default_factory=dict)  # content-relative target → source
    old_paths: dict[str, str] = field(default_factory=dict)  # old site path → target
    missing: dict[str, str] = field(default_factory=dict)  # upload path or URL → why
    _resolved: dict[str, str | None] = field(default_factory=dict)
    _owner: dict[str, str] = field(default_factory=dict)  # target → the original it holds
    _listing: dict[Path, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.upload_hosts |= {host.removesuffix(".wordpress.com") + FILES_WPCOM
                              for host in self.old_hosts if host.endswith(".wordpress.com")}

    def learn_attachments(self, urls: list[str]) -> None:
        """The export's attachment URLs: their hosts are upload hosts (WordPress.com),
        their files are originals even when named like a size (``banner-728x90.png``)."""
        for url in urls:
            host = (urlparse(url).hostname or "").removeprefix("www.")
            if host.endswith(FILES_WPCOM):
                self.upload_hosts.add(host)
        for url in urls:
            relative = self.upload_path(url)
            if relative:
                self.originals.add(SCALED.sub("", relative))

    def is_old_site(self, url: str) -> bool:
        parsed = urlparse(url)
        if parsed.scheme and parsed.scheme not in {"http", "https"}:
            return False
        host = (parsed.hostname or "").removeprefix("www.")
        return not parsed.netloc or host in self.old_hosts or host in self.upload_hosts

    def upload_path(self, url: str) -> str | None:
        """``2019/05/foto.jpg`` for an address of the old site's uploads, else ``None``."""
        parsed = urlparse(url.strip())
        host = (parsed.hostname or "").removeprefix("www.")
        path = unquote(parsed.path)
        if PHOTON.match(host) and path.count("/") >= 2:  # i0.wp.com/<host>/wp-content/…
            return self.upload_path("https://" + path.lstrip("/"))
        if not self.is_old_site(url):
            return None
        if host in self.upload_hosts:
            relative = path
        elif UPLOADS in path:
            relative = path.split(UPLOADS, 1)[1]
        else:
            return None
        relative = posixpath.normpath("/" + relative).lstrip("/")
        return relative if relative and relative != "." else None

    def resolve(self, url: str) -> str | None:
        """``{static}/images/wordpress/…`` of the upload's original; ``None`` when it is
        not an upload of the old site or no size of it was found."""
        relative = self.upload_path(url)
        if relative is None:
            if url and not url.startswith("data:"):
                self.missing.setdefault(url, "immagine o file di un altro sito (non la scarico)")
            return None
        if relative not in self._resolved:
            self._resolved[relative] = self._copy(relative)
        target = self._resolved[relative]
        return "{static}/" + target if target else None

    def _copy(self, relative: str) -> str | None:
        original = relative if relative in self.originals else original_of(relative)
        source = self._find(relative, original)
        if source is None:
            why = ("manca nella cartella --uploads" if self.uploads
                   else "da copiare: rilancia con --uploads")
            self.missing.setdefault(original, why)
            return None
        found = source.relative_to(self.uploads).as_posix()
        if found != original:
            self.missing.setdefault(original, f"manca l’originale: al suo posto {found}")
        target = self.target_for(original)
        number = 2
        while self._owner.setdefault(target, original) != original:  # «Foto.JPG», «foto.jpg»
            stem, dot, ext = self.target_for(original).rpartition(".")
            target = f"{stem}-{number}.{ext}" if dot else f"{ext}-{number}"
            number += 1
        self.copies[target] = source
        for old in {relative, original, found}:
            self.old_paths[UPLOADS + old] = target
        return target

    def _find(self, relative: str, original: str) -> Path | None:
        """The original, else its ``-scaled`` copy, else the size the post used, else the
        biggest size beside it."""
        if self.uploads is None or ".." in relative.split("/"):
            return None
        stem, dot, ext = original.rpartition(".")
        candidates = [original, f"{stem}-scaled.{ext}" if dot else "", relative]
        for candidate in filter(None, candidates):
            path = self.uploads / candidate
            if path.is_file():
                return path
        folder = (self.uploads / original).parent
        if folder not in self._listing:
            self._listing[folder] = (sorted(p.name for p in folder.iterdir())
                                     if folder.is_dir() else [])
        name = original.rsplit("/", 1)[-1]
        sizes = []
        for other in self._listing[folder]:
            match = SIZE.search(other)
            if match and SIZE.sub("", other) == name:
                sizes.append((int(match[1]) * int(match[2]), other))
        return folder / max(sizes)[1] if sizes else None

    @staticmethod
    def target_for(relative: str) -> str:
        """Content-relative target of an upload: ASCII names, short, same folders."""
        *folders, name = relative.split("/")
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        clean = ascii_slug(stem, 50) or "file"
        safe_folders = [ascii_slug(f, 30) or "cartella" for f in folders]
        return "/".join([TARGET, *safe_folders, clean + ("." + ext.lower() if ext else "")])

"""Images and other uploads the posts use: from ``wp-content/uploads`` to ``content/images``.

Every address under ``/wp-content/uploads/`` of the old site is looked up in the
folder given with ``--uploads`` (a copy of ``wp-content/uploads``). Found: it will be
copied to ``content/images/wordpress/<year>/<month>/<ascii-name>`` and linked with
``{static}``. A resized variant (``foto-300x200.jpg``) missing from the copy falls
back to its original. Not found, or on another site: the importer keeps only the text
(the alternative text of an image) and the file is listed as missing.
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
RESIZED = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")


@dataclass
class Media:
    uploads: Path | None
    old_hosts: set[str]
    copies: dict[str, Path] = field(default_factory=dict)  # content-relative target → source
    old_paths: dict[str, str] = field(default_factory=dict)  # old site path → target
    missing: dict[str, str] = field(default_factory=dict)  # upload-relative path → why

    def is_old_site(self, url: str) -> bool:
        parsed = urlparse(url)
        if parsed.scheme and parsed.scheme not in {"http", "https"}:
            return False
        return not parsed.netloc or (parsed.hostname or "").removeprefix("www.") in self.old_hosts

    def upload_path(self, url: str) -> str | None:
        """``2019/05/foto.jpg`` for an address of the old site's uploads, else ``None``."""
        if not self.is_old_site(url):
            return None
        path = unquote(urlparse(url).path)
        if UPLOADS not in path:
            return None
        return posixpath.normpath(path.split(UPLOADS, 1)[1]).lstrip("./")

    def resolve(self, url: str) -> str | None:
        """``{static}/images/wordpress/…`` for a copyable upload; ``None`` otherwise."""
        relative = self.upload_path(url)
        if relative is None:
            if url and not url.startswith("data:"):
                self.missing.setdefault(url, "immagine o file di un altro sito (non la scarico)")
            return None
        source = self._find(relative)
        if source is None:
            why = ("manca nella cartella --uploads" if self.uploads
                   else "da copiare: rilancia con --uploads")
            self.missing.setdefault(relative, why)
            return None
        target = self.target_for(source.relative_to(self.uploads).as_posix())
        self.copies[target] = source
        self.old_paths[UPLOADS + relative] = target
        self.old_paths[UPLOADS + source.relative_to(self.uploads).as_posix()] = target
        return "{static}/" + target

    def _find(self, relative: str) -> Path | None:
        if self.uploads is None or ".." in relative.split("/"):
            return None
        for candidate in (relative, RESIZED.sub("", relative)):
            path = self.uploads / candidate
            if path.is_file():
                return path
        return None

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

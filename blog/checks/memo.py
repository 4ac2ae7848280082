"""Pages that already passed a slow check, remembered by content and checker version.

``.cache/controlli/memo.json`` maps each check to ``{page: key}``; the key is the
SHA-256 of the page's bytes plus the version of everything that decides the verdict:
our own checking code, the tool (vnu.jar, axe-core), the browser (Chromium) and, for
the browser checks, the site's stylesheets and scripts (and, for the page weight, its
images and fonts). Upgrading any of them checks every page again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from blog.build import disk

PACKAGE = Path(__file__).resolve().parent
# What each memoised check's verdict depends on, besides the page itself.
DEPENDS_ON: dict[str, tuple[str, ...]] = {
    "nu": ("code", "vnu"),
    "axe": ("code", "axe", "chromium", "assets"),
    "weight": ("code", "chromium", "assets", "media"),
}
# Checks whose browser ignores the page's Content-Security-Policy (axe and the page
# weight run with ``bypass_csp``): a page that differs only by its ``<meta>`` policy (the
# gh-pages build) gets the same verdict, so the publish to GitHub Pages reuses the other
# publish's.
CSP_BLIND = frozenset({"axe", "weight"})
CSP_META = re.compile(rb'<meta http-equiv="Content-Security-Policy" content="[^"]*">',
                      re.IGNORECASE)
MEDIA = {".png", ".jpg", ".jpeg", ".webp", ".avif", ".gif", ".svg", ".ico",
         ".woff", ".woff2", ".ttf", ".otf"}


def code_version() -> str:
    """SHA-256 of the checkers' own source (every module of this package)."""
    digest = hashlib.sha256()
    for module in sorted(PACKAGE.glob("*.py")):
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()


def assets_version(site: Path, suffixes: Iterable[str] = (".css", ".js")) -> str:
    """SHA-256 of the site's files with these suffixes (stylesheets and scripts by
    default; Pagefind's excluded: it loads only when the reader searches)."""
    wanted = set(suffixes)
    digest = hashlib.sha256()
    for asset in sorted(p for p in site.rglob("*") if p.suffix.lower() in wanted
                        and p.is_file() and p.relative_to(site).parts[0] != "pagefind"):
        digest.update(asset.relative_to(site).as_posix().encode())
        digest.update(hashlib.sha256(asset.read_bytes()).digest())
    return digest.hexdigest()


def tool_versions() -> dict[str, str]:
    """The versions of the checking tools installed now."""
    from blog.checks.a11y import axe_version
    from blog.checks.browser import chromium_version
    from blog.checks.nu import vnu_version

    return {"code": code_version(), "vnu": vnu_version(), "axe": axe_version(),
            "chromium": chromium_version()}


def checker_fingerprint(versions: Mapping[str, str] | None = None) -> str:
    """One hash of every checker version (for a whole-site "already checked" cache)."""
    versions = tool_versions() if versions is None else versions
    return hashlib.sha256(json.dumps(dict(versions), sort_keys=True).encode()).hexdigest()


class CheckMemo:
    """The memo file of one site check; ``path`` None remembers nothing."""

    def __init__(self, path: Path | None, site: Path,
                 versions: Mapping[str, str] | None = None) -> None:
        self.path = path
        self.versions = dict(tool_versions() if versions is None else versions)
        self.versions.setdefault("assets", assets_version(site))
        self.versions.setdefault("media", assets_version(site, MEDIA))
        self.data: dict[str, dict[str, str]] = {}
        #: One Italian line when the memo file was damaged (thrown away, made anew).
        self.notice = ""
        if path is not None:
            self.data = self._read(path)

    def _read(self, path: Path) -> dict[str, dict[str, str]]:
        """The memo in ``path``; a file that is not one (cut, ``[]``, a folder) is
        removed and remembers nothing."""
        try:
            data = json.loads(path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            data = None
        if isinstance(data, dict) and all(
                isinstance(pages, dict) and all(isinstance(k, str) for k in pages.values())
                for pages in data.values()):
            return data
        with contextlib.suppress(OSError):
            disk.remove(path)
        shown = "/".join((path.parent.parent.name, path.parent.name, path.name))
        self.notice = (f"La cache {shown} dei controlli era danneggiata: la rifaccio "
                       "(ricontrollo ogni pagina).")
        return {}

    def version(self, check: str) -> str:
        """The hash of what ``check``'s verdict depends on."""
        digest = hashlib.sha256(check.encode())
        for name in DEPENDS_ON.get(check, ("code",)):
            digest.update(b"\0" + name.encode() + b"=" + self.versions.get(name, "").encode())
        return digest.hexdigest()

    def key(self, check: str, site: Path, rel: str) -> str:
        data = (site / rel).read_bytes()
        if check in CSP_BLIND:
            data = CSP_META.sub(b"", data)
        page = hashlib.sha256(data).hexdigest()
        return f"{page}:{self.version(check)}"

    def pending(self, check: str, site: Path, pages: Iterable[str]) -> dict[str, str]:
        """``{page: key}`` of the pages that must be checked."""
        done = self.data.get(check, {})
        keys = {rel: self.key(check, site, rel) for rel in pages}
        return {rel: key for rel, key in keys.items() if done.get(rel) != key}

    def remember(self, check: str, passed: Mapping[str, str]) -> None:
        if self.path is None or not passed:
            return
        self.data.setdefault(check, {}).update(passed)
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.is_dir() and not self.path.is_symlink():
                shutil.rmtree(self.path)
            tmp.write_text(json.dumps(self.data, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:  # not remembered (a full disk): those pages are checked again
            tmp.unlink(missing_ok=True)

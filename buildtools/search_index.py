"""Index the built site with Pagefind (the real binary from PyPI's ``pagefind[bin]``).

The last step of every build (``invoke build``, ``invoke preview``, ``invoke publish``):
- only the content of ``data-pagefind-body`` elements is indexed, i.e. article and page
  bodies (the templates mark them); listings, tags, archives and 404 carry no marker;
- drafts never: pages under ``bozze/`` (written only for a local preview with
  ``invoke build --drafts`` or ``livereload --drafts``) are not even shown to Pagefind;
- Italian stemming (``--force-language it``): "delegare" finds "delega";
- only what the site's own search box uses is kept in ``pagefind/``: the API
  (``pagefind.js``, worker, WebAssembly) and the index. Pagefind's ready-made UIs are
  removed: the box is ``theme/static/js/search.js``;
- nothing is indexed twice: ``pagefind/indexed.sha256`` records a digest of exactly
  what Pagefind read (every indexed HTML file, Pagefind's version and options); a build
  whose pages are byte-identical to a previous version's hard-links that version's
  index instead of running Pagefind again.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

BUNDLE = "pagefind"
STAMP = "indexed.sha256"
BODY_MARK = b"data-pagefind-body"
LANGUAGE = "it"
# Top-level folders never indexed: drafts (pelicanconf.py DRAFT_SAVE_AS) and the bundle.
EXCLUDED_DIRS = frozenset({"bozze", BUNDLE})
# Pagefind's own UIs, unused by the site (ours is theme/static/js/search.js).
UNUSED = (
    "pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
    "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js",
    "wasm.unknown.pagefind",
)
# Inside the bodies, leave out what is not the text: dates and reading time.
FRAGMENT_MAGIC = b"pagefind_dcd"


class IndexFailed(Exception):
    """Pagefind could not index the site."""


def _indexable(site: Path) -> tuple[list[tuple[str, Path]], str]:
    """``(relative path, file)`` of every HTML file Pagefind is given, sorted, and the
    digest of what its index is made of (:func:`_start_digest`, then each file's path and
    bytes), each file read once. Pagefind gets the pages with a ``data-pagefind-body``
    (it leaves out the others anyway once one page has it, but still parses them:
    listings, tags and archives are half the site), or every page when none has one."""
    found = sorted((html.relative_to(site).as_posix(), html) for html in site.rglob("*.html")
                   if html.relative_to(site).parts[0] not in EXCLUDED_DIRS)
    digest = _start_digest()
    bodies = []
    for rel, html in found:
        data = html.read_bytes()
        if BODY_MARK in data:
            bodies.append((rel, html))
            digest.update(f"\0{rel}\0".encode())
            digest.update(data)
    if not bodies:  # a site whose theme marks no body: the rare case reads twice
        for rel, html in found:
            digest.update(f"\0{rel}\0".encode())
            digest.update(html.read_bytes())
    return bodies or found, digest.hexdigest()


def _mirror(files: list[tuple[str, Path]], dest: Path) -> int:
    """Hard-link (or copy) the indexable HTML files into ``dest``; return how many."""
    for rel, html in files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(html, target)
        except OSError:
            shutil.copy2(html, target)
    return len(files)


def _command(source: Path, bundle: Path) -> list[str]:
    return [
        sys.executable, "-m", "pagefind", "--site", str(source),
        "--output-path", str(bundle), "--force-language", LANGUAGE, "--silent",
    ]


def _start_digest() -> Any:
    """A digest of Pagefind's version and options, for the pages' paths and bytes to follow."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    try:
        digest.update(version("pagefind").encode())
    except PackageNotFoundError:
        digest.update(b"pagefind ?")
    digest.update(" ".join(_command(Path("S"), Path("B"))[2:]).encode())
    digest.update(repr(UNUSED).encode())
    return digest


def _reuse(bundle: Path, digest: str, previous: Iterable[Path | None]) -> bool:
    """Hard-link an earlier version's index made of the same pages; True if there was one."""
    for site in previous:
        if site is None:
            continue
        stamp = site / BUNDLE / STAMP
        try:
            if stamp.read_text(encoding="ascii").strip() != digest:
                continue
            shutil.copytree(site / BUNDLE, bundle, copy_function=os.link)
        except OSError:
            shutil.rmtree(bundle, ignore_errors=True)
            continue
        return True
    return False


def index_site(site: Path, reuse: Iterable[Path | None] = ()) -> bool:
    """Write ``site/pagefind/`` from the article and page bodies of ``site``.

    ``reuse``: earlier builds of the same site (version folders); when one of them was
    indexed from byte-identical pages its index is linked instead. Returns True then."""
    site = site.resolve()
    bundle = site / BUNDLE
    shutil.rmtree(bundle, ignore_errors=True)
    files, digest = _indexable(site)
    if _reuse(bundle, digest, reuse):
        return True
    with tempfile.TemporaryDirectory(prefix=f".{site.name}.pagefind-", dir=site.parent) as tmp:
        source = Path(tmp)
        _mirror(files, source)
        result = subprocess.run(_command(source, bundle), capture_output=True, text=True,
                                check=False)
    if result.returncode != 0:
        raise IndexFailed(
            f"Pagefind non è riuscito a indicizzare {site}:\n{result.stderr or result.stdout}"
        )
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)
    (bundle / STAMP).write_text(digest + "\n", encoding="ascii")
    return False


def indexed_pages(site: Path) -> dict[str, str]:
    """``{url: title}`` of every page in ``site/pagefind/`` (read from its fragments)."""
    pages: dict[str, str] = {}
    for fragment in sorted((site / BUNDLE / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(fragment.read_bytes())
        if data.startswith(FRAGMENT_MAGIC):
            data = data[len(FRAGMENT_MAGIC):]
        record = json.loads(data)
        pages[record["url"]] = record.get("meta", {}).get("title", "")
    return pages

"""Index the built site with Pagefind (the real binary from PyPI's ``pagefind[bin]``).

The last step of every build (``invoke build``, ``invoke preview``, ``invoke publish``):
- only the content of ``data-pagefind-body`` elements is indexed, i.e. article and page
  bodies (the templates mark them); listings, tags, archives and 404 carry no marker;
- drafts never: pages under ``bozze/`` (written only for a local preview with
  ``invoke build --drafts`` or ``livereload --drafts``) are not even shown to Pagefind;
- Italian stemming (``--force-language it``): "delegare" finds "delega";
- Italian elisions are words apart: Pagefind 1.5 splits ``un'assistente`` into «un»
  and «assistente» but keeps ``un’assistente`` (the typographic apostrophe, the one the
  site writes) as one word, so «assistente» missed most pages. Pagefind reads a copy of
  each page whose elisions use ``'``; :func:`fragments` and the search box
  (``search.js``) turn them back into ``’`` for the reader;
- only what the site's own search box uses is kept in ``pagefind/``: the API
  (``pagefind.js``, worker, WebAssembly) and the index. Pagefind's ready-made UIs are
  removed: the box is ``theme/static/js/search.js``;
- development builds (``invoke build``, livereload) split the index into parts of
  about :data:`SHARD_PAGES` pages, a page's part chosen by a hash of its path (so an
  edit touches one part, whatever the site's size). Pagefind cannot update a page in
  an index, but it can search several indexes as one (``mergeIndex``): the first part
  is ``pagefind/`` itself, the others are ``pagefind/parte-<digest>/`` folders listed
  in ``pagefind/parti.json``, which the search box reads. A site under
  :data:`SHARD_PAGES` pages has one part;
- production (``SEARCH_INDEX_PARTS = False`` in ``publishconf.py``; the engine asks
  :func:`shard_pages_for`) makes one index whatever the size, and the box
  (``partials/search.html``) asks for no ``parti.json``: at 1,000 posts a reader's first
  search costs 35 requests with the 7 parts, 16 with one index (plain Pagefind: 15);
- nothing is indexed twice: each part records a digest of exactly what Pagefind read
  (its HTML files, Pagefind's version and options); a part whose pages are
  byte-identical to a previous version's hard-links that version's part instead of
  running Pagefind again. The parts that changed are indexed side by side, one
  Pagefind per core;
- nothing is trusted unread: Pagefind exits 0 on a full disk, so every part is read back
  (:mod:`.search_check`) before :func:`index_site` returns; a linked part that does not
  read back (the live site damaged) is indexed again, a new one that does not is an
  error (ENOSPC when the disk is full, :mod:`.disk`).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blog.build import search_reference
from blog.build.disk import raise_if_full, remove
from blog.build.search_check import BrokenIndex, check_bundle, check_part
from blog.build.search_text import ELISION, mirror

BUNDLE = "pagefind"
STAMP = "indexed.sha256"
PARTS = "parti.json"
PART_PREFIX = "parte-"
BODY_MARK = b"data-pagefind-body"
LANGUAGE = "it"
# About this many pages per part: re-indexing one takes ~0.4 s on this 2-core machine
# (Pagefind 1.5: 1,005 pages in 2.6 s, 125 in 0.41 s). Each part costs a reader two
# small requests when the search starts and one per word searched, hence the cap.
SHARD_PAGES = 150
MAX_SHARDS = 16
# False (publishconf.py): one index; True or unset: parts (partials/search.html reads it too).
PARTS_SETTING = "SEARCH_INDEX_PARTS"
# Top-level folders never indexed: drafts (pelicanconf.py DRAFT_SAVE_AS) and the bundle.
EXCLUDED_DIRS = frozenset({"bozze", BUNDLE})
# Pagefind's own UIs, unused by the site (ours is theme/static/js/search.js).
UNUSED = (
    "pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
    "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js",
    "wasm.unknown.pagefind",
)
# What a merged part needs: the first part's script, worker and WebAssembly serve all.
PART_FILES = ("pagefind-entry.json", STAMP)
PART_DIRS = ("index", "fragment", "filter")
# Inside the bodies, leave out what is not the text: dates and reading time.
FRAGMENT_MAGIC = b"pagefind_dcd"


class IndexFailed(Exception):
    """Pagefind could not index the site."""


@dataclass
class _Part:
    """The pages of one part of the index and the digest of what Pagefind reads."""

    number: int
    files: list[tuple[str, Path]] = field(default_factory=list)
    digest: Any = None

    @property
    def folder(self) -> str:
        """Where the part lives inside ``pagefind/`` (the first part: the bundle itself)."""
        return "" if self.number == 0 else f"{PART_PREFIX}{self.digest.hexdigest()[:16]}"


# A page's relative path → ((inode, size, modification time), digest of its bytes,
# whether it has a body mark).
Digests = dict[str, tuple[tuple[int, int, int], bytes, bool]]


def _indexable(site: Path, digests: Digests | None = None) -> list[tuple[str, Path, bytes]]:
    """``(relative path, file, digest of its bytes)`` of every HTML file Pagefind is
    given, sorted. Pagefind gets the pages with a ``data-pagefind-body`` (it leaves out
    the others anyway once one page has it, but still parses them: listings, tags and
    archives are half the site), or every page when none has one. ``digests``: what
    earlier calls read, by relative path; a file whose inode, size and time are the same
    is not read again (livereload keeps them in memory between updates; ``invoke build``
    reads every page: keeping them on disk saved 0.06 s CPU at 1,000 posts). Left with
    exactly the pages of ``site``."""
    found, bodies = [], []
    digests = {} if digests is None else digests
    seen = set()
    prefix = len(str(site)) + 1
    for folder, dirs, files in os.walk(site):
        if folder == str(site):
            dirs[:] = [d for d in dirs if d not in EXCLUDED_DIRS]
        for name in files:
            if not name.endswith(".html"):
                continue
            html = Path(folder, name)
            rel = str(html)[prefix:]
            info = html.stat()
            stamp = (info.st_ino, info.st_size, info.st_mtime_ns)
            known = digests.get(rel)
            if known is None or tuple(known[0]) != stamp:
                data = html.read_bytes()
                known = (stamp, hashlib.sha256(data).digest(), BODY_MARK in data)
                digests[rel] = known
            seen.add(rel)
            item = (rel, html, known[1])
            found.append(item)
            if known[2]:
                bodies.append(item)
    for gone in digests.keys() - seen:
        del digests[gone]
    return sorted(bodies or found, key=lambda item: item[0])


def shard_pages_for(settings: Mapping[str, Any]) -> int | None:
    """The ``shard_pages`` a build with ``settings`` indexes with: None (one index) when
    they say ``SEARCH_INDEX_PARTS = False`` (production), else :data:`SHARD_PAGES`."""
    return SHARD_PAGES if settings.get(PARTS_SETTING, True) else None


def _part_count(pages: int, shard_pages: int | None) -> int:
    if shard_pages is None:
        return 1
    return max(1, min(MAX_SHARDS, math.ceil(pages / shard_pages)))


def _part_of(rel: str, count: int) -> int:
    return int.from_bytes(hashlib.blake2b(rel.encode(), digest_size=8).digest(), "big") % count


def _parts(site: Path, shard_pages: int | None, digests: Digests | None = None) -> list[_Part]:
    """The non-empty parts, numbered from 0, each with its files and digest."""
    files = _indexable(site, digests)
    count = _part_count(len(files), shard_pages)
    buckets: list[list[tuple[str, Path, bytes]]] = [[] for _ in range(count)]
    for item in files:
        buckets[_part_of(item[0], count)].append(item)
    parts = []
    for bucket in (b for b in buckets if b):
        part = _Part(len(parts), digest=_start_digest())
        part.digest.update(f"{count}:{part.number}".encode())
        for rel, html, data_digest in bucket:
            part.files.append((rel, html))
            part.digest.update(f"\0{rel}\0".encode())
            part.digest.update(data_digest)
        parts.append(part)
    return parts


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
    digest.update(repr((UNUSED, PART_FILES, PART_DIRS, ELISION.pattern)).encode())
    return digest


def _made_from(folder: Path, part: _Part) -> bool:
    """``folder`` holds an index part made from exactly ``part``'s pages (its stamp);
    raises OSError when it has no stamp."""
    return (folder / STAMP).read_text(encoding="ascii").strip() == part.digest.hexdigest()


def _is_own_file(name: str) -> bool:
    """In the bundle's top folder, what belongs to the whole index, not to its first part
    (never linked: the list of parts is written anew, and a link would write through)."""
    return name.startswith(PART_PREFIX) or name == PARTS


def _reuse(part: _Part, bundle: Path, previous: Iterable[Path | None]) -> bool:
    """Hard-link an earlier version's part made of the same pages; True if there was one."""
    target = bundle / part.folder
    for site in previous:
        if site is None:
            continue
        source = site / BUNDLE / part.folder
        try:
            if not _made_from(source, part):
                continue
            shutil.copytree(source, target, copy_function=os.link, dirs_exist_ok=True,
                            ignore=lambda folder, names, top=str(source): [
                                n for n in names if folder == top and _is_own_file(n)])
        except OSError:
            _remove_part(target, part)
            continue
        return True
    return False


def _remove_part(target: Path, part: _Part) -> None:
    """Undo a half-linked (or broken) part. The first part is the bundle itself: only
    its own files go, the other parts and the list of parts stay."""
    if part.number:
        shutil.rmtree(target, ignore_errors=True)
        return
    target.mkdir(exist_ok=True)
    for child in list(target.iterdir()):
        if not _is_own_file(child.name):
            remove(child)


def _index(part: _Part, work: Path) -> Path:
    """Run Pagefind over one part's pages; the folder its bundle was written to."""
    source, output = work / f"pagine-{part.number}", work / f"indice-{part.number}"
    mirror(part.files, source)
    result = subprocess.run(_command(source, output), capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        raise_if_full(work)
        raise IndexFailed(result.stderr or result.stdout)
    for name in UNUSED:
        (output / name).unlink(missing_ok=True)
    if part.number:  # the first part's script, worker and WebAssembly serve every part
        for child in list(output.iterdir()):
            if child.name not in PART_FILES + PART_DIRS and not child.name.endswith(".pf_meta"):
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    (output / STAMP).write_text(part.digest.hexdigest() + "\n", encoding="ascii")
    return output


def is_current(site: Path, *, shard_pages: int | None = SHARD_PAGES,
               digests: Digests | None = None) -> bool:
    """``site/pagefind/`` was made from exactly the pages ``site`` has now, and reads
    back whole (:mod:`.search_check`)."""
    site = site.resolve()
    bundle = site / BUNDLE
    try:
        listed = json.loads((bundle / PARTS).read_text(encoding="utf-8"))
        parts = _parts(site, shard_pages, digests)
        if listed != [f"{part.folder}/" for part in parts if part.number]:
            return False
        if not all(_made_from(bundle / part.folder, part) for part in parts):
            return False
        check_bundle(bundle, listed, scripts=lambda: search_reference.expected(None))
    except (OSError, ValueError, BrokenIndex):
        return False
    return True


def _broken(bundle: Path, part: _Part, scripts: Callable[[], dict[str, str] | None],
            trusted: Callable[[Path], bool] | None = None) -> BrokenIndex | None:
    prefix = f"{BUNDLE}/{part.folder + '/' if part.folder else ''}"
    try:
        check_part(bundle / part.folder, prefix, first=part.number == 0, scripts=scripts,
                   trusted=trusted)
    except BrokenIndex as exc:
        return exc
    return None


def _run_pagefind(site: Path, work: Path, bundle: Path, parts: list[_Part]) -> None:
    """Index ``parts`` side by side, one Pagefind per core, and move them into ``bundle``."""
    with tempfile.TemporaryDirectory(prefix=f".{site.name}.pagefind-", dir=work) as tmp:
        workers = min(len(parts), os.cpu_count() or 1)
        try:
            with ThreadPoolExecutor(workers) as pool:
                outputs = list(pool.map(lambda p: (p, _index(p, Path(tmp))), parts))
        except IndexFailed as exc:
            raise IndexFailed(f"Pagefind non è riuscito a indicizzare {site}:\n{exc}") \
                from None
        for part, output in outputs:
            target = bundle / part.folder
            target.mkdir(exist_ok=True)
            for child in output.iterdir():
                os.replace(child, target / child.name)


def index_site(site: Path, reuse: Iterable[Path | None] = (), *,
               shard_pages: int | None = SHARD_PAGES, bundle: Path | None = None,
               digests: Digests | None = None, reference: Path | None = None,
               trusted: Mapping[str, Any] | None = None,
               say: Callable[[str], None] | None = None) -> bool:
    """Write ``site/pagefind/`` from the article and page bodies of ``site``, and read it
    back before returning (:mod:`.search_check`): a part that is not whole raises
    :class:`IndexFailed` (``OSError`` ENOSPC when the disk is full).

    ``reuse``: earlier builds of the same site (version folders); a part of the index
    made of byte-identical pages in one of them is linked instead of indexed again (and
    indexed again, with a line to ``say``, when the linked copy does not read back).
    ``shard_pages``: about how many pages per part; None: one index, whatever the size
    (production: :func:`shard_pages_for`). ``bundle``: write the index there instead
    (livereload indexes the live site beside it, then swaps it in). ``digests``: see
    :func:`_indexable`. ``reference``: the cache folder of
    :mod:`.search_reference` (None: kept in this process's memory). ``trusted``:
    ``{path in the site: [size, mtime_ns]}`` of the files of the version parts are
    linked from, as they were when that build read them back (a linked file that still
    matches is not decompressed again).
    Returns True when every part was linked (Pagefind did not run)."""
    site = site.resolve()
    work = site.parent if bundle is None else bundle.parent
    bundle = site / BUNDLE if bundle is None else bundle
    shutil.rmtree(bundle, ignore_errors=True)
    bundle.mkdir()
    reuse = list(reuse)
    parts = _parts(site, shard_pages, digests)
    if not parts:
        raise IndexFailed(f"in {site} non c’è nessuna pagina HTML da indicizzare")
    linked = [part for part in parts if _reuse(part, bundle, reuse)]
    missing = [part for part in parts if part not in linked]
    if missing:
        _run_pagefind(site, work, bundle, missing)
    listed = [f"{part.folder}/" for part in parts if part.number]
    (bundle / PARTS).write_text(json.dumps(listed) + "\n", encoding="utf-8")

    notes: list[str] = []

    def scripts() -> dict[str, str] | None:
        return search_reference.expected(reference, notice=notes)

    known = trusted or {}

    def unchanged(path: Path) -> bool:
        info = path.stat()
        rel = f"{BUNDLE}/{path.relative_to(bundle).as_posix()}"
        return info.st_size > 0 and known.get(rel) == [info.st_size, info.st_mtime_ns]

    redo = []
    checked = set()
    for part in linked:
        broken = _broken(bundle, part, scripts, unchanged if known else None)
        checked.add(part.number)
        if broken is not None:
            if say is not None:
                say(f"      {broken.file} della versione in linea era rovinato "
                    f"({broken.reason}): rifaccio quella parte dell’indice.")
            _remove_part(bundle / part.folder, part)
            redo.append(part)
    if redo:
        _run_pagefind(site, work, bundle, redo)
    for part in parts:
        if part.number in checked and part not in redo:
            continue
        broken = _broken(bundle, part, scripts)
        if broken is not None and broken.file.endswith(search_reference.SCRIPTS):
            fresh = search_reference.expected(reference, fresh=True)
            broken = _broken(bundle, part, lambda known=fresh: known)
        if broken is not None:
            raise_if_full(work)
            raise IndexFailed(f"l’indice scritto da Pagefind non è completo: {broken}")
    if say is not None:
        for note in notes:
            say(f"      {note}")
    return not missing and not redo


def refresh(site: Path, bundle: Path, digests: Digests) -> tuple[bool, Digests]:
    """livereload's search pass, in a worker process of its own (the build goes on in
    the main one, without sharing its interpreter): ``(True, digests)`` when
    ``site/pagefind/`` is already made from the pages ``site`` has, else write the new
    index to ``bundle`` (parts made of the same pages linked from ``site/pagefind/``)
    and return ``(False, digests)``; ``digests`` come back for the next pass."""
    if is_current(site, digests=digests):
        return True, digests
    index_site(site, reuse=[site], bundle=bundle, digests=digests)
    return False, digests

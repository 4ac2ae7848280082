"""One Pelican run's images: what the pages show, what must be made, what is published.

:class:`Run` collects every document's pictures (:mod:`.markup`), starts the new
variants on the workers (:mod:`.pool`) once every post is read, decides what each
source file becomes in the site (Pelican's static files) and, once the pages are
written, puts every variant and the theme's pictures into the output, prunes the cache
and says in one line what it did.

What Pelican would copy from ``content/images/`` is never the original with its
metadata: an image the pages only *show* becomes, at its own address, its largest
variant in its own format (production leaves it out, as nothing links it:
``static_guard``); an image a page *links* (``[la foto intera]({static}/…)``, an old
WordPress address) or that no page shows is published whole, pixels untouched, without
its metadata (:mod:`.strip`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from pathlib import Path
from typing import Any

from .encode import make
from .facts import MEMO, RASTER_SUFFIXES, ImageProblem
from .markup import Rewritten
from .pool import Encoding
from .store import Placer, Store, cache_folder
from .strip import clean_copy
from .theme import ThemeImages, names
from .variants import Variant, encoders_for_suffix, plan

logger = logging.getLogger(__name__)

OWN_FORMAT = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "AVIF": "avif"}


def line_of(source: Path, needle: str) -> int | None:
    """The first line of ``source`` holding ``needle``."""
    try:
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            if needle in line:
                return number
    except (OSError, UnicodeDecodeError):
        return None
    return None


def report(source: str, needle: str, reason: str) -> None:
    """An image problem that stops the build, with the post's file and line."""
    line = line_of(Path(source), needle) if needle else None
    where = os.path.relpath(source) + (f":{line}" if line else "")
    logger.error("%s: %s", where, reason,
                 extra={"problem": {"file": str(source), "line": line, "reason": reason}})


class Run:
    """The images of one Pelican run."""

    def __init__(self, settings: dict[str, Any], output_path: str) -> None:
        self.settings = settings
        self.output = Path(output_path)
        self.placer = Placer(self.output, settings.get("BUILD_CONTEXT"))
        self.cache = cache_folder(settings)
        MEMO.load(self.cache / "facts.json")
        self.store = Store(self.cache)
        self.theme = ThemeImages()
        self.variants: dict[tuple[str, str], Variant] = {}  # (cache name, site path)
        self.keep: set[str] = set()  # cache files this run's sources need
        self.shown: set[str] = set()  # site paths of the sources shown
        self.linked: set[str] = set()
        self.needles: dict[str, tuple[str, str]] = {}  # source file → (post, its src)
        self.renditions: dict[str, Variant] = {}
        self.encoding: Encoding | None = None
        self.made = 0
        self.started = time.perf_counter()

    def add(self, source: str, result: Rewritten, written: bool) -> None:
        """A document's pictures; ``written``: its page is part of this build."""
        self.keep.update(v.cache_name for v in result.variants)
        if not written:
            return  # a draft not previewed: its files stay in the cache, nothing is made
        for variant in result.variants:
            self.variants.setdefault((variant.cache_name, variant.url_path), variant)
            if OWN_FORMAT.get(result.facts[variant.source].format) == variant.format:
                best = self.renditions.get(variant.source)
                if best is None or variant.width > best.width:
                    self.renditions[variant.source] = variant
        self.shown |= result.shown
        self.linked |= result.linked
        for path, needle in result.needles.items():
            self.needles.setdefault(path, (source, needle))

    def start(self) -> None:
        """Every post is read: start making the variants the cache lacks."""
        self.started = time.perf_counter()
        jobs: dict[str, list] = {}
        seen: set[str] = set()
        for variant in self.variants.values():
            name = variant.cache_name
            if name in seen or self.store.has(name):
                continue
            seen.add(name)
            jobs.setdefault(variant.source, []).append(
                (variant.width, variant.height, variant.format, variant.options, name))
        self.made = len(seen)
        self.encoding = Encoding.start(list(jobs.items()), self.cache)

    def originals(self, staticfiles: list[Any], links: set[str]) -> int:
        """Publish each image Pelican would copy as a file without metadata (see above)
        and take it off Pelican's list; return how many. Called once the pages are
        written (an ``{attach}`` link has placed its file) and before Pelican copies."""
        handled = []
        for static in staticfiles:
            rel = Path(static.relative_source_path).as_posix()
            source = Path(static.source_path)
            if source.suffix.lower() not in RASTER_SUFFIXES:
                continue
            chosen = None
            if rel in self.shown and rel not in links and rel not in self.linked:
                rendition = self.renditions.get(str(source))
                if rendition is not None:
                    chosen = self.store.path(rendition.cache_name)
            if chosen is None or not chosen.is_file():
                chosen = self._clean_original(source)
            if chosen is not None:
                self.placer.place(chosen, static.save_as)
                handled.append(static)
        if handled:
            staticfiles[:] = [s for s in staticfiles if s not in handled]
        return len(handled)

    def _clean_original(self, source: Path) -> Path | None:
        try:
            facts = MEMO.facts(source)
            digest, orientation = facts.digest, facts.orientation
        except ImageProblem:  # not shown anywhere, or reported: strip what can be
            try:
                digest, orientation = hashlib.sha256(source.read_bytes()).hexdigest()[:32], 1
            except OSError:
                return None
        name = f"{digest}-originale{source.suffix.lower()}"
        self.keep.add(name)
        if not self.store.has(name):
            try:
                self.store.record(name, clean_copy(source, self.store.path(name), orientation))
            except (OSError, ValueError, SyntaxError) as exc:
                logger.info("content_images: %s pubblicato com’è (%s)", source, exc)
                return None
        return self.store.path(name)

    def finish(self, staticfiles: list[Any], links: set[str]) -> None:
        """The pages are written: every picture into the output, the originals Pelican
        would copy replaced, the cache pruned."""
        waiting = time.perf_counter()
        results = self.encoding.wait() if self.encoding is not None else []
        for source, done, error in results:
            for name, size in done:
                self.store.record(name, size)
            if error:
                post, needle = self.needles.get(source, (source, ""))
                report(post, needle, f"immagine {os.path.relpath(source)}: {error}")
        published = 0
        for variant in self.variants.values():
            path = self.store.path(variant.cache_name)
            try:
                self.placer.place(path, variant.url_path)
            except FileNotFoundError:  # failed above, or pruned by another build meanwhile
                continue
            published += 1
        published += self._theme()
        published += self.originals(staticfiles, links)
        pruned = self.store.prune(self.keep)
        self.store.save()
        MEMO.save(self.cache / "facts.json")
        logger.info("content_images: %d immagini, %d file (%d nuovi, %d dalla cache, %d tolti "
                    "dalla cache) in %.2f s, %.2f s dopo le pagine", len(self.shown), published,
                    self.made, published - self.made, pruned,
                    time.perf_counter() - self.started, time.perf_counter() - waiting)

    def _theme(self) -> int:
        """The theme's pictures (the kit's cover and thumbnails), from the site's files."""
        requests = self.theme.load(self.cache)
        found = {}
        published = 0
        for url, (width, height, shown) in requests.items():
            source = self.output / url
            if not source.is_file() and self.placer.live is not None:
                source = self.placer.live / url  # kept as it was (an in-place update)
            if not source.is_file():
                continue
            found[url] = (width, height, shown)
            try:
                facts = MEMO.facts(source)
            except ImageProblem as problem:
                logger.warning("%s: %s", url, problem.reason)
                continue
            widths = [w for w, _ in next(iter(names(url, width, shown).values()))]
            variants = plan(facts, url, widths, encoders_for_suffix(url), hashed=False)
            missing = [(v.width, v.height, v.format, v.options, v.cache_name)
                       for v in variants if not self.store.has(v.cache_name)]
            if missing:
                _, done, error = make((str(source), missing), str(self.cache))
                for name, size in done:
                    self.store.record(name, size)
                self.made += len(done)
                if error:
                    logger.warning("%s: %s", url, error)
            for variant in variants:
                self.keep.add(variant.cache_name)
                if self.store.path(variant.cache_name).is_file():
                    self.placer.place(self.store.path(variant.cache_name), variant.url_path)
                    published += 1
        self.theme.save(self.cache, found)
        return published

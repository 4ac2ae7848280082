"""The variants' cache (``.cache/images/``): what is there, what is damaged, publishing
into the site, pruning.

Cache files are written once under a temporary name, made read-only and renamed into
place (:func:`new_file`, for :mod:`.encode` and :mod:`.strip`), never changed afterwards;
the site never shares bytes with them (:class:`Placer`: a damaged cache file cannot change
the live site). ``sizes.json`` remembers the size each file had when it was made: a file
cut short or emptied since (a crash, a full disk, a hand) no longer matches, is thrown
away and made again, with one line in the build log.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

logger = logging.getLogger(__name__)

MANIFEST = "sizes.json"
OWN_FILES = frozenset({MANIFEST, "facts.json", "theme.json"})


def cache_folder(settings: dict) -> Path:
    """``IMAGES_CACHE_PATH``, else ``images`` beside Pelican's ``CACHE_PATH``."""
    folder = Path(settings.get("IMAGES_CACHE_PATH")
                  or Path(settings["CACHE_PATH"]).parent / "images")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextlib.contextmanager
def new_file(dest: Path) -> Iterator[Path]:
    """A temporary name beside ``dest`` to write the new file at: made read-only and
    renamed to ``dest`` when the block ends, removed if it fails."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    temporary = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        yield temporary
        os.chmod(temporary, 0o444)
        os.replace(temporary, dest)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _same_bytes(source: Path, live: Path) -> bool:
    """``live`` holds ``source``'s bytes: at once when it is the copy a build made
    (:meth:`Placer.place` gives each copy its cache file's size and time, and a cache file
    is never changed), else read and compared (every variant read twice a build, else)."""
    try:
        one, other = source.stat(), live.stat()
        if one.st_size != other.st_size:
            return False
        if one.st_mtime_ns == other.st_mtime_ns:
            return True
        return source.read_bytes() == live.read_bytes()
    except OSError:
        return False


class Placer:
    """Puts cache files into the site without ever sharing bytes with the cache: a copy,
    or (when the live version already holds exactly these bytes) a hard link to the
    live version's file, or, when the build updates the live version in place, nothing
    written at all but the file kept (``kept``: moved in like the reused pages). The
    same rule as the social cards' (``og_image/files.py``), from the build engine's
    ``BUILD_CONTEXT`` (``live``, ``in_place``, ``kept_files``) when there is one."""

    def __init__(self, output: Path, build: object | None = None) -> None:
        self.output = output
        self.live: Path | None = getattr(build, "live", None)
        self.in_place = bool(getattr(build, "in_place", False))
        self.kept: set[str] | None = getattr(build, "kept_files", None)

    def place(self, source: Path, rel: str) -> None:
        """``source`` (a cache file) at ``rel`` in the output."""
        dest = self.output / rel
        if self.live is not None and _same_bytes(source, self.live / rel):
            if self.in_place:
                if self.kept is not None:
                    self.kept.add(rel)
                return
            dest.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                dest.unlink()
            try:
                os.link(self.live / rel, dest)
                return
            except OSError:
                pass  # another file system: copied below
        dest.parent.mkdir(parents=True, exist_ok=True)
        temporary = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
        try:
            shutil.copyfile(source, temporary)
            os.chmod(temporary, 0o644)
            info = source.stat()
            os.utime(temporary, ns=(info.st_atime_ns, info.st_mtime_ns))
            os.replace(temporary, dest)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise


class Store:
    """The cache folder of one build."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sizes: dict[str, int] = {}
        self.damaged = 0
        try:
            stored = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            if isinstance(stored, dict):
                self.sizes = {str(k): int(v) for k, v in stored.items()}
        except (OSError, ValueError, TypeError):
            self.sizes = {}

    def path(self, name: str) -> Path:
        return self.folder / name

    def has(self, name: str) -> bool:
        """Is ``name`` in the cache, whole? A damaged file is removed here."""
        try:
            size = (self.folder / name).stat().st_size
        except OSError:
            return False
        expected = self.sizes.get(name)
        if size > 0 and (expected is None or expected == size):
            if expected is None:
                self.sizes[name] = size
            return True
        self.damaged += 1
        logger.info("content_images: cache danneggiata (%s: %d byte invece di %s), la rifaccio",
                    name, size, expected)
        (self.folder / name).unlink(missing_ok=True)
        self.sizes.pop(name, None)
        return False

    def record(self, name: str, size: int) -> None:
        self.sizes[name] = size

    def prune(self, keep: Iterable[str]) -> int:
        """Remove the cache files no page uses any more; return how many."""
        keep = set(keep) | OWN_FILES
        removed = 0
        stale = time.time() - 3600  # a temporary file a killed build left behind
        for entry in os.scandir(self.folder):
            if entry.name.startswith("."):
                if entry.stat().st_mtime < stale:
                    os.unlink(entry.path)
                continue
            if entry.name not in keep:
                os.unlink(entry.path)
                self.sizes.pop(entry.name, None)
                removed += 1
        return removed

    def save(self) -> None:
        present = {name: size for name, size in self.sizes.items()
                   if (self.folder / name).is_file()}
        temporary = self.folder / f".{MANIFEST}.{os.getpid()}"
        temporary.write_text(json.dumps(present, sort_keys=True), encoding="utf-8")
        os.replace(temporary, self.folder / MANIFEST)

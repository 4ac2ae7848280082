"""Every cache a build reads is checked before it is used; one that does not verify is
thrown away (one Italian line says so) and the build makes it again.

- Shape: each cache folder (``.cache/``, Pelican's ``CACHE_PATH`` with its ``jinja/``
  and ``render-memo/``, the kit's ``KIT_CACHE``, the cards' ``og-images/``,
  ``build-inputs/``, ``pagefind/``, ``controlli/``) must be a folder, the build log a
  file: a file or folder in the wrong place is removed.
- Pelican's content caches (``CACHE_PATH/*-Readers``, pickles Pelican writes in place,
  so a crash leaves them cut): when Pelican has written one, :class:`PelicanRecord`
  notes its size and SHA-256 (``build-inputs/pelican-….json``, ~5 ms at 1,000 posts);
  before the next run, a file that does not match its note is removed, and Pelican reads
  every post again instead of failing on it (or, for a pickle that loads but is not
  Pelican's, building from it).
- The render memo of the output must be a JSON object.

Other caches check themselves where they are read: compiled templates
(:mod:`.templates`), the build stamp (:mod:`.fingerprint`), the cards (``og_image``),
the kit (``kit_pdf``'s manifest of SHA-256s), Pagefind's reference
(:mod:`.search_reference`). When a bad cache cannot be removed, the build stops and
says «esegui invoke clean».
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from blog.build import disk
from blog.build.errors import BuildError, Problem

Say = Callable[[str], None]
RECORD_FORMAT = 1
NOTES = ".impronte.json"
# What Pelican's caches are called: the generator's class, its readers' with «-Readers».
PELICAN_CACHE_NAME = re.compile(r"[A-Za-z_]\w*Generator(?:-Readers)?")


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _remove(path: Path, root: Path, why: str) -> None:
    try:
        disk.remove(path)
    except OSError as exc:
        raise BuildError(Problem(_rel(path, root), None,
                                 f"{why}, e non riesco a toglierla ({exc.strerror}): "
                                 "esegui invoke clean")) from None


def folders(root: Path, settings: dict[str, Any]) -> list[Path]:
    """The cache folders a build of ``settings`` in ``root`` writes into."""
    cache = root / ".cache"
    pelican = Path(settings["CACHE_PATH"])
    kit = Path(settings.get("KIT_CACHE") or ".cache/kit")
    cards = Path(settings.get("OG_IMAGE_CACHE_PATH") or pelican.parent / "og-images")
    found = [cache, pelican, pelican / "jinja", pelican / "render-memo",
             kit if kit.is_absolute() else root / kit,
             cards if cards.is_absolute() else root / cards,
             cache / "build-inputs", cache / "pagefind", cache / "controlli"]
    return [folder if folder.is_absolute() else root / folder for folder in found]


def check_shapes(root: Path, settings: dict[str, Any], log: Path, say: Say) -> None:
    """Remove a file where a cache folder should be (and a folder where the log is)."""
    for folder in folders(root, settings):
        for step in [*reversed(folder.parents), folder]:
            if step.is_relative_to(root) and step != root and step.exists() \
                    and not step.is_dir():
                _remove(step, root, "la cache non è una cartella")
                say(f"La cache {_rel(step, root)} non era una cartella: la tolgo e la "
                    "rifaccio.")
    if log.is_dir() and not log.is_symlink():
        _remove(log, root, "il registro della build è una cartella")
        say(f"{_rel(log, root)} era una cartella: la tolgo.")


def check_json_object(path: Path, root: Path, say: Say) -> None:
    """Remove ``path`` when it is there but does not hold a JSON object."""
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return
    except (OSError, ValueError):
        data = None
    if not isinstance(data, dict):
        _remove(path, root, "la cache è danneggiata")
        say(f"La cache {_rel(path, root)} era danneggiata: la rifaccio.")


def _record_file(pelican_cache: Path) -> Path:
    """The notes live in the cache folder (a copied or moved project keeps them)."""
    return pelican_cache / NOTES


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError:
        return []


def _content_caches(pelican_cache: Path) -> Iterator[Path]:
    # Pelican names them after the generator (ArticlesGenerator, …-Readers); the folder
    # also holds our plugins' files (scheduled-posts.json), which are not its to check.
    for entry in _entries(pelican_cache):
        if PELICAN_CACHE_NAME.fullmatch(entry.name) and entry.is_file() and not entry.is_symlink():
            yield entry


def _note(path: Path) -> list[Any]:
    data = path.read_bytes()
    return [len(data), hashlib.sha256(data).hexdigest()]


def _load_record(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("format") != RECORD_FORMAT:
        return None
    files = record.get("files")
    if not isinstance(files, dict) or not all(
            isinstance(v, list) and len(v) == 2 for v in files.values()):
        return None
    return files


def check_pelican_cache(root: Path, pelican_cache: Path, say: Say) -> None:
    """Remove each of Pelican's content caches that is not the file Pelican last wrote
    (and a folder where one of them, or their notes, should be)."""
    record = _record_file(pelican_cache)
    if record.is_dir() and not record.is_symlink():
        _remove(record, root, "la cache è una cartella")
    for entry in _entries(pelican_cache):
        if "Generator" in entry.name and entry.is_dir() and not entry.is_symlink():
            _remove(entry, root, "la cache di Pelican è una cartella")
            say(f"La cache {_rel(entry, root)} era una cartella: la tolgo e la rifaccio.")
    caches = list(_content_caches(pelican_cache))
    if not caches:
        return
    notes = _load_record(record)
    for path in caches:
        known = (notes or {}).get(path.name)
        if known is not None and path.stat().st_size == known[0] and _note(path) == known:
            continue
        _remove(path, root, "la cache di Pelican è danneggiata")
        if notes is None and not os.path.lexists(record):
            say(f"La cache {_rel(path, root)} non ha l’impronta che la build le lascia "
                "(scritta da un’altra versione o da pelican da solo): la rifaccio.")
        else:
            say(f"La cache {_rel(path, root)} era danneggiata (una build interrotta "
                "mentre la scriveva?): la rifaccio.")


class _SaveFailures(logging.Handler):
    """Pelican logs «Could not save cache» and goes on: that run's cache is not noted."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.failed = False

    def emit(self, record: logging.LogRecord) -> None:
        if str(record.msg).startswith("Could not save cache"):
            self.failed = True


class PelicanRecord:
    """Notes the content caches Pelican writes during one run (each when its generator is
    finalized, right after Pelican saved it); :meth:`commit` keeps the notes unless
    Pelican said it could not save one."""

    def __init__(self, root: Path, pelican_cache: Path) -> None:
        self.root = root
        self.cache = pelican_cache
        self.file = _record_file(pelican_cache)
        self.notes: dict[str, list[Any]] = {}
        self.failures = _SaveFailures()

    def _written(self, generator: Any) -> None:
        prefix = type(generator).__name__
        for path in _content_caches(self.cache):
            if path.name.startswith(prefix):
                self.notes[path.name] = _note(path)

    @contextmanager
    def watching(self) -> Iterator[None]:
        """Note the caches while Pelican runs in the block."""
        from pelican import signals

        logger = logging.getLogger("pelican.cache")
        logger.addHandler(self.failures)
        signals.article_generator_finalized.connect(self._written)
        signals.page_generator_finalized.connect(self._written)
        try:
            yield
        finally:
            signals.article_generator_finalized.disconnect(self._written)
            signals.page_generator_finalized.disconnect(self._written)
            logger.removeHandler(self.failures)

    def commit(self) -> None:
        """Keep the notes; a cache Pelican could not save loses its note (it is made
        again next time)."""
        if not self.notes:
            return
        notes = dict(_load_record(self.file) or {})
        for name, note in self.notes.items():
            if self.failures.failed:
                notes.pop(name, None)
            else:
                notes[name] = note
        temporary = self.file.with_name(f".{self.file.name}.{os.getpid()}")
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps({"format": RECORD_FORMAT, "files": notes}),
                                 encoding="utf-8")
            os.replace(temporary, self.file)
        except OSError:
            # Without its note the cache is made again next time: slower, never wrong.
            with suppress(OSError):
                temporary.unlink(missing_ok=True)
                self.file.unlink(missing_ok=True)

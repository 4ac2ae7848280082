"""What one source image is: its content digest, its size as shown (EXIF orientation
applied), its format; and why it cannot be used (missing, empty, unreadable, truncated).

Reading a 4.4 MB phone photo (hash, header, a decode at 1/8 scale that proves the whole
file is there) costs ~25 ms; :class:`FactsMemo` keeps the answer by the file's size and
modification time, in memory for the builds of one process (livereload) and in
``facts.json`` in the cache folder for the next process. The digest of the bytes, not
the time, names the variants: a checkout that rewrites the same bytes re-encodes
nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

# What browsers show and Pillow encodes; other files (SVG, PDF…) are left alone.
RASTER_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif"})
PHOTO_FORMATS = frozenset({"JPEG", "WEBP", "AVIF"})
ORIENTATION = 0x0112
FORMAT_VERSION = 1  # of facts.json


class ImageProblem(Exception):
    """An image that cannot be published, with the reason in Italian."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Facts:
    """One source image, as the pages show it."""

    path: str  # absolute
    digest: str  # SHA-256 of the bytes (hex, 32 characters)
    width: int  # EXIF orientation applied
    height: int
    format: str  # Pillow's name: JPEG, PNG, WEBP, AVIF, GIF
    alpha: bool
    animated: bool
    orientation: int = 1

    @property
    def is_photo(self) -> bool:
        """A photograph (what a social card may show), not a drawing or a screenshot."""
        return self.format in PHOTO_FORMATS and not self.alpha and not self.animated


def _has_alpha(image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def read_facts(path: Path) -> Facts:
    """Read ``path`` (raises :class:`ImageProblem` when it cannot be published)."""
    from PIL import Image, UnidentifiedImageError

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImageProblem("il file non esiste") from None
    except PermissionError:
        raise ImageProblem("non ho il permesso di leggere il file") from None
    except IsADirectoryError:
        raise ImageProblem("è una cartella, non un’immagine") from None
    except OSError as exc:
        raise ImageProblem(f"non riesco a leggere il file ({exc.strerror or exc})") from None
    if not data:
        raise ImageProblem("il file è vuoto (0 byte): copialo di nuovo o sostituiscilo")
    import io

    try:
        with _strict_decoding(), Image.open(io.BytesIO(data)) as image:
            kind = image.format or "?"
            width, height = image.size
            orientation = int(image.getexif().get(ORIENTATION, 1) or 1)
            animated = getattr(image, "n_frames", 1) > 1
            alpha = _has_alpha(image)
            if kind == "JPEG":  # a decode at 1/8 scale still reads every byte
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            image.load()
    except UnidentifiedImageError:
        raise ImageProblem("non è un’immagine che il sito sa mostrare (JPEG, PNG, WebP, "
                           "AVIF o GIF), o è danneggiato") from None
    except Image.DecompressionBombError:
        raise ImageProblem("è troppo grande (oltre 100 milioni di pixel): riducila prima "
                           "di pubblicarla") from None
    except (OSError, SyntaxError, ValueError) as exc:
        detail = str(exc)
        if "truncated" in detail:
            detail = "il file è troncato: copialo di nuovo"
        raise ImageProblem(f"l’immagine è danneggiata ({detail})") from None
    if orientation in (5, 6, 7, 8):  # turned a quarter: shown the other way round
        width, height = height, width
    return Facts(str(path), hashlib.sha256(data).hexdigest()[:32], width, height, kind,
                 alpha, animated, orientation if 1 <= orientation <= 8 else 1)


_STRICT = threading.RLock()


@contextlib.contextmanager
def _strict_decoding():
    """Pillow refusing truncated data while we read: WeasyPrint, once imported, lets it
    load them for the whole process (``LOAD_TRUNCATED_IMAGES = True`` in its
    ``images.py``), and a cut photo would then be published as grey stripes."""
    from PIL import ImageFile

    with _STRICT:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


class FactsMemo:
    """Facts by path, valid while the file keeps its size and modification time."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[int, int, Facts]] = {}
        self._loaded_from: Path | None = None
        self._lock = threading.Lock()
        self.changed = False

    def load(self, file: Path) -> None:
        """Take what ``file`` remembers (once per file; a damaged file is ignored)."""
        if self._loaded_from == file:
            return
        self._loaded_from = file
        try:
            stored = json.loads(file.read_text(encoding="utf-8"))
            if stored.get("version") != FORMAT_VERSION:
                return
            for path, (size, mtime, facts) in stored["images"].items():
                self._known.setdefault(path, (int(size), int(mtime), Facts(**facts)))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return

    def save(self, file: Path) -> None:
        """Write what is known of files that still exist (write new, then rename)."""
        if not self.changed:
            return
        with self._lock:
            images = {path: [size, mtime, asdict(facts)]
                      for path, (size, mtime, facts) in self._known.items()
                      if os.path.exists(path)}
            self.changed = False
        file.parent.mkdir(parents=True, exist_ok=True)
        temporary = file.with_name(f".{file.name}.{os.getpid()}")
        temporary.write_text(json.dumps({"version": FORMAT_VERSION, "images": images}),
                             encoding="utf-8")
        os.replace(temporary, file)

    def facts(self, path: Path) -> Facts:
        """The facts of ``path`` (raises :class:`ImageProblem`)."""
        key = str(path)
        try:
            info = path.stat()
        except OSError:
            info = None
        if info is not None:
            known = self._known.get(key)
            if known and known[0] == info.st_size and known[1] == info.st_mtime_ns:
                return known[2]
        found = read_facts(path)
        if info is not None:
            with self._lock:
                self._known[key] = (info.st_size, info.st_mtime_ns, found)
                self.changed = True
        return found


MEMO = FactsMemo()

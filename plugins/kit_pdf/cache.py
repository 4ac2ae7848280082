"""Build cache: a hash of the kit sources and of this builder, a manifest, atomic writes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
PDF_NAME = "kit.pdf"
PNG_NAME = "kit.png"
BUILDER_DIR = Path(__file__).resolve().parent
IGNORED_PARTS = {"__pycache__", ".DS_Store"}
# Why a cached build cannot be used (:func:`check`).
MISSING = "missing"  # never built here, or removed (``invoke clean``)
CHANGED = "changed"  # kit/, the builder or the site's address changed since
DAMAGED = "damaged"  # the manifest unreadable, or a file it lists gone or altered


def _ignored(relative: Path) -> bool:
    return any(part in IGNORED_PARTS or part.startswith(".") for part in relative.parts)


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(
        p for p in folder.rglob(pattern) if p.is_file() and not _ignored(p.relative_to(folder))
    )


def source_hash(source: Path, extra: str = "") -> str:
    """SHA-256 over every file of ``source`` and of the builder, plus what else changes output.

    ``extra`` is what the kit prints from outside ``kit/`` (the production address).
    """
    digest = hashlib.sha256()
    digest.update(f"extra {extra}\0".encode())
    for label, folder, pattern in (("kit", source, "*"), ("builder", BUILDER_DIR, "*.py")):
        for path in _files(folder, pattern):
            digest.update(f"{label}/{path.relative_to(folder).as_posix()}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    # The installed version, read without importing WeasyPrint (that costs ~0.8 s).
    digest.update(f"weasyprint {metadata.version('weasyprint')}\0".encode())
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def bytes_sha256(data: bytes) -> str:
    """SHA-256 of bytes in memory."""
    return hashlib.sha256(data).hexdigest()


def read_manifest(cache: Path) -> dict[str, Any] | None:
    """The manifest of the last good build, or None when absent or unreadable."""
    try:
        manifest = json.loads((cache / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None  # «[]»: damaged, rebuilt


def check(cache: Path, digest: str) -> tuple[dict[str, Any] | None, str | None]:
    """``(manifest, None)`` when the cached build is the one for ``digest`` and every
    file it lists is intact, else ``(None, why)``: :data:`MISSING`, :data:`CHANGED` or
    :data:`DAMAGED`."""
    if not os.path.lexists(cache / MANIFEST):
        return None, MISSING
    manifest = read_manifest(cache)
    if manifest is None:
        return None, DAMAGED
    if manifest.get("hash") != digest:
        return None, CHANGED
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        return None, DAMAGED
    try:
        intact = all(file_sha256(cache / name) == sha for name, sha in files.items())
    except OSError:  # a file gone, or a folder where it was
        intact = False
    return (manifest, None) if intact else (None, DAMAGED)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        if path.is_dir() and not path.is_symlink():  # a folder where the file goes
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_manifest(cache: Path, manifest: dict[str, Any]) -> None:
    """Store the manifest last, once the PDF and PNG it describes are in place."""
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    atomic_write(cache / MANIFEST, text.encode("utf-8"))

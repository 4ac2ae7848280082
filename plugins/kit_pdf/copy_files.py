"""Copy the built kit (PDF, preview, thumbnails, social card) from the cache, and the
vendored pdf.js that fills it in the browser, into a site folder, rewriting only the files
that changed."""

from __future__ import annotations

from pathlib import Path

from .builder import KitInfo
from .cache import atomic_write


def copy_kit_files(info: KitInfo, folder: Path, filename: str) -> tuple[Path, Path]:
    """Copy the kit into ``folder`` as ``filename``, with its preview, thumbnails and card.

    Returns the paths of the PDF and of the ``.png`` cover preview.
    """
    targets = [(origin, folder / name) for origin, name in info.files(filename)]
    _copy(targets)
    return targets[0][1], targets[1][1]


def copy_filler(folder: Path, files: dict[str, tuple[Path, str]]) -> None:
    """Copy the filling code (:func:`.vendor.vendor_files`) into ``folder``."""
    _copy([(origin, folder / name) for origin, name in files.values()])


def _copy(targets: list[tuple[Path, Path]]) -> None:
    for origin, target in targets:
        data = origin.read_bytes()
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            continue  # unchanged: keep the file (and its mtime) as it is
        atomic_write(target, data)  # makes the folder when needed

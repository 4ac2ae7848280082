"""Write ``.gz`` and ``.br`` twins of the site's text files, byte-for-byte reproducible.

A web server that serves precompressed files (nginx ``gzip_static`` / ``brotli_static``,
most static hosts) then sends them without compressing on every request, and with the
strongest settings: gzip level 9 and brotli quality 11. The gzip header carries no
file name and a zero timestamp, so two runs give identical bytes.

Files that are already compressed (PDF, PNG, Pagefind's gzipped index chunks) are
skipped, and so is any file the compression would not shrink by at least 5 %.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import brotli

COMPRESSIBLE = frozenset({
    ".html", ".htm", ".css", ".js", ".mjs", ".json", ".xml", ".svg", ".txt",
    ".atom", ".rss", ".webmanifest", ".map", ".ico", ".csv", ".md",
})
MIN_SIZE = 256
MIN_SAVING = 0.05


@dataclass(frozen=True)
class CompressionStats:
    """Totals over the files that got twins."""

    files: int
    original: int
    gzip: int
    brotli: int

    def line(self) -> str:
        from blog.report import size_it

        if not self.files:
            return "nessun file da comprimere"

        def saving(size: int) -> str:
            return f"−{round(100 * (1 - size / self.original))} %"

        return (
            f"{self.files} file, {size_it(self.original)} → gzip {size_it(self.gzip)} "
            f"({saving(self.gzip)}), brotli {size_it(self.brotli)} ({saving(self.brotli)})"
        )


def gzip_bytes(data: bytes) -> bytes:
    """Deterministic gzip: no name, mtime 0, level 9."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def brotli_bytes(data: bytes) -> bytes:
    """Brotli at quality 11 in text mode (deterministic by construction)."""
    return brotli.compress(data, quality=11, mode=brotli.MODE_TEXT)


def candidates(site: Path) -> list[Path]:
    """Text files worth compressing, in a stable order."""
    return sorted(
        p for p in site.rglob("*")
        if p.is_file() and p.suffix.lower() in COMPRESSIBLE and p.stat().st_size >= MIN_SIZE
    )


def _compress_one(path: Path) -> tuple[int, int, int]:
    data = path.read_bytes()
    packed = {".gz": gzip_bytes(data), ".br": brotli_bytes(data)}
    if max(len(p) for p in packed.values()) > len(data) * (1 - MIN_SAVING):
        return len(data), 0, 0
    for suffix, payload in packed.items():
        path.with_name(path.name + suffix).write_bytes(payload)
    return len(data), len(packed[".gz"]), len(packed[".br"])


def precompress_site(site: Path, on_file: Callable[[], None] | None = None) -> CompressionStats:
    """Write ``X.gz`` and ``X.br`` next to every compressible ``X`` under ``site``."""
    files = candidates(site)
    original = gz = br = count = 0
    workers = max(1, min(8, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for size, gz_size, br_size in pool.map(_compress_one, files):
            if on_file is not None:
                on_file()
            if gz_size:
                count += 1
                original += size
                gz += gz_size
                br += br_size
    return CompressionStats(files=count, original=original, gzip=gz, brotli=br)

"""The files made from one source image: formats, encoder settings, names.

Every shown image becomes AVIF, WebP and a fallback in its own kind (JPEG for a photo,
PNG for a drawing or anything with transparency) at the widths of :mod:`.layout`.
Settings chosen on measurements of a 4032×3024 phone photo on this machine's Pillow 13
(libavif 1.4.2 with aom 3.14, libwebp 1.6, libjpeg-turbo 3.2), at 736 px:

============================  ========  ======  =====
encoder                       size      time    SSIM
============================  ========  ======  =====
AVIF q60, speed 6             62 KB     479 ms  0.939
AVIF q60, speed 8             64 KB     99 ms   0.934
AVIF q60, speed 9 (chosen)    66 KB     34 ms   0.936
WebP q80, method 4            87 KB     51 ms   0.954
WebP q80, method 2 (chosen)   90 KB     23 ms   0.950
JPEG q82 progressive          98 KB     11 ms   0.944
============================  ========  ======  =====

AVIF at speed 9 is 14 times faster than speed 6 for 6 % more bytes. WebP only reaches
browsers without AVIF: method 2 halves its time for 4 % more bytes. A whole photo (the
decode, four widths, three formats) costs ~0.6 s of one core.

A variant's cache name is a hash of the source's bytes, the width, the format and these
settings; its published name keeps the source's name for the author to recognise:
``images/scrivania-736.3f2a9c1b7e.avif``. Any change of the photo or of the settings
gives new names, so a browser never keeps an old file under a current name.
"""

from __future__ import annotations

import functools
import hashlib
import json
import posixpath
from dataclasses import dataclass

from .facts import Facts

VERSION = 1  # of the pipeline: bump when what a variant looks like changes
MIME = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg", "png": "image/png"}
SUFFIX = {"avif": "avif", "webp": "webp", "jpeg": "jpg", "png": "png"}
PHOTO = {
    "avif": {"quality": 60, "speed": 9},
    "webp": {"quality": 80, "method": 2},
    "jpeg": {"quality": 82, "optimize": True, "progressive": True},
}
# Drawings, screenshots, the kit's pages, transparent images: a little more quality for
# text and edges. The PNG fallback has a palette of 256 colours when it is opaque (the
# kit's 320 px cover: 18 kB instead of 44 kB; AVIF 10 kB, WebP 10 kB).
GRAPHIC = {
    "avif": {"quality": 65, "speed": 9},
    "webp": {"quality": 85, "method": 2},
    "png": {"optimize": True, "colors": 256},
}


def encoder_settings(facts: Facts) -> dict[str, dict]:
    """Format → Pillow save options for ``facts``' variants (in ``<source>`` order, the
    fallback last)."""
    return PHOTO if facts.format == "JPEG" or facts.is_photo else GRAPHIC


def encoders_for_suffix(path: str) -> dict[str, dict]:
    """The same choice made from a file name alone (a theme image, named before it is
    read): ``.jpg``/``.jpeg`` photos, everything else drawings."""
    return PHOTO if posixpath.splitext(path)[1].lower() in (".jpg", ".jpeg") else GRAPHIC


@functools.cache
def settings_digest() -> str:
    """What every variant's name depends on besides the source and the width."""
    payload = json.dumps([VERSION, PHOTO, GRAPHIC], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Variant:
    """One file made from a source image."""

    source: str  # absolute source path (what the worker reads)
    width: int
    height: int
    format: str  # avif | webp | jpeg | png
    options: tuple[tuple[str, object], ...]
    cache_name: str  # file name in the cache
    url_path: str  # path in the site (posix, not quoted)

    @property
    def mime(self) -> str:
        return MIME[self.format]


def image_key(facts: Facts) -> str:
    """The hash shared by the variants of one source under the current settings."""
    return hashlib.sha256(f"{facts.digest}:{settings_digest()}".encode()).hexdigest()[:20]


def plan(facts: Facts, site_path: str, widths: list[int],
         encoders: dict[str, dict] | None = None, hashed: bool = True) -> list[Variant]:
    """The variants of ``facts`` at ``widths``, placed beside ``site_path`` (the source's
    path in the site, e.g. ``images/scrivania.jpg``). ``hashed=False`` leaves the hash
    out of the published names: a theme image (the kit's preview) is named by pages
    written before its file exists (:mod:`.theme`)."""
    key = image_key(facts)
    folder, name = posixpath.split(site_path)
    stem = posixpath.splitext(name)[0]
    tag = f".{key[:10]}" if hashed else ""
    encoders = encoders or encoder_settings(facts)
    kind = "p" if encoders is PHOTO else "g"
    made = []
    for fmt, options in encoders.items():
        for width in widths:
            suffix = SUFFIX[fmt]
            made.append(Variant(
                source=facts.path, width=width,
                height=max(1, round(facts.height * width / facts.width)), format=fmt,
                options=tuple(sorted(options.items())),
                cache_name=f"{key}-{width}{kind}.{suffix}",
                url_path=posixpath.join(folder, f"{stem}-{width}{tag}.{suffix}"),
            ))
    return made

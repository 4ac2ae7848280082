"""``picture()`` for the theme's own images (the kit's cover and page thumbnails).

Templates call ``{{ picture(KIT.preview_url, KIT.preview_width, KIT.preview_height,
sizes="(max-width: 40rem) 4rem, 5.5rem", shown=(64, 88), alt="") }}``: ``shown`` is what
the CSS makes of it (CSS pixels, one value a layout), ``sizes`` says the same to the
browser. The variants are the shown widths at 1× and 2× (never wider than the image),
named without a hash (``kit/kit-sulla-delega-176.avif``): the pages are written before
the kit's files reach the site, so the names cannot depend on the bytes.

The files are made once the kit's files are in the site (this plugin's generator comes
after the kit's), from every image a page asked for in this build or in an earlier one
whose page was reused unchanged (``theme.json`` in the cache remembers them).
"""

from __future__ import annotations

import html as html_lib
import json
import os
import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from . import layout
from .variants import MIME, SUFFIX, encoders_for_suffix

REGISTRY = "theme.json"

Request = tuple[int, int, tuple[int, ...]]  # width, height, shown


def names(url: str, width: int, shown: tuple[int, ...]) -> dict[str, list[tuple[int, str]]]:
    """Format → ``[(width, site path)]`` of a theme image's variants."""
    folder, name = posixpath.split(url)
    stem = posixpath.splitext(name)[0]
    widths = layout.template_widths(tuple(shown), width)
    return {fmt: [(w, posixpath.join(folder, f"{stem}-{w}.{SUFFIX[fmt]}")) for w in widths]
            for fmt in encoders_for_suffix(url)}


class ThemeImages:
    """The theme images the pages of one build show."""

    def __init__(self) -> None:
        self.requested: dict[str, Request] = {}

    def markup(self, siteurl: str, url: str, width: int, height: int, sizes: str,
               shown: tuple[int, ...], alt: str = "", lazy: bool = True,
               **attributes: Any) -> Markup:
        """The ``<picture>`` of ``url`` (a path in the site)."""
        width, height = int(width), int(height)
        shown = tuple(int(s) for s in shown)
        earlier = self.requested.get(url, (0, 0, ()))[2]  # one image, several layouts
        self.requested[url] = (width, height, tuple(sorted({*earlier, *shown})))
        prefix = f"{siteurl.rstrip('/')}/" if siteurl else "/"
        by_format = names(url, width, shown)
        formats = list(by_format)

        def srcset(fmt: str) -> str:
            return ", ".join(f"{prefix}{quote(path)} {w}w" for w, path in by_format[fmt])

        esc = html_lib.escape
        sources = "".join(f'<source type="{MIME[f]}" srcset="{esc(srcset(f))}" '
                          f'sizes="{esc(sizes)}">' for f in formats[:-1])
        extra = "".join(f' {esc(k.rstrip("_"))}="{esc(str(v))}"' for k, v in attributes.items())
        loading = ' loading="lazy"' if lazy else ""
        img = (f'<img src="{esc(prefix + quote(url))}" srcset="{esc(srcset(formats[-1]))}" '
               f'sizes="{esc(sizes)}" width="{width}" height="{height}" alt="{esc(alt)}"'
               f'{extra}{loading} decoding="async">')
        return Markup(f"<picture>{sources}{img}</picture>")

    def load(self, cache: Path) -> dict[str, Request]:
        """This build's requests and those remembered from earlier builds."""
        known: dict[str, Request] = {}
        try:
            stored = json.loads((cache / REGISTRY).read_text(encoding="utf-8"))
            for url, (width, height, shown) in stored.items():
                known[str(url)] = (int(width), int(height), tuple(int(s) for s in shown))
        except (OSError, ValueError, TypeError, AttributeError):
            pass
        for url, (width, height, shown) in self.requested.items():
            earlier = known.get(url, (0, 0, ()))[2] if url in known and \
                known[url][:2] == (width, height) else ()
            known[url] = (width, height, tuple(sorted({*earlier, *shown})))
        return known

    @staticmethod
    def save(cache: Path, requests: dict[str, Request]) -> None:
        temporary = cache / f".{REGISTRY}.{os.getpid()}"
        temporary.write_text(json.dumps({u: [w, h, list(s)] for u, (w, h, s) in
                                         sorted(requests.items())}), encoding="utf-8")
        os.replace(temporary, cache / REGISTRY)

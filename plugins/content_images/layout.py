"""How wide the theme shows an image, and so which widths to make and what ``sizes`` says.

The numbers mirror ``theme/static/css/site.css`` (keep them in step):

- the column, ``.wrap``: ``min(100% - 2.5rem, 46rem)``, and ``100% - 2rem`` at
  ``max-width: 40rem``; a photo (``.prose > figure``) takes the whole column, 736 px;
- a gallery (``figure.galleria``): two images a row with a ``1rem`` gap, 360 px each;
- a narrower image (a screenshot, an upright photo) is centred, its caption as wide.

An image is shown at its *display width*: the author's ``width`` attribute, else its own
width, at most the column's and at most what keeps it 640 px tall. The widths made for
it are the display width at the densities screens have (½× for a narrow window, 1×,
1½×, 2×), never wider than the source, plus the source's own width when it falls
between two of them; an image a phone shows as wide as its column is also made 672 px
wide, for the phone column of most Android phones.
"""

from __future__ import annotations

REM = 16
COLUMN = 46 * REM  # 736 px
GALLERY = (COLUMN - REM) // 2  # 360 px
TALLEST = 40 * REM  # 640 px: the tallest a photo is shown in the column
# A photo of the column width: the phone column, the tablet column, the desktop column.
COLUMN_SIZES = ("(max-width: 40rem) calc(100vw - 2rem), (max-width: 48.5rem) "
                "calc(100vw - 2.5rem), 46rem")
GALLERY_SIZES = ("(max-width: 40rem) calc(50vw - 1.5rem), (max-width: 48.5rem) "
                 "calc(50vw - 1.75rem), 22.5rem")
DENSITIES = (0.5, 1.0, 1.5, 2.0)
# The phone column at the densities of most Android phones: 412 px at DPR 1.75 (the phone
# Lighthouse emulates: 380 × 1.75 = 665) and 360 px at DPR 2 (656): 736 would be 18 % of
# bytes too many for them (Lighthouse's «uses-responsive-images»). Made for every image
# a phone shows as wide as its column (343 px on a 375 px phone).
PHONE_WIDTH = 672
PHONE_COLUMN = 343
SMALLEST = 64  # below this a variant saves nothing worth a request
CLOSE = 0.1  # two widths closer than this share one file


def display_width(source_width: int, layout: str = "column",
                  requested: int | None = None, source_height: int | None = None) -> int:
    """The CSS pixels an image is shown at in ``layout`` ("column" or "gallery"): the
    author's width if given, else the image's own, at most the layout's; in the column,
    an upright photo no taller than :data:`TALLEST` (a 3:4 photo 480 px wide, centred:
    the whole photo fits a laptop's screen)."""
    if requested and requested > 0:
        return max(1, min(requested, GALLERY if layout == "gallery" else COLUMN))
    if layout == "gallery":
        return max(1, min(source_width, GALLERY))
    limit = COLUMN
    if source_height and source_height > 0:
        limit = min(limit, round(TALLEST * source_width / source_height))
    return max(1, min(source_width, limit))


def _merged(kept: list[int]) -> list[int]:
    result: list[int] = []
    for width in sorted(set(kept)):  # a width within CLOSE of the next larger one goes
        if result and width - result[-1] < CLOSE * width:
            result[-1] = width
        else:
            result.append(width)
    return result


def widths(display: int, source_width: int, densities: tuple[float, ...] = DENSITIES,
           phone: bool = True) -> list[int]:
    """The widths to make for an image shown ``display`` px wide (never upscaled);
    ``phone``: in the column, which a phone shows whole (:data:`PHONE_WIDTH`)."""
    wanted = sorted({round(display * d) for d in densities})
    kept = [w for w in wanted if min(SMALLEST, display) <= w <= source_width]
    if source_width < wanted[-1] and (not kept or source_width - kept[-1] > CLOSE * source_width):
        kept.append(source_width)  # the source's own width, between two densities
    merged = _merged(kept)
    if phone and display >= PHONE_COLUMN and source_width >= PHONE_WIDTH:
        # Beside, not instead of, a width close to it: Chromium takes the narrowest width
        # at least as dense as the screen, so a 375 px phone at DPR 2 (686) still needs
        # the next one (736, or 720 for an upright photo).
        merged = sorted({*merged, PHONE_WIDTH})
    return merged


def sizes(display: int, layout: str = "column") -> str:
    """The ``sizes`` attribute for an image shown at most ``display`` px wide."""
    if layout == "gallery":
        return GALLERY_SIZES if display >= GALLERY else (
            f"(max-width: 40rem) calc(50vw - 1.5rem), {display}px")
    if display >= COLUMN:
        return COLUMN_SIZES
    phone_gutter, desk_gutter = 2 * REM, round(2.5 * REM)
    if display + desk_gutter <= 40 * REM:  # narrower than the phone column at 40rem
        return f"(max-width: {display + phone_gutter}px) calc(100vw - 2rem), {display}px"
    return (f"(max-width: 40rem) calc(100vw - 2rem), (max-width: {display + desk_gutter}px) "
            f"calc(100vw - 2.5rem), {display}px")


def template_widths(shown: tuple[int, ...], source_width: int) -> list[int]:
    """Widths for a theme image shown at each of ``shown`` CSS px, at 1× and 2×."""
    wanted = sorted({round(s * d) for s in shown for d in (1, 2)})
    kept = [w for w in wanted if w <= source_width]
    if source_width < wanted[-1] and (not kept or source_width - kept[-1] > CLOSE * source_width):
        kept.append(source_width)
    return _merged(kept)

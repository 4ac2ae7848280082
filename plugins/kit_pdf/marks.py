"""What the form fields of the kit look like: the PDF content streams of an empty or
ticked check box and of an empty or chosen radio button, in the site's colours."""

from __future__ import annotations

# The site's rust palette (theme/static/css/site.css): --accent and --fg.
BOX_COLOR = (0.541, 0.231, 0.071)
MARK_COLOR = (0.137, 0.122, 0.110)
TEXT_COLOR = MARK_COLOR
BORDER = 0.9


def fmt(value: float) -> str:
    """A PDF number: at most three decimals, no trailing zeros, never «-0»."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def rgb(color: tuple[float, float, float], stroke: bool = False) -> str:
    """The operator that sets ``color`` for filling (or for stroking)."""
    return " ".join(fmt(c) for c in color) + (" RG" if stroke else " rg")


def box(width: float, height: float) -> str:
    """An empty check box: white, with a rust border."""
    half = BORDER / 2
    return (
        f"1 1 1 rg {rgb(BOX_COLOR, stroke=True)} {fmt(BORDER)} w "
        f"{fmt(half)} {fmt(half)} {fmt(width - BORDER)} {fmt(height - BORDER)} re B"
    )


def tick(width: float, height: float) -> str:
    """A check mark drawn with two strokes, about two thirds of the box."""
    points = [(0.22, 0.52), (0.42, 0.28), (0.80, 0.76)]
    (ax, ay), (bx, by), (cx, cy) = ((x * width, y * height) for x, y in points)
    line = max(1.2, min(width, height) * 0.14)
    return (
        f"{rgb(MARK_COLOR, stroke=True)} {fmt(line)} w 1 J 1 j "
        f"{fmt(ax)} {fmt(ay)} m {fmt(bx)} {fmt(by)} l {fmt(cx)} {fmt(cy)} l S"
    )


def circle_path(cx: float, cy: float, r: float) -> str:
    """A circle as four Bézier curves."""
    k = 0.5523 * r
    f = fmt
    return (
        f"{f(cx + r)} {f(cy)} m "
        f"{f(cx + r)} {f(cy + k)} {f(cx + k)} {f(cy + r)} {f(cx)} {f(cy + r)} c "
        f"{f(cx - k)} {f(cy + r)} {f(cx - r)} {f(cy + k)} {f(cx - r)} {f(cy)} c "
        f"{f(cx - r)} {f(cy - k)} {f(cx - k)} {f(cy - r)} {f(cx)} {f(cy - r)} c "
        f"{f(cx + k)} {f(cy - r)} {f(cx + r)} {f(cy - k)} {f(cx + r)} {f(cy)} c h"
    )


def ring(width: float, height: float) -> str:
    """An empty radio button: a white circle with a rust border."""
    r = min(width, height) / 2 - BORDER / 2
    return (
        f"1 1 1 rg {rgb(BOX_COLOR, stroke=True)} {fmt(BORDER)} w "
        + circle_path(width / 2, height / 2, r)
        + " B"
    )


def dot(width: float, height: float) -> str:
    """The chosen radio button's mark: a dark disc, about half the ring."""
    r = min(width, height) * 0.24
    return f"{rgb(MARK_COLOR)} " + circle_path(width / 2, height / 2, r) + " f"

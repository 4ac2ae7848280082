"""The report's plots as inline SVG, written here rather than by a plotting library.

Why not matplotlib or pygal: matplotlib (tens of MB, ~1 s to import) writes its SVG with
a ``<style>`` element and ``style=""`` attributes, pygal adds a script and by default
loads its tooltips from a CDN; the site's Content-Security-Policy (``default-src
'self'``, no inline style) blocks all three. Here every shape carries presentation
attributes (``fill``, ``width``) that the policy allows, and a class the report's
stylesheet colours (dark mode included). Two sizes of the weekly chart are drawn, one
for phones and one for wider screens, so that its words keep a readable size on both.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

SERIES_COLOURS = ("#8a3b12", "#c9875d", "#5e544b", "#b9aea2")


@dataclass(frozen=True)
class Column:
    """One week: its short label, the count of each series, and whether it is partial."""

    label: str
    values: tuple[int, ...]
    partial: bool = False


@dataclass(frozen=True)
class Layout:
    """A chart's size in SVG units; words stay ``font`` units high."""

    width: int
    height: int
    font: int
    label_every: int = 1


WIDE = Layout(720, 300, 13)
NARROW = Layout(340, 250, 12, label_every=2)


def nice_ceiling(value: int, ticks: int = 4) -> tuple[int, int]:
    """A round top for the axis and its step: ``nice_ceiling(129)`` → ``(150, 50)``."""
    if value <= 0:
        return ticks, 1
    raw = value / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    step = max(1, math.ceil(step))
    return int(math.ceil(value / step) * step), step


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def columns_svg(columns: Sequence[Column], layout: Layout, label: str, css_class: str) -> str:
    """Stacked columns, one per week, with the total above each."""
    font = layout.font
    left, right, top, bottom = font * 3, 6, font * 2, font * 2 + 6
    plot_w, plot_h = layout.width - left - right, layout.height - top - bottom
    top_value, step = nice_ceiling(max((sum(c.values) for c in columns), default=0))
    every = layout.label_every if len(columns) > 7 else 1
    last = len(columns) - 1  # labels counted back from the last week, which is always named
    slot = plot_w / max(1, len(columns))
    bar = min(slot * 0.64, font * 4)
    parts = [
        f'<svg class="grafico {css_class}" viewBox="0 0 {layout.width} {layout.height}" '
        f'role="img" aria-label="{escape(label)}" focusable="false">'
    ]
    for tick in range(0, top_value + 1, step):
        y = top + plot_h - plot_h * tick / top_value
        parts.append(f'<line class="griglia{" base" if tick == 0 else ""}" x1="{left}" '
                     f'x2="{layout.width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#e6dccf" stroke-width="1"/>')
        parts.append(f'<text class="asse" x="{left - 6}" y="{y + font * 0.35:.1f}" '
                     f'text-anchor="end" font-size="{font}">{_number(tick)}</text>')
    for index, column in enumerate(columns):
        x = left + slot * index + (slot - bar) / 2
        y = top + plot_h
        for series, value in enumerate(column.values):
            if not value:
                continue
            height = plot_h * value / top_value
            y -= height
            partial = " parziale" if column.partial else ""
            parts.append(f'<rect class="serie-{series}{partial}" x="{x:.1f}" y="{y:.1f}" '
                         f'width="{bar:.1f}" height="{height:.1f}" '
                         f'fill="{SERIES_COLOURS[series % len(SERIES_COLOURS)]}"/>')
        centre = x + bar / 2
        total = sum(column.values)
        parts.append(f'<text class="valore" x="{centre:.1f}" y="{y - font * 0.4:.1f}" '
                     f'text-anchor="middle" font-size="{font}">{_number(total)}</text>')
        if (last - index) % every == 0:
            mark = "*" if column.partial else ""
            parts.append(f'<text class="asse" x="{centre:.1f}" '
                         f'y="{layout.height - bottom + font + 6}" text-anchor="middle" '
                         f'font-size="{font}">{escape(column.label)}{mark}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_svg(value: int, largest: int, css_class: str = "") -> str:
    """A bar as long as ``value`` is of ``largest``: one row of a ranking."""
    width = 0 if largest <= 0 else max(0.6, 100 * value / largest)
    extra = f" {css_class}" if css_class else ""
    return (f'<svg class="barra{extra}" viewBox="0 0 100 10" preserveAspectRatio="none" '
            f'aria-hidden="true" focusable="false"><rect width="{width:.1f}" height="10" '
            f'rx="0" fill="#8a3b12"/></svg>')

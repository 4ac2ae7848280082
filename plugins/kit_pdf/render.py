"""Render the workbook HTML from ``kit/templates/*.html.j2`` and the data of ``kit.yaml``."""

from __future__ import annotations

import re
import traceback
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from .errors import KitBuildError

TEMPLATES_DIR = "templates"
ENTRY_TEMPLATE = "kit.html.j2"

_STRONG = re.compile(r"\*\*(.+?)\*\*", re.S)
_EM = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])", re.S)


def inline_markup(text: Any) -> Markup:
    """Escape ``text``, then turn ``**bold**`` and ``*italic*`` into HTML."""
    html = str(escape(str(text)))
    html = _STRONG.sub(r"<strong>\1</strong>", html)
    html = _EM.sub(r"<em>\1</em>", html)
    return Markup(html)


def plain_text(text: Any) -> str:
    """Drop the inline markup and collapse whitespace: for hidden labels (PDF /TU)."""
    value = _STRONG.sub(r"\1", str(text))
    value = _EM.sub(r"\1", value)
    return " ".join(value.split())


def css_string(text: Any) -> str:
    """Make ``text`` safe inside a double-quoted CSS string."""
    value = str(text).replace("\\", "\\\\").replace('"', '\\"')
    return value.replace("\n", " ").replace("<", "\\3c ")


def make_environment(source: Path) -> jinja2.Environment:
    """A strict, autoescaping Jinja2 environment loading from ``source/templates``."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(source / TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["inline"] = inline_markup
    env.filters["plain"] = plain_text
    env.filters["css_string"] = css_string
    return env


def render_html(source: Path, data: dict[str, Any]) -> str:
    """Render the whole workbook to one HTML string.

    Any template problem becomes a :class:`KitBuildError` naming the template file
    and, where Jinja2 knows it, the line.
    """
    templates = (source / TEMPLATES_DIR).resolve()
    env = make_environment(source)
    try:
        return env.get_template(ENTRY_TEMPLATE).render(**data)
    except jinja2.TemplateSyntaxError as exc:
        path = Path(exc.filename) if exc.filename else templates / (exc.name or ENTRY_TEMPLATE)
        raise KitBuildError(
            f"errore di sintassi nel modello: {exc.message}", path, exc.lineno
        ) from exc
    except jinja2.TemplateNotFound as exc:
        path, line = _template_frame(exc, templates)
        raise KitBuildError(f"manca il modello {exc.name}", path, line) from exc
    except Exception as exc:
        path, line = _template_frame(exc, templates)
        raise KitBuildError(f"errore nel modello: {exc}", path, line) from exc


def _template_frame(exc: BaseException, templates: Path) -> tuple[Path, int | None]:
    """The innermost traceback frame that runs a template file (Jinja2 rewrites them)."""
    found: tuple[Path, int | None] = (templates / ENTRY_TEMPLATE, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        filename = Path(frame.filename)
        if filename.suffix == ".j2" and filename.resolve().parent == templates:
            found = (filename, frame.lineno)
    return found

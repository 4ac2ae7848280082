"""Font checks: every ``@font-face`` file exists before rendering, and only those are embedded."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import tinycss2
from fontTools.ttLib import TTFont

from .errors import KitBuildError

STYLESHEET = "kit.css"


@dataclass(frozen=True)
class FontFace:
    """One ``@font-face`` rule of ``kit.css``: its CSS family and the file it loads."""

    family: str
    path: Path
    line: int


def read_font_faces(source: Path) -> list[FontFace]:
    """Parse ``kit.css`` and return its ``@font-face`` rules; raise if a file is missing.

    WeasyPrint silently falls back to a system font when a ``src`` cannot be loaded,
    so a missing file must stop the build here, naming the stylesheet line and the file.
    """
    css_path = source / STYLESHEET
    try:
        css = css_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KitBuildError("stylesheet not found", css_path) from None
    faces = []
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    for rule in rules:
        if rule.type != "at-rule" or rule.lower_at_keyword != "font-face":
            continue
        declarations = tinycss2.parse_blocks_contents(
            rule.content, skip_comments=True, skip_whitespace=True
        )
        family = None
        urls: list[tuple[str, int]] = []
        for decl in declarations:
            if decl.type != "declaration":
                continue
            if decl.lower_name == "font-family":
                family = tinycss2.serialize(decl.value).strip().strip("\"'")
            elif decl.lower_name == "src":
                urls.extend(_urls(decl.value))
        if not family or not urls:
            raise KitBuildError(
                "@font-face needs font-family and a src url()", css_path, rule.source_line
            )
        for url, line in urls:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                raise KitBuildError(
                    f"font must be a file in kit/fonts/, not {url!r}", css_path, line
                )
            font_path = (css_path.parent / unquote(parts.path)).resolve()
            if not font_path.is_file():
                raise KitBuildError(f"font file not found: {font_path}", css_path, line)
            if font_path.read_bytes()[:4] == b"wOFF":
                raise KitBuildError(
                    f"{font_path.name}: WOFF 1 is converted with a timestamp at every render, "
                    "so the PDF would change from build to build; ship TrueType/OpenType",
                    css_path,
                    line,
                )
            faces.append(FontFace(family, font_path, line))
    if not faces:
        raise KitBuildError("no @font-face rule: the kit must ship its fonts", css_path)
    return faces


def _urls(tokens: list[Any]) -> list[tuple[str, int]]:
    found = []
    for token in tokens:
        if token.type == "url":
            found.append((token.value, token.source_line))
        elif token.type == "function" and token.lower_name == "url":
            args = [t for t in token.arguments if t.type == "string"]
            if args:
                found.append((args[0].value, token.source_line))
    return found


def font_program_families(content: bytes) -> set[str]:
    """Family names (name IDs 1, 4, 16) recorded inside a font program."""
    font = TTFont(io.BytesIO(content), lazy=True)
    names = set()
    for name_id in (1, 4, 16):
        value = font["name"].getDebugName(name_id)
        if value:
            names.add(value)
    return names


def shipped_families(faces: list[FontFace]) -> tuple[set[str], set[str]]:
    """CSS family names and font-program family names of the shipped fonts."""
    css = {face.family for face in faces}
    programs: set[str] = set()
    for face in faces:
        programs |= font_program_families(face.path.read_bytes())
    return css, programs


def check_embedded_fonts(
    document_fonts: dict[str, Any], faces: list[FontFace], css_path: Path
) -> list[str]:
    """Check the fonts WeasyPrint embedded; return their PDF names.

    ``document_fonts`` is ``weasyprint.Document.fonts`` after ``write_pdf``: each
    entry is the font object written to the PDF. Its family must be a family of
    ``kit.css`` and its program must come from one of the shipped files.
    """
    css_families, program_families = shipped_families(faces)
    names = []
    for font in document_fonts.values():
        name = font.name.decode("ascii", "replace").lstrip("/")
        if font.family not in css_families:
            raise KitBuildError(
                f"a font that is not shipped was embedded: {font.family!r} ({name}); "
                "a glyph is probably missing from the shipped fonts",
                css_path,
            )
        inner = font_program_families(font.file_content)
        if not inner & program_families:
            raise KitBuildError(
                f"font {font.family!r} was loaded from a system file ({', '.join(sorted(inner))})",
                css_path,
            )
        names.append(name)
    return sorted(set(names))

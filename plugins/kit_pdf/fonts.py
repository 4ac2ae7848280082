"""Font checks: every ``@font-face`` file exists before rendering, and only those are embedded."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import tinycss2
from fontTools.ttLib import TTFont

from .errors import KitBuildError, read_utf8

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
    css = read_utf8(css_path, "il foglio di stile del kit")
    faces = []
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    check_braces(css, css_path)
    check_syntax(rules, css_path)
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
                "@font-face vuole font-family e un src con url()", css_path, rule.source_line
            )
        for url, line in urls:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                raise KitBuildError(
                    f"il font deve essere un file in kit/fonts/, non «{url}»", css_path, line
                )
            font_path = (css_path.parent / unquote(parts.path)).resolve()
            if not font_path.is_file():
                raise KitBuildError(f"manca il file del font: {font_path}", css_path, line)
            if font_path.read_bytes()[:4] == b"wOFF":
                raise KitBuildError(
                    f"{font_path.name}: un WOFF 1 viene convertito con l’ora corrente a ogni "
                    "impaginazione e il PDF cambierebbe da una build all’altra: "
                    "usa TrueType/OpenType",
                    css_path,
                    line,
                )
            faces.append(FontFace(family, font_path, line))
    if not faces:
        raise KitBuildError("nessuna regola @font-face: il kit deve portarsi i suoi font", css_path)
    return faces


_COMMENT_OR_STRING = re.compile(r"/\*.*?\*/|\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'", re.S)


def check_braces(css: str, css_path: Path) -> None:
    """Every ``{`` closed, no stray ``}``: an open block would swallow the rest of the file."""
    blanked = _COMMENT_OR_STRING.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), css)
    opened: list[int] = []
    for line_number, line in enumerate(blanked.splitlines(), start=1):
        for char in line:
            if char == "{":
                opened.append(line_number)
            elif char == "}":
                if not opened:
                    raise KitBuildError("CSS non valido: «}» senza «{»", css_path, line_number)
                opened.pop()
    if opened:
        raise KitBuildError("CSS non valido: «{» mai chiusa", css_path, opened[-1])


def check_syntax(rules: list[Any], css_path: Path) -> None:
    """Stop at the first CSS syntax error (WeasyPrint would drop the rule and go on)."""
    for rule in rules:
        if rule.type == "error":
            raise KitBuildError(f"CSS non valido: {rule.message}", css_path, rule.source_line)
        if rule.type not in ("qualified-rule", "at-rule") or rule.content is None:
            continue
        if rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports"):
            check_syntax(tinycss2.parse_rule_list(rule.content), css_path)
            continue
        for item in tinycss2.parse_blocks_contents(rule.content):
            if item.type == "error":
                raise KitBuildError(f"CSS non valido: {item.message}", css_path, item.source_line)
        if rule.type == "qualified-rule" and not tinycss2.serialize(rule.prelude).strip():
            raise KitBuildError("regola CSS senza selettore", css_path, rule.source_line)


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
                f"è stato incorporato un font che il kit non porta con sé: «{font.family}» "
                f"({name}); probabilmente a un font del kit manca un carattere",
                css_path,
            )
        inner = font_program_families(font.file_content)
        if not inner & program_families:
            raise KitBuildError(
                f"il font «{font.family}» è stato preso dal sistema ({', '.join(sorted(inner))})",
                css_path,
            )
        names.append(name)
    return sorted(set(names))

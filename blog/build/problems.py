"""Turn what Pelican, Jinja2 and the plugins report into :class:`Problem` s for the author.

Two sources: log records (Pelican logs a file it cannot read and goes on; our own
plugins attach ``extra={"problem": {...}}`` with file, line and Italian reason) and the
exception that stops a build (a template error, the kit's ``KitBuildError``, a plugin
bug). Every path is made relative to the project and the build's temporary version
folder is shown as ``output``.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sys
import traceback
from pathlib import Path

from blog.build.errors import Problem
from blog.build.system_errors import disk_full, from_os_error, short

UTF8_REASON = ("il file non è in UTF-8: salvalo come UTF-8 "
               "(nell’editor: «Salva con codifica» → UTF-8)")
DATE_EXAMPLE = "2026-10-01 10:00"
_NOT_A_DATE = re.compile(r"^'(?P<value>.*)' is not a valid date$", re.S)
_FIELD = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_ -]*)\s*:\s*(?P<value>.*)$")


class Context:
    """What a translation needs: the project root, the content folder, the temp output
    (shown as ``output_name``)."""

    def __init__(self, root: Path, content: Path, staging: Path | None = None,
                 output_name: str = "output") -> None:
        self.root = root.resolve()
        self.content = content.resolve()
        self.staging = staging.resolve() if staging else None
        self.output_name = output_name

    def rel(self, path: str | Path) -> str:
        """A path as the author knows it: relative to the project (content paths too)."""
        candidate = Path(path)
        if not candidate.is_absolute():
            inside_content = self.content / candidate
            candidate = inside_content if inside_content.exists() else self.root / candidate
        candidate = candidate.resolve()
        if self.staging is not None and candidate.is_relative_to(self.staging):
            return (Path(self.output_name) / candidate.relative_to(self.staging)).as_posix()
        if candidate.is_relative_to(self.root):
            return candidate.relative_to(self.root).as_posix()
        return str(path)

    def clean(self, text: str) -> str:
        """Replace absolute project and staging paths inside a message."""
        if self.staging is not None:
            text = text.replace(str(self.staging), self.output_name)
        text = text.replace(str(self.content) + "/", "content/")
        return text.replace(str(self.root) + "/", "")


def field_line(source: Path, key: str) -> int | None:
    """Line of ``Key: value`` in the front matter of ``source`` (case-insensitive)."""
    try:
        text = source.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            return None  # end of the front matter
        match = _FIELD.match(line.strip())
        if match and match["key"].strip().lower() == key.lower():
            return number
    return None


def _value_line(source: Path, value: str) -> int | None:
    try:
        lines = source.read_bytes().decode("utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for number, line in enumerate(lines, 1):
        if value and value in line:
            return number
    return None


def date_reason(value: str) -> str:
    """Why ``value`` is not a usable date, in Italian."""
    match = re.match(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if match:
        try:
            dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            return f"la data «{value.strip()}» non esiste: controlla giorno e mese"
    return f"«{value.strip()}» non è una data: scrivila come {DATE_EXAMPLE}"


def utf8_line(data: bytes, offset: int) -> int:
    """Line number (1-based) of byte ``offset`` in ``data``."""
    return data[:offset].count(b"\n") + 1


def from_read_failure(ctx: Context, source: str, exc: BaseException | None) -> Problem:
    """A content file Pelican could not read (``Could not process …``)."""
    path = Path(source)
    if not path.is_absolute():
        path = ctx.content / path
    rel = ctx.rel(path)
    if isinstance(exc, UnicodeDecodeError):
        data = exc.object if isinstance(exc.object, bytes) else b""
        return Problem(rel, utf8_line(data, exc.start) if data else None, UTF8_REASON)
    message = str(exc) if exc is not None else ""
    match = _NOT_A_DATE.match(message)
    if match:
        value = match["value"]
        line = field_line(path, "date")
        if line is None or value not in _line_text(path, line):
            line = field_line(path, "modified") or _value_line(path, value)
        return Problem(rel, line, date_reason(value))
    if exc is None:
        return Problem(rel, None, "Pelican non riesce a leggere il file")
    if isinstance(exc, OSError):
        return Problem(rel, None, from_os_error(ctx, exc).reason)
    return Problem(rel, None,
                   f"Pelican non riesce a leggere il file ({short(ctx.clean(message))})")


def _line_text(path: Path, line: int) -> str:
    try:
        return path.read_bytes().decode("utf-8", errors="replace").splitlines()[line - 1]
    except (OSError, IndexError):
        return ""


MISSING_FIELD = {
    "title": "manca il titolo: aggiungi in cima una riga «Title: …»",
    "date": f"manca la data: aggiungi in cima una riga «Date: {DATE_EXAMPLE}»",
}


def from_record(ctx: Context, record: logging.LogRecord) -> Problem:
    """A warning or error logged during a build."""
    attached = getattr(record, "problem", None)
    if isinstance(attached, dict):
        file = attached.get("file")
        return Problem(ctx.rel(file) if file else None, attached.get("line"),
                       str(attached.get("reason", record.getMessage())))
    msg = record.msg if isinstance(record.msg, str) else str(record.msg)
    args = record.args if isinstance(record.args, tuple) else ()
    if msg.startswith("Could not process") and args:
        exc = record.exc_info[1] if record.exc_info else sys.exc_info()[1]
        return from_read_failure(ctx, str(args[0]), exc)
    if msg.startswith("Skipping %s: could not find information about") and len(args) >= 2:
        source, field = str(args[0]), str(args[1])
        reason = MISSING_FIELD.get(field, f"manca il campo «{field}» in cima al file")
        return Problem(ctx.rel(source), None, reason)
    if msg.startswith("Unable to generate valid slug") and len(args) >= 2:
        return _no_slug(ctx, str(args[0]), str(args[1]))
    if msg.startswith("Could not save cache") and args:
        error = args[1] if len(args) > 1 else None
        where = ctx.rel(str(args[0]))
        if isinstance(error, OSError) and error.errno in (28, 122):  # ENOSPC, EDQUOT
            return Problem(None, None, disk_full(ctx.output_name, where))
        if isinstance(error, OSError):
            return Problem(where, None, from_os_error(ctx, error).reason)
        return Problem(where, None, "Pelican non riesce a salvare la sua cache "
                                    f"({short(str(error))}): esegui invoke clean e riprova")
    if msg.startswith(("There are %s original (not translated) items",
                       "There are %s items \"%s\" with lang")) and len(args) >= 3:
        clash = _slug_clash(ctx, msg, args)
        if clash is not None:
            return clash
    return Problem(None, None, short(ctx.clean(record.getMessage()), 200))


def cache_notice(ctx: Context, record: logging.LogRecord) -> str | None:
    """A warning that is not the site's problem but a cache's: the line to show instead
    (Pelican's «Cannot unpickle cache»: it goes on with an empty cache and writes it
    anew)."""
    msg = record.msg if isinstance(record.msg, str) else ""
    args = record.args if isinstance(record.args, tuple) else ()
    if msg.startswith("Cannot unpickle cache") and args:
        return f"La cache {ctx.rel(str(args[0]))} era danneggiata: la rifaccio."
    return None


SLUG_KINDS = {"Tag": ("il tag", ("tags", "tag")),
              "Category": ("la categoria", ("category",)),
              "Author": ("l’autore", ("author", "authors"))}


def _no_slug(ctx: Context, kind: str, name: str) -> Problem:
    """Pelican's «Unable to generate valid slug for Tag "???"»: the post that has it."""
    label, keys = SLUG_KINDS.get(kind, ("il valore", ()))
    reason = (f"{label} «{name}» non ha né lettere né cifre: Pelican non ne può fare "
              "un indirizzo; scrivilo con almeno una lettera (o toglilo)")
    for source in sorted(p for p in ctx.content.rglob("*")
                         if p.suffix in (".md", ".markdown", ".html", ".rst")):
        for key in keys:
            line = field_line(source, key)
            if line is not None and name in _line_text(source, line):
                return Problem(ctx.rel(source), line, reason)
    return Problem(None, None, reason)


def _slug_clash(ctx: Context, msg: str, args: tuple) -> Problem | None:
    with_str = str(args[1])
    match = re.search(r'with slug "(?P<slug>[^"]*)"', with_str)
    if not match:
        return None
    sources = [ctx.rel(a) for a in args[2:] if isinstance(a, str) and "/" in a]
    if msg.startswith("There are %s items"):  # (count, with_str, lang, *paths)
        sources = [ctx.rel(a) for a in args[3:]]
    if len(sources) < 2:
        return None
    sources = sorted(sources)  # the same message whatever order the files were read in
    others = " e ".join(f"«{s}»" for s in sources[1:])
    line = field_line(ctx.root / sources[0], "slug")
    return Problem(sources[0], line,
                   f"l’indirizzo «{match['slug']}/» è anche quello di {others}: "
                   "cambia lo Slug (o il titolo) di uno dei due")


def from_exception(ctx: Context, exc: BaseException) -> Problem:
    """The exception that stopped a build."""
    if type(exc).__name__ == "KitBuildError":
        path = getattr(exc, "path", None)
        return Problem(ctx.rel(path) if path else None, getattr(exc, "line", None),
                       str(getattr(exc, "reason", exc)))
    try:
        import jinja2
    except ImportError:  # pragma: no cover - Pelican depends on Jinja2
        jinja2 = None
    if jinja2 is not None and isinstance(exc, jinja2.TemplateSyntaxError):
        file = exc.filename or exc.name or "?"
        return Problem(ctx.rel(file), exc.lineno,
                       f"errore nel modello: {jinja_reason(exc.message or '')}")
    if jinja2 is not None and isinstance(exc, jinja2.TemplateError):
        frame = _template_frame(exc)
        return Problem(ctx.rel(frame[0]) if frame else None, frame[1] if frame else None,
                       f"errore nel modello: {jinja_reason(ctx.clean(str(exc)))}")
    if isinstance(exc, OSError):
        return from_os_error(ctx, exc)
    frame = _project_frame(ctx, exc)
    reason = f"errore interno ({type(exc).__name__}: {short(ctx.clean(str(exc)), 200)})"
    if frame is not None:
        return Problem(frame[0], frame[1], reason + ": è un difetto del codice, non del testo")
    return Problem(None, None, reason)


_JINJA = (
    (re.compile(r"^Encountered unknown tag '(?P<a>[^']*)'.*", re.S),
     "tag sconosciuto «{a}» (scritto male? manca la chiusura di un blocco?)"),
    (re.compile(r"^'(?P<a>[^']*)' is undefined$"), "«{a}» non è definito"),
    (re.compile(r"^'(?P<a>[^']*)' has no attribute '(?P<b>[^']*)'$"),
     "«{a}» non ha l’attributo «{b}»"),
    (re.compile(r"^Unexpected end of template.*", re.S),
     "il modello finisce prima di chiudere un blocco"),
    (re.compile(r"^unexpected '(?P<a>[^']*)'$"), "«{a}» inatteso"),
)


def jinja_reason(message: str) -> str:
    """The commonest Jinja2 messages in Italian; others as they are."""
    for pattern, italian in _JINJA:
        match = pattern.match(message)
        if match:
            return italian.format(**match.groupdict())
    return message


def _template_frame(exc: BaseException) -> tuple[str, int] | None:
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt", ".j2")) and frame.lineno:
            found = (frame.filename, frame.lineno)
    return found


def _project_frame(ctx: Context, exc: BaseException) -> tuple[str, int] | None:
    """The innermost traceback frame in the project's own code (a plugin bug)."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if path.is_absolute() and path.resolve().is_relative_to(ctx.root) \
                and ".venv" not in path.parts and frame.lineno:
            found = (ctx.rel(path), frame.lineno)
    return found


def is_broken_cache(exc: BaseException) -> bool:
    """Did Pelican die unpickling its content cache (a build killed while saving it)?"""
    import pickle

    if not isinstance(exc, EOFError | pickle.UnpicklingError | ValueError | AttributeError):
        return False
    return any(frame.filename.endswith(("pelican/cache.py", "pickle.py"))
               for frame in traceback.extract_tb(exc.__traceback__))

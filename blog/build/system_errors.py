"""What the machine did, in words: an ``OSError`` that stopped a build becomes a
:class:`~blog.build.errors.Problem` that says what happened and what to do, never
«difetto del codice».

A full disk, a permission refused, a read-only disk, a name too long (a 20,000-character
title without a ``Slug``: the post is found and named), a disk that fails, a cache
folder that is a file or gone in the middle of a build. Paths are shown relative to the
project, a name longer than :data:`SHOWN` characters is cut (a 20 kB message helps
nobody).
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path
from typing import Any

from blog.build.errors import Problem

SHOWN = 80
NAME_MAX = 255
CONTENT_SUFFIXES = (".md", ".markdown", ".mkd", ".mdown", ".html", ".htm", ".rst")
FULL = (errno.ENOSPC, errno.EDQUOT)
DENIED = (errno.EACCES, errno.EPERM)


def disk_full(output: str = "output", where: str | None = None) -> str:
    """The reason of a build stopped by a full disk."""
    reason = f"spazio su disco esaurito: liberane e riprova; {output}/ è com’era"
    return f"{reason} (la build stava scrivendo {where})" if where else reason


def short(text: str, limit: int = SHOWN) -> str:
    """``text`` cut to ``limit`` characters with «…», and each over-long path component
    too."""
    long_word = re.compile(rf"[^/\s'\"]{{{limit + 1},}}")
    text = long_word.sub(lambda m: m.group(0)[:limit] + "…", text)
    return text if len(text) <= 4 * limit else text[: 4 * limit] + "…"


def from_os_error(ctx: Any, exc: OSError) -> Problem:
    """The OSError ``exc`` that stopped a build (``ctx``: a problems.Context)."""
    name = exc.filename if isinstance(exc.filename, str) else None
    rel = short(ctx.rel(name)) if name else None
    output = getattr(ctx, "output_name", "output")
    code = exc.errno
    if code in FULL:
        return Problem(None, None, disk_full(output, rel))
    if code == errno.ENAMETOOLONG:
        return _name_too_long(ctx, name or "")
    if code in DENIED:
        return _denied(ctx, name)
    if code == errno.EROFS:
        return Problem(rel, None, "il disco è in sola lettura: la build non può scriverci; "
                                  f"rendilo scrivibile e riprova ({output}/ è com’era)")
    if code == errno.EIO:
        return Problem(rel, None, "errore di lettura o scrittura del disco (EIO): il disco "
                                  f"potrebbe essere guasto; {output}/ è com’era")
    if code in (errno.EMFILE, errno.ENFILE):
        return Problem(None, None, "troppi file aperti insieme (limite del sistema): chiudi "
                                   "qualche programma, o alza «ulimit -n», e riprova")
    if rel is not None and rel.startswith(".cache/"):
        if code == errno.ENOENT:
            return Problem(rel, None, "è sparito durante la build (un «invoke clean» da "
                                      "un’altra finestra?): riprova")
        return Problem(rel, None, f"la cache è danneggiata ({_strerror(exc)}): esegui "
                                  "invoke clean e riprova")
    where = f" su {rel}" if rel else ""
    return Problem(None, None, f"errore del sistema{where}: {_strerror(exc)}; "
                               f"{output}/ è com’era")


ITALIAN = {
    errno.ENOENT: "il file o la cartella non c’è",
    errno.ENOTDIR: "una parte del percorso non è una cartella",
    errno.EISDIR: "è una cartella, non un file",
    errno.EEXIST: "c’è già un file con quel nome",
    errno.ENOTEMPTY: "la cartella non è vuota",
    errno.EXDEV: "sposta da un disco all’altro",
    errno.ELOOP: "troppi collegamenti simbolici di fila",
}


def _strerror(exc: OSError) -> str:
    known = ITALIAN.get(exc.errno or 0)
    if known:
        return known
    return f"{exc.strerror or type(exc).__name__} (errno {exc.errno})"


def _denied(ctx: Any, name: str | None) -> Problem:
    """Permission refused: the file, or the folder a new file could not be made in."""
    what, target = "il file", name
    if name and os.path.isdir(name):
        what = "la cartella"
    elif name and not os.path.lexists(name):
        what, target = "la cartella", os.path.dirname(name)
    return Problem(short(ctx.rel(target)) if target else None, None,
                   f"permesso negato: {what} non si può usare con l’utente attuale "
                   "(creato con sudo o da un altro utente?): sistemane il proprietario "
                   "(chown) o i permessi e riprova")


def _name_too_long(ctx: Any, name: str) -> Problem:
    parts = [part for part in name.split("/") if len(part.encode()) > NAME_MAX]
    longest = max(parts, key=len) if parts else ""
    found = _post_with_long_title(ctx.content) if longest else None
    if found is not None:
        source, line, length = found
        return Problem(ctx.rel(source), line,
                       f"il titolo è lungo {length:,} caratteri".replace(",", ".")
                       + " e, senza una riga «Slug:», diventa un nome di file troppo lungo "
                       f"(al massimo {NAME_MAX} byte): aggiungi in cima una riga «Slug: …» "
                       "corta, o accorcia il titolo")
    size = len(longest.encode()) if longest else 0
    return Problem(None, None, f"un nome di file è troppo lungo ({size} byte, al massimo "
                               f"{NAME_MAX}): «{short(longest, 40)}»; accorcia il titolo "
                               "o lo Slug che lo produce")


def _post_with_long_title(content: Path) -> tuple[Path, int, int] | None:
    """The post or page whose ``Title:`` is longer than a file name can be and that has
    no ``Slug:`` (what makes Pelican write a name the disk refuses)."""
    for source in sorted(p for p in content.rglob("*") if p.suffix in CONTENT_SUFFIXES):
        try:
            head = source.read_bytes()[:1 << 20].decode("utf-8", errors="replace")
        except OSError:
            continue
        title, slug = None, False
        for number, line in enumerate(head.splitlines(), 1):
            if not line.strip():
                break
            key, _, value = line.partition(":")
            key = key.strip().lower()
            if key == "title":
                title = (number, value.strip())
            elif key == "slug" and value.strip():
                slug = True
        if title is not None and not slug and len(title[1].encode()) > NAME_MAX:
            return source, title[0], len(title[1])
    return None

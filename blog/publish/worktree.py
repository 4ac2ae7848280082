"""What a publish is built from must be committed: uncommitted or untracked sources.

``invoke publish`` builds in the working folder (its caches stay warm), so a file the
author has not committed — a half-written post, a photo dropped into
``content/images`` — would go online without being in any commit. :func:`uncommitted`
lists such files among the sources that reach the site; ``publish`` refuses with
:func:`refusal` unless the author passes ``--allow-dirty``.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

# Everything that decides what goes online.
PUBLISHED_SOURCES = ("content", "theme", "kit", "plugins", "pelicanconf.py", "publishconf.py")

_LABELS = {
    "??": "nuovo, non in git",
    "A": "aggiunto ma non committato",
    "M": "modificato",
    "D": "cancellato",
    "R": "rinominato",
    "C": "copiato",
    "T": "cambiato di tipo",
    "U": "in conflitto",
}


class NotARepository(Exception):
    """The project is not a git working tree (or git is missing)."""


@dataclass(frozen=True)
class Change:
    """One source file that differs from the last commit."""

    path: str
    status: str  # git's two letters, e.g. " M", "??"

    @property
    def label(self) -> str:
        if self.status == "??":
            return _LABELS["??"]
        for letter in self.status.replace(" ", ""):
            if letter in _LABELS:
                return _LABELS[letter]
        return "modificato"


def uncommitted(root: Path, sources: tuple[str, ...] = PUBLISHED_SOURCES) -> list[Change]:
    """Uncommitted, staged or untracked files under ``sources`` (ignored files excluded)."""
    try:
        result = subprocess.run(
            ["git", "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *sources],
            cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise NotARepository("git non è installato") from None
    if result.returncode != 0:
        raise NotARepository(result.stderr.strip() or "non è un repository git")
    changes: list[Change] = []
    entries = iter(result.stdout.split("\0"))
    for entry in entries:
        if len(entry) < 4:
            continue
        status, path = entry[:2], entry[3:]
        if "R" in status or "C" in status:
            next(entries, None)  # the original name follows
        changes.append(Change(path=path, status=status))
    return changes


def listing(changes: list[Change], limit: int = 20) -> str:
    """Indented ``modificato   content/articles/x.md`` lines (at most ``limit``)."""
    width = max(len(change.label) for change in changes)
    lines = [f"  {change.label:<{width}}  {change.path}" for change in changes[:limit]]
    if len(changes) > limit:
        lines.append(f"  … e altri {len(changes) - limit}")
    return "\n".join(lines)


def refusal(changes: list[Change]) -> str:
    """The Italian explanation when a publish is refused."""
    return (
        "Pubblicazione rifiutata: questi file finirebbero online ma non sono salvati in git "
        "(il sito pubblicato deve corrispondere a un commit):\n"
        f"{listing(changes)}\n"
        "Fai commit (git add … && git commit -m …) oppure metti da parte le modifiche, poi "
        "ripeti invoke publish.\n"
        "Solo se sai cosa stai facendo: invoke publish --allow-dirty (pubblica anche questi).")


def warning(changes: list[Change]) -> str:
    """The loud notice of ``--allow-dirty``."""
    bar = "!" * 78
    return (f"{bar}\n!!! ATTENZIONE (--allow-dirty): pubblico anche file NON salvati in git.\n"
            f"!!! Il sito online non corrisponderà a nessun commit:\n{listing(changes)}\n{bar}")

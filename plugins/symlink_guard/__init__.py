"""Stop the build before it follows a symbolic link out of the project or round in a loop.

Pelican walks the content folders with ``os.walk(followlinks=True)`` and copies static
files through their links: a link in ``content/extra/`` to a home folder copied
gigabytes of dotfiles into ``output/``, and two links pointing back up the tree made
the build walk forever. When Pelican starts (``initialized``), before any generator
reads a file, we walk the content, theme and kit folders ourselves, following links
only inside the project and never into a folder already on the way down, and stop
with one Italian line per bad link:

- a link whose target lies outside the project (the folder that holds ``content/``);
- a link to a folder that contains the link (a loop), or a chain of links that never
  ends;
- a link to nothing.

Links that stay inside the project and make no loop are fine. The walk visits every
real folder once, so it takes as long as the folders it checks, however the links go.
"""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

from pelican import signals

logger = logging.getLogger(__name__)


class SymlinkError(Exception):
    """A symbolic link the build must not follow; the message is Italian."""


def _show(path: Path, project: Path) -> str:
    return os.path.relpath(path, project) if path.is_relative_to(project) else str(path)


def _problem(link: Path, project: Path) -> tuple[str, Path | None]:
    """``(Italian reason, None)`` for a bad link, ``("", real target)`` for a good one."""
    target = os.readlink(link)
    try:
        real = Path(os.path.realpath(link, strict=True))
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # links that point at each other
            return (f"collegamento simbolico a «{target}», una catena di collegamenti che non "
                    "finisce (ognuno punta a un altro): toglila"), None
        return f"collegamento simbolico a «{target}», che non esiste: toglilo", None
    if not real.is_relative_to(project):
        return (f"collegamento simbolico a {real}, fuori dal progetto: la build non lo segue "
                "e non copia niente; toglilo, o copia nel progetto i file che servono"), None
    if real.is_dir() and Path(os.path.realpath(link.parent)).is_relative_to(real):
        return _loop(target, real, project), None
    return "", real


def _loop(target: str, real: Path, project: Path) -> str:
    where = _show(real, project)
    where = "la cartella del progetto" if where == "." else f"«{where}»"
    return (f"collegamento simbolico a «{target}» ({where}), una cartella che lo contiene: "
            "la build ci girerebbe dentro all’infinito; toglilo")


def unsafe_links(roots: list[Path], project: Path) -> list[tuple[Path, str]]:
    """``(link, Italian reason)`` for every link under ``roots`` the build must not follow."""
    project = Path(os.path.realpath(project))
    problems: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    pending = [(Path(os.path.abspath(root)), frozenset()) for root in roots]
    while pending:
        folder, above = pending.pop()
        real = Path(os.path.realpath(folder))
        if real in seen or not real.is_dir():
            continue
        seen.add(real)
        above = above | {real}
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.is_symlink():
                problem, target = _problem(path, project)
                if problem:
                    problems.append((path, problem))
                elif target is not None and target.is_dir():
                    if target in above:
                        problems.append((path, _loop(os.readlink(path), target, project)))
                    else:
                        pending.append((path, above))
            elif entry.is_dir(follow_symlinks=False):
                pending.append((path, above))
    return sorted(problems)


def scan_roots(settings: dict) -> tuple[list[Path], Path]:
    """The folders the build reads (content, theme, kit) and the project folder."""
    content = Path(settings["PATH"]).resolve()
    project = content.parent
    roots = [content]
    for value in (settings.get("THEME"), settings.get("KIT_SOURCE") or project / "kit"):
        if value:
            path = Path(value)
            roots.append(path if path.is_absolute() else project / path)
    return [root for root in roots if root.is_dir()], project


def check(pelican) -> None:
    roots, project = scan_roots(pelican.settings)
    problems = unsafe_links(roots, project)
    lines = [f"{os.path.relpath(link, project)}: {reason}" for link, reason in problems]
    for line in lines:
        # No "file": a build report would resolve the link, naming its target instead.
        logger.error("%s", line, extra={"problem": {"file": None, "line": None, "reason": line}})
    if lines:
        raise SymlinkError(lines[0])


def register() -> None:
    signals.initialized.connect(check)

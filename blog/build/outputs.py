"""The output folder as a symlink to a complete version, switched in one rename.

Layout, for ``output`` (or any other output folder a build is given)::

    output -> .output.versions/20261201-121500-123456   (a symlink, relative)
    .output.versions/20261201-121500-123456/            (the live site)
    .output.versions/20261201-120000-654321/            (the previous one, kept for readers
                                                         still loading its pages)

A build writes a new version folder, then points a fresh symlink at it and renames that
symlink over ``output``: one ``rename(2)``, so ``output`` always names a complete site,
even when the build is killed at any moment. An ``output`` that is still a real folder
(the old layout) is moved into the versions folder by the first build.

Whatever an interrupted build leaves (a half-written version, a temporary symlink, the
old layout's ``.output.staging-*``, ``.output.pagefind-*``, ``output.old-*``) is removed
by :func:`remove_leftovers`, which every build and ``invoke clean`` call.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from blog.build import locks
from blog.paths import versions_dir

KEEP_PREVIOUS = 1
LINK_PREFIX = ".link-"
STAGING_SUFFIX = ".aggiornamento"
READY = ".pronta"  # in a staging folder: it holds no file, it may be used


def _stamp() -> str:
    now = time.time()
    micro = int(now * 1e6) % 1_000_000
    return time.strftime("%Y%m%d-%H%M%S", time.localtime(now)) + f"-{micro:06d}"


def locked(output: Path, *, wait: bool = True,
           say: Callable[[str], None] | None = None) -> contextlib.AbstractContextManager:
    """Hold the versions folder's lock: one build of ``output`` at a time (a waiting
    build says so once to ``say``). ``wait=False``: raise :class:`BlockingIOError` at
    once when a build holds it."""
    versions = versions_dir(output)
    if versions.is_symlink() or (versions.exists() and not versions.is_dir()):
        versions.unlink()
    return locks.hold(versions / ".lock", wait=wait, say=say,
                      waiting=f"Aspetto che finisca un’altra build di {output.name}/…")


def named_version(output: Path) -> str | None:
    """The name of the version ``output`` points at, even when that folder is gone."""
    try:
        return Path(os.readlink(output)).name if output.is_symlink() else None
    except OSError:
        return None


def current_version(output: Path) -> Path | None:
    """The version folder ``output`` points at, or None (no output, or the old layout)."""
    if not output.is_symlink():
        return None
    target = output.parent / os.readlink(output)
    return target.resolve() if target.is_dir() else None


def migrate(output: Path) -> None:
    """Move an ``output`` that is a real folder (old layout) into the versions folder."""
    if output.is_symlink() or not output.exists():
        return
    versions = versions_dir(output)
    versions.mkdir(parents=True, exist_ok=True)
    moved = versions / _stamp()
    os.replace(output, moved)
    _point(output, moved)


def new_version(output: Path) -> Path:
    """A fresh, empty version folder for a build of ``output``."""
    versions = versions_dir(output)
    versions.mkdir(parents=True, exist_ok=True)
    folder = versions / _stamp()
    while folder.exists():  # two builds in the same microsecond
        folder = versions / _stamp()
    folder.mkdir()
    return folder


def _staging_path(output: Path, live: Path) -> Path:
    return versions_dir(output) / f".{live.name}{STAGING_SUFFIX}"


def staging_folder(output: Path, live: Path) -> Path:
    """Where an in-place update of ``live`` is written (see :func:`apply`): a folder
    beside the versions that keeps, between updates, the folders of the site and no
    file. Pelican creates a page's folder before writing it: kept, the ~2,100 folders of a
    1,000-post site are created once, not created and removed at every save (0.3 s a
    save on this ext4 disk when quiet, measured up to 1 s under load). Emptied of files
    after a failed update; made anew when it is not known to be clean (an interrupted
    update)."""
    staging = _staging_path(output, live)
    ready = staging / READY
    try:
        ready.unlink()  # clean: in use until apply() or empty_staging() marks it again
    except FileNotFoundError:
        _remove(staging)
        staging.mkdir(parents=True)
    return staging


def prepare_staging(output: Path, live: Path, untouched: Iterable[str] = ()) -> bool:
    """Make the staging folder of ``live`` with all its folders ahead of the first
    update (livereload does it while idle); False when it is already there."""
    staging = _staging_path(output, live)
    if staging.exists():
        return False
    building = staging.with_name(staging.name + ".nuova")
    _remove(building)
    skipped = set(untouched)
    for folder, dirs, _ in os.walk(live):
        if folder == str(live):
            dirs[:] = [d for d in dirs if d not in skipped]
        os.makedirs(os.path.join(building, os.path.relpath(folder, live)), exist_ok=True)
    (building / READY).touch()
    os.replace(building, staging)
    return True


def empty_staging(staging: Path) -> None:
    """Remove every file a failed update left in ``staging``, keep its folders."""
    for folder, _, files in os.walk(staging):
        for name in files:
            os.unlink(os.path.join(folder, name))
    (staging / READY).touch()


def _files_under(root: str) -> Iterator[tuple[str, str]]:
    """``(folder, relative path)`` of every file under ``root`` (``a/b/index.html``)."""
    prefix = len(root) + 1
    for folder, _, files in os.walk(root):
        base = folder[prefix:] + "/" if len(folder) >= prefix else ""
        for name in files:
            yield folder, base + name


def apply(staging: Path, live: Path, kept: set[str], untouched: Iterable[str] = ()) -> int:
    """Update the live version in place (livereload): move every file of ``staging``
    into ``live`` (one rename each, so a reader never gets half a file), then remove
    from ``live`` every file that is neither one of them nor in ``kept`` (the pages the
    build reused as they were), and the folders left empty. Top-level entries named in
    ``untouched`` (the search index) are left alone. ``staging`` keeps its folders for
    the next update. Returns how many HTML pages ``live`` has now."""
    moved: set[str] = set()
    root = str(live)
    for folder, rel in _files_under(str(staging)):
        moved.add(rel)
        source, target = os.path.join(folder, os.path.basename(rel)), f"{root}/{rel}"
        try:
            if os.path.samestat(os.stat(source), os.stat(target)):
                os.unlink(source)  # the same file linked again (cards, kit, images)
                continue
        except FileNotFoundError:
            os.makedirs(os.path.dirname(target), exist_ok=True)
        os.replace(source, target)
    skipped = frozenset(untouched)
    pages = 0
    emptied = []  # folders with no file left (removed if no subfolder is left either)
    prefix = len(root) + 1
    for folder, dirs, files in os.walk(root):
        if len(folder) < prefix:
            dirs[:] = [d for d in dirs if d not in skipped]
        base = folder[prefix:] + "/" if len(folder) >= prefix else ""
        left = 0
        for name in files:
            rel = base + name
            if rel in moved or rel in kept or rel in skipped:
                left += 1
                pages += name.endswith(".html")
            else:
                os.unlink(os.path.join(folder, name))
        if not left and base:
            emptied.append(folder)
    for folder in reversed(emptied):  # deepest first (a walk lists parents first)
        with contextlib.suppress(OSError):  # not empty: a subfolder is left
            os.rmdir(folder)
    (staging / READY).touch()
    return pages


def _point(output: Path, version: Path) -> None:
    link = versions_dir(output) / f"{LINK_PREFIX}{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    link.symlink_to(os.path.relpath(version, output.parent))
    os.replace(link, output)  # the one atomic step


def switch(output: Path, version: Path, *, tidy: bool = True) -> None:
    """Make ``output`` point at ``version`` in one rename, then drop old versions
    (``tidy=False``: the caller does it later, with :func:`remove_leftovers` under
    :func:`locked`)."""
    version.chmod(0o755)
    _point(output, version)
    if tidy:
        remove_leftovers(output)


def remove_leftovers(output: Path, keep_previous: int = KEEP_PREVIOUS) -> list[Path]:
    """Remove every version but the current one (and the newest previous ones) and every
    folder an interrupted build left beside ``output``; return what was removed."""
    removed: list[Path] = []
    parent = output.parent
    name = output.name
    for pattern in (f".{name}.staging-*", f".{name}.pagefind-*", f".{name}.ricerca-*",
                    f"{name}.old-*"):
        for path in parent.glob(pattern):
            _remove(path)
            removed.append(path)
    versions = versions_dir(output)
    if not versions.is_dir():
        return removed
    current = current_version(output)
    # The live version's name, even when its folder was removed: the versions before it
    # were live once, and the newest of them stays the previous one to go back to.
    live = current.name if current is not None else named_version(output)
    entries = sorted(versions.iterdir(), key=lambda p: p.name, reverse=True)
    kept = 0
    for entry in entries:
        is_version = entry.name[:1].isdigit() and entry.is_dir() and not entry.is_symlink()
        if entry.name == ".lock" or (is_version and entry.resolve() == current):
            continue
        if current is not None and entry == _staging_path(output, current):
            continue  # the live version's staging folder (see staging_folder)
        if (is_version and live is not None and kept < keep_previous
                and entry.name < live):
            kept += 1
            continue
        _remove(entry)
        removed.append(entry)
    return removed


def remove_all(output: Path) -> None:
    """``invoke clean``: the output link (or old-layout folder), every version, every leftover."""
    remove_leftovers(output, keep_previous=0)
    if output.is_symlink() or output.is_file():
        output.unlink()
    elif output.is_dir():
        shutil.rmtree(output)
    shutil.rmtree(versions_dir(output), ignore_errors=True)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)

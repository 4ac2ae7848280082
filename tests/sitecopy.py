"""Copy the project into a temporary folder so tests can break content safely."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT_ITEMS = (
    "content",
    "theme",
    "plugins",
    "kit",
    "blog",
    "pelicanconf.py",
    "publishconf.py",
    "tasks.py",
    "pyproject.toml",
)
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")


# Caches whose entries are keyed by what they were made from, so that any project copy
# may use any other's: the kit of the development and the production settings (a hash of
# kit/ and the settings; pelicanconf.py and publishconf.py name them) and the social cards
# (a hash of each card's text and fonts). A kit render or a card drawing then happens once
# per test run, not once per copy. Likewise the compiled templates (named by template
# name and Jinja's options, checked against the template's source: blog/build/engine.py).
SHARED_CACHES = (".cache/kit", ".cache/kit-publish", ".cache/og-images", ".cache/images",
                 ".cache/pelican/jinja", ".cache/pelican-publish/jinja")
# Where the project copies of every process of one test run (the pytest-xdist workers)
# leave those caches for each other: set by tests/conftest.py (``share_caches_in``), a
# folder beside the workers' own temporary folders; None outside a test run (benchmarks).
_share: Path | None = None
# Project copies made by this test process, newest last: a fresh clone has no cache of
# its own, so later copies take the one an earlier copy's build left.
_copies: list[Path] = []


def share_caches_in(folder: Path | None) -> None:
    """Let this process's project copies offer their caches in ``folder`` and take the
    ones other processes left there (None: keep them to this process)."""
    global _share
    _share = folder


def _filled(folder: Path) -> bool:
    return folder.is_dir() and any(folder.iterdir())


def _offer(cache: str) -> None:
    """Put this process's newest copy of ``cache`` where other processes find it."""
    share = _share
    if share is None or _filled(share / cache):
        return
    found = next((copy / cache for copy in reversed(_copies) if _filled(copy / cache)), None)
    if found is None:
        return
    # Copied under a name of this process's own, then renamed into place: another process
    # sees the whole cache or none of it, never a half-written copy.
    staging = share / f"{cache.replace('/', '_')}.{os.getpid()}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(found, staging)
    (share / cache).parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(staging, share / cache)
    except OSError:  # another process was first (its folder is there and not empty)
        shutil.rmtree(staging, ignore_errors=True)


def copy_project(dest: Path) -> Path:
    """Copy the sources (and the shared caches, to skip a kit render and card drawing)
    into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_ITEMS:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=IGNORE)
        elif src.exists():
            shutil.copy2(src, dest / name)
    share = _share
    for cache in SHARED_CACHES:
        _offer(cache)
        # This run's caches first: the project's own may be stale (kit/ edited since the
        # author's last build), and then every copy would render the kit again.
        sources = [*(copy / cache for copy in reversed(_copies)), ROOT / cache]
        if share is not None:
            sources.insert(0, share / cache)
        found = next((source for source in sources if _filled(source)), None)
        if found is not None:
            shutil.copytree(found, dest / cache)
    _copies.append(dest)
    return dest


def invoke(
    project: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run ``invoke ARGS`` in ``project`` the way the author does, capturing output."""
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=project,
        env=os.environ | (env or {}),
        capture_output=True,
        text=True,
        check=False,
    )


def tree_digest(folder: Path) -> dict[str, str]:
    """Map every file under ``folder`` to the SHA-256 of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }

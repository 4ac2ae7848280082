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
    "buildtools",
    "pelicanconf.py",
    "publishconf.py",
    "tasks.py",
    "pyproject.toml",
)
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")


# The kit caches of the development and the production settings (pelicanconf.py and
# publishconf.py name them). Keyed by a hash of kit/ and the settings, so a copied cache
# is used only when it fits and a kit render happens once per test run, not per copy.
KIT_CACHES = (".cache/kit", ".cache/kit-publish")
# Project copies made by this test process, newest last: a fresh clone has no kit
# cache of its own, so later copies take the one an earlier copy's build left.
_copies: list[Path] = []


def copy_project(dest: Path) -> Path:
    """Copy the sources (and a kit cache, to skip a re-render) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_ITEMS:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=IGNORE)
        elif src.exists():
            shutil.copy2(src, dest / name)
    for cache in KIT_CACHES:
        sources = [ROOT / cache, *(copy / cache for copy in reversed(_copies))]
        found = next((source for source in sources
                      if source.is_dir() and any(source.iterdir())), None)
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

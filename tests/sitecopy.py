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


def copy_project(dest: Path) -> Path:
    """Copy the sources (and the kit cache, to skip a re-render) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_ITEMS:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=IGNORE)
        elif src.exists():
            shutil.copy2(src, dest / name)
    kit_cache = ROOT / ".cache" / "kit"
    if kit_cache.is_dir():
        shutil.copytree(kit_cache, dest / ".cache" / "kit")
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

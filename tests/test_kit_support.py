"""Helpers shared by the kit tests (no tests here): paths, one build per session, PDF readers."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
KIT = ROOT / "kit"
PLUGINS = ROOT / "plugins"
if str(PLUGINS) not in sys.path:
    sys.path.insert(0, str(PLUGINS))

import kit_pdf  # noqa: E402

# The production address and e-mail of publishconf.py, fixed here so that the kit tests
# do not depend on loading the settings (tests/test_kit_site.py checks they agree).
SITE = kit_pdf.SiteInfo(
    "https://www.giulia-assistente.example/", "scrivimi@giulia-assistente.example"
)


def session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build cache shared by the whole session: under pytest-xdist, by every worker
    (their base folders share a parent), so the kit is rendered once per run."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    return base / "kit-session-cache"


def session_build(tmp_path_factory: pytest.TempPathFactory) -> kit_pdf.KitInfo:
    """Build the repository's kit once per session; later calls reuse the build cache
    (a worker that finds another one rendering waits for it, then reuses its build)."""
    cache = session_cache(tmp_path_factory)
    cache.parent.mkdir(parents=True, exist_ok=True)
    with open(cache.parent / "kit-session-cache.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return kit_pdf.build_kit(KIT, cache, site=SITE)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def kit_data() -> dict[str, Any]:
    """The workbook data as the author wrote it."""
    return yaml.safe_load((KIT / "kit.yaml").read_text(encoding="utf-8"))


def copy_kit(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of kit/ and of the session's good build cache (same sources, same hash)."""
    session_build(tmp_path_factory)
    source = tmp_path / "kit"
    cache = tmp_path / "cache"
    shutil.copytree(KIT, source)
    shutil.copytree(session_cache(tmp_path_factory), cache)
    return source, cache


def trim_to_first_section(source: Path) -> None:
    """Keep only the first section of a kit copy: a 3-page kit renders in about a second."""
    path = source / "kit.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["sections"] = data["sections"][:1]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def strip_subset_tag(name: str) -> str:
    """``/ABCDEF+Kit-Serif`` → ``Kit-Serif``."""
    name = name.lstrip("/")
    return re.sub(r"^[A-Z]{6}\+", "", name)

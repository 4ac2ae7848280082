"""Production builds never reuse a rendered page: the render memo is a development-speed
feature. A poisoned memo (a live page changed behind its back, size and time kept, so
the memo still trusts it) shows up in a development build and never in production."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from blog.build.plan import Plan, Purpose
from tests.sitecopy import copy_project, invoke

pytestmark = pytest.mark.slow

POISON = "VELENO-NELLA-CACHE"
POISONED = "comunicare-assistente-virtuale-remoto"
EDITED = Path("content/articles/cosa-delegare-per-primo.md")


def _poison(page: Path) -> None:
    """Same size, same modification time, different words."""
    info = page.stat()
    html = page.read_text(encoding="utf-8")
    start = html.index("<main")
    poisoned = html[:start] + html[start:].replace(html[start + 200:start + 200 + len(POISON)],
                                                   POISON, 1)
    assert len(poisoned.encode()) == info.st_size
    page.write_text(poisoned, encoding="utf-8")
    os.utime(page, ns=(info.st_atime_ns, info.st_mtime_ns))


def _poisoned_files(site: Path) -> list[str]:
    return [p.relative_to(site).as_posix() for p in site.rglob("*.html")
            if POISON in p.read_text(encoding="utf-8")]


def test_plans_say_which_builds_may_reuse_pages(tmp_path: Path) -> None:
    settings, output = tmp_path / "pelicanconf.py", tmp_path / "output"
    assert Plan(settings, output).reuses_pages
    assert Plan(settings, output, Purpose.LIVERELOAD).reuses_pages
    assert not Plan(settings, output, Purpose.PRODUCTION).reuses_pages


def test_a_poisoned_render_memo_never_reaches_a_production_build(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    assert invoke(project, "build").returncode == 0
    site = project / "output"
    _poison(site / POISONED / "index.html")

    # The poison is real: a development build after an unrelated edit keeps the page.
    edited = project / EDITED
    edited.write_text(edited.read_text(encoding="utf-8") + "\nUn paragrafo nuovo.\n",
                      encoding="utf-8")
    done = invoke(project, "build")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _poisoned_files(site.resolve()) == [f"{POISONED}/index.html"]

    # Production renders every page: nothing of the poison is left.
    done = invoke(project, "preview")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "riprese" not in done.stdout  # the render memo did not run
    assert _poisoned_files(site.resolve()) == []
    page = (site / POISONED / "index.html").read_text(encoding="utf-8")
    assert "remoto" in page.lower()

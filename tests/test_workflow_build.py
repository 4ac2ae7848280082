"""``invoke build``: numbered steps, a one-line summary, an output folder that is always
complete (a build killed at the swap included), no leftovers, and a production build
that ``pelican -s publishconf.py`` alone makes safely."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sitecopy import copy_project, invoke, tree_digest

pytestmark = pytest.mark.slow

SUMMARY = re.compile(
    r"^Sito pronto in output/: \d+ pagine HTML, kit \d+ pagine \d+ kB, \d+,\d s$")
ARTICLE = Path("content") / "articles" / "sei-pronto-assistente-virtuale.md"
SLUG = "sei-pronto-assistente-virtuale"

# Runs in the project copy: one engine build, killed with SIGKILL at the given point.
KILLED_BUILD = """
import os, signal, sys
from pathlib import Path
from blog import paths
from blog.build import outputs
from blog.build.engine import build
from blog.build.plan import Plan

point = sys.argv[1]
def die(*_, **__):
    os.kill(os.getpid(), signal.SIGKILL)

if point == "prima-dello-scambio":       # the new version is complete, output untouched
    outputs.switch = die
elif point == "durante-lo-scambio":      # the new symlink exists, not yet renamed
    real_replace = os.replace
    def replace(src, dst, *args, **kwargs):
        if Path(src).name.startswith(outputs.LINK_PREFIX):
            die()
        return real_replace(src, dst, *args, **kwargs)
    outputs.os.replace = replace
elif point == "dopo-lo-scambio":         # renamed, old versions not yet removed
    real_point = outputs._point
    def switch(output, version, **_):
        real_point(output, version)
        die()
    outputs.switch = switch
build(Plan(paths.DEV_SETTINGS, paths.OUTPUT, force=True))
"""


def _versions(project: Path) -> list[Path]:
    return sorted((project / ".output.versions").iterdir())


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project copy with one good build in output/."""
    project = copy_project(tmp_path_factory.mktemp("build") / "project")
    result = invoke(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return project


def test_build_shows_its_steps_and_ends_with_a_summary(project: Path) -> None:
    result = invoke(project, "build", "--force")  # the fixture built these very sources
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    steps = [line.split("…")[0] for line in lines if line.startswith("[")]
    assert steps == ["[1/2] Sito e kit con pelicanconf.py (Pelican)", steps[1]]
    assert steps[1].startswith("[2/2] Indice di ricerca (Pagefind, ")
    assert SUMMARY.match(lines[-1]), lines[-1]
    assert (project / "output").is_symlink()
    assert (project / "output" / "index.html").is_file()


def test_a_truncated_pelican_cache_is_rebuilt_not_fatal(project: Path) -> None:
    caches = sorted(p for p in (project / ".cache" / "pelican").iterdir() if p.is_file())
    assert caches, "la build precedente non ha lasciato una cache"
    for cache in caches:
        cache.write_bytes(b"")  # as after a build killed while saving its cache
    result = invoke(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "era danneggiata" in result.stdout  # said once, before Pelican reads it
    assert SUMMARY.match(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("point", ["prima-dello-scambio", "durante-lo-scambio",
                                   "dopo-lo-scambio"])
def test_a_build_killed_at_the_swap_leaves_a_complete_site(project: Path, point: str) -> None:
    before = tree_digest(project / "output")
    article = project / ARTICLE
    original = article.read_text(encoding="utf-8")
    token = f"Segno-{point}"
    article.write_text(original + f"\n{token}\n", encoding="utf-8")
    try:
        killed = subprocess.run([sys.executable, "-c", KILLED_BUILD, point], cwd=project,
                                capture_output=True, text=True, check=False)
        assert killed.returncode == -9, killed.stdout + killed.stderr

        site = project / "output"
        assert site.is_symlink() and site.resolve().is_dir()
        after = tree_digest(site)
        page = (site / SLUG / "index.html").read_text(encoding="utf-8")
        if point == "dopo-lo-scambio":
            assert token in page  # the new site, complete
            assert (site / "pagefind" / "pagefind.js").is_file()
            assert any(name.startswith("kit/") and name.endswith(".pdf") for name in after)
        else:
            assert after == before  # the old site, untouched
            live = site.resolve().name
            newer = [p for p in _versions(project)
                     if p.name[:1].isdigit() and not p.is_symlink() and p.name > live]
            assert newer, _versions(project)  # the killed build's complete, unused version
            if point == "durante-lo-scambio":
                assert [p for p in _versions(project) if p.is_symlink()]  # its new link
    finally:
        article.write_text(original, encoding="utf-8")

    result = invoke(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    entries = [p for p in _versions(project) if p.name != ".lock"]
    current = (project / "output").resolve()
    assert current in entries
    assert len(entries) <= 2, entries  # the live version and the one before it
    assert not [p for p in entries if p.is_symlink()]


def test_old_layout_and_old_leftovers_are_cleaned_up(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    (project / "output").mkdir()
    (project / "output" / "vecchio.html").write_text("<p>sito di prima</p>", encoding="utf-8")
    for leftover in (".output.staging-abc123", ".output.pagefind-xyz", "output.old-4242"):
        (project / leftover).mkdir()
        (project / leftover / "index.html").write_text("resto", encoding="utf-8")

    result = invoke(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "output").is_symlink()
    assert (project / "output" / "index.html").is_file()
    assert not (project / "output" / "vecchio.html").exists()
    assert not [p.name for p in project.iterdir() if "staging" in p.name or "pagefind" in p.name
                or p.name.startswith("output.old")]

    result = invoke(project, "clean")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (project / "output").exists() and not (project / "output").is_symlink()
    assert not (project / ".output.versions").exists()
    assert not (project / ".cache").exists()


def test_pelican_alone_with_publishconf_builds_a_safe_production_site(tmp_path: Path) -> None:
    """No invoke: its own caches, no draft, no development URL; kit included."""
    project = copy_project(tmp_path / "project")
    token = "Bozza-mai-pubblica-8812"
    (project / "content" / "articles" / "bozza.md").write_text(
        f"Title: {token}\nDate: 2026-11-20 10:00\nCategory: Delega\nTags: delega\n"
        f"Slug: {token.lower()}\nSummary: {token}.\nStatus: draft\n\nTesto {token}.\n",
        encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DELEGA_", "SOURCE_DATE"))}
    first = invoke(project, "build")  # a development site is live, its caches filled
    assert first.returncode == 0, first.stdout + first.stderr
    dev_cache = tree_digest(project / ".cache" / "pelican")
    result = subprocess.run([sys.executable, "-m", "pelican", "-s", "publishconf.py"],
                            cwd=project, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr

    site = project / "output"
    files = [p for p in site.rglob("*") if p.is_file()]
    assert (site / "index.html").is_file()
    assert any(p.suffix == ".pdf" for p in files)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files
             if p.suffix in {".html", ".xml", ".txt", ".json"}]
    assert not [t for t in texts if token in t or token.lower() in t]
    assert not [t for t in texts if "127.0.0.1" in t or "localhost" in t]
    assert "https://www.giulia-assistente.example/" in (site / "sitemap.xml").read_text("utf-8")
    assert (project / ".cache" / "pelican-publish").is_dir()
    assert (project / ".cache" / "kit-publish").is_dir()
    assert tree_digest(project / ".cache" / "pelican") == dev_cache  # development cache untouched

    # Pelican wrote into the live version: the next `invoke build` must notice and rebuild.
    again = invoke(project, "build")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Nessun file è cambiato" not in again.stdout
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "127.0.0.1" in home and "https://www.giulia-assistente.example" not in home

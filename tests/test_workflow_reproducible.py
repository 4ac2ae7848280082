"""Two full builds of the same sources, ``SOURCE_DATE_EPOCH`` set, are byte-identical.

Two project copies in different folders, under different time zones and locales, each
rendering its own kit (no kit cache): ``invoke build`` and then ``invoke preview`` (the
production build), compared file by file; then the publish-only files (``.gz``, ``.br``,
``_headers``) written on both production builds, compared again.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from blog.headers import write_headers_file
from blog.publish.precompress import precompress_site
from tests.sitecopy import copy_project, invoke, tree_digest

pytestmark = pytest.mark.slow

EPOCH = "1795000000"  # 18 November 2026
ENVIRONMENTS = (
    {"SOURCE_DATE_EPOCH": EPOCH, "TZ": "UTC", "LANG": "C", "LC_ALL": "C"},
    {"SOURCE_DATE_EPOCH": EPOCH, "TZ": "America/New_York", "LANG": "C.UTF-8",
     "LC_ALL": "C.UTF-8"},
)


def _differences(a: dict[str, str], b: dict[str, str]) -> list[str]:
    return sorted(name for name in a.keys() | b.keys() if a.get(name) != b.get(name))


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    copies = []
    for number in (1, 2):
        project = copy_project(tmp_path_factory.mktemp(f"repro{number}") / f"progetto-{number}")
        shutil.rmtree(project / ".cache", ignore_errors=True)  # the kit renders in each copy
        copies.append(project)
    return copies


def _build_all(projects: list[Path], task: str) -> list[dict[str, str]]:
    digests = []
    for project, env in zip(projects, ENVIRONMENTS, strict=True):
        result = invoke(project, task, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        digests.append(tree_digest(project / "output"))
    return digests


def test_two_development_builds_are_identical(projects: list[Path]) -> None:
    first, second = _build_all(projects, "build")
    assert _differences(first, second) == []
    assert any(name.startswith("kit/") and name.endswith(".pdf") for name in first)
    assert any(name.startswith("pagefind/") for name in first)
    assert "sitemap.xml" in first and "feeds/tutti.atom.xml" in first


@pytest.fixture(scope="module")
def production(projects: list[Path]) -> list[dict[str, str]]:
    """Both copies built with ``invoke preview`` (the production build), once."""
    return _build_all(projects, "preview")


def _site_only(digest: dict[str, str]) -> dict[str, str]:
    """Without the publish-only files a test may have added (``.gz``, ``.br``, ``_headers``)."""
    return {name: sha for name, sha in digest.items()
            if not name.endswith((".gz", ".br")) and name != "_headers"}


def test_two_production_builds_are_identical_with_their_compressed_files(
    projects: list[Path], production: list[dict[str, str]],
) -> None:
    first, second = (_site_only(digest) for digest in production)
    assert _differences(first, second) == []
    sitemap = (projects[0] / "output" / "sitemap.xml").read_text(encoding="utf-8")
    assert "2026-11-18T" in sitemap  # undated pages: SOURCE_DATE_EPOCH, not the clock

    for project in projects:
        write_headers_file(project / "output")
        precompress_site(project / "output")
    first, second = (tree_digest(p / "output") for p in projects)
    assert _differences(first, second) == []
    assert "index.html.gz" in first and "index.html.br" in first and "_headers" in first


def test_a_warm_rebuild_gives_the_same_bytes_as_a_cold_one(
    projects: list[Path], production: list[dict[str, str]],
) -> None:
    project = projects[0]
    cold = _site_only(production[0])
    # --force: the same sources would otherwise be recognised and not built at all.
    result = invoke(project, "preview", "--force", env=ENVIRONMENTS[0])  # caches warm
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Kit invariato (cache)" in result.stdout
    assert _differences(cold, _site_only(tree_digest(project / "output"))) == []

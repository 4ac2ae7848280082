"""``invoke build``: numbered steps, a one-line summary, and no surprise from a broken cache."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.sitecopy import copy_project, invoke

SUMMARY = re.compile(
    r"^Sito pronto in output/: \d+ pagine HTML, kit \d+ pagine \d+ kB, \d+,\d s$")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("build") / "project")


def test_build_shows_its_steps_and_ends_with_a_summary(project: Path) -> None:
    result = invoke(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    steps = [line.split("…")[0] for line in lines if line.startswith("[")]
    assert steps == ["[1/3] Kit sulla delega", "[2/3] Sito con pelicanconf.py (Pelican)",
                     steps[2]]
    assert steps[2].startswith("[3/3] Indice di ricerca (Pagefind, ")
    assert SUMMARY.match(lines[-1]), lines[-1]


def test_a_truncated_pelican_cache_is_rebuilt_not_fatal(project: Path) -> None:
    caches = sorted((project / ".cache" / "pelican").iterdir())
    assert caches, "la build precedente non ha lasciato una cache"
    for cache in caches:
        cache.write_bytes(b"")  # as after a build killed while saving its cache
    result = invoke(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "era rovinata" in result.stdout
    assert SUMMARY.match(result.stdout.strip().splitlines()[-1])

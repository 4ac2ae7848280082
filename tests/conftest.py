"""Shared fixtures: one real build of the site, made with the author's own command."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sitecopy import copy_project, invoke


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project built by ``invoke build`` under LANG=C (no Italian locale)."""
    project = copy_project(tmp_path_factory.mktemp("site") / "project")
    result = invoke(project, "build", env={"LANG": "C", "LC_ALL": "C"})
    assert result.returncode == 0, result.stdout + result.stderr
    return project


@pytest.fixture(scope="session")
def site(built_project: Path) -> Path:
    """The built ``output/`` folder."""
    return built_project / "output"

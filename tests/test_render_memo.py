"""Incremental builds: after each kind of change, a build that renders only what changed
(plugins/render_memo) writes exactly the site a build from scratch writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from tests.render_memo_driver import CHANGES
from tests.sitecopy import ROOT, copy_project

pytestmark = pytest.mark.slow

EVERYTHING = {"template change", "settings change"}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    project = copy_project(tmp_path_factory.mktemp("incrementale") / "project")
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "render_memo_driver.py")],
                          cwd=project, capture_output=True, text=True, check=False,
                          env=os.environ | {"PYTHONPATH": str(project)})
    assert done.returncode == 0, done.stderr[-3000:]
    return {entry["change"]: entry for entry in json.loads(done.stdout)}


@pytest.mark.parametrize("change", [name for name, _ in CHANGES])
def test_an_incremental_build_writes_the_site_a_full_build_writes(
        report: dict[str, dict[str, Any]], change: str) -> None:
    entry = report[change]
    assert entry["differ"] == [], f"{change}: {entry['differ'][:10]}"
    if change in EVERYTHING:
        assert entry["reused"] == 0  # theme or settings changed: every page is rendered
    elif change == "nothing":
        assert entry["rendered"] == 0
    else:  # what the change touched is rendered, the rest of the site is not
        assert entry["rendered"] > 0 and entry["reused"] > 0, entry


@pytest.mark.parametrize("change", [name for name, _ in CHANGES])
def test_livereload_updating_the_live_site_in_place_writes_what_a_full_build_writes(
        report: dict[str, dict[str, Any]], change: str) -> None:
    """Pages added, removed, renamed (retag, category, status) and the files that go
    with them (feeds, sitemap, cards) all end up as a build from scratch has them."""
    entry = report[change]
    assert entry["differ_in_place"] == [], f"{change}: {entry['differ_in_place'][:10]}"
    if change in EVERYTHING:
        assert entry["reused_in_place"] == 0
    elif change == "nothing":
        assert entry["rendered_in_place"] == 0
    else:
        assert entry["rendered_in_place"] > 0 and entry["reused_in_place"] > 0, entry

"""Search in production: a ``publishconf.py`` build has one index, its pages do not tell
the box about parts, and the box's first search asks for no list of parts and costs at
most plain Pagefind's requests + 3 and 1.3× its bytes (issue 21, item 6). Counts and
bytes, never time."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from benchmarks.bench_search import plain_pagefind_first_search, reader_first_search
from blog.build.search import BUNDLE, PARTS, SHARD_PAGES, shard_pages_for
from blog.build.search_read import part_folders
from tests.sitecopy import ROOT, copy_project, invoke

EXTRA_REQUESTS = 3
BYTES_RATIO = 1.3


@pytest.fixture(scope="module")
def production_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project built by ``invoke preview`` (the production settings)."""
    project = copy_project(tmp_path_factory.mktemp("produzione") / "project")
    result = invoke(project, "preview")
    assert result.returncode == 0, result.stdout + result.stderr
    return (project / "output").resolve()


def test_production_settings_ask_for_one_index_and_development_for_parts() -> None:
    from pelican.settings import read_settings

    production = read_settings(str(ROOT / "publishconf.py"))
    development = read_settings(str(ROOT / "pelicanconf.py"))
    assert shard_pages_for(production) is None
    assert shard_pages_for(development) == SHARD_PAGES


@pytest.mark.slow
def test_a_production_build_has_one_index_and_its_pages_name_no_parts(
    production_site: Path,
) -> None:
    assert part_folders(production_site) == [production_site / BUNDLE]
    assert json.loads((production_site / BUNDLE / PARTS).read_text(encoding="utf-8")) == []
    assert not list((production_site / BUNDLE).glob("parte-*"))
    form = re.search(r"<form class=\"site-search\"[^>]*>",
                     (production_site / "index.html").read_text(encoding="utf-8"))
    assert form and "data-search-bundle=" in form.group(0)
    assert "data-search-parts" not in form.group(0), form.group(0)


@pytest.mark.slow
@pytest.mark.browser
def test_the_first_search_in_production_costs_what_plain_pagefind_costs(
    production_site: Path, browser
) -> None:
    ours = reader_first_search(production_site, browser=browser)
    assert ours["results"] > 0 and ours["fragments"] > 0, ours
    assert not [u for u in ours["urls"] if PARTS in u or "/parte-" in u], ours["urls"]
    assert sum("pagefind-entry.json" in u for u in ours["urls"]) == 1, ours["urls"]
    plain = plain_pagefind_first_search(production_site, shown=ours["fragments"],
                                        browser=browser)
    assert plain["results"] == ours["results"], (plain, ours)
    assert ours["requests"] <= plain["requests"] + EXTRA_REQUESTS, (ours["urls"], plain["urls"])
    assert ours["transferred"] <= BYTES_RATIO * plain["transferred"], (ours, plain)

"""Shared fixtures: one real build of the site, made with the author's own command, one
Chromium, and one run of every ``invoke check`` checker over the whole site.

Markers are set here, from what a test uses, so that ``-m "not browser and not slow"``
leaves out every test that builds the whole site or starts Chromium:

- ``slow``: the test (or one of its fixtures or helpers) builds the whole site or renders
  the whole kit — it uses ``built_project``, ``site``, ``site_url``, ``isso_site`` or
  ``site_report``, or calls ``copy_project`` / ``invoke`` (``tests.sitecopy``),
  ``LiveServer`` or the kit's ``session_build``;
- ``browser``: the test (or a fixture) drives Chromium — ``browser``, ``page`` or a
  Playwright launch.

A test may also carry either marker explicitly.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sitecopy import copy_project, invoke

SLOW_FIXTURES = {"built_project", "site", "site_url", "isso_site", "site_report"}
BROWSER_FIXTURES = {"browser", "page"}
# A whole-site build (a project copy, an invoke task, livereload) or a whole-kit render.
SLOW_CALLS = ("copy_project(", "invoke(", "LiveServer(", "session_build(")
BROWSER_CALLS = ("launch_chromium(", "sync_playwright(", "chromium(")


def _sources(item: pytest.Item) -> Iterator[str]:
    """The source of the test, of every fixture it uses (transitively) and of the test
    helpers they call (functions of the ``tests`` package, followed through calls)."""
    seen: set[object] = set()
    function = getattr(item, "function", None)
    if function is not None:
        yield from _function_sources(function, seen)
    info = getattr(item, "_fixtureinfo", None)
    for definitions in getattr(info, "name2fixturedefs", {}).values():
        for definition in definitions:
            yield from _function_sources(definition.func, seen)


def _function_sources(func: object, seen: set[object]) -> Iterator[str]:
    func = inspect.unwrap(func)  # type: ignore[arg-type]
    if func in seen or not inspect.isfunction(func):
        return
    seen.add(func)
    try:
        yield inspect.getsource(func)
    except (OSError, TypeError):
        return
    for name in _global_names(func.__code__):
        called = func.__globals__.get(name)
        if inspect.isfunction(called) and called.__module__.split(".")[0] == "tests":
            yield from _function_sources(called, seen)


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        sources = "\n".join(_sources(item))
        if names & SLOW_FIXTURES or any(call in sources for call in SLOW_CALLS):
            item.add_marker(pytest.mark.slow)
        if names & BROWSER_FIXTURES or any(call in sources for call in BROWSER_CALLS):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project built by ``invoke build`` under LANG=C (no Italian locale)."""
    project = copy_project(tmp_path_factory.mktemp("site") / "project")
    result = invoke(project, "build", env={"LANG": "C", "LC_ALL": "C"})
    assert result.returncode == 0, result.stdout + result.stderr
    return project


@pytest.fixture(scope="session")
def site(built_project: Path) -> Path:
    """The built ``output/`` folder (the versioned folder it points to, if a symlink)."""
    return (built_project / "output").resolve()


@pytest.fixture(scope="session")
def site_url(site: Path):
    """Base URL of the built site served on 127.0.0.1."""
    from tests.browser_support import serve_directory

    with serve_directory(site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    from playwright.sync_api import sync_playwright

    from tests.browser_support import launch_chromium

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh Italian browser context and page per test."""
    context = browser.new_context(locale="it-IT")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def site_report(built_project: Path, site: Path, browser):
    """Every checker of ``invoke check`` (links, drafts, CSP, weight, Nu Html Checker,
    axe-core light and dark) over the whole built site, once per test session.

    It fills the project's check memo (``.cache/controlli/memo.json``), so an
    ``invoke check`` later in the session re-checks only the pages that differ."""
    from buildtools.checks import run_checks
    from buildtools.deploy import read_settings

    siteurls = [str(read_settings(built_project / name).get("SITEURL", ""))
                for name in ("pelicanconf.py", "publishconf.py")]
    return run_checks(site, content=built_project / "content", siteurl=siteurls,
                      memo=built_project / ".cache" / "controlli" / "memo.json",
                      browser=browser, say=lambda _line: None)


@pytest.fixture(scope="module")
def isso_site(site: Path, tmp_path_factory: pytest.TempPathFactory):
    """The built site and the real Isso server (temporary SQLite database, moderation
    on, isso/isso.cfg) on one origin of 127.0.0.1, ``/isso/`` proxied as in
    deploy/nginx.conf. One Isso per test module: yields ``(site server, Isso server)``."""
    from buildtools.comments import site_with_comments

    database = tmp_path_factory.mktemp("isso") / "comments.db"
    with site_with_comments(site, database) as servers:
        yield servers

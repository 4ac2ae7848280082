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
import linecache
import os
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


def _functions(item: pytest.Item) -> Iterator[object]:
    """The test function and the function of every fixture it uses (transitively)."""
    function = getattr(item, "function", None)
    if function is not None:
        yield function
    info = getattr(item, "_fixtureinfo", None)
    for definitions in getattr(info, "name2fixturedefs", {}).values():
        for definition in definitions:
            yield definition.func


def _markers_of(func: object, known: dict[object, frozenset[str]]) -> frozenset[str]:
    """``slow``/``browser`` as the source of ``func`` and of the test helpers it calls
    (functions of the ``tests`` package, followed through calls) show; memoised."""
    func = inspect.unwrap(func)  # type: ignore[arg-type]
    if func in known:
        return known[func]
    known[func] = frozenset()  # a helper that calls itself
    code = getattr(func, "__code__", None)
    if code is None:
        return known[func]
    source = _source(code)
    found = set()
    if any(call in source for call in SLOW_CALLS):
        found.add("slow")
    if any(call in source for call in BROWSER_CALLS):
        found.add("browser")
    for name in _global_names(func.__code__):  # type: ignore[attr-defined]
        called = func.__globals__.get(name)  # type: ignore[attr-defined]
        if inspect.isfunction(called) and called.__module__.split(".")[0] == "tests":
            found |= _markers_of(called, known)
    known[func] = frozenset(found)
    return known[func]


def _source(code: types.CodeType) -> str:
    """The lines of a function (inspect.getsource is far slower: it searches modules)."""
    lines = linecache.getlines(code.co_filename)
    last = max((line for _start, _end, line in _all_lines(code) if line), default=0)
    return "".join(lines[code.co_firstlineno - 1:last])


def _all_lines(code: types.CodeType) -> Iterator[tuple[int, int, int | None]]:
    yield from code.co_lines()
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _all_lines(const)


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    known: dict[object, frozenset[str]] = {}
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        found: set[str] = set()
        for func in _functions(item):
            found |= _markers_of(func, known)
        if names & SLOW_FIXTURES:
            found.add("slow")
        if names & BROWSER_FIXTURES:
            found.add("browser")
        for marker in sorted(found):
            item.add_marker(getattr(pytest.mark, marker))
    if os.environ.get("PYTEST_XDIST_WORKER"):
        _heaviest_modules_first(items)


# The longest modules of a serial run (seconds, 1 December 2026, quiet 2-core machine):
# publish ≈ 100, theme_layout ≈ 47, theme_validate ≈ 45, render_memo ≈ 27,
# reproducible ≈ 29, theme_browser ≈ 25, livereload ≈ 25, csp ≈ 23, kit_pdfjs ≈ 17.
def pytest_configure(config: pytest.Config) -> None:
    """One folder where every test process's project copies share their caches
    (tests/sitecopy.py); set before pytest-xdist starts its workers, which inherit it."""
    import tempfile

    from tests.sitecopy import SHARE_VARIABLE

    if os.environ.get(SHARE_VARIABLE) is None and not os.environ.get("PYTEST_XDIST_WORKER"):
        share = Path(tempfile.mkdtemp(prefix="delega-test-cache-"))
        os.environ[SHARE_VARIABLE] = str(share)
        config._delega_cache_share = share  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    import shutil

    from tests.sitecopy import SHARE_VARIABLE

    share = getattr(config, "_delega_cache_share", None)
    if share is not None:
        shutil.rmtree(share, ignore_errors=True)
        os.environ.pop(SHARE_VARIABLE, None)


LONGEST_MODULES = (
    "tests.test_workflow_publish", "tests.test_theme_layout", "tests.test_theme_validate",
    "tests.test_workflow_reproducible", "tests.test_render_memo", "tests.test_theme_browser",
    "tests.test_workflow_livereload", "tests.test_csp", "tests.test_kit_pdfjs",
)


def _heaviest_modules_first(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``invoke test``), whole modules go to the worker that is free:
    the longest start first, so that no worker is left alone with a long one at the end.
    A stable sort on top of pytest-randomly's shuffle: the order inside a module, and
    among the other modules, still follows the seed."""
    rank = {name: index for index, name in enumerate(LONGEST_MODULES)}
    items.sort(key=lambda item: rank.get(item.module.__name__, len(rank)))


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
def fresh_page(browser):
    """A page in an Italian browser context of its own (an empty cache, no cookies)."""
    context = browser.new_context(locale="it-IT")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page(fresh_page):
    """A fresh Italian browser context and page per test (a module may share one
    context instead: tests/test_search.py)."""
    return fresh_page


@pytest.fixture(scope="session")
def site_report(built_project: Path, site: Path, browser):
    """Every checker of ``invoke check`` (links, drafts, CSP, weight, Nu Html Checker,
    axe-core light and dark) over the whole built site, once per test session.

    It fills the project's check memo (``.cache/controlli/memo.json``), so an
    ``invoke check`` later in the session re-checks only the pages that differ."""
    from blog.checks import run_checks
    from blog.publish.deploy import read_settings

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
    from blog.comments.isso import site_with_comments

    database = tmp_path_factory.mktemp("isso") / "comments.db"
    with site_with_comments(site, database) as servers:
        yield servers

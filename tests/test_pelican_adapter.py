"""Each use of Pelican's private API (``plugins/pelican_adapter``), held to what it
relies on: on a Pelican release where one no longer holds, its test here fails; and the
plugins' worker processes (``pelican_adapter.local_plugins``)."""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading
from pathlib import Path

import pelican
import pelican_adapter
import pytest
from pelican.contents import Article
from pelican.plugins._utils import load_plugins
from pelican.settings import DEFAULT_CONFIG
from pelican.writers import FileOverwriteFailedError
from pelican_adapter.local_plugins import import_plugin, worker_pool

from blog.build.capture import captured
from blog.build.problems import Context
from blog.build.settings import local_plugin


def _settings(tmp_path: Path) -> dict:
    settings = dict(DEFAULT_CONFIG)
    settings.update(PATH=str(tmp_path), OUTPUT_PATH=str(tmp_path / "out"), SITEURL="",
                    RELATIVE_URLS=False)
    return settings


def _article(tmp_path: Path, html: str, **metadata: object) -> Article:
    settings = _settings(tmp_path)
    meta = {"title": "Titolo", "date": pelican.utils.SafeDatetime(2026, 1, 2),
            "slug": "titolo", **metadata}
    return Article(html, metadata=meta, settings=settings,
                   source_path=str(tmp_path / "titolo.md"), context={"generated_content": {},
                                                                     "static_content": {},
                                                                     "static_links": set()})


def test_pelican_is_the_minor_release_the_adapter_was_tested_with() -> None:
    assert pelican.__version__.startswith(pelican_adapter.TESTED_MINOR + ".")


def test_the_hooked_writer_opens_pages_through_open_page(tmp_path: Path) -> None:
    opened: list[str] = []

    class Writer(pelican_adapter.HookedWriter):
        def open_page(self, filename, encoding, override):
            opened.append(filename)
            return super().open_page(filename, encoding, override)

    from jinja2 import Template

    settings = _settings(tmp_path)
    writer = Writer(str(tmp_path / "out"), settings=settings)
    writer.write_file("pagina/index.html", Template("ciao {{ nome }}"),
                      {"nome": "Giulia", "localsiteurl": ""}, relative_urls=False)
    page = tmp_path / "out" / "pagina" / "index.html"
    assert opened == [str(page)]
    assert page.read_text(encoding="utf-8") == "ciao Giulia"


def test_claim_keeps_pelicans_rule_that_no_two_pages_share_a_file(tmp_path: Path) -> None:
    writer = pelican_adapter.HookedWriter(str(tmp_path), settings=_settings(tmp_path))
    target = str(tmp_path / "a.html")
    assert writer.claim(target, override=False) == target
    with pytest.raises(FileOverwriteFailedError):
        writer.claim(target, override=False)
    # One override is allowed; after it, the page is skipped (written to os.devnull).
    assert writer.claim(str(tmp_path / "b.html"), override=True) == str(tmp_path / "b.html")
    assert writer.claim(str(tmp_path / "b.html"), override=False) == os.devnull
    # And the writer's own open refuses what claim recorded.
    with pytest.raises(FileOverwriteFailedError):
        writer.open_page(target, "utf-8", False)


def test_intrasite_links_resolve_as_pelican_resolves_them(tmp_path: Path) -> None:
    other = _article(tmp_path, "<p>altro</p>", slug="altro", title="Altro")
    other.source_path = str(tmp_path / "altro.md")
    html = '<p><a href="{filename}altro.md">vai</a> e <a href="https://esempio.it">fuori</a></p>'
    article = _article(tmp_path, html)
    article._context["generated_content"]["altro.md"] = other
    links = pelican_adapter.intrasite_links(article)
    assert len(links) == 1 and "altro.html" in links[0] and "{filename}" not in links[0]
    assert 'href="/altro.html"' in article.content


def test_raw_html_is_what_pelican_turns_into_the_page(tmp_path: Path) -> None:
    article = _article(tmp_path, "<p>prima</p>")
    assert pelican_adapter.raw_html(article) == "<p>prima</p>"
    pelican_adapter.set_raw_html(article, "<p>dopo</p>")
    assert article.content == "<p>dopo</p>"


def test_a_build_sees_the_same_warning_again_on_the_next_build(tmp_path: Path) -> None:
    """Pelican's LimitFilter drops a message it has already shown; livereload's next
    build must report the same mistake again (blog/build/capture.py)."""
    logger = logging.getLogger("pelican.generators")
    seen = []
    for _ in range(2):
        with open(os.devnull, "w") as log, \
                captured(Context(tmp_path, tmp_path), lambda _: None, log) as capture:
            logger.warning("Titolo mancante in %s", "post.md")
            seen.append(len(capture.problems))
    assert seen == [1, 1]


def test_pelicans_memo_of_rendered_contents_can_be_emptied(tmp_path: Path) -> None:
    """Else a long-running livereload keeps every post of every build."""
    article = _article(tmp_path, "<p>una volta</p>")
    assert article.content == "<p>una volta</p>" and article.summary
    assert pelican_adapter.forget_rendered_contents() >= 2
    assert pelican_adapter.forget_rendered_contents() == 0
    pelican_adapter.set_raw_html(article, "<p>di nuovo</p>")
    assert article.content == "<p>di nuovo</p>"  # computed again, not the memo's


def test_a_local_plugin_is_the_module_pelican_loads(tmp_path: Path) -> None:
    """Whichever imports a plugin first, Pelican or ``import_plugin``, the other gets the
    same module object (one ``sys.modules`` entry by name)."""
    (tmp_path / "adapter_probe").mkdir()
    (tmp_path / "adapter_probe" / "__init__.py").write_text("def register():\n    pass\n",
                                                            encoding="utf-8")
    settings = {"PLUGINS": ["adapter_probe"], "PLUGIN_PATHS": [str(tmp_path)]}
    try:
        ours = import_plugin("adapter_probe", [tmp_path])
        assert load_plugins(settings) == [ours]
        del sys.modules["adapter_probe"]
        (pelicans,) = load_plugins(settings)
        assert import_plugin("adapter_probe", [tmp_path]) is pelicans
    finally:
        sys.modules.pop("adapter_probe", None)
    with pytest.raises(ImportError, match="adapter_missing"):
        import_plugin("adapter_missing", [tmp_path])


@pytest.mark.parametrize("plugin", ["og_image", "kit_pdf", "content_images"])
def test_a_plugins_workers_are_not_forks_of_the_build(
    plugin: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another thread of the build (livereload's server, watcher, search) may hold a lock
    when a worker starts: a fork would copy it held by a thread the copy does not have,
    and wait for it for ever. A fresh worker imports the module, lock free, anew; it has
    the plugin, and not Pelican (~0.2 s of CPU a worker)."""
    local_plugin(plugin)
    (tmp_path / "held_lock.py").write_text(
        "import sys\nimport threading\nLOCK = threading.Lock()\n\n\n"
        "def take() -> bool:\n    with LOCK:\n        return True\n\n\n"
        "def loaded(names: list) -> list:\n    return [n for n in names if n in sys.modules]\n",
        encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    held_lock = importlib.import_module("held_lock")
    held, done = threading.Event(), threading.Event()

    def hold() -> None:
        with held_lock.LOCK:  # as a server thread in the middle of its work
            held.set()
            done.wait(120)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    pool = worker_pool(plugin)
    try:
        assert pool.submit(held_lock.take).result(timeout=60)
        loaded = pool.submit(held_lock.loaded, [plugin, "pelican"]).result(timeout=60)
        assert loaded == [plugin]
    finally:
        done.set()
        holder.join()
        pool.shutdown(wait=False, cancel_futures=True)
        sys.modules.pop("held_lock", None)

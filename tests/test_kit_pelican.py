"""The kit plugin inside real Pelican runs: KIT in templates, the PDF in output/, errors exit 1."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_kit_support import KIT, PLUGINS, session_build, session_cache

SETTINGS = """
PATH = "content"
OUTPUT_PATH = "output"
SITENAME = "Prova"
SITEURL = ""
CONTACT_EMAIL = "scrivimi@giulia-assistente.example"
PLUGIN_PATHS = [{plugins!r}]
PLUGINS = ["kit_pdf"]
KIT_SOURCE = {source!r}
TEMPLATE_PAGES = {{"kit.html": "kit.html"}}
DIRECT_TEMPLATES = []
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
"""

TEMPLATE = (
    "<p>Pagine: {{ KIT.pages }}</p>\n"
    "<p>Campi: {{ KIT.fields }}</p>\n"
    "<p>Peso: {{ KIT.size_label }}</p>\n"
    '<a href="{{ KIT.url }}">{{ KIT.title }}</a>\n'
    '<img src="{{ KIT.preview_url }}" width="{{ KIT.preview_width }}">\n'
)


def _site(root: Path, source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Pelican site whose default KIT_CACHE is seeded with the session's build."""
    (root / "content").mkdir(parents=True)
    (root / "content" / "kit.html").write_text(TEMPLATE, encoding="utf-8")
    (root / "pelicanconf.py").write_text(
        SETTINGS.format(plugins=str(PLUGINS), source=str(source)), encoding="utf-8"
    )
    session_build(tmp_path_factory)
    shutil.copytree(session_cache(tmp_path_factory), root / ".cache" / "kit")
    return root


def _pelican(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py", "-o", "output"],
        cwd=root,
        env=os.environ | {"COLUMNS": "1000"},  # rich wraps long log lines otherwise
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.mark.slow
def test_pelican_run_exposes_kit_and_copies_the_pdf(tmp_path, tmp_path_factory):
    info = session_build(tmp_path_factory)
    root = _site(tmp_path / "site", KIT, tmp_path_factory)
    result = _pelican(root)
    assert result.returncode == 0, result.stdout + result.stderr
    html = (root / "output" / "kit.html").read_text(encoding="utf-8")
    assert f"<p>Pagine: {info.pages}</p>" in html
    assert f"<p>Campi: {info.fields}</p>" in html
    assert f"<p>Peso: {info.size_label}</p>" in html
    assert 'href="kit/kit-sulla-delega.pdf"' in html
    pdf = root / "output" / "kit" / "kit-sulla-delega.pdf"
    png = root / "output" / "kit" / "kit-sulla-delega.png"
    assert pdf.read_bytes() == info.pdf_path.read_bytes()
    assert png.read_bytes() == info.preview_path.read_bytes()


@pytest.mark.slow
def test_pelican_exits_non_zero_and_names_the_file_on_a_broken_kit(tmp_path, tmp_path_factory):
    source = tmp_path / "kit"
    shutil.copytree(KIT, source)
    (source / "fonts" / "atkinson-hyperlegible-latin-400-normal.ttf").unlink()
    root = _site(tmp_path / "site", source, tmp_path_factory)
    result = _pelican(root)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "KitBuildError" in output
    assert "atkinson-hyperlegible-latin-400-normal.ttf" in output
    assert not (root / "output" / "kit" / "kit-sulla-delega.pdf").exists()


def _settings(tmp_path: Path, source: Path) -> dict:
    return {
        "PATH": str(tmp_path / "content"),
        "OUTPUT_PATH": str(tmp_path / "out"),
        "KIT_SOURCE": str(source),
        "CONTACT_EMAIL": "scrivimi@giulia-assistente.example",
    }


def _run(settings: dict, output: Path) -> tuple[dict, object]:
    """What one Pelican run does with the kit's generator: make it with the shared context
    (a copy of the settings), read the posts, render, write."""
    from kit_pdf.pelican_plugin import KitGenerator

    context = dict(settings)
    generator = KitGenerator(context, settings, "content", "theme", str(output))
    generator.generate_context()  # every post read: waits for the kit
    generator.generate_output(None)
    return context, generator.kit


def test_each_run_puts_the_kit_in_its_context_and_leaves_the_settings_alone(tmp_path):
    """A run renders a changed kit in a worker process and puts its facts in the shared
    context; the next run (autoreload) finds it in the cache, or renders it again when
    kit/ changed. The settings are only read."""
    from tests.test_kit_support import trim_to_first_section

    source = tmp_path / "kit"
    shutil.copytree(KIT, source)
    trim_to_first_section(source)
    settings = _settings(tmp_path, source)
    untouched = dict(settings)
    output = tmp_path / "out"

    context, info = _run(settings, output)
    kit = context["KIT"]
    assert info.rendered and kit["pages"] == info.pages and kit["size_label"] == info.size_label
    assert "rendered" not in kit  # only what pages show: no build facts
    assert (tmp_path / ".cache" / "kit" / "kit.pdf").is_file()
    assert (output / "kit" / "kit-sulla-delega.pdf").read_bytes() == info.pdf_path.read_bytes()
    assert (output / "kit" / "kit-sulla-delega.png").is_file()

    context, again = _run(settings, output)  # nothing changed: the cache
    assert not again.rendered and context["KIT"] == kit

    data = (source / "kit.yaml").read_text(encoding="utf-8")
    (source / "kit.yaml").write_text(data.replace("Kit sulla delega", "Kit nuovo"), "utf-8")
    context, changed = _run(settings, output)
    assert changed.rendered and context["KIT"]["title"] == "Kit nuovo"
    assert settings == untouched


def test_a_broken_kit_fails_the_run_once_the_posts_are_read(tmp_path):
    """The worker's KitBuildError, file and reason intact, is raised by generate_context."""
    from kit_pdf import KitBuildError

    from tests.test_kit_support import trim_to_first_section

    source = tmp_path / "kit"
    shutil.copytree(KIT, source)
    trim_to_first_section(source)
    (source / "kit.yaml").write_text("sections: [\n", encoding="utf-8")
    with pytest.raises(KitBuildError) as caught:
        _run(_settings(tmp_path, source), tmp_path / "out")
    assert caught.value.path == source / "kit.yaml" and caught.value.line
    assert not (tmp_path / "out" / "kit").exists()

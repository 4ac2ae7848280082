"""Kit builder: cache reuse, byte-identical rebuilds, errors that name the file, the CLI."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.test_kit_support import (
    KIT,
    copy_kit,
    kit_pdf,
    session_build,
    session_cache,
    trim_to_first_section,
)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def info(tmp_path_factory: pytest.TempPathFactory) -> kit_pdf.KitInfo:
    return session_build(tmp_path_factory)


@pytest.fixture
def kit_copy(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(source, cache): a copy of kit/ whose cache already holds a good build."""
    return copy_kit(tmp_path, tmp_path_factory)


@pytest.mark.slow
def test_second_build_with_unchanged_sources_reuses_the_cache(info, tmp_path_factory):
    before = info.pdf_path.stat().st_mtime_ns
    again = kit_pdf.build_kit(KIT, session_cache(tmp_path_factory))
    assert again.rendered is False
    assert info.pdf_path.stat().st_mtime_ns == before
    assert (again.pages, again.fields, again.size_bytes) == (
        info.pages,
        info.fields,
        info.size_bytes,
    )


@pytest.mark.slow
def test_two_builds_are_byte_identical(info, tmp_path):
    forced = kit_pdf.build_kit(KIT, tmp_path / "cache", force=True)
    assert forced.rendered is True
    assert forced.pdf_path.read_bytes() == info.pdf_path.read_bytes()
    assert forced.preview_path.read_bytes() == info.preview_path.read_bytes()
    for (mine, _), (theirs, _) in zip(forced.files(), info.files(), strict=True):
        assert mine.name == theirs.name and mine.read_bytes() == theirs.read_bytes(), mine.name


@pytest.mark.slow
def test_a_copied_cache_is_reused(kit_copy):
    source, cache = kit_copy
    assert kit_pdf.build_kit(source, cache).rendered is False


def test_changed_words_rerender_without_touching_templates(tmp_path):
    source = tmp_path / "kit"
    shutil.copytree(KIT, source)
    trim_to_first_section(source)
    first = kit_pdf.build_kit(source, tmp_path / "cache")
    assert first.rendered
    data = (source / "kit.yaml").read_text(encoding="utf-8")
    (source / "kit.yaml").write_text(
        data.replace("Kit sulla delega", "Kit della delega felice"), encoding="utf-8"
    )
    second = kit_pdf.build_kit(source, tmp_path / "cache")
    assert second.rendered
    assert second.title == "Kit della delega felice"
    assert PdfReader(second.pdf_path).metadata["/Title"] == "Kit della delega felice"


def test_a_glyph_missing_from_the_shipped_fonts_is_caught(tmp_path):
    source = tmp_path / "kit"
    shutil.copytree(KIT, source)
    trim_to_first_section(source)
    data = (source / "kit.yaml").read_text(encoding="utf-8")
    # U+2192 is not in the latin subsets: Pango would fall back to a system font.
    (source / "kit.yaml").write_text(data.replace("Il percorso", "Il percorso →"), encoding="utf-8")
    with pytest.raises(kit_pdf.KitBuildError, match="non porta con sé") as error:
        kit_pdf.build_kit(source, tmp_path / "cache")
    assert "kit.css" in str(error.value)
    assert not (tmp_path / "cache" / "kit.pdf").exists()


def test_a_css_declaration_weasyprint_drops_fails_the_build(tmp_path):
    source = tmp_path / "kit"
    shutil.copytree(KIT, source)
    trim_to_first_section(source)
    css = source / "kit.css"
    css.write_text(
        css.read_text(encoding="utf-8").replace(
            "body { margin: 0 }", "body { margin: 0; hyphens: sometimes }"
        ),
        encoding="utf-8",
    )
    with pytest.raises(
        kit_pdf.KitBuildError, match=r"kit\.css:\d+: WeasyPrint ha scartato qualcosa: .*hyphens"
    ):
        kit_pdf.build_kit(source, tmp_path / "cache")


def test_a_broken_toc_link_fails_the_build(tmp_path):
    source = tmp_path / "kit"
    shutil.copytree(KIT, source)
    trim_to_first_section(source)
    toc = source / "templates" / "toc.html.j2"
    toc.write_text(
        toc.read_text(encoding="utf-8").replace(
            'href="#{{ section.id }}"', 'href="#x{{ section.id }}"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(kit_pdf.KitBuildError, match="WeasyPrint"):
        kit_pdf.build_kit(source, tmp_path / "cache")


def _assert_cache_untouched(cache: Path, digest: str, mtime: int) -> None:
    pdf = cache / "kit.pdf"
    assert pdf.is_file()
    assert _digest(pdf) == digest
    assert pdf.stat().st_mtime_ns == mtime
    assert not [p for p in cache.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_template_error_names_the_file_and_line_and_keeps_the_previous_pdf(kit_copy, capsys):
    source, cache = kit_copy
    pdf = cache / "kit.pdf"
    digest, mtime = _digest(pdf), pdf.stat().st_mtime_ns
    toc = source / "templates" / "toc.html.j2"
    lines = toc.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "  {% if %}")
    toc.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(kit_pdf.KitBuildError) as error:
        kit_pdf.build_kit(source, cache)
    assert "toc.html.j2:4" in str(error.value)
    _assert_cache_untouched(cache, digest, mtime)

    code = kit_pdf.main(["--source", str(source), "--cache", str(cache)])
    assert code == 1
    assert "toc.html.j2:4" in capsys.readouterr().err
    _assert_cache_untouched(cache, digest, mtime)


@pytest.mark.slow
def test_undefined_variable_names_the_template(kit_copy):
    source, cache = kit_copy
    cover = source / "templates" / "cover.html.j2"
    cover.write_text(
        cover.read_text(encoding="utf-8").replace("{{ cover.kicker }}", "{{ cover.nope }}"),
        encoding="utf-8",
    )
    with pytest.raises(kit_pdf.KitBuildError, match=r"cover\.html\.j2:\d+: .*nope"):
        kit_pdf.build_kit(source, cache)


@pytest.mark.slow
def test_missing_font_file_names_the_font_and_keeps_the_previous_pdf(kit_copy, capsys):
    source, cache = kit_copy
    pdf = cache / "kit.pdf"
    digest, mtime = _digest(pdf), pdf.stat().st_mtime_ns
    (source / "fonts" / "fira-sans-latin-600-normal.ttf").unlink()

    with pytest.raises(kit_pdf.KitBuildError) as error:
        kit_pdf.build_kit(source, cache)
    message = str(error.value)
    assert "fira-sans-latin-600-normal.ttf" in message
    assert "kit.css:" in message
    _assert_cache_untouched(cache, digest, mtime)

    assert kit_pdf.main(["--source", str(source), "--cache", str(cache)]) == 1
    assert "fira-sans-latin-600-normal.ttf" in capsys.readouterr().err
    _assert_cache_untouched(cache, digest, mtime)


@pytest.mark.slow
def test_bad_yaml_names_the_file_and_line(kit_copy):
    source, cache = kit_copy
    path = source / "kit.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(9, "  broken: [unclosed")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(kit_pdf.KitBuildError, match=r"kit\.yaml:\d+: YAML non valido"):
        kit_pdf.build_kit(source, cache)


@pytest.mark.slow
def test_cli_reports_the_cache_and_copies_the_files(kit_copy, tmp_path, capsys):
    source, cache = kit_copy
    out = tmp_path / "out"
    code = kit_pdf.main(["--source", str(source), "--cache", str(cache), "--out", str(out)])
    assert code == 0
    stdout = capsys.readouterr().out
    assert stdout.strip().splitlines()[-1] == "Kit invariato (cache)"
    assert (out / "kit-sulla-delega.pdf").read_bytes() == (cache / "kit.pdf").read_bytes()
    assert (out / "kit-sulla-delega.png").read_bytes() == (cache / "kit.png").read_bytes()


def test_the_release_date_does_not_change_the_kit(monkeypatch):
    """The PDF's dates are the edition's (kit.yaml), not the release's: a production build
    (SOURCE_DATE_EPOCH from the last commit) makes the same PDF as a development one, and
    a new commit elsewhere does not re-render the kit."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    plain_hash, plain = kit_pdf.cache.source_hash(KIT), kit_pdf.data.load_kit_data(KIT)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert kit_pdf.cache.source_hash(KIT) == plain_hash
    data = kit_pdf.data.load_kit_data(KIT)
    assert data["dates"] == plain["dates"]
    assert data["dates"]["modified"] == data["document"]["modified"]


def test_builder_source_is_part_of_the_cache_key(tmp_path, monkeypatch):
    before = kit_pdf.cache.source_hash(KIT)
    builder = tmp_path / "builder"
    shutil.copytree(
        kit_pdf.cache.BUILDER_DIR, builder, ignore=shutil.ignore_patterns("__pycache__")
    )
    (builder / "extra.py").write_text("# changed\n", encoding="utf-8")
    monkeypatch.setattr(kit_pdf.cache, "BUILDER_DIR", builder)
    assert kit_pdf.cache.source_hash(KIT) != before


@pytest.mark.parametrize(
    ("size", "label"),
    [
        (950, "950 B"),
        (86_400, "86 kB"),
        (165_075, "165 kB"),
        (1_234_567, "1,2 MB"),
        (999_700, "1,0 MB"),
    ],
)
def test_size_label_is_italian(size, label):
    assert kit_pdf.size_label(size) == label


@pytest.mark.slow
def test_for_templates_has_the_documented_keys(info):
    kit = info.for_templates("kit", "kit-sulla-delega.pdf")
    assert kit["url"] == "kit/kit-sulla-delega.pdf"
    assert kit["preview_url"] == "kit/kit-sulla-delega.png"
    assert set(kit) == {
        "url",
        "preview_url",
        "preview_width",
        "preview_height",
        "pages",
        "size_bytes",
        "size_label",
        "title",
        "fields",
        "thumbnails",
        "card",
        "readiness",
        "order",
        "promise",
        "edition",
        "site_url",
    }
    assert os.path.basename(kit["url"]) == "kit-sulla-delega.pdf"
    assert 3 <= len(kit["thumbnails"]) <= 4
    for thumb in kit["thumbnails"]:
        assert thumb["url"].startswith("kit/kit-sulla-delega-pagina-") and thumb["alt"]
        assert (
            info.cache / thumb["url"].rsplit("-", 1)[0].replace("kit/kit-sulla-delega", "kit")
        ).parent.is_dir()
    assert kit["card"] == {"url": "kit/kit-sulla-delega-card.png", "width": 1200, "height": 630}
    readiness = kit["readiness"]
    assert len(readiness["questions"]) == 10
    assert [r["min"] for r in readiness["readings"]] == [8, 5, 0]
    assert [a["value"] for a in readiness["answers"]] == ["si", "non-ancora"]
    assert [o["title"] for o in kit["order"]][1] == "Sei pronto?"

"""Broken kit sources end in an Italian KitBuildError: file, line, reason; no traceback.

Each mistake is made in a copy of ``kit/`` whose cache holds a good build: the build
must stop before rendering, name the file and line, and leave the last good PDF as it was.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.test_kit_support import SITE, copy_kit, kit_pdf


@pytest.fixture
def kit_copy(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return copy_kit(tmp_path, tmp_path_factory)


def _fails(source: Path, cache: Path, capsys) -> kit_pdf.KitBuildError:
    pdf = cache / "kit.pdf"
    before = hashlib.sha256(pdf.read_bytes()).hexdigest(), pdf.stat().st_mtime_ns
    with pytest.raises(kit_pdf.KitBuildError) as caught:
        kit_pdf.build_kit(source, cache, site=SITE)
    assert (hashlib.sha256(pdf.read_bytes()).hexdigest(), pdf.stat().st_mtime_ns) == before
    # The command line says the same in one Italian line, without a traceback.
    assert kit_pdf.main(["--source", str(source), "--cache", str(cache)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("Errore nel kit: ")
    return caught.value


def _replace_line(path: Path, number: int, text: bytes) -> None:
    lines = path.read_bytes().split(b"\n")
    lines[number - 1] = text
    path.write_bytes(b"\n".join(lines))


@pytest.mark.slow
def test_kit_yaml_not_in_utf8(kit_copy, capsys):
    source, cache = kit_copy
    _replace_line(source / "kit.yaml", 9, '  title: "Kit sulla delega è"'.encode("latin-1"))
    error = _fails(source, cache, capsys)
    assert (error.path.name, error.line) == ("kit.yaml", 9)
    assert "non è in UTF-8" in error.reason and "salvalo come UTF-8" in error.reason


@pytest.mark.slow
def test_kit_css_not_in_utf8(kit_copy, capsys):
    source, cache = kit_copy
    _replace_line(source / "kit.css", 3, "/* Caratteri già */".encode("cp1252"))
    error = _fails(source, cache, capsys)
    assert (error.path.name, error.line) == ("kit.css", 3)
    assert "UTF-8" in error.reason


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (
            "sections:\n  - id: come-usare",
            "sections: tante\nold:\n  - id: come-usare",
            "«sections» deve essere un elenco",
        ),
        (
            '    kind: worksheet\n    title: "Lasciar',
            '    kind: foglio\n    title: "Lasciar',
            "kind «foglio» sconosciuto",
        ),
        (
            "    rows: 14\n",
            "    rows: quattordici\n",
            "«inventario.rows» deve essere un numero intero",
        ),
        (
            "      - min: 0\n        max: 4\n",
            "      - min: 0\n        max: 3\n",
            "nessuna lettura di «guide» per 4 «sì»",
        ),
    ],
    ids=["sections-not-a-list", "unknown-kind", "rows-not-a-number", "reading-missing"],
)
@pytest.mark.slow
def test_wrong_shaped_kit_yaml(kit_copy, capsys, old, new, reason):
    source, cache = kit_copy
    path = source / "kit.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    error = _fails(source, cache, capsys)
    assert error.path.name == "kit.yaml"
    assert reason in error.reason
    changed = text.replace(old, new, 1).splitlines()
    assert error.line is not None and 1 <= error.line <= len(changed)
    first_changed = next(
        i for i, (a, b) in enumerate(zip(text.splitlines(), changed, strict=False)) if a != b
    )
    # The line of the wrong value, or of the key that holds it (a few lines above).
    assert first_changed + 1 - 12 <= error.line <= first_changed + 2, (error.line, first_changed)


@pytest.mark.slow
def test_wrong_shaped_kit_css(kit_copy, capsys):
    source, cache = kit_copy
    path = source / "kit.css"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(70, ".cover { color: red; ")  # a block that never closes
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    error = _fails(source, cache, capsys)
    assert error.path.name == "kit.css"
    assert error.reason.startswith("CSS non valido")
    assert error.line == 71


def test_the_production_address_is_part_of_the_cache_key():
    source = Path(kit_pdf.__file__).resolve().parents[2] / "kit"
    other = kit_pdf.SiteInfo("https://www.altro-dominio.example/", SITE.email)
    same = kit_pdf.SiteInfo(SITE.url, SITE.email)
    hash_of = kit_pdf.cache.source_hash
    assert hash_of(source, SITE.cache_key()) == hash_of(source, same.cache_key())
    assert hash_of(source, SITE.cache_key()) != hash_of(source, other.cache_key())

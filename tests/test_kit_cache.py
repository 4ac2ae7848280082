"""The kit's cache says why it cannot be used: none yet, ``kit/`` changed, or damaged (its
manifest cut, garbage, ``[]``, a folder or emptied; a file it lists altered or gone).
A damaged cache is said as such («Cache del kit danneggiata: la rifaccio»), by the
build and by ``invoke kit``, never as «kit/ è cambiato»; then it is made again."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.faults_support import DAMAGES, damage
from tests.test_kit_support import SITE, copy_kit, kit_pdf, trim_to_first_section

pytestmark = pytest.mark.slow

DAMAGED = [(name, how) for name in ("manifest.json", "kit.pdf") for how in DAMAGES]


@pytest.fixture
def kit_copy(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(source, cache): a copy of kit/ whose cache already holds a good build."""
    return copy_kit(tmp_path, tmp_path_factory)


def _examine(source: Path, cache: Path) -> kit_pdf.KitInfo | str:
    return kit_pdf.builder.examine_cache(source, cache, site=SITE)


def test_a_good_cache_is_used(kit_copy) -> None:
    assert isinstance(_examine(*kit_copy), kit_pdf.KitInfo)


@pytest.mark.parametrize(("name", "how"), DAMAGED)
def test_a_damaged_cache_is_told_from_a_changed_kit(kit_copy, name: str, how: str) -> None:
    source, cache = kit_copy
    damage(cache / name, how)
    assert _examine(source, cache) == kit_pdf.cache.DAMAGED


def test_a_file_gone_from_the_cache_is_damage(kit_copy) -> None:
    source, cache = kit_copy
    (cache / "kit.png").unlink()
    assert _examine(source, cache) == kit_pdf.cache.DAMAGED


def test_a_changed_kit_and_a_missing_cache_are_said_as_such(kit_copy, tmp_path: Path) -> None:
    source, cache = kit_copy
    assert _examine(source, tmp_path / "nessuna-cache") == kit_pdf.cache.MISSING
    (source / "kit.yaml").write_text((source / "kit.yaml").read_text(encoding="utf-8")
                                     + "\n# una modifica\n", encoding="utf-8")
    assert _examine(source, cache) == kit_pdf.cache.CHANGED


def test_invoke_kit_says_the_cache_was_damaged_and_makes_it_again(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    source, cache = copy_kit(tmp_path, tmp_path_factory)
    trim_to_first_section(source)  # a 3-page kit: about a second a render
    kit_pdf.build_kit(source, cache, site=SITE)
    damage(cache / "manifest.json", "troncato")
    said: list[str] = []
    info = kit_pdf.build_kit(source, cache, site=SITE, progress=said.append)
    assert info.rendered and said[0] == "Cache del kit danneggiata: la rifaccio", said
    assert isinstance(_examine(source, cache), kit_pdf.KitInfo)  # good again


def _generator(project: Path, source: Path, cache: Path, caplog: pytest.LogCaptureFixture,
               ) -> tuple[object, list[str]]:
    """The kit's Pelican generator of a site in ``project`` (the settings a Pelican run
    passes it), and the lines it logged as it started."""
    (project / "content").mkdir()
    settings = {"PATH": str(project / "content"), "KIT_SOURCE": str(source),
                "KIT_CACHE": str(cache), "SITEURL": SITE.url, "CONTACT_EMAIL": SITE.email}
    with caplog.at_level(logging.INFO, logger=kit_pdf.pelican_plugin.__name__):
        generator = kit_pdf.pelican_plugin.KitGenerator({}, settings, settings["PATH"], "",
                                                        str(project / "output"))
    return generator, [record.getMessage() for record in caplog.records]


class _NoRender:
    """Stands in for the worker's render: only the line said before it matters here."""

    def __init__(self, *_: object) -> None:
        pass


@pytest.mark.parametrize(("fault", "line"), [
    ("danneggiata", "Cache del kit danneggiata: la rifaccio (il PDF si ricompone mentre "
                    "Pelican legge gli articoli)"),
    ("cambiata", "kit/ è cambiato: il PDF si ricompone mentre Pelican legge gli articoli"),
    ("assente", "Kit non ancora nella cache: il PDF si compone mentre Pelican legge gli "
                "articoli"),
])
def test_the_build_says_why_the_kit_is_rendered_again(
        kit_copy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture, fault: str, line: str) -> None:
    source, cache = kit_copy
    if fault == "danneggiata":
        damage(cache / "manifest.json", "spazzatura")
    elif fault == "cambiata":
        (source / "kit.yaml").write_text((source / "kit.yaml").read_text(encoding="utf-8")
                                         + "\n# una modifica\n", encoding="utf-8")
    else:
        cache = tmp_path / "nessuna-cache"
    monkeypatch.setattr(kit_pdf.pelican_plugin, "Rendering", _NoRender)
    generator, said = _generator(tmp_path, source, cache, caplog)
    assert isinstance(generator.kit, _NoRender)
    assert said == [line]


def test_the_build_uses_a_good_cache_in_silence_but_one_line(
        kit_copy, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    generator, said = _generator(tmp_path, *kit_copy, caplog)
    assert isinstance(generator.kit, kit_pdf.KitInfo)
    assert said == ["Cache valida: nessuna modifica in kit/"]

"""`invoke build` when nothing changed builds nothing; any change to what a build reads
makes a real build (blog/build/fingerprint.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from blog.build import fingerprint
from blog.build.settings import read_settings
from tests.sitecopy import copy_project, invoke

pytestmark = pytest.mark.slow

ARTICLE = "content/articles/sei-pronto-assistente-virtuale.md"
SKIPPED = "Nessun file è cambiato dall’ultima build"


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("impronta") / "project")


def _digest(project: Path) -> str:
    settings = read_settings(project / "pelicanconf.py")
    return fingerprint.inputs_digest(settings, project, drafts=False, search=True)


def _append(relative: str, text: str) -> Callable[[Path], None]:
    def change(project: Path) -> None:
        with (project / relative).open("a", encoding="utf-8") as handle:
            handle.write(text)
    return change


CHANGES = {
    "testo-articolo": _append(ARTICLE, "\nUna riga in più.\n"),
    "nuovo-articolo": lambda p: (p / "content/articles/nuovo.md").write_text(
        "Title: Nuovo\nDate: 2026-01-01\n\nTesto.\n", encoding="utf-8"),
    "modello": _append("theme/templates/base.html", "{# modificato #}\n"),
    "plugin": _append("plugins/og_image/__init__.py", "\n# modificato\n"),
    "kit": _append("kit/kit.css", "\n/* modificato */\n"),
    "impostazioni": _append("pelicanconf.py", "\nSITENAME = 'Altro nome'\n"),
    "motore": _append("blog/build/outputs.py", "\n# modificato\n"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_every_input_of_a_build_is_in_its_fingerprint(
    tmp_path: Path, change: str
) -> None:
    project = copy_project(tmp_path / "project")
    before = _digest(project)
    assert _digest(project) == before  # stable while nothing changes
    CHANGES[change](project)
    assert _digest(project) != before


def test_the_environment_the_settings_read_is_in_the_fingerprint(
    sources: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _digest(sources)
    monkeypatch.setenv("DELEGA_ISSO_URL", "https://commenti.example/")
    assert _digest(sources) != before


def test_a_symlink_among_the_sources_is_never_judged_unchanged(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    os.symlink("/dev/zero", project / "content" / "extra-link")  # never read
    assert _digest(project) != _digest(project)


def test_a_build_with_nothing_changed_is_skipped_and_an_edit_is_built(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    first = invoke(project, "build")
    assert first.returncode == 0, first.stdout + first.stderr
    live = (project / "output").resolve()

    again = invoke(project, "build")
    assert again.returncode == 0, again.stdout + again.stderr
    assert SKIPPED in again.stdout and "Pelican" not in again.stdout
    assert (project / "output").resolve() == live

    _append(ARTICLE, "\nSegno-della-modifica\n")(project)
    edited = invoke(project, "build")
    assert edited.returncode == 0, edited.stdout + edited.stderr
    assert SKIPPED not in edited.stdout
    # What the first build left is whole: no cache is called damaged on the next one.
    assert "danneggiat" not in edited.stdout + edited.stderr, edited.stdout
    assert (project / "output").resolve() != live
    page = project / "output" / "sei-pronto-assistente-virtuale" / "index.html"
    assert "Segno-della-modifica" in page.read_text(encoding="utf-8")

    forced = invoke(project, "build", "--force")
    assert forced.returncode == 0 and SKIPPED not in forced.stdout

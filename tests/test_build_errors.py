"""Bad input stops `invoke build` with a message naming the file; output/ stays as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sitecopy import copy_project, invoke, tree_digest

GOOD_POST = """Title: Un articolo di prova
Date: 2026-10-01 10:00
Category: Delega
Tags: prova
Slug: articolo-di-prova
Summary: Un articolo scritto per il test.

Testo dell’articolo.
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project copy with one good build already in output/."""
    project = copy_project(tmp_path_factory.mktemp("errors") / "project")
    result = invoke(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return project


BROKEN = {
    "dead-link": (
        GOOD_POST + "\nVedi [questo articolo]({filename}/articles/non-esiste.md).\n",
        ["link-morto.md:10", "{filename}/articles/non-esiste.md"],
    ),
    "no-title": (
        GOOD_POST.replace("Title: Un articolo di prova\n", ""),
        ["senza-titolo.md", "title"],
    ),
    "bad-date": (
        GOOD_POST.replace("2026-10-01 10:00", "31 febbraio duemilaventisei"),
        ["data-sbagliata.md"],
    ),
}
FILENAMES = {
    "dead-link": "link-morto.md",
    "no-title": "senza-titolo.md",
    "bad-date": "data-sbagliata.md",
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_input_fails_naming_the_file_and_keeps_output(project: Path, case: str) -> None:
    text, expected = BROKEN[case]
    before = tree_digest(project / "output")
    post = project / "content" / "articles" / FILENAMES[case]
    post.write_text(text, encoding="utf-8")
    try:
        result = invoke(project, "build")
    finally:
        post.unlink()
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    for fragment in expected:
        assert fragment in output, f"{fragment!r} non è nel messaggio:\n{output}"
    assert "rimasto com’era" in output
    assert tree_digest(project / "output") == before


def test_template_error_names_the_template(project: Path) -> None:
    template = project / "theme" / "templates" / "404.html"
    original = template.read_text(encoding="utf-8")
    before = tree_digest(project / "output")
    template.write_text(original.replace("{% endblock %}", "{% endblok %}", 1), encoding="utf-8")
    try:
        result = invoke(project, "build")
    finally:
        template.write_text(original, encoding="utf-8")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "404.html" in output
    assert tree_digest(project / "output") == before

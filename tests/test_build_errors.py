"""Every content mistake stops `invoke build` with an Italian message naming the file, the
line where there is one and the reason; no traceback, no temporary path, output/ unchanged."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.sitecopy import copy_project, invoke, tree_digest

pytestmark = pytest.mark.slow

GOOD_POST = """Title: Un articolo di prova
Date: 2026-10-01 10:00
Category: Delega
Tags: prova
Slug: articolo-di-prova
Summary: Un articolo scritto per il test.

Testo dell’articolo.
"""


@dataclass(frozen=True)
class Case:
    files: dict[str, bytes]  # content/articles/<name> → bytes
    where: str  # "file:line" (or "file") expected in the message
    reason: str  # words of the reason expected in the message


def _post(text: str) -> bytes:
    return text.encode("utf-8")


CASES = {
    "data-inesistente": Case(
        {"data-inesistente.md": _post(GOOD_POST.replace("2026-10-01 10:00", "2026-02-31"))},
        "content/articles/data-inesistente.md:2", "la data «2026-02-31» non esiste"),
    "non-una-data": Case(
        {"non-una-data.md": _post(GOOD_POST.replace("2026-10-01 10:00",
                                                    "31 febbraio duemilaventisei"))},
        "content/articles/non-una-data.md:2",
        "«31 febbraio duemilaventisei» non è una data"),
    "non-utf8": Case(
        {"non-utf8.md": _post(GOOD_POST) + "Caffè con l’assistente\n".encode("cp1252")},
        "content/articles/non-utf8.md:9", "il file non è in UTF-8: salvalo come UTF-8"),
    "senza-titolo": Case(
        {"senza-titolo.md": _post(GOOD_POST.replace("Title: Un articolo di prova\n", ""))},
        "content/articles/senza-titolo.md", "manca il titolo"),
    "slug-doppio": Case(
        {"primo.md": _post(GOOD_POST.replace("Un articolo di prova", "Primo")),
         "secondo.md": _post(GOOD_POST.replace("Un articolo di prova", "Secondo"))},
        "content/articles/primo.md:5", "«articolo-di-prova/» è anche quello di "
        "«content/articles/secondo.md»"),
    "series-index": Case(
        {"serie.md": _post(GOOD_POST.replace(
            "Summary:", "Series: L’Arte della Delega\nSeries_index: abc\nSummary:"))},
        "content/articles/serie.md:7", "Series_index «abc» non è un numero"),
    "link-morto": Case(
        {"link-morto.md": _post(GOOD_POST + "\nVedi [qui]({filename}/articles/non-esiste.md).\n")},
        "content/articles/link-morto.md:10",
        "link interno rotto {filename}/articles/non-esiste.md"),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project copy with one good build already in output/."""
    project = copy_project(tmp_path_factory.mktemp("errors") / "project")
    result = invoke(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return project


def _problem_lines(output: str) -> list[str]:
    return [line.strip() for line in output.split("Da correggere:", 1)[-1].strip().splitlines()]


def _assert_reported(project: Path, result, where: str, reason: str, before: dict) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "rimasto com’era" in output
    listed = _problem_lines(output)
    assert len(listed) == 1, f"one mistake, one line:\n{output}"  # no echo of consequences
    assert listed[0].startswith(where) and reason in listed[0], output
    _assert_clean(project, output)
    assert tree_digest(project / "output") == before


def _assert_clean(project: Path, output: str) -> None:
    for noise in ("Traceback", "→ plugins/", ".output.versions", "staging", str(project)):
        assert noise not in output, f"{noise!r} nel messaggio:\n{output}"


@pytest.fixture(scope="module")
def all_mistakes(project: Path) -> tuple[str, dict, dict]:
    """One build with every content mistake at once: its output, the site before and after."""
    before = tree_digest(project / "output")
    written = []
    for name, case in CASES.items():
        for file, data in case.files.items():
            path = project / "content" / "articles" / file
            if name != "slug-doppio":  # one clash only: every other post its own address
                data = data.replace(b"Slug: articolo-di-prova", f"Slug: {path.stem}".encode())
            path.write_bytes(data)
            written.append(path)
    try:
        result = invoke(project, "build")
    finally:
        for path in written:
            path.unlink()
    assert result.returncode != 0, result.stdout + result.stderr
    return result.stdout + result.stderr, before, tree_digest(project / "output")


@pytest.mark.parametrize("name", sorted(CASES))
def test_content_mistake_names_file_line_and_reason(all_mistakes, name: str) -> None:
    output, _, _ = all_mistakes
    case = CASES[name]
    lines = [line for line in _problem_lines(output) if line.startswith(case.where + ":")
             or line.startswith(case.where + " ")]
    assert lines, f"{case.where!r} non è nel messaggio:\n{output}"
    assert case.reason in lines[0], f"{case.reason!r} non è nel messaggio:\n{output}"


def test_every_mistake_is_listed_once_and_output_is_unchanged(project: Path,
                                                              all_mistakes) -> None:
    output, before, after = all_mistakes
    assert "Build fallita: output/ è rimasto com’era." in output
    assert len(_problem_lines(output)) == len(CASES), output  # no echo of consequences
    _assert_clean(project, output)
    assert after == before


def test_a_single_mistake_is_a_single_line(project: Path) -> None:
    case = CASES["data-inesistente"]
    before = tree_digest(project / "output")
    (name, data), = case.files.items()
    post = project / "content" / "articles" / name
    post.write_bytes(data)
    try:
        result = invoke(project, "build")
    finally:
        post.unlink()
    _assert_reported(project, result, case.where, case.reason, before)


def test_template_error_names_the_template_and_line(project: Path) -> None:
    template = project / "theme" / "templates" / "404.html"
    original = template.read_text(encoding="utf-8")
    before = tree_digest(project / "output")
    template.write_text(original.replace("{% endblock %}", "{% endblok %}", 1), encoding="utf-8")
    try:
        result = invoke(project, "build")
    finally:
        template.write_text(original, encoding="utf-8")
    line = original.splitlines().index(
        next(li for li in original.splitlines() if "{% endblock %}" in li)) + 1
    _assert_reported(project, result, f"theme/templates/404.html:{line}",
                     "tag sconosciuto «endblok»", before)


LONG_TITLE = " ".join(["parola"] * 2858)[:20_000]
ALONE = {  # mistakes that stop a build by themselves (an exception, or a slug left empty)
    "tag-senza-lettere": (GOOD_POST.replace("Tags: prova", "Tags: ???"), 4,
                          "il tag «???» non ha né lettere né cifre"),
    "titolo-lunghissimo": (GOOD_POST.replace("Un articolo di prova", LONG_TITLE)
                           .replace("Slug: articolo-di-prova\n", ""), 1,
                           "il titolo è lungo 20.000 caratteri e, senza una riga «Slug:»"),
}


@pytest.mark.parametrize("name", sorted(ALONE))
def test_a_post_whose_address_cannot_be_made_is_named(project: Path, name: str) -> None:
    text, line, reason = ALONE[name]
    before = tree_digest(project / "output")
    post = project / "content" / "articles" / f"{name}.md"
    post.write_text(text, encoding="utf-8")
    try:
        result = invoke(project, "build")
    finally:
        post.unlink()
    _assert_reported(project, result, f"content/articles/{name}.md:{line}", reason, before)
    assert len(result.stdout + result.stderr) < 2_000  # never the 20 kB name itself


def _unclosed_block(css: bytes) -> bytes:
    lines = css.decode("utf-8").splitlines()
    lines.insert(70, ".cover { color: red; ")  # a block that never closes
    return ("\n".join(lines) + "\n").encode("utf-8")


KIT_CASES = {
    "kit-yaml-non-utf8": ("kit.yaml", lambda data: data + "note: Caffè\n".encode("cp1252"),
                          "kit/kit.yaml:", "non è in UTF-8"),
    "kit-yaml-forma": ("kit.yaml",
                       lambda data: data.replace(b"\nsections:", b"\nsections: tante\nold:", 1),
                       "kit/kit.yaml:", "«sections» deve essere un elenco"),
    "kit-css-non-utf8": ("kit.css", lambda data: data + "/* caffè */\n".encode("cp1252"),
                         "kit/kit.css:", "non è in UTF-8"),
    "kit-css-forma": ("kit.css", _unclosed_block, "kit/kit.css:71", "CSS non valido"),
    # Once WeasyPrint's English «Anchor defined twice», against kit/kit.css.
    "kit-yaml-id-doppio": ("kit.yaml",
                           lambda data: data.replace(b"- id: distanza", b"- id: lasciare", 1),
                           "kit/kit.yaml:", "l’id «lasciare» della domanda 2 è già quello "
                           "della domanda 1"),
}


@pytest.mark.parametrize("name", sorted(KIT_CASES))
def test_kit_mistake_names_file_and_reason_and_keeps_site_and_pdf(project: Path,
                                                                 name: str) -> None:
    file, break_it, where, reason = KIT_CASES[name]
    source = project / "kit" / file
    original = source.read_bytes()
    before = tree_digest(project / "output")
    cache_before = tree_digest(project / ".cache" / "kit")
    source.write_bytes(break_it(original))
    try:
        result = invoke(project, "build")
    finally:
        source.write_bytes(original)
    _assert_reported(project, result, where, reason, before)
    assert tree_digest(project / ".cache" / "kit") == cache_before  # the last good PDF


def test_failed_builds_leave_no_version_behind(project: Path) -> None:
    (project / "content" / "articles" / "rotto.md").write_text(
        GOOD_POST.replace("2026-10-01 10:00", "2026-13-45"), encoding="utf-8")
    try:
        result = invoke(project, "build")
    finally:
        (project / "content" / "articles" / "rotto.md").unlink()
    assert result.returncode != 0
    versions = [p for p in (project / ".output.versions").iterdir() if p.is_dir()]
    current = (project / "output").resolve()
    assert current in versions and len(versions) <= 2, versions

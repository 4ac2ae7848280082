"""Static files: only what something points at is published; no symbolic link is ever
followed out of the project, and a link loop stops the build at once.

Before: everything under content/images and content/extra was published, linked or not;
a link in content/extra/ to a home folder copied its dotfiles into output/; two links
pointing back up the tree made the build run forever.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sitecopy import copy_project, invoke, tree_digest

SECRET = "Segreto-di-casa-9931"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082"
)
POST = """Title: Un articolo con una foto
Date: 2026-10-01 10:00
Category: Delega
Tags: prova
Slug: articolo-con-foto
Summary: Un articolo con una foto.

[![Una foto]({static}/images/foto-usata.png)]({static}/images/foto-usata.png)
"""
# source under content/ → published by the production build?
STATIC = {
    "images/foto-usata.png": True,  # linked by a post (shown only: its variants instead)
    "images/foto-orfana.png": False,  # linked by nothing
    "extra/fattura-cliente.pdf": False,  # a forgotten private file
    "extra/tenuto.txt": True,  # linked by nothing, listed in STATIC_KEEP
    "extra/favicon.ico": True,  # asked for by name: always kept
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project copy with extra static files, built once (dev settings)."""
    project = copy_project(tmp_path_factory.mktemp("static") / "project")
    content = project / "content"
    (content / "images").mkdir(exist_ok=True)
    for name in ("images/foto-usata.png", "images/foto-orfana.png"):
        (content / name).write_bytes(PNG)
    (content / "extra" / "fattura-cliente.pdf").write_bytes(b"%PDF-1.4 fattura riservata\n")
    (content / "extra" / "tenuto.txt").write_text("verifica\n", encoding="utf-8")
    (content / "articles" / "articolo-con-foto.md").write_text(POST, encoding="utf-8")
    with (project / "publishconf.py").open("a", encoding="utf-8") as conf:
        conf.write('\nSTATIC_KEEP = ["extra/tenuto.txt"]\n')
    result = invoke(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return project


@pytest.fixture(scope="module")
def dev_site(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("static-dev") / "output"
    shutil.copytree((project / "output").resolve(), copy)
    return copy


@pytest.fixture(scope="module")
def production_site(project: Path, dev_site: Path,
                    tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = invoke(project, "preview")
    assert result.returncode == 0, result.stdout + result.stderr
    # The author is told what was left out, and why.
    assert ("Non pubblico 2 file statici che nessuna pagina collega (per pubblicarli comunque: "
            "STATIC_KEEP): content/extra/fattura-cliente.pdf, content/images/foto-orfana.png"
            in result.stdout), result.stdout
    copy = tmp_path_factory.mktemp("static-prod") / "output"
    shutil.copytree((project / "output").resolve(), copy)
    return copy


def published(site: Path, source: str) -> bool:
    out = "favicon.ico" if source == "extra/favicon.ico" else source
    return (site / out).is_file()


@pytest.mark.slow
def test_local_build_publishes_every_static_file(dev_site: Path) -> None:
    for source in STATIC:
        assert published(dev_site, source), source


@pytest.mark.slow
def test_production_build_leaves_out_unreferenced_static_files(production_site: Path) -> None:
    for source, expected in STATIC.items():
        assert published(production_site, source) is expected, source
    html = (production_site / "articolo-con-foto" / "index.html").read_text(encoding="utf-8")
    assert "images/foto-usata.png" in html
    assert (production_site / "theme").is_dir() and (production_site / "og" / "sito.png").is_file()


@pytest.mark.slow
def test_check_names_what_production_leaves_out(project: Path, dev_site: Path) -> None:
    """What ``invoke check`` reports on a local build: the files production leaves out."""
    from blog.checks.static import check_unreferenced_static

    problems = check_unreferenced_static(dev_site, project / "content")
    assert [(p.page, p.rule) for p in problems] == [
        ("extra/fattura-cliente.pdf", "static-unreferenced"),
        ("images/foto-orfana.png", "static-unreferenced"),
    ]
    assert "nessuna pagina collega content/extra/fattura-cliente.pdf" in problems[0].message
    assert "STATIC_KEEP" in problems[0].message


@pytest.mark.slow
def test_invoke_check_reports_them(project: Path, dev_site: Path) -> None:
    """The author's command names each file and what to do about it."""
    result = invoke(project, "check", "--quick", "--site", str(dev_site))
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "✗ File statici non collegati: 2 problemi" in output, output
    for source in ("extra/fattura-cliente.pdf", "images/foto-orfana.png"):
        assert f"{source}: nessuna pagina collega content/{source}" in output, output
    assert "tenuto.txt" not in output and "foto-usata.png" not in output


def test_references_are_resolved_like_a_browser(tmp_path: Path) -> None:
    """Relative, root-relative, absolute, percent-encoded, srcset, CSS url(), escaped in a
    feed, through a file that is itself unreferenced."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))
    from static_guard.references import unreferenced

    files = {
        "a/index.html": '<img srcset="../img/uno.png 1x, /img/due%20b.png 2x">'
                        '<a href=https://altro.example/img/tre.png>x</a>',
        "feeds/tutti.atom.xml": "<content>&lt;img src=&quot;/img/quattro.png&quot;&gt;</content>",
        "theme/css/site.css": "body{background:url('../../img/cinque.png')}",
        "img/solo.html": '<img src="sei.png">',  # unreferenced itself: sei.png goes too
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    images = ["uno.png", "due b.png", "tre.png", "quattro.png", "cinque.png", "sei.png",
              "sette.png"]
    for name in images:
        (tmp_path / "img" / name).write_bytes(PNG)
    candidates = {f"img/{name}": f"images/{name}" for name in images}
    candidates["img/solo.html"] = "images/solo.html"
    assert sorted(unreferenced(tmp_path, candidates)) == [
        "img/sei.png", "img/sette.png", "img/solo.html"]
    assert sorted(unreferenced(tmp_path, candidates, keep=["images/sette.png"])) == [
        "img/sei.png", "img/solo.html"]


@pytest.mark.slow
def test_bare_pelican_with_publishconf_prunes_too(project: Path, tmp_path: Path) -> None:
    """Safe without our tasks: `pelican -s publishconf.py` alone leaves them out."""
    out = tmp_path / "sito"
    result = subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-s", "publishconf.py", "-o", str(out),
         "--cache-path", str(tmp_path / "cache")],
        cwd=project, capture_output=True, text=True, check=False, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (out / "images" / "foto-usata.png").is_file()
    assert not (out / "extra" / "fattura-cliente.pdf").exists()
    assert not (out / "images" / "foto-orfana.png").exists()


def build_in_bounded_time(project: Path) -> subprocess.CompletedProcess:
    """`invoke build`, killed after two minutes (a hang is a failure, not a stuck suite)."""
    return subprocess.run([sys.executable, "-m", "invoke", "build"], cwd=project,
                          capture_output=True, text=True, check=False, timeout=120)


@pytest.mark.timeout(300)
@pytest.mark.slow
def test_symlink_out_of_the_project_stops_the_build_copying_nothing(
        project: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".bashrc").write_text(f"export TOKEN={SECRET}\n", encoding="utf-8")
    (home / ".ssh" / "id_ed25519").write_text(SECRET, encoding="utf-8")
    link = project / "content" / "extra" / "casa"
    file_link = project / "content" / "images" / "chiave.txt"
    before = tree_digest(project / "output")
    link.symlink_to(home, target_is_directory=True)
    file_link.symlink_to(home / ".ssh" / "id_ed25519")
    try:
        result = build_in_bounded_time(project)
    finally:
        link.unlink()
        file_link.unlink()
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"content/extra/casa: collegamento simbolico a {home}, fuori dal progetto" in output
    assert "content/images/chiave.txt: collegamento simbolico a" in output
    assert tree_digest(project / "output") == before
    leaks = [p for p in (project / "output").resolve().rglob("*")
             if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert leaks == []


@pytest.mark.timeout(300)
@pytest.mark.slow
def test_symlink_loop_stops_with_a_clear_message(project: Path) -> None:
    up = project / "content" / "extra" / "su"
    upper = project / "content" / "images" / "ancora-su"
    before = tree_digest(project / "output")
    up.symlink_to("..", target_is_directory=True)
    upper.symlink_to("../..", target_is_directory=True)
    try:
        result = build_in_bounded_time(project)
    finally:
        up.unlink()
        upper.unlink()
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "content/extra/su: collegamento simbolico a «..» («content»)" in output
    assert "content/images/ancora-su: collegamento simbolico a «../..»" in output
    assert "all’infinito" in output
    assert tree_digest(project / "output") == before


@pytest.mark.slow
def test_links_inside_the_project_without_loops_are_fine(project: Path) -> None:
    sys.path.insert(0, str(project / "plugins"))
    from symlink_guard import unsafe_links

    link = project / "content" / "extra" / "caratteri"
    link.symlink_to(os.path.relpath(project / "theme" / "static", link.parent),
                    target_is_directory=True)
    chain_a = project / "content" / "extra" / "a"
    chain_b = project / "content" / "extra" / "b"
    chain_a.symlink_to("b")
    chain_b.symlink_to("a")
    try:
        problems = unsafe_links([project / "content", project / "theme"], project)
    finally:
        for path in (link, chain_a, chain_b):
            path.unlink()
    assert [path.name for path, _ in problems] == ["a", "b"]
    assert all("catena di collegamenti" in reason for _, reason in problems)

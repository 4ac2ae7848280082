"""``invoke publish`` against real targets on this machine.

One git-initialised project copy for the module (so ``SOURCE_DATE_EPOCH`` comes from
its commit, as for the author), holding a draft that must never reach a target:
- no target configured: an Italian explanation, no traceback, nothing built;
- rsync into a local folder: a release behind an atomically switched symlink, with
  ``.gz``/``.br`` twins and ``_headers``; publishing the same site again adds no release;
- ghp-import into a local bare repository: the gh-pages branch holds the site; the same
  site again adds no commit;
- a publish whose checks fail: both targets exactly as they were;
- uncommitted or untracked sources: refused, naming the files, before any build;
  ``--allow-dirty`` publishes and says so loudly;
- an unreachable or unwritable target: refused before any build;
- ``invoke rollback``: the previous release is live again (one symlink switch, or one
  commit on gh-pages), and again one further back.

What releases keep, skip and survive (tiny sites, no build): tests/test_releases.py.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import subprocess
from pathlib import Path

import brotli
import pytest

from tests.sitecopy import copy_project, invoke, tree_digest
from tests.workflow_support import git, init_git

DRAFT_TOKEN = "Bozza-riservata-8812"
DRAFT = f"""Title: {DRAFT_TOKEN} non ancora pronta
Date: 2026-11-25 10:00
Category: Assistente Virtuale
Tags: delega
Slug: bozza-riservata-8812
Summary: Una bozza {DRAFT_TOKEN}.
Status: draft

Testo della bozza {DRAFT_TOKEN}.
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("publish") / "project")
    (project / "content" / "articles" / "bozza-riservata.md").write_text(DRAFT, "utf-8")
    init_git(project)
    return project


@pytest.fixture(scope="module")
def targets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("targets")
    (base / "www pubblico").mkdir()  # a space: the deploy scripts must quote
    bare = base / "pages.git"
    subprocess.run(["git", "init", "--bare", "--quiet", str(bare)], check=True)
    return {"rsync": base / "www pubblico" / "blog", "gh-pages": bare}


def _publish(project: Path, method: str, destination: Path, *extra: str):
    env = {"DELEGA_DEPLOY": method, "DELEGA_DEPLOY_DEST": str(destination)}
    return invoke(project, "publish", *extra, env=env)


@pytest.fixture(scope="module")
def published(project: Path, targets: dict[str, Path]) -> dict[str, subprocess.CompletedProcess]:
    """One publish to each target (the rsync one runs every check on the site), with
    ``.built``: the digest of the site it built, taken at once (a later publish in
    another test rebuilds the same folder)."""
    results = {}
    for method, folder in (("rsync", "sito"), ("gh-pages", "sito-gh-pages")):
        results[method] = _publish(project, method, targets[method])
        built = project / ".cache" / "publish" / folder
        results[method].built = tree_digest(built) if built.exists() else {}
    blog = targets["rsync"]  # as the first publish left it (other tests publish again)
    results["rsync"].release = os.readlink(blog) if blog.is_symlink() else ""
    releases = blog.with_name("blog.releases")
    results["rsync"].releases = sorted(
        p.name for p in releases.iterdir()) if releases.is_dir() else []
    return results


def _meta_policies(html: str) -> list[str]:
    """The values of every ``<meta http-equiv="Content-Security-Policy">`` in ``<head>``."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Head(HTMLParser):
        def handle_starttag(self, tag, attrs):
            values = dict(attrs)
            if tag == "meta" and (values.get("http-equiv") or "").lower() == (
                    "content-security-policy"):
                found.append(values.get("content") or "")

    Head().feed(html.split("</head>")[0])
    return found


def _last_line(result) -> str:
    return result.stdout.strip().splitlines()[-1]


def _no_draft(files: dict[str, bytes]) -> None:
    for name, data in files.items():
        assert "bozza-riservata" not in name, name
        assert DRAFT_TOKEN.encode() not in data, name


@pytest.mark.slow
def test_publish_without_a_target_explains_what_to_set(project: Path) -> None:
    env = {"DELEGA_DEPLOY": "", "DELEGA_DEPLOY_DEST": ""}
    before = _build_traces(project)
    result = invoke(project, "publish", env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "Traceback" not in output
    assert "manca la destinazione" in output
    assert "DELEGA_DEPLOY=rsync" in output and "DELEGA_DEPLOY=gh-pages" in output
    assert "publishconf.py" in output
    assert "Sito e kit" not in output  # nothing was built
    assert _build_traces(project) == before


@pytest.mark.slow
def test_publish_by_rsync_into_a_local_folder(
    project: Path, targets: dict[str, Path], published: dict
) -> None:
    blog = targets["rsync"]
    result = published["rsync"]
    assert result.returncode == 0, result.stdout + result.stderr
    summary = _last_line(result)
    assert summary.startswith(f"Pubblicato su {blog}: ")
    assert "pagine HTML" in summary and "kit 1" in summary and "versione " in summary
    for step in ("[1/5] Sito e kit", "[2/5] Indice di ricerca", "[3/5] Controlli",
                 "[5/5] Invio"):
        assert step in result.stdout

    assert blog.is_symlink()
    assert result.release.startswith("blog.releases/")  # relative: the folder can move
    live = blog.parent / result.release
    assert live.parent == blog.with_name("blog.releases")
    assert result.releases == [live.name]
    files = {p.relative_to(live).as_posix(): p.read_bytes()
             for p in live.rglob("*") if p.is_file()}
    # Exactly the checked production site, plus its compressed twins.
    assert tree_digest(live) == result.built
    assert "index.html" in files and "_headers" in files and "sitemap.xml" in files
    assert b"https://www.giulia-assistente.example/" in files["sitemap.xml"]
    assert files["index.html.gz"] and gzip.decompress(files["index.html.gz"]) == files["index.html"]
    assert brotli.decompress(files["index.html.br"]) == files["index.html"]
    assert any(name.endswith(".css.br") for name in files)
    assert not any(name.endswith((".pdf.gz", ".png.br", ".pf_fragment.gz")) for name in files)
    assert b"Content-Security-Policy:" in files["_headers"]
    _no_draft(files)


@pytest.mark.slow
def test_publishing_the_live_site_again_adds_no_release(
    project: Path, targets: dict[str, Path], published: dict
) -> None:
    blog = targets["rsync"]
    assert published["rsync"].returncode == 0
    releases = blog.with_name("blog.releases")
    link, before = os.readlink(blog), tree_digest(releases)
    result = _publish(project, "rsync", blog)
    assert result.returncode == 0, result.stdout + result.stderr
    # Same sources, same commit: the same bytes, so the checks were not run twice, and
    # the live release already holds them: nothing is sent, no release is added.
    assert "già superato tutti i controlli" in result.stdout, result.stdout
    assert _last_line(result).startswith(f"Niente da inviare a {blog}: "), result.stdout
    assert "già online, nessuna nuova versione" in _last_line(result), result.stdout
    assert os.readlink(blog) == link
    assert tree_digest(releases) == before
    assert len(list(releases.iterdir())) == len(published["rsync"].releases)


@pytest.mark.slow
def test_publish_to_gh_pages_of_a_bare_repository(
    project: Path, targets: dict[str, Path], published: dict
) -> None:
    bare = targets["gh-pages"]
    result = published["gh-pages"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert _last_line(result).startswith("Pubblicato su ramo gh-pages di ")
    listing = git(bare, "ls-tree", "-r", "--name-only", "gh-pages").stdout.split()
    assert sorted(set(listing) - {".nojekyll"}) == sorted(result.built)
    page = git(bare, "show", "gh-pages:index.html").stdout
    assert hashlib.sha256(page.encode()).hexdigest() == result.built["index.html"]
    files = {name: git(bare, "show", f"gh-pages:{name}").stdout.encode()
             for name in listing if name.endswith((".html", ".xml", ".json"))}
    _no_draft(files)
    # GitHub Pages sends no headers: every page carries the policy in a <meta> instead.
    from blog.headers import meta_content_security_policy

    for name, data in files.items():
        if name.endswith(".html") and b"http-equiv=\"refresh\"" not in data:
            assert _meta_policies(data.decode()) == [meta_content_security_policy()], name
    rsync_page = (targets["rsync"] / "index.html").read_text(encoding="utf-8")
    assert _meta_policies(rsync_page) == []  # nginx and _headers send the header instead
    subject = git(bare, "log", "-1", "--format=%s", "gh-pages").stdout
    assert subject.startswith("Pubblicazione del sito (sorgenti ")
    # The same site again: the live tree already, so no commit is pushed.
    before = git(bare, "rev-parse", "gh-pages").stdout.strip()
    again = _publish(project, "gh-pages", bare)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "già online, nessuna nuova versione" in _last_line(again), again.stdout
    assert git(bare, "rev-parse", "gh-pages").stdout.strip() == before


@pytest.mark.slow
def test_a_publish_whose_checks_fail_leaves_both_targets_untouched(
    project: Path, targets: dict[str, Path], published: dict
) -> None:
    assert all(result.returncode == 0 for result in published.values())
    blog = targets["rsync"]
    releases = blog.with_name("blog.releases")
    before_link = os.readlink(blog)
    before_files = tree_digest(releases)
    before_branch = git(targets["gh-pages"], "rev-parse", "gh-pages").stdout
    article = project / "content" / "articles" / "cosa-delegare-per-primo.md"
    original = article.read_text(encoding="utf-8")
    article.write_text(original + "\nTorna [all’indice](#capitolo-che-non-esiste).\n", "utf-8")
    try:
        for method in ("rsync", "gh-pages"):
            result = _publish(project, method, targets[method], "--allow-dirty")
            output = result.stdout + result.stderr
            assert result.returncode == 1, output
            assert "Traceback" not in output
            assert "#capitolo-che-non-esiste" in output and "cosa-delegare-per-primo" in output
            assert "Pubblicazione annullata" in output and "non è stato toccato" in output
            # A cheap check failed: no browser and no vnu for a site that cannot go out.
            for slow in ("Peso delle pagine", "HTML (Nu Html Checker)", "Accessibilità"):
                assert re.search(rf"– {re.escape(slow)}[^\n]*: saltato \(i controlli "
                                 r"precedenti sono falliti\)", output), (slow, output)
    finally:
        article.write_text(original, encoding="utf-8")
    assert os.readlink(blog) == before_link
    assert tree_digest(releases) == before_files
    assert git(targets["gh-pages"], "rev-parse", "gh-pages").stdout == before_branch


@pytest.mark.parametrize(("settings", "environ", "expected"), [
    ({}, {"DELEGA_DEPLOY": "rsync", "DELEGA_DEPLOY_DEST": "u@host:/srv/www/blog"},
     ("rsync", "u@host:/srv/www/blog", 22)),
    ({"DEPLOY": {"method": "GitHub-Pages", "destination": "origin", "ssh_port": 22}}, {},
     ("gh-pages", "origin", 22)),
    ({"DEPLOY": {"method": "rsync", "destination": "/a"}},
     {"DELEGA_DEPLOY_DEST": "/b", "DELEGA_DEPLOY_SSH_PORT": "2222"}, ("rsync", "/b", 2222)),
])
def test_deploy_settings_and_environment(settings, environ, expected) -> None:
    from blog.publish.target import load_config

    config = load_config(settings, environ)
    assert (config.method, config.destination, config.ssh_port) == expected


@pytest.mark.parametrize(("settings", "environ", "says"), [
    ({}, {}, "manca la destinazione"),
    ({}, {"DELEGA_DEPLOY": "ftp", "DELEGA_DEPLOY_DEST": "x"}, "«ftp» non esiste"),
    ({}, {"DELEGA_DEPLOY": "rsync"}, "Manca la destinazione per «rsync»"),
])
def test_incomplete_deploy_settings_explain_themselves(settings, environ, says) -> None:
    from blog.publish.errors import DeployError
    from blog.publish.target import load_config

    with pytest.raises(DeployError) as error:
        load_config(settings, environ)
    assert says in str(error.value) and "invoke publish --dry-run" in str(error.value)


def test_destinations_split_into_host_and_path(tmp_path: Path) -> None:
    from blog.publish.target import split_destination

    assert split_destination("giulia@server.example:/srv/www/blog/") == (
        "giulia@server.example", "/srv/www/blog")
    assert split_destination("sito", root=tmp_path) == (None, str(tmp_path / "sito"))
    assert split_destination(str(tmp_path / "a b")) == (None, str(tmp_path / "a b"))


FAKE_SSH = """#!/bin/sh
# ssh stand-in: skip the options, note the host, run the command here like a remote shell.
while [ $# -gt 0 ]; do
  case "$1" in
    -p|-o|-l|-i|-e) shift 2 ;;
    -*) shift ;;
    *) break ;;
  esac
done
echo "$1" >> "$FAKE_SSH_LOG"
shift
exec sh -c "$*"
"""


def test_rsync_over_ssh_runs_the_same_release_switch_remotely(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from blog.publish.releases import deploy_rsync
    from blog.publish.target import DeployConfig

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ssh").write_text(FAKE_SSH, encoding="utf-8")
    (bin_dir / "ssh").chmod(0o755)
    log = tmp_path / "ssh.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_SSH_LOG", str(log))
    site = tmp_path / "sito"
    site.mkdir()
    (site / "index.html").write_text("<p>uno</p>", encoding="utf-8")
    server = tmp_path / "server www"
    server.mkdir()
    config = DeployConfig(method="rsync", destination=f"giulia@server.example:{server}/blog",
                          ssh_port=2222)
    details = []
    for text in ("<p>uno</p>", "<p>due</p>", "<p>due</p>"):
        (site / "index.html").write_text(text, encoding="utf-8")
        details.append(deploy_rsync(site, config, say=lambda _: None).detail)
        assert (server / "blog" / "index.html").read_text(encoding="utf-8") == text
    assert (server / "blog").is_symlink()
    # The third is the live site already: compared over ssh, not sent again.
    assert details[2].startswith("già online, nessuna nuova versione"), details
    assert len(list((server / "blog.releases").iterdir())) == 2
    # Our scripts go to giulia@server.example, rsync passes "-l giulia server.example".
    assert set(log.read_text(encoding="utf-8").split()) == {
        "giulia@server.example", "server.example"}



# --------------------------------------------------------------------------- dirty sources


def _build_traces(project: Path) -> dict[str, float]:
    """What a build leaves behind: every entry under .cache/publish and beside it."""
    traces = {}
    for folder in (project / ".cache", project / ".cache" / "publish"):
        if folder.is_dir():
            for entry in folder.iterdir():
                traces[str(entry)] = entry.lstat().st_mtime
    return traces


def _refused_before_building(result, project: Path, before: dict[str, float]) -> str:
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    assert "Sito e kit" not in output and "Pelican" not in output, output
    assert _build_traces(project) == before
    return output


@pytest.fixture
def dirty_sources(project: Path):
    """A modified article, a new photo and a new plugin file, none committed."""
    article = project / "content" / "articles" / "cosa-delegare-per-primo.md"
    original = article.read_bytes()
    photo = project / "content" / "images" / "foto-non-committata.jpg"
    plugin_note = project / "plugins" / "appunti.txt"
    outside = project / "appunti-personali.txt"  # not a source: never listed
    article.write_bytes(original + b"\nUna riga non ancora committata.\n")
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(b"\xff\xd8\xff\xe0 non una vera foto")
    plugin_note.write_text("appunti", encoding="utf-8")
    outside.write_text("appunti", encoding="utf-8")
    try:
        yield ["content/articles/cosa-delegare-per-primo.md",
               "content/images/foto-non-committata.jpg", "plugins/appunti.txt"]
    finally:
        article.write_bytes(original)
        for path in (photo, plugin_note, outside):
            path.unlink(missing_ok=True)


@pytest.mark.slow
def test_publish_refuses_uncommitted_sources_naming_them(
    project: Path, targets: dict[str, Path], dirty_sources: list[str]
) -> None:
    before = _build_traces(project)
    live = os.readlink(targets["rsync"]) if targets["rsync"].is_symlink() else None
    result = _publish(project, "rsync", targets["rsync"])
    output = _refused_before_building(result, project, before)
    assert "Pubblicazione rifiutata" in output and "--allow-dirty" in output
    for path in dirty_sources:
        assert path in output, path
    assert re.search(r"modificato\s+content/articles/cosa-delegare-per-primo\.md", output)
    assert re.search(r"nuovo, non in git\s+content/images/foto-non-committata\.jpg", output)
    assert "appunti-personali" not in output
    assert (os.readlink(targets["rsync"]) if targets["rsync"].is_symlink() else None) == live


@pytest.mark.slow
def test_uncommitted_lists_only_the_published_sources(
    project: Path, dirty_sources: list[str]
) -> None:
    from blog.publish.worktree import uncommitted

    changes = uncommitted(project)
    assert sorted(change.path for change in changes) == sorted(dirty_sources)
    git(project, "add", "content/articles/cosa-delegare-per-primo.md")
    try:
        staged = {change.path: change.label for change in uncommitted(project)}
        assert staged["content/articles/cosa-delegare-per-primo.md"] == "modificato"
    finally:
        git(project, "reset", "--quiet", "--", "content/articles/cosa-delegare-per-primo.md")


@pytest.mark.slow
def test_allow_dirty_publishes_and_says_so_loudly(
    project: Path, tmp_path: Path, published: dict
) -> None:
    # Only a file that changes no page: the same site as the module's publish.
    note = project / "plugins" / "appunti.txt"
    note.write_text("appunti", encoding="utf-8")
    try:
        blog = tmp_path / "blog"
        result = _publish(project, "rsync", blog, "--allow-dirty")
    finally:
        note.unlink()
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "ATTENZIONE (--allow-dirty)" in output and "plugins/appunti.txt" in output
    assert output.index("ATTENZIONE") < output.index("Sito e kit")
    assert "CON 1 FILE NON SALVATI IN GIT (--allow-dirty)" in _last_line(result)
    assert (blog / "index.html").is_file()


# --------------------------------------------------------------------------- destination


def _unwritable(tmp_path: Path) -> Path:
    """A folder this process cannot write into, even as root (/proc refuses mkdir)."""
    if os.geteuid() != 0:
        locked = tmp_path / "sola-lettura"
        locked.mkdir()
        locked.chmod(0o555)
        return locked / "blog"
    return Path("/proc/giulia-blog")


@pytest.mark.slow
def test_an_unreachable_or_unwritable_target_is_refused_before_building(
    project: Path, tmp_path: Path
) -> None:
    a_file = tmp_path / "un-file.txt"
    a_file.write_text("non una cartella", encoding="utf-8")
    cases = [
        ("rsync", str(tmp_path / "manca" / "blog"), "non esiste"),
        ("rsync", str(a_file / "blog"), "non esiste"),
        ("rsync", str(_unwritable(tmp_path)), "non posso"),
        ("rsync", "giulia@server.invalid:/srv/www/blog",
         "Non raggiungo giulia@server.invalid via ssh"),
        ("gh-pages", str(tmp_path / "nessun-repository.git"), "Non raggiungo il repository"),
    ]
    for method, destination, says in cases:
        before = _build_traces(project)
        result = invoke(project, "publish",
                        env={"DELEGA_DEPLOY": method, "DELEGA_DEPLOY_DEST": destination})
        output = _refused_before_building(result, project, before)
        assert says in output, (destination, output)
        assert "Niente è stato costruito né inviato" in output, output


# --------------------------------------------------------------------------- rollback


def _tiny_site(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(f"<p>{text}</p>", encoding="utf-8")
    (folder / f"{text}.txt").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.slow
def test_rollback_switches_the_rsync_target_back_to_the_previous_release(
    project: Path, tmp_path: Path
) -> None:
    from blog.publish.releases import deploy_rsync
    from blog.publish.target import DeployConfig

    blog = tmp_path / "www" / "blog"
    blog.parent.mkdir()
    config = DeployConfig(method="rsync", destination=str(blog))
    releases = []
    for text in ("uno", "due", "tre"):
        deploy_rsync(_tiny_site(tmp_path / text, text), config, say=lambda _: None)
        releases.append(os.readlink(blog))
    env = {"DELEGA_DEPLOY": "rsync", "DELEGA_DEPLOY_DEST": str(blog)}
    snapshot = tree_digest(blog.with_name("blog.releases"))

    for expected, text in ((releases[1], "due"), (releases[0], "uno")):
        result = invoke(project, "rollback", env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert os.readlink(blog) == expected
        assert (blog / "index.html").read_text(encoding="utf-8") == f"<p>{text}</p>"
        assert "Di nuovo online la versione precedente" in result.stdout
    # Only the link moved: every release is still there, byte for byte.
    assert tree_digest(blog.with_name("blog.releases")) == snapshot

    result = invoke(project, "rollback", env=env)
    assert result.returncode == 1 and "non c’è una versione precedente" in result.stderr
    assert os.readlink(blog) == releases[0]


@pytest.mark.slow
def test_rollback_on_gh_pages_is_one_commit_with_the_previous_tree(
    project: Path, tmp_path: Path
) -> None:
    from blog.publish.gh_pages import deploy_gh_pages
    from blog.publish.target import DeployConfig

    bare = tmp_path / "pages.git"
    subprocess.run(["git", "init", "--bare", "--quiet", str(bare)], check=True)
    config = DeployConfig(method="gh-pages", destination=str(bare))
    tips = []
    for text in ("uno", "due", "tre"):
        deploy_gh_pages(_tiny_site(tmp_path / text, text), config, {}, root=project,
                        say=lambda _: None)
        tips.append(git(bare, "rev-parse", "gh-pages").stdout.strip())
    env = {"DELEGA_DEPLOY": "gh-pages", "DELEGA_DEPLOY_DEST": str(bare)}

    for previous, text in ((tips[1], "due"), (tips[0], "uno")):
        before = git(bare, "rev-parse", "gh-pages").stdout.strip()
        result = invoke(project, "rollback", env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        tip = git(bare, "rev-parse", "gh-pages").stdout.strip()
        assert git(bare, "rev-parse", f"{tip}^").stdout.strip() == before  # one commit on top
        assert git(bare, "rev-parse", f"{tip}^{{tree}}").stdout == git(
            bare, "rev-parse", f"{previous}^{{tree}}").stdout
        assert git(bare, "show", "gh-pages:index.html").stdout == f"<p>{text}</p>"

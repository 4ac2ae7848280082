"""Releases: what a publish adds, what it keeps, what a rollback goes back to.

Tiny sites deployed for real (rsync into a local folder, ghp-import into a local bare
repository), no build:
- a site identical to the live one adds no release and no commit («già online, nessuna
  nuova versione»); a changed one adds one, unchanged files hard-linked to the live one;
- a rollback always changes what is live: identical older releases or commits (left by
  earlier versions, which added one per publish) are skipped, and with nothing different
  left it says so and changes nothing;
- the release live before a publish is always kept, also when a rollback had made it an
  older one; a live folder that is gone costs no other release, on publish or rollback;
  on gh-pages the private repository under ``.cache/deploy/`` (``invoke clean`` removes
  it) costs nothing either.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from blog.publish.errors import DeployError
from blog.publish.gh_pages import deploy_gh_pages, rollback_gh_pages
from blog.publish.releases import deploy_rsync, rollback_rsync
from blog.publish.target import DeployConfig
from tests.sitecopy import copy_project, invoke
from tests.workflow_support import git


def _site(base: Path, text: str) -> Path:
    """A two-file site whose page says ``text`` (the style sheet never changes)."""
    folder = base / f"sito-{text}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(f"<p>{text}</p>", encoding="utf-8")
    (folder / "site.css").write_text("body { color: #222 }", encoding="utf-8")
    return folder


def _quiet(_: str) -> None:
    pass


def _live_text(blog: Path) -> str:
    return (blog / "index.html").read_text(encoding="utf-8")


def _releases(blog: Path) -> list[str]:
    return sorted(p.name for p in blog.with_name("blog.releases").iterdir())


@pytest.fixture
def rsync_target(tmp_path: Path) -> tuple[Path, DeployConfig]:
    blog = tmp_path / "www" / "blog"
    blog.parent.mkdir()
    return blog, DeployConfig(method="rsync", destination=str(blog), keep_releases=3)


def test_rsync_the_live_site_again_adds_no_release(tmp_path, rsync_target) -> None:
    blog, config = rsync_target
    first = deploy_rsync(_site(tmp_path, "uno"), config, say=_quiet)
    link = os.readlink(blog)
    again = deploy_rsync(_site(tmp_path, "uno"), config, say=_quiet)
    assert again.detail == (f"già online, nessuna nuova versione (resta la versione "
                            f"{link.rsplit('/', 1)[1]})")
    assert first.detail.startswith("versione ") and first.changed and not again.changed
    assert os.readlink(blog) == link and len(_releases(blog)) == 1

    # One byte different, one file removed, or one added: a new release each time.
    changed = _site(tmp_path, "due")
    deploy_rsync(changed, config, say=_quiet)
    second = blog.resolve()
    assert _live_text(blog) == "<p>due</p>" and len(_releases(blog)) == 2
    # Unchanged files are hard links to the previous release (only changes travel).
    previous = blog.with_name("blog.releases") / link.rsplit("/", 1)[1]
    assert (second / "site.css").stat().st_ino == (previous / "site.css").stat().st_ino
    (changed / "site.css").unlink()
    deploy_rsync(changed, config, say=_quiet)
    assert not (blog / "site.css").exists() and len(_releases(blog)) == 3


def test_rsync_rollback_skips_identical_releases_and_says_when_nothing_differs(
    tmp_path, rsync_target
) -> None:
    blog, config = rsync_target
    deploy_rsync(_site(tmp_path, "uno"), config, say=_quiet)
    deploy_rsync(_site(tmp_path, "due"), config, say=_quiet)
    releases = blog.with_name("blog.releases")
    # What an earlier version left: the same site published twice, two releases.
    live = blog.resolve()
    later = dt.datetime.strptime(live.name[:15], "%Y%m%dT%H%M%S") + dt.timedelta(seconds=1)
    copy = releases / later.strftime("%Y%m%dT%H%M%S000Z")
    shutil.copytree(live, copy)
    os.replace(_relinked(blog, copy), blog)
    assert _live_text(blog) == "<p>due</p>" and len(_releases(blog)) == 3

    result = rollback_rsync(config)
    assert _live_text(blog) == "<p>uno</p>"  # «due» twice, then «uno»: what is live changed
    assert "saltata 1 versione identica a quella online" in result.detail

    # Only identical ones older than the live one: nothing to go back to, nothing changes.
    deploy_rsync(_site(tmp_path, "tre"), config, say=_quiet)  # keeps «uno» (live before)
    link = os.readlink(blog)
    for name in _releases(blog):
        if (releases / name / "index.html").read_text(encoding="utf-8") != "<p>tre</p>":
            shutil.rmtree(releases / name)
            shutil.copytree(blog.resolve(), releases / name)
    with pytest.raises(DeployError) as refused:
        rollback_rsync(config)
    assert "non c’è una versione precedente diversa da rimettere online" in str(refused.value)
    assert "Il sito online non è cambiato" in str(refused.value)
    assert os.readlink(blog) == link


def _relinked(blog: Path, release: Path) -> Path:
    link = blog.with_name(".blog.link-test")
    link.unlink(missing_ok=True)
    link.symlink_to(f"blog.releases/{release.name}")
    return link


def test_the_release_live_before_a_publish_is_kept_after_a_rollback(
    tmp_path, rsync_target
) -> None:
    blog, config = rsync_target  # keep_releases=3
    for text in ("uno", "due", "tre"):
        deploy_rsync(_site(tmp_path, text), config, say=_quiet)
    rollback_rsync(config)
    rollback_rsync(config)
    assert _live_text(blog) == "<p>uno</p>"  # the oldest of the three is live
    deploy_rsync(_site(tmp_path, "quattro"), config, say=_quiet)
    kept = {(blog.with_name("blog.releases") / name / "index.html").read_text("utf-8")
            for name in _releases(blog)}
    # Before: «uno», the oldest by name, was removed and rollback went to «tre».
    assert kept == {"<p>quattro</p>", "<p>uno</p>", "<p>tre</p>"}
    rollback_rsync(config)
    assert _live_text(blog) == "<p>tre</p>"


def test_a_missing_live_folder_costs_no_other_release(tmp_path, rsync_target) -> None:
    blog, config = rsync_target
    for text in ("uno", "due"):
        deploy_rsync(_site(tmp_path, text), config, say=_quiet)
    shutil.rmtree(blog.resolve())  # the live release is gone, the link points at nothing
    said: list[str] = []
    deploy_rsync(_site(tmp_path, "tre"), config, say=said.append)
    assert any("non c’è più" in line and "le altre restano" in line for line in said), said
    texts = [(blog.with_name("blog.releases") / name / "index.html").read_text("utf-8")
             for name in _releases(blog)]
    assert texts == ["<p>uno</p>", "<p>tre</p>"]
    # Only the pages that changed were sent: the rest linked to the newest release left.
    uno = blog.with_name("blog.releases") / _releases(blog)[0]
    assert (blog / "site.css").stat().st_ino == (uno / "site.css").stat().st_ino

    # A rollback with the live folder gone goes to the newest release left.
    shutil.rmtree(blog.resolve())
    result = rollback_rsync(config)
    assert _live_text(blog) == "<p>uno</p>"
    assert "la cui cartella non c’era più" in result.detail
    with pytest.raises(DeployError, match="non c’è una versione precedente"):
        rollback_rsync(config)
    assert _live_text(blog) == "<p>uno</p>"


# --------------------------------------------------------------------------- gh-pages


@pytest.fixture
def pages(tmp_path: Path) -> tuple[Path, DeployConfig, Path]:
    bare = tmp_path / "pages.git"
    subprocess.run(["git", "init", "--bare", "--quiet", str(bare)], check=True)
    root = tmp_path / "progetto"
    root.mkdir()
    return bare, DeployConfig(method="gh-pages", destination=str(bare)), root


def _tip(bare: Path) -> str:
    return git(bare, "rev-parse", "gh-pages").stdout.strip()


def _page(bare: Path) -> str:
    return git(bare, "show", "gh-pages:index.html").stdout


def test_gh_pages_the_live_tree_again_adds_no_commit(tmp_path, pages) -> None:
    bare, config, root = pages
    deploy_gh_pages(_site(tmp_path, "uno"), config, {}, root=root, say=_quiet)
    tip = _tip(bare)
    again = deploy_gh_pages(_site(tmp_path, "uno"), config, {}, root=root, say=_quiet)
    assert again.detail == f"già online, nessuna nuova versione (resta il commit {tip[:7]})"
    assert _tip(bare) == tip
    deploy_gh_pages(_site(tmp_path, "due"), config, {}, root=root, say=_quiet)
    assert git(bare, "rev-parse", "gh-pages^").stdout.strip() == tip  # a fast-forward
    assert _page(bare) == "<p>due</p>"


def test_gh_pages_rollback_skips_identical_commits(tmp_path, pages) -> None:
    bare, config, root = pages
    deploy_gh_pages(_site(tmp_path, "uno"), config, {}, root=root, say=_quiet)
    deploy_gh_pages(_site(tmp_path, "due"), config, {}, root=root, say=_quiet)
    # What an earlier version left: the same site published twice, two commits.
    tree = git(bare, "rev-parse", "gh-pages^{tree}").stdout.strip()
    duplicate = git(bare, "commit-tree", tree, "-p", _tip(bare), "-m",
                    "Pubblicazione del sito").stdout.strip()
    git(bare, "update-ref", "refs/heads/gh-pages", duplicate)

    result = rollback_gh_pages(config, {}, root=root)
    assert _page(bare) == "<p>uno</p>"
    assert "saltata 1 versione identica a quella online" in result.detail
    with pytest.raises(DeployError, match="non c’è una versione precedente"):
        rollback_gh_pages(config, {}, root=root)
    assert _page(bare) == "<p>uno</p>"


def test_gh_pages_loses_nothing_when_its_private_repository_is_removed(
    tmp_path, pages
) -> None:
    bare, config, root = pages
    deploy_gh_pages(_site(tmp_path, "uno"), config, {}, root=root, say=_quiet)
    deploy_gh_pages(_site(tmp_path, "due"), config, {}, root=root, say=_quiet)
    before = _tip(bare)
    shutil.rmtree(root / ".cache")  # what invoke clean does
    again = deploy_gh_pages(_site(tmp_path, "due"), config, {}, root=root, say=_quiet)
    assert again.detail.startswith("già online") and _tip(bare) == before
    shutil.rmtree(root / ".cache")
    deploy_gh_pages(_site(tmp_path, "tre"), config, {}, root=root, say=_quiet)
    assert git(bare, "rev-parse", "gh-pages^").stdout.strip() == before
    shutil.rmtree(root / ".cache")
    rollback_gh_pages(config, {}, root=root)
    assert _page(bare) == "<p>due</p>"


def test_invoke_rollback_says_when_nothing_older_differs(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    blog = tmp_path / "www" / "blog"
    blog.parent.mkdir()
    config = DeployConfig(method="rsync", destination=str(blog))
    deploy_rsync(_site(tmp_path, "uno"), config, say=_quiet)
    assert deploy_rsync(_site(tmp_path, "uno"), config, say=_quiet).detail.startswith(
        "già online")
    result = invoke(project, "rollback",
                    env={"DELEGA_DEPLOY": "rsync", "DELEGA_DEPLOY_DEST": str(blog)})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "non c’è una versione precedente da rimettere online" in result.stderr
    assert _live_text(blog) == "<p>uno</p>"

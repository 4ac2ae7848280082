"""Comments only where they can work: the deploy target decides (blog/publish/target.py).

GitHub Pages, and any static host whose ``DEPLOY`` says ``"comments": False``, gets a site
with no comment form and no request to a comment server; rsync (the nginx sample, Isso
behind ``/isso/``) keeps them; ``invoke publish`` refuses a site whose pages would still
call a comment server the target has not, and says what to set."""

from __future__ import annotations

import mimetypes
import subprocess
import tarfile
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.sitecopy import copy_project, invoke
from tests.workflow_support import git, init_git

SITEURL = "https://www.giulia-assistente.example"


@pytest.mark.parametrize(("deploy", "comments", "isso"), [
    ({"method": "rsync", "destination": "/srv/www/blog"}, True, None),
    ({"method": "rsync", "destination": "/srv/www/blog", "comments": False}, False, ""),
    ({"method": "rsync", "destination": "/srv/www/blog", "comments": "no"}, False, ""),
    ({"method": "gh-pages", "destination": "origin"}, False, ""),
])
def test_the_target_decides_the_comments(deploy, comments, isso) -> None:
    from blog.publish.pipeline import _host_settings
    from blog.publish.target import load_config

    config = load_config({"DEPLOY": deploy}, {})
    assert config.has_comment_server is comments
    assert _host_settings(config).get("ISSO_URL") == isso
    assert "ISSO_URL" not in _host_settings(None)  # a dry run builds what the settings say


def test_comments_on_github_pages_are_refused_saying_what_to_set() -> None:
    from blog.publish.errors import DeployError
    from blog.publish.target import load_config

    with pytest.raises(DeployError) as error:
        load_config({"DEPLOY": {"method": "gh-pages", "destination": "origin",
                                "comments": True}}, {})
    message = str(error.value)
    assert "GitHub Pages" in message and "Togli «comments» da DEPLOY" in message


def test_the_guard_names_pages_that_would_call_isso(tmp_path: Path) -> None:
    from blog.publish.comment_guard import refusal

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<div id="isso-thread" data-isso-id="/a/">',
                                               encoding="utf-8")
    (tmp_path / "index.html").write_text("<p>Commenti via e-mail</p>", encoding="utf-8")
    message = refusal(tmp_path, "ramo gh-pages di origin")
    assert message and "  - a/index.html" in message and "index.html\n" not in message.split(
        "a/index.html")[0]
    assert "«comments»: True in DEPLOY" in message
    (tmp_path / "a" / "index.html").write_text("<p>niente</p>", encoding="utf-8")
    assert refusal(tmp_path, "x") is None


def _tree(bare: Path, dest: Path) -> Path:
    """The gh-pages branch of ``bare`` as files in ``dest`` (what GitHub Pages serves)."""
    archive = subprocess.run(["git", "--git-dir", str(bare), "archive", "gh-pages"],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def _serve_like_github_pages(context, site: Path, foreign: list[str]) -> None:
    """Answer the site's own origin from ``site`` as a static host does; record (and
    fail) every request elsewhere."""

    def handle(route) -> None:
        url = urlsplit(route.request.url)
        if f"{url.scheme}://{url.netloc}" != SITEURL:
            foreign.append(route.request.url)
            route.abort()
            return
        path = site / url.path.lstrip("/")
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            route.fulfill(status=404, path=site / "404.html")
            return
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        route.fulfill(status=200, body=path.read_bytes(), content_type=kind)

    context.route("**/*", handle)


@pytest.mark.slow
@pytest.mark.browser
def test_a_github_pages_site_makes_no_comment_request_on_any_page(
        tmp_path: Path, browser) -> None:
    project = copy_project(tmp_path / "project")
    init_git(project)
    bare = tmp_path / "pages.git"
    subprocess.run(["git", "init", "--bare", "--quiet", str(bare)], check=True)
    env = {"DELEGA_DEPLOY": "gh-pages", "DELEGA_DEPLOY_DEST": str(bare)}
    result = invoke(project, "publish", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    site = _tree(bare, tmp_path / "pages")

    pages = sorted(site.rglob("*.html"))
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for call in ("data-isso-id", "data-comment-count", "data-comments=", "/isso/"):
            assert call not in html, (page, call)
    article = (site / "sei-pronto-assistente-virtuale" / "index.html").read_text("utf-8")
    assert 'class="comments-fallback"' in article  # the e-mail way stays

    context = browser.new_context(locale="it-IT")
    foreign: list[str] = []
    requests: list[str] = []
    errors: list[str] = []
    _serve_like_github_pages(context, site, foreign)
    context.on("request", lambda request: requests.append(request.url))
    tab = context.new_page()
    tab.on("console", lambda m: errors.append(f"{m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    visited = 0
    try:
        for page in pages:
            if page.name == "404.html" or b'http-equiv="refresh"' in page.read_bytes():
                continue
            relative = page.relative_to(site).as_posix().removesuffix("index.html")
            tab.goto(f"{SITEURL}/{relative}", wait_until="load")
            # enhance.js loads the comments when the reader nears them: scroll to the end.
            tab.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            tab.wait_for_timeout(150)
            visited += 1
    finally:
        context.close()
    assert visited >= 30
    assert [url for url in requests if "isso" in url] == []
    assert foreign == [] and errors == [], (foreign, errors)

    # A template that shows the comments whatever ISSO_URL says: refused, the branch untouched.
    before = git(bare, "rev-parse", "gh-pages").stdout
    partial = project / "theme" / "templates" / "partials" / "comment_count.html"
    partial.write_text('<p data-comment-count="/{{ article.url }}" hidden>Commenti</p>\n',
                       encoding="utf-8")
    git(project, "commit", "-qam", "A theme that always counts comments")
    refused = invoke(project, "publish", env=env)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "non ha un server di commenti" in refused.stdout + refused.stderr
    assert "«comments»: True in DEPLOY" in refused.stdout + refused.stderr
    assert git(bare, "rev-parse", "gh-pages").stdout == before

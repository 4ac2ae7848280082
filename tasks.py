"""The author's tasks: ``invoke --list`` shows them, ``invoke build`` is the daily one.

Follows the Pelican quickstart's names (clean, build, rebuild, regenerate, serve,
reserve, preview, livereload, publish) and adds kit, new, check, headers, bench,
test and lint. Every task ends with a one-line Italian summary; the work itself lives
in ``buildtools/`` so that tests and benchmarks call the same code.
"""

from __future__ import annotations

import shlex
import shutil
import sys
import time
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "plugins"))

from buildtools.sitebuild import SiteBuildFailed, build_site  # noqa: E402

PY = shlex.quote(sys.executable)
CONFIG = {
    "settings_base": ROOT / "pelicanconf.py",
    "settings_publish": ROOT / "publishconf.py",
    "deploy_path": ROOT / "output",
    "host": "127.0.0.1",
    "port": 8000,
}


def _pelican(c, *args: str) -> None:
    c.run(f"{PY} -m pelican {' '.join(args)}", pty=False)


def _build(settings: Path, output: Path, production: bool = False) -> None:
    try:
        summary = build_site(settings, output, production=production)
    except SiteBuildFailed as exc:
        raise Exit(
            f"Build fallita ({exc}): {output.name}/ è rimasto com’era. "
            "Leggi l’errore qui sopra: indica il file (e la riga) da correggere.",
            code=1,
        ) from None
    print(summary)


@task
def clean(c):
    """Remove the generated site and the build caches."""
    for path in (CONFIG["deploy_path"], ROOT / ".cache"):
        shutil.rmtree(path, ignore_errors=True)
    print("Pulito: output/ e .cache/ rimossi")


@task
def build(c):
    """Build the site and the kit into output/ (only if everything succeeds)."""
    _build(CONFIG["settings_base"], CONFIG["deploy_path"])


@task
def rebuild(c):
    """`clean` then `build`."""
    clean(c)
    build(c)


@task
def regenerate(c):
    """Rebuild on every change (Pelican's own watcher, no browser refresh)."""
    _pelican(c, "content", "-r", "-s", str(CONFIG["settings_base"]))


@task
def serve(c):
    """Serve output/ at http://127.0.0.1:8000/."""
    _pelican(c, "-l", "-s", str(CONFIG["settings_base"]),
             "-b", CONFIG["host"], "-p", str(CONFIG["port"]))


@task
def reserve(c):
    """`build`, then `serve`."""
    build(c)
    serve(c)


@task
def preview(c):
    """Build with the production settings (publishconf.py) into output/."""
    _build(CONFIG["settings_publish"], CONFIG["deploy_path"], production=True)


@task
def kit(c, force=False):
    """Build the PDF kit sulla delega (re-rendered only when kit/ changed)."""
    import kit_pdf

    argv = ["--force"] if force else []
    code = kit_pdf.main(argv)
    if code:
        raise Exit(code=code)


@task(help={"port": "port of the site (default 8000)", "isso_port": "port of Isso (8081)"})
def comments(c, port=CONFIG["port"], isso_port=8081):
    """Serve output/ with Isso's comments on 127.0.0.1 (local database, moderation links)."""
    from buildtools.comments import run_for_author

    code = run_for_author(CONFIG["deploy_path"], port=int(port), isso_port=int(isso_port))
    if code:
        raise Exit(code=code)


@task(help={
    "port": "port on 127.0.0.1 (default 8000; 0 = any free port)",
    "host": "address to listen on (default 127.0.0.1)",
    "drafts": "also build the drafts, under /bozze/",
})
def livereload(c, port=CONFIG["port"], host=CONFIG["host"], drafts=False):
    """Serve the site, rebuild on every change, refresh the browser."""
    from buildtools.devserver import DevServer, PortBusy, make_site_builder

    say = _flushing_print
    builder = make_site_builder(CONFIG["settings_base"], CONFIG["deploy_path"], drafts=drafts,
                                say=say)
    if drafts:
        say("Bozze visibili sotto /bozze/ (solo qui, mai pubblicate)")
    try:
        DevServer(CONFIG["deploy_path"], builder, host=host, port=int(port), say=say).run()
    except PortBusy as exc:
        raise Exit(str(exc), code=1) from None


@task(
    positional=["title"],
    help={
        "title": "the article's title, in quotes",
        "category": "category (default: DEFAULT_CATEGORY of pelicanconf.py)",
        "tags": "comma-separated tags (default: delega)",
    },
)
def new(c, title, category="", tags="delega"):
    """Create a draft article in content/articles/ with the front matter the theme reads."""
    from buildtools.deploy import read_settings
    from buildtools.newpost import NewPostError, create_post

    settings = read_settings(CONFIG["settings_base"])
    try:
        post = create_post(
            title, ROOT / "content" / "articles",
            category=category or str(settings.get("DEFAULT_CATEGORY", "Assistente Virtuale")),
            tags=tags, timezone=str(settings.get("TIMEZONE", "Europe/Rome")),
        )
    except NewPostError as exc:
        raise Exit(str(exc), code=1) from None
    print(f"Anteprima: invoke livereload --drafts → http://{CONFIG['host']}:{CONFIG['port']}"
          f"/bozze/{post.slug}/ — per pubblicarla togli la riga «Status: draft».")
    print(f"Bozza creata: {post.path.relative_to(ROOT)} (Status: draft, data {post.date})")


@task(help={
    "site": "folder of the built site (default output/)",
    "quick": "skip the slow checks (Nu Html Checker and axe-core)",
    "all": "check every page again, even those unchanged since they last passed",
})
def check(c, site="output", quick=False, all=False):
    """Check a built site: links and anchors, drafts, page weight, HTML, accessibility."""
    from buildtools.checks import run_checks
    from buildtools.deploy import read_settings

    began = time.perf_counter()
    folder = Path(site) if Path(site).is_absolute() else ROOT / site
    siteurls = [str(read_settings(CONFIG[key]).get("SITEURL", ""))
                for key in ("settings_base", "settings_publish")]
    print(f"Controllo {folder}…", flush=True)
    memo = None if all else ROOT / ".cache" / "controlli" / "memo.json"
    report = run_checks(folder, siteurl=siteurls, quick=quick, memo=memo,
                        say=lambda line: print(line, flush=True))
    print(report.text())
    summary = report.summary(time.perf_counter() - began)
    if not report.ok:
        raise Exit(summary, code=1)
    print(summary)


@task(help={"dry_run": "build and check everything, but send nothing"})
def publish(c, dry_run=False):
    """Build with publishconf.py, check, precompress, then deploy atomically (rsync/gh-pages)."""
    from buildtools.deploy import DeployError
    from buildtools.publish import PublishFailed
    from buildtools.publish import publish as publish_site

    try:
        result = publish_site(CONFIG["settings_publish"], dry_run=dry_run)
    except (DeployError, PublishFailed) as exc:
        raise Exit(str(exc), code=1) from None
    print(result.summary)


@task
def headers(c):
    """Regenerate deploy/security-headers.conf from buildtools/headers.py."""
    from buildtools.headers import main

    main()


@task(help={
    "sizes": "numbers of synthetic posts, comma-separated (default 100,1000)",
    "livereload": "also measure edit-to-browser-refresh latency",
})
def bench(c, sizes="100,1000", livereload=True):
    """Time cold/warm builds, a one-article rebuild and livereload on synthetic sites."""
    flag = "" if livereload else "--no-livereload"
    c.run(f"{PY} {shlex.quote(str(ROOT / 'benchmarks' / 'bench_build.py'))} "
          f"--sizes {shlex.quote(sizes)} {flag}", pty=False)


@task
def lint(c):
    """ruff on the project's Python code."""
    c.run(f"{PY} -m ruff check .")


@task(help={"k": "only tests matching this expression", "args": "extra pytest arguments"})
def test(c, k="", args=""):
    """Run the whole test suite (unit, build, PDF, browser)."""
    selector = f"-k {shlex.quote(k)}" if k else ""
    c.run(f"{PY} -m pytest {selector} {args}", pty=False)


def _flushing_print(line: str) -> None:
    print(line, flush=True)

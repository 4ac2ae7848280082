"""The author's tasks: ``invoke --list`` shows them, ``invoke build`` is the daily one.

Follows the Pelican quickstart's names (clean, build, rebuild, regenerate, serve,
reserve, preview, livereload, publish) and adds kit, new, check, rollback, comments,
comments-backup, comments-restore, import-wordpress, headers, stats, bench, test and
lint. Every task ends with a one-line Italian summary; the work itself lives
in ``blog/`` so that tests and benchmarks call the same code.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import time
from pathlib import Path

from invoke import Exit, task

from blog import paths
from blog.build.engine import BuildError, Engine
from blog.build.plan import Plan, Purpose

ROOT = paths.ROOT
PY = shlex.quote(sys.executable)
CONFIG = {
    "settings_base": paths.DEV_SETTINGS,
    "settings_publish": paths.PUBLISH_SETTINGS,
    "deploy_path": paths.OUTPUT,
    "host": "127.0.0.1",
    "port": 8000,
}


def _failed(exc: BuildError, output: Path) -> Exit:
    problems = "\n".join(f"  {problem}" for problem in exc.problems)
    return Exit(f"Build fallita: {output.name}/ è rimasto com’era. Da correggere:\n{problems}",
                code=1)


def _build(plan: Plan) -> None:
    try:
        result = Engine(say=_flushing_print).build(plan)
    except BuildError as exc:
        raise _failed(exc, plan.output) from None
    print(result.summary())


@task
def clean(c):
    """Remove the generated site (every version of it) and the build caches; the
    comments (commenti/) stay. Waits for the builds under way (any output) to end."""
    from blog.build.locks import caches_exclusive
    from blog.build.outputs import locked, remove_all
    from blog.comments.store import rescue_legacy

    rescue_legacy(ROOT)  # comments that an older version kept in .cache/isso/
    with caches_exclusive(ROOT, say=_flushing_print):
        with locked(CONFIG["deploy_path"], say=_flushing_print):
            remove_all(CONFIG["deploy_path"])
        shutil.rmtree(paths.CACHE, ignore_errors=True)
    print("Pulito: output/, le sue versioni e .cache/ rimossi (i commenti in commenti/ restano)")


@task(help={"drafts": "also build the drafts, under /bozze/ (local preview only)",
            "force": "build even when no source changed since the last build"})
def build(c, drafts=False, force=False):
    """Build the site and the kit into output/ (only if everything succeeds)."""
    _build(Plan(CONFIG["settings_base"], CONFIG["deploy_path"], drafts=drafts, force=force))


@task
def rebuild(c):
    """`clean` then `build` (the comments in commenti/ stay)."""
    clean(c)
    build(c)


@task
def regenerate(c):
    """Rebuild on every change (same strict build as `build`; no browser refresh)."""
    import watchfiles

    from blog.serve.signals import stop_on_signals

    engine = Engine(say=_flushing_print)
    plan = Plan(CONFIG["settings_base"], CONFIG["deploy_path"])
    watched = [paths.CONTENT, paths.THEME, paths.PLUGINS, paths.KIT, CONFIG["settings_base"]]
    print("Ricostruisco a ogni modifica di content/, theme/, plugins/, kit/ (Ctrl-C per uscire)")
    try:
        with stop_on_signals():
            while True:
                try:
                    print(engine.build(plan).summary(), flush=True)
                except BuildError as exc:
                    print(_failed(exc, CONFIG["deploy_path"]).message, flush=True)
                next(iter(watchfiles.watch(*watched)))
    except KeyboardInterrupt:
        print("Fermato.")


@task(help={"port": "port (default 8000; 0 = any free port)",
            "host": "address to listen on (default 127.0.0.1)"})
def serve(c, port=CONFIG["port"], host=CONFIG["host"]):
    """Serve output/ at http://127.0.0.1:8000/ with the production security headers."""
    from blog.serve.app import PortBusy, run_site

    try:
        run_site(CONFIG["deploy_path"], host=host, port=int(port), say=_flushing_print)
    except PortBusy as exc:
        raise Exit(str(exc), code=1) from None


@task
def reserve(c):
    """`build`, then `serve`."""
    build(c)
    serve(c)


@task(help={"force": "build even when no source changed since the last build"})
def preview(c, force=False):
    """Build with the production settings (publishconf.py) into output/, every page
    rendered, as `invoke publish` does."""
    _build(Plan(CONFIG["settings_publish"], CONFIG["deploy_path"], Purpose.PRODUCTION,
                force=force))


@task
def kit(c, force=False):
    """Build the PDF kit sulla delega (re-rendered only when kit/ changed)."""
    from blog.build.kit import build_kit
    from blog.report import seconds_it

    try:
        info = build_kit(CONFIG["settings_base"], force=force, say=_flushing_print)
    except BuildError as exc:
        raise Exit(f"Kit non costruito: il PDF è rimasto com’era. Da correggere:\n  {exc}",
                   code=1) from None
    if info.rendered:
        print(f"Kit: {info.pages} pagine, {info.size_label}, {info.fields} campi, "
              f"{seconds_it(info.seconds)}")
    else:
        print("Kit invariato (cache)")
    # The site's output/ is switched whole by a build: the PDF goes there with the next.
    print(f"Il PDF è in {_shown(info.pdf_path)}; la prossima invoke build lo mette in output/kit/.")


def _shown(path: Path) -> str:
    """``path`` relative to the project when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path(__file__).resolve().parent))
    except ValueError:
        return str(path)


@task(help={"port": "port of the site (default 8000)", "isso_port": "port of Isso (8081)"})
def comments(c, port=CONFIG["port"], isso_port=8081):
    """Serve output/ with Isso's comments on 127.0.0.1 (database commenti/comments.db)."""
    from blog.comments.isso import run_for_author

    code = run_for_author(CONFIG["deploy_path"], port=int(port), isso_port=int(isso_port))
    if code:
        raise Exit(code=code)


@task(help={"dest": "folder for the backup (default commenti/backup/)"})
def comments_backup(c, dest=""):
    """Write a consistent, dated copy of the local comments (SQLite's online backup)."""
    from blog.comments.backup import BackupFailed, backup_local

    try:
        print(backup_local(dest, ROOT))
    except BackupFailed as exc:
        raise Exit(str(exc), code=1) from None


@task(positional=["file"], help={"file": "a backup, e.g. commenti/backup/commenti-….db"})
def comments_restore(c, file):
    """Put a backup of the comments back after checking it (the replaced one is kept)."""
    from blog.comments.restore import RestoreRefused, restore_local

    try:
        print(restore_local(file, ROOT))
    except RestoreRefused as exc:
        raise Exit(str(exc), code=1) from None


@task(help={
    "port": "port on 127.0.0.1 (default 8000; 0 = any free port)",
    "host": "address to listen on (default 127.0.0.1)",
    "drafts": "also build the drafts, under /bozze/",
})
def livereload(c, port=CONFIG["port"], host=CONFIG["host"], drafts=False):
    """Serve the site, rebuild on every change, refresh the browser."""
    from blog.serve.livereload import LiveSession, PortBusy, UnsafeLinks

    session = LiveSession(CONFIG["settings_base"], CONFIG["deploy_path"], drafts=drafts,
                          host=host, port=int(port), say=_flushing_print)
    if drafts:
        _flushing_print("Bozze visibili sotto /bozze/ (solo qui, mai pubblicate)")
    try:
        session.run()
    except (PortBusy, UnsafeLinks) as exc:
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
    from blog.build.settings import settings_file_values
    from blog.newpost import NewPostError, create_post

    settings = settings_file_values(CONFIG["settings_base"])
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
    "build": "build output/ first (it is built anyway when missing)",
})
def check(c, site="output", quick=False, all=False, build=False):
    """Check a built site: links and anchors, drafts, page weight, HTML, accessibility."""
    from blog.build.settings import settings_file_values
    from blog.checks import run_checks

    began = time.perf_counter()
    folder = Path(site) if Path(site).is_absolute() else ROOT / site
    if folder == CONFIG["deploy_path"] and (build or not folder.exists()):
        _build(Plan(CONFIG["settings_base"], folder))
    siteurls = [str(settings_file_values(CONFIG[key]).get("SITEURL", ""))
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


@task(help={"dry_run": "build and check everything, but send nothing",
            "allow_dirty": "publish even with uncommitted files in content/, theme/, kit/…"})
def publish(c, dry_run=False, allow_dirty=False):
    """Build with publishconf.py, check, precompress, then deploy atomically (rsync/gh-pages)."""
    from blog.publish.errors import DeployError
    from blog.publish.pipeline import PublishFailed
    from blog.publish.pipeline import publish as publish_site

    try:
        result = publish_site(CONFIG["settings_publish"], dry_run=dry_run,
                              allow_dirty=allow_dirty)
    except (DeployError, PublishFailed) as exc:
        raise Exit(str(exc), code=1) from None
    print(result.summary)


@task
def rollback(c):
    """Put the previous published version live again (one switch or one gh-pages commit)."""
    from blog.publish.errors import DeployError
    from blog.publish.pipeline import rollback as rollback_site

    try:
        result = rollback_site(CONFIG["settings_publish"])
    except DeployError as exc:
        raise Exit(str(exc), code=1) from None
    print(f"Di nuovo online la versione precedente su {result.where}: {result.detail}")


@task
def headers(c):
    """Regenerate deploy/security-headers.conf from blog/headers.py."""
    from blog.headers import main

    main()


@task(iterable=["log"], help={
    "log": "an access log (repeat it; patterns such as 'access.log*' and .gz files work); "
           "none: copy the rsync target's logs over ssh",
    "output": "folder of the report (default .cache/statistiche/)",
    "remote_logs": "the logs on the server (default /var/log/nginx/access.log*)",
})
def stats(c, log=None, output="", remote_logs=""):
    """The author's numbers from the web server's access logs, as an Italian HTML report:
    kit downloads, the articles read before them, the most read posts, who sends readers."""
    from blog.stats.fetch import REMOTE_LOGS, LogsError
    from blog.stats.run import stats as make_stats

    try:
        result = make_stats(log or (), Path(output).resolve() if output else None,
                            remote_logs or REMOTE_LOGS)
    except LogsError as exc:
        raise Exit(str(exc), code=1) from None
    print(result.summary())


@task(help={
    "sizes": "numbers of synthetic posts, comma-separated (default 100,1000,5000)",
    "livereload": "also measure edit-to-browser-refresh latency",
    "against": "a git revision measured beside this checkout in the same run",
    "search": "also a reader's first search, beside plain Pagefind",
    "photos": "also posts with 10 and 100 phone photos (cold, one edit, one photo replaced)",
})
def bench(c, sizes="100,1000,5000", livereload=True, against="", search=True, photos=True):
    """One table, also written to docs/benchmarks.md: cold/warm/one-edit builds,
    livereload, memory, cards, kit, search at 100, 1,000 and 5,000 synthetic posts,
    beside bare Pelican (`--sizes 1000 --against main~5`: fewer, and an older revision)."""
    flags = ["--docs"] + ([] if livereload else ["--no-livereload"])
    flags += ["--search"] if search else []
    flags += ["--photos"] if photos else []
    flags += ["--against", shlex.quote(against)] if against else []
    with c.cd(str(ROOT)):
        c.run(f"{PY} -m benchmarks.bench_build --sizes {shlex.quote(sizes)} {' '.join(flags)}",
              pty=False)


@task
def lint(c):
    """ruff on the project's Python code, then vulture for dead code (80 % confidence)."""
    c.run(f"{PY} -m ruff check .")
    c.run(f"{PY} -m vulture blog plugins tasks.py vulture_whitelist.py --min-confidence 80")


@task(help={"k": "only tests matching this expression", "args": "extra pytest arguments",
            "workers": "pytest-xdist workers (default: one per core, at most 4; 1: none)"})
def test(c, k="", args="", workers=0):
    """Run the whole test suite (unit, build, PDF, browser), on every core (at most 4)."""
    selector = f"-k {shlex.quote(k)}" if k else ""
    workers = workers or min(4, os.cpu_count() or 1)
    # --dist loadfile: a module's tests share one worker, so module fixtures (and the
    # whole-site check, whose tests all live in tests/test_theme_validate.py) run once.
    parallel = f"-n {workers} --dist loadfile" if workers > 1 else ""
    c.run(f"{PY} -m pytest {parallel} {selector} {args}", pty=False)


def _flushing_print(line: str) -> None:
    print(line, flush=True)


@task(help={
    "export": "the .xml file of WordPress's Tools → Export",
    "uploads": "a copy of the old site's wp-content/uploads: the originals of the files the "
               "posts use are copied (not WordPress's -300x200 sizes), the missing ones listed",
    "production_db": "also write the comments into Isso's production database (ISSO_DBPATH)",
})
def import_wordpress(c, export, uploads="", production_db=False):
    """Import a WordPress export (WXR 1.0-1.2): posts, pages, comments (Isso), old addresses;
    checked against the strict build's rules before anything is written."""
    from blog.wordpress import ImportFailed, run_import

    try:
        report = run_import(Path(export), ROOT, uploads=Path(uploads) if uploads else None,
                            production_db=production_db)
    except ImportFailed as exc:
        raise Exit(f"Import da WordPress non riuscito: {exc}", code=1) from None
    print(report.text())
